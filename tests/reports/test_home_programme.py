"""The home programme's content builder (shared by the handout and the patient's web page): the side each point is
pressed and drawn on, the hold and how often from the plan, the warm-up with heat only when the plan says heat,
only the plan's home-pressing list (never a point forbidden in pregnancy), nothing for a plan not for treatment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciatica_care.engine.plan import build_plan
from sciatica_care.engine.plan_model import Acupressure, Plan
from sciatica_care.knowledge.model import Knowledge
from sciatica_care.reports.home_programme import (
    HEAT_CHOICES,
    UnsafeProgramme,
    build_programme,
    times_a_day,
    where_words,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    return data


def planned(name: str, k: Knowledge) -> tuple[dict[str, Any], Plan]:
    intake = example(name)
    return intake, build_plan(intake, k)


def with_care(plan: Plan, **changes: Any) -> Plan:
    return msgspec.structs.replace(plan, self_care=msgspec.structs.replace(plan.self_care, **changes))


# ------------------------------------------------------------------------------------------------ sides


@pytest.mark.parametrize(("case", "code", "sides"), [
    ("piriformis-chronic", "GB30", ("left",)),  # the painful side
    ("piriformis-chronic", "TUNG-22.05", ("right",)),  # a balance point: the side opposite the pain
    ("l5-stenosis-older", "GB34", ("right",)),
    ("pregnancy-third-trimester", "LR3", ("right", "left")),  # both feet: two sets, right first
])
def test_each_point_is_pressed_and_drawn_on_the_side_the_plan_says(knowledge: Knowledge, case: str, code: str,
                                                                   sides: tuple[str, ...]) -> None:
    """The plan's side gives the sides to press (one set each) and a figure marked on each of them."""
    intake, plan = planned(case, knowledge)
    assert next(a.side for a in plan.self_care.acupressure if a.code == code) in (*sides, "both")
    point = next(p for p in build_programme(intake, plan, knowledge).points if p.code == code)
    assert point.sides == sides
    for figure in point.figures:
        marked = re.findall(r'class="point" data-code="([^"]+)" data-side="(\w+)"', figure.svg)
        assert marked == [(code, figure.side)]
        assert f"on your {figure.side} side" in figure.svg


@pytest.mark.parametrize(("region", "side", "words"), [
    ("gluteal", "left", "your left buttock"),
    ("foot", "both", "both feet"),
    ("leg", "right", "your right lower leg"),
    ("hand", "both", "both hands"),
])
def test_where_the_point_is_in_plain_words(knowledge: Knowledge, region: str, side: str, words: str) -> None:
    point = next(p for p in knowledge.points if p.region == region)
    assert where_words(point, side) == words


@pytest.mark.parametrize(("case", "code", "checked"), [
    ("l5-stenosis-older", "GB41", False),  # location not yet checked against WHO 2008
    ("l4-anterior-medial-man", "ST36", False),
    ("l5-stenosis-older", "GB34", True),
    ("piriformis-chronic", "TUNG-22.05", True),  # Master Tung's own system: its location is its standard
])
def test_a_point_whose_location_is_unchecked_says_so(knowledge: Knowledge, case: str, code: str,
                                                     checked: bool) -> None:
    """The patient is told to have the practitioner show the spot of a point located by an unverified source."""
    intake, plan = planned(case, knowledge)
    point = next(p for p in build_programme(intake, plan, knowledge).points if p.code == code)
    assert point.location_checked is checked


# ------------------------------------------------------------------------------------------------ dose


