"""What a charted session may hold: point names made canonical, a point the plan excluded or a rule forbids now
refused (with the rule), e-stim the plan disallows refused, and the red-flag re-check's stop and referral."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sciatica_care.engine.charting import (
    canonical_code,
    check_electroacupuncture,
    check_points,
    recheck,
    recheck_questions,
)
from sciatica_care.engine.plan import build_plan
from sciatica_care.errors import InputRefused

from .conftest import without_safety_rule

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _example(name: str) -> dict[str, Any]:
    intake: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    return intake


@pytest.mark.parametrize("name", ["LI4", "LI-4", "li4", "LI 4", " li-4 ", "Li_4"])
def test_every_spelling_of_a_point_is_one_point(name: str) -> None:
    assert canonical_code(name) == "LI4"


@pytest.mark.parametrize(("name", "code"), [("LV3", "LR3"), ("UB40", "BL40"), ("ub-40", "BL40"),
                                            ("exb2l4", "EX-B2-L4"), ("tung 22.05", "TUNG-22.05")])
def test_aliases_name_the_canonical_point(name: str, code: str) -> None:
    assert canonical_code(name) == code


@pytest.mark.parametrize("name", ["<SCRIPT>", "", "LI99", "GB30 left", "'; drop"])
def test_an_unknown_code_is_no_point(name: str) -> None:
    assert canonical_code(name) is None


def test_pregnant_patient_excluded_point_is_refused_under_every_spelling() -> None:
    intake = _example("pregnancy-third-trimester")
    plan = build_plan(intake)
    verdicts = check_points(intake, plan, [("LI4", "right"), ("LI-4", "right"), ("li4", "left"), ("LI 4", "both")])
    assert all(v is not None and v.refused_by == "excluded" and v.code == "LI4" for v in verdicts)
    assert {v.rule for v in verdicts if v} == {"pregnancy-forbidden-points"}


def test_pregnant_patient_point_never_drafted_is_still_forbidden() -> None:
    """SP6 is not in her plan at all: the safety rules, run on the point itself, forbid it."""
    intake = _example("pregnancy-third-trimester")
    plan = build_plan(intake)
    assert "SP6" not in {e.code for e in plan.acupuncture.excluded} | {p.code for p in plan.acupuncture.points}
    [v] = check_points(intake, plan, [("SP6", "left")])
    assert v is not None
    assert v.refused_by == "forbidden"
    assert v.rule == "pregnancy-forbidden-points"


def test_without_the_rule_sp6_is_allowed_in_pregnancy() -> None:
    intake = _example("pregnancy-third-trimester")
    k = without_safety_rule("pregnancy-forbidden-points")
    plan = build_plan(intake, k)
    [v] = check_points(intake, plan, [("SP6", "left")], k)
    assert v is not None
    assert not v.refused


def test_a_point_over_a_recorded_device_site_is_forbidden() -> None:
    intake = _example("spinal-cord-stimulator")
    plan = build_plan(intake)
    [v] = check_points(intake, plan, [("BL24", "right")])  # lower back, never drafted
    assert v is not None
    assert v.refused
    assert v.rule == "pacemaker"
    [clear] = check_points(intake, plan, [("BL24", "left")])  # the site was recorded on the right only
    assert clear is not None
    assert not clear.refused


def test_an_allowed_point_outside_the_plan_is_accepted_and_marked_unplanned() -> None:
    intake = _example("s1-disc-acute")
    plan = build_plan(intake)
    planned, extra = check_points(intake, plan, [("GB30", "left"), ("KI3", "left")])
    assert planned is not None
    assert planned.planned
    assert not planned.refused
    assert extra is not None
    assert not extra.planned
    assert not extra.refused


def test_no_readable_plan_refuses_every_point() -> None:
    [v] = check_points(_example("s1-disc-acute"), None, [("GB30", "left")])
    assert v is not None
    assert v.refused


def test_unreadable_intake_fails_closed() -> None:
    plan = build_plan(_example("s1-disc-acute"))
    [v] = check_points({"nonsense": True}, plan, [("KI3", "left")])
    assert v is not None
    assert v.refused
    assert v.rule == "intake-unreadable"


def test_electroacupuncture_disallowed_by_the_plan_is_refused_with_its_reason() -> None:
    assert check_electroacupuncture(build_plan(_example("s1-disc-acute"))) is None
    verdict = check_electroacupuncture(build_plan(_example("pregnancy-third-trimester")))
    assert verdict is not None
    assert "pregnancy" in verdict.reason
    assert check_electroacupuncture(None) is not None


def test_recheck_nothing_found_goes_ahead() -> None:
    r = recheck([])
    assert not r.stop
    assert r.flags == ()


@pytest.mark.parametrize(("flag", "see_within"), [("saddle_anaesthesia", "now"), ("fever", "same_day"),
                                                  ("unexplained_weight_loss", "two_weeks")])
def test_recheck_any_flag_stops_needling_with_the_triage_timing(flag: str, see_within: str) -> None:
    r = recheck([flag])
    assert r.stop
    assert r.flags == (flag,)
    assert r.see_within == see_within
    assert r.timing
    assert r.advice


def test_recheck_refuses_an_unknown_flag() -> None:
    with pytest.raises(InputRefused):
        recheck(["made_up"])


def test_recheck_asks_every_flag_of_the_knowledge() -> None:
    ids = [i for _, i, _ in recheck_questions()]
    assert "saddle_anaesthesia" in ids
    assert len(ids) == len(set(ids))
