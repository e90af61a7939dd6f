"""Properties of the trigger analysis over generated valid diaries: it never fails, and it is deterministic."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sciatica_care.journal import analyse_diary

START = dt.date(2024, 1, 1)

entries = st.fixed_dictionaries(
    {"leg_nrs": st.integers(0, 10)},
    optional={
        "back_nrs": st.integers(0, 10),
        "sleep_hours": st.floats(0, 24),
        "sleep_quality": st.integers(0, 10),
        "sitting_hours": st.floats(0, 24),
        "walking_minutes": st.floats(0, 1440),
        "stress": st.integers(0, 10),
        "activities": st.lists(st.sampled_from(["driving", "Gardening", "lifting", " yoga "]), max_size=3),
        "medications": st.lists(st.sampled_from(["ibuprofen", "paracetamol"]), max_size=2),
    },
)
diaries = st.lists(st.tuples(st.integers(0, 400), entries), max_size=80, unique_by=lambda pair: pair[0]).map(
    lambda pairs: [{"date": (START + dt.timedelta(days=day)).isoformat(), **entry} for day, entry in pairs])


@settings(max_examples=150, deadline=None)
@given(diaries)
def test_never_fails_on_a_valid_diary(diary: list[dict[str, Any]]) -> None:
    """Any valid diary gives an answer whose findings and intervals are consistent."""
    analysis = analyse_diary(diary)
    assert analysis.days == len(diary)
    for r in analysis.factors:
        assert r.n_with >= 0
        assert r.n_without >= 0
        assert (r.effect is None) == (r.ci95 is None) == (r.finding == "not_enough_data")
        if r.effect is not None and r.ci95 is not None:
            assert r.ci95[0] <= r.effect <= r.ci95[1]
            assert r.finding != "trigger" or r.effect > 0
            assert r.finding != "relief" or r.effect < 0
        assert r.text


@settings(max_examples=60, deadline=None)
@given(diaries, st.randoms(use_true_random=False))
def test_same_diary_same_answer_in_any_order(diary: list[dict[str, Any]], shuffler: random.Random) -> None:
    """The order of the entries does not matter, and running twice gives the same answer."""
    shuffled = list(diary)
    shuffler.shuffle(shuffled)
    assert analyse_diary(diary) == analyse_diary(shuffled) == analyse_diary(diary)