@pytest.mark.parametrize(("hold", "times", "dose", "often"), [
    ([1, 3], [1, 2], "Hold for 1 to 3 minutes, 1 to 2 times a day.", "once or twice a day"),
    ([2, 2], [1, 1], "Hold for 2 minutes, 1 times a day.", "once a day"),
    ([1, 2], [2, 2], "Hold for 1 to 2 minutes, 2 times a day.", "twice a day"),
    ([3, 3], [2, 4], "Hold for 3 minutes, 2 to 4 times a day.", "2 to 4 times a day"),
])
def test_the_hold_and_how_often_are_the_plans(knowledge: Knowledge, hold: list[int], times: list[int], dose: str,
                                             often: str) -> None:
    """The hold and the times a day are read from the plan's own acupressure record, never assumed."""
    intake, plan = planned("piriformis-chronic", knowledge)
    care = plan.self_care
    plan = with_care(plan, acupressure=[msgspec.structs.replace(a, hold_minutes=hold, times_per_day=times)
                                        for a in care.acupressure])
    for point in build_programme(intake, plan, knowledge).points:
        assert (list(point.hold_minutes), list(point.times_per_day)) == (hold, times)
        assert (point.dose, point.often) == (dose, often)


@pytest.mark.parametrize(("low", "high", "words"), [
    (1, 2, "once or twice a day"), (1, 1, "once a day"), (2, 2, "twice a day"), (2, 3, "twice or three times a day"),
    (1, 3, "1 to 3 times a day"), (4, 4, "4 times a day"),
])
def test_times_a_day_in_words(low: int, high: int, words: str) -> None:
    assert times_a_day(low, high) == words


# ------------------------------------------------------------------------------------------------ heat first


@pytest.mark.parametrize(("thermal", "warm_up", "flare_note"), [
    ("heat", True, False),
    ("ice_then_heat", True, True),
    ("ice", False, False),
    ("none", False, False),
])
def test_the_warm_up_with_heat_comes_only_when_the_plan_says_heat(knowledge: Knowledge, thermal: str,
                                                                  warm_up: bool, flare_note: bool) -> None:
    """15–20 minutes of heat before pressing for a plan whose heat-or-ice choice includes heat; never with ice or
    none (warmth that worsens the pain, a device under the pack, a suspected clot)."""
    intake, plan = planned("piriformis-chronic", knowledge)
    programme = build_programme(intake, with_care(plan, thermal=thermal), knowledge)
    heat = knowledge.self_care.acupressure.heat_first
    assert (programme.heat_first is not None) is warm_up
    if programme.heat_first is not None:
        assert programme.heat_first.minutes == (15, 20)
        assert programme.heat_first.text.startswith(heat.text)
        assert (heat.flare_note in programme.heat_first.text) is flare_note
        assert set(programme.heat_first.sources) == {"seed-003", "seed-000"}
    assert "heat pack" not in (programme.press_how or "").lower()


@pytest.mark.parametrize("case", ["spinal-cord-stimulator", "anticoagulated-older", "pregnancy-third-trimester",
                                  "l5-stenosis-older", "piriformis-chronic"])
def test_the_worked_cases_get_the_warm_up_exactly_when_their_plan_says_heat(knowledge: Knowledge, case: str) -> None:
    """The engine's own plans: a stimulator under the pack (heat held back) or an ice plan gets no warm-up."""
    intake, plan = planned(case, knowledge)
    programme = build_programme(intake, plan, knowledge)
    assert (programme.heat_first is not None) == (plan.self_care.thermal in HEAT_CHOICES)
    if case == "spinal-cord-stimulator":
        assert programme.heat_first is None


def test_no_warm_up_without_points_to_press(knowledge: Knowledge) -> None:
    """The warm-up belongs to the pressing: a heat plan without acupressure has no warm-up step."""
    intake, plan = planned("piriformis-chronic", knowledge)
    assert build_programme(intake, with_care(plan, acupressure=[]), knowledge).heat_first is None


# ------------------------------------------------------------------------------------------------ pregnancy


def _forbidden(knowledge: Knowledge) -> set[str]:
    bad = {p.code for p in knowledge.points if p.forbidden_in_pregnancy}
    return bad | {p.code for p in knowledge.points if bad & set(p.confusable_with)}


def test_a_pregnant_patient_gets_only_the_plans_home_points_none_forbidden(knowledge: Knowledge) -> None:
    """The programme lists exactly the plan's home-pressing list, and no point forbidden in pregnancy or easily
    mistaken for one is in it."""
    intake, plan = planned("pregnancy-third-trimester", knowledge)
    programme = build_programme(intake, plan, knowledge)
    assert [p.code for p in programme.points] == [a.code for a in plan.self_care.acupressure]
    assert not {p.code for p in programme.points} & _forbidden(knowledge)
    assert programme.pregnant


