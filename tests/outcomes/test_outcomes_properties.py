"""Properties of scoring and change that hold for every input."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sciatica_care.errors import InputRefused
from sciatica_care.outcomes import INSTRUMENTS, Change, ScoreResult, change, score
from sciatica_care.outcomes.instruments import Instrument

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 30) | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=30) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=40,
)


@st.composite
def valid_answers(draw: st.DrawFn) -> tuple[Instrument, list[int | None]]:
    instrument = draw(st.sampled_from(list(INSTRUMENTS.values())))
    answers: list[int | None] = [draw(st.integers(item.low, item.high)) for item in instrument.items]
    if instrument.unanswered != "refused":
        blanks = draw(st.sets(st.integers(0, len(answers) - 1), max_size=instrument.max_unanswered))
        for index in blanks:
            answers[index] = None
    return instrument, answers


@given(valid_answers())
def test_valid_answers_score_within_range(case: tuple[Instrument, list[int | None]]) -> None:
    """Any valid answers give a score within the instrument's range."""
    instrument, answers = case
    result = score(instrument.id, answers)
    assert instrument.score_low <= result.score <= instrument.score_high


@given(valid_answers())
def test_answered_counts_the_non_null_answers(case: tuple[Instrument, list[int | None]]) -> None:
    """`answered` is the number of answers that are not null."""
    instrument, answers = case
    assert score(instrument.id, answers).answered == sum(a is not None for a in answers)


@given(st.lists(st.integers(0, 5) | st.none(), min_size=10, max_size=10).filter(lambda a: a.count(None) <= 2))
def test_odi_has_one_decimal(answers: list[int | None]) -> None:
    """An ODI score never carries more than one decimal."""
    value = score("odi", answers).score
    assert round(value, 1) == value


@given(st.sampled_from([*INSTRUMENTS, "vas", ""]) | st.text(max_size=8), json_values)
def test_arbitrary_input_only_ever_refused(instrument: str, answers: object) -> None:
    """Whatever JSON-like input arrives, score returns a result or raises InputRefused, nothing else."""
    outcome: object
    try:
        outcome = score(instrument, answers)
    except InputRefused as refused:
        outcome = refused.problems
    assert isinstance(outcome, ScoreResult) or outcome


@given(st.sampled_from(list(INSTRUMENTS)), json_values, json_values)
def test_change_on_arbitrary_input_only_ever_refused(instrument: str, baseline: Any, current: Any) -> None:
    """Whatever arrives, change returns a result or raises InputRefused, nothing else."""
    outcome: object
    try:
        outcome = change(instrument, baseline, current)
    except InputRefused as refused:
        outcome = refused.problems
    assert isinstance(outcome, Change) or outcome


@given(st.lists(st.integers(0, 1), min_size=8, max_size=8), st.integers(0, 4))
def test_startback_band_matches_its_definition(first_eight: list[int], ninth: int) -> None:
    """STarT Back's band is high on subscale ≥ 4, else low on total ≤ 3, else medium."""
    result = score("startback", [*first_eight, ninth])
    ninth_points = 1 if ninth >= 3 else 0
    total = sum(first_eight) + ninth_points
    subscale = sum(first_eight[4:]) + ninth_points
    expected = "high" if subscale >= 4 else "low" if total <= 3 else "medium"
    assert (result.score, result.subscale, result.band) == (total, subscale, expected)


@given(st.data())
def test_change_is_never_both_better_and_worse(data: st.DataObject) -> None:
    """No change is both an important improvement and an important worsening."""
    instrument = data.draw(st.sampled_from(list(INSTRUMENTS.values())))
    scores = st.integers(instrument.score_low, instrument.score_high)
    result = change(instrument.id, data.draw(scores), data.draw(scores))
    assert not (result.important_improvement and result.important_worsening)


@given(st.data())
def test_swapping_baseline_and_current_swaps_direction_at_the_mcid(data: st.DataObject) -> None:
    """A move of at least the MCID is important whichever way it goes."""
    instrument = data.draw(st.sampled_from([i for i in INSTRUMENTS.values() if i.minimal_important_change]))
    mcid = instrument.minimal_important_change
    assert mcid is not None
    low = data.draw(st.integers(instrument.score_low, instrument.score_high - int(mcid.points)))
    high = data.draw(st.integers(low + int(mcid.points), instrument.score_high))
    assert change(instrument.id, high, low).important_improvement
    assert change(instrument.id, low, high).important_worsening
