"""The Stomach, Spleen, Liver and Kidney leg points are drawn where their location texts put them."""

from __future__ import annotations

import pytest

from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.reports.body import place, view
from sciatica_care.reports.body import proportions as P

POINTS = {p.code: p for p in load_knowledge().points}


def _y_cun(code: str) -> float:
    """The point's height on the page, in B-cun from the top of the figure (the views draw at origin 0)."""
    placed = place(POINTS[code], "right")
    return placed.at.y / view(placed.view).scale


def test_st41_lies_midway_between_the_ankle_bones_on_the_front() -> None:
    front = view("front")
    st41 = place(POINTS["ST41"], "right").at
    mid = (front.landmark("lateral_malleolus", "right") + front.landmark("medial_malleolus", "right")) * 0.5
    assert st41.distance(mid) < 1e-6


def test_st36_lies_about_three_cun_below_the_knee() -> None:
    assert 3.0 <= _y_cun("ST36") - P.POPLITEAL_Y <= 4.0


def test_st32_lies_on_the_front_thigh_six_cun_above_the_kneecap() -> None:
    assert P.TROCHANTER_Y < _y_cun("ST32") < P.POPLITEAL_Y - 6


def test_sp9_lies_just_below_the_knee_above_sp6() -> None:
    assert P.POPLITEAL_Y < _y_cun("SP9") < P.POPLITEAL_Y + 3
    assert _y_cun("SP9") < _y_cun("SP6")


def test_lr8_lies_level_with_the_knee_crease() -> None:
    assert _y_cun("LR8") == pytest.approx(P.POPLITEAL_Y, abs=0.5)


def test_ki7_lies_two_cun_above_ki3() -> None:
    assert _y_cun("KI3") - _y_cun("KI7") == pytest.approx(2.0, abs=0.5)