@pytest.mark.parametrize("code", ["LI4", "SP6", "BL60", "TUNG-22.05"])
@pytest.mark.parametrize("case", ["pregnancy-third-trimester", "not-recorded"])
def test_a_forbidden_or_confusable_point_in_a_pregnant_patients_plan_is_refused(knowledge: Knowledge, code: str,
                                                                                case: str) -> None:
    """Defence in depth: a plan that (wrongly) lists a forbidden point, or Ling Gu beside LI4, for a patient who is
    or may be pregnant gives no programme at all."""
    if case == "not-recorded":  # a woman of 30 whose pregnancy status is not recorded
        intake = example("piriformis-chronic")
        intake["patient"] = {"age": 30, "sex": "female"}
        plan = build_plan(intake, knowledge)
    else:
        intake, plan = planned(case, knowledge)
    extra = Acupressure(code=code, hold_minutes=[1, 3], times_per_day=[1, 2], side="right")
    with pytest.raises(UnsafeProgramme, match=code):
        build_programme(intake, with_care(plan, acupressure=[*plan.self_care.acupressure, extra]), knowledge)


def test_the_same_point_is_shown_to_a_man(knowledge: Knowledge) -> None:
    """The guard is for pregnancy only: a man's plan that lists LI4 shows it."""
    intake, plan = planned("l4-anterior-medial-man", knowledge)
    extra = Acupressure(code="LI4", hold_minutes=[1, 3], times_per_day=[1, 2], side="right")
    programme = build_programme(intake, with_care(plan, acupressure=[extra]), knowledge)
    assert [p.code for p in programme.points] == ["LI4"]


pregnant_variants = st.fixed_dictionaries({
    "weeks": st.integers(min_value=4, max_value=40),
    "side": st.sampled_from(["left", "right", "both"]),
    "areas": st.lists(st.sampled_from(["buttock", "posterior_thigh", "lateral_calf", "dorsum_foot", "lower_back",
                                       "posterior_calf", "heel", "lateral_thigh"]), min_size=1, max_size=5,
                      unique=True),
    "chronic": st.booleans(),
})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(v=pregnant_variants)
def test_no_pregnant_patients_programme_holds_a_forbidden_point(knowledge: Knowledge, v: dict[str, Any]) -> None:
    """For pregnant patients of any week, side and pain pattern: no forbidden or confusable point, in the list or
    in any figure."""
    intake = example("pregnancy-third-trimester")
    intake["patient"]["pregnancy_weeks"] = v["weeks"]
    intake["episode"]["side"] = v["side"]
    intake["episode"]["duration_weeks"] = 20 if v["chronic"] else 2
    intake["pain"]["areas"] = v["areas"]
    programme = build_programme(intake, build_plan(intake, knowledge), knowledge)
    bad = _forbidden(knowledge)
    assert not {p.code for p in programme.points} & bad
    drawn = {c for p in programme.points for f in p.figures for c in re.findall(r'data-code="([^"]+)"', f.svg)}
    assert not drawn & bad


# ------------------------------------------------------------------------------------------------ not for treatment


@pytest.mark.parametrize("case", ["cauda-equina", "dvt-same-day", "foot-drop", "fever-weakness-emergency",
                                  "bilateral-absent-reflexes"])
def test_a_plan_not_for_treatment_has_no_programme(knowledge: Knowledge, case: str) -> None:
    """A red flag (or a finding that needs a doctor first): nothing to do at home, even if the plan listed some."""
    intake, plan = planned(case, knowledge)
    assert not plan.treatment_allowed
    _, treatable = planned("piriformis-chronic", knowledge)
    stuffed = msgspec.structs.replace(plan, self_care=treatable.self_care)
    for p in (plan, stuffed):
        programme = build_programme(intake, p, knowledge)
        assert programme.empty
        assert not programme.points
        assert not programme.exercises
        assert programme.heat_first is None
