"""Electroacupuncture pairs typed or pre-filled on the charting form, including codes that contain hyphens."""

from __future__ import annotations

import pytest

from sciatica_care.clinic.visit_form import split_pair


@pytest.mark.parametrize(("text", "pair"), [
    ("GB30-BL40", ["GB30", "BL40"]),
    ("GB30–BL40", ["GB30", "BL40"]),
    ("EX-B2-L4–EX-B2-L5", ["EX-B2-L4", "EX-B2-L5"]),
    ("EX-B2-L4-EX-B2-L5", ["EX-B2-L4", "EX-B2-L5"]),
    ("gb30 - ub40", ["GB30", "BL40"]),
    ("TUNG-22.05-LI4", ["TUNG-22.05", "LI4"]),
])
def test_pairs_split_into_two_known_points(text: str, pair: list[str]) -> None:
    """A pair splits at the dash between two known point codes, aliases resolved to WHO codes."""
    assert split_pair(text) == pair


@pytest.mark.parametrize("text", ["GB30", "GB30-XX99", "GB30–BL40–BL57", "", "EX-B2"])
def test_not_a_pair_is_refused(text: str) -> None:
    """Anything but two known points joined by a dash is not a pair."""
    assert split_pair(text) is None
