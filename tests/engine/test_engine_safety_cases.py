"""The worked safety cases in examples/ and properties of the safety rules by what the patient has: the needle
count and cap, pregnancy (no forbidden or confusable point anywhere, no lying on the back after 20 weeks) and
bleeding risk (no deep work, depth within the cap), over generated intakes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciatica_care import plan_for
from sciatica_care.contract import intake_schema
from sciatica_care.knowledge.load import load_knowledge

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
K = load_knowledge()
POINTS = {p.code: p for p in K.points}
FORBIDDEN = {p.code for p in K.points if p.forbidden_in_pregnancy}
CONFUSABLE = {p.code for p in K.points if FORBIDDEN & set(p.confusable_with)}
DEEP_WORK = {"deep_tissue", "pnf_stretching", "trigger_point_release"}
BLEEDING_DEPTH = next(r.max_depth_cun for r in K.safety if r.id == "bleeding-risk")
SUPINE_WORDS = ("face up", "face-up", "on your back", "lying flat")
SCHEMA = intake_schema()["properties"]
AREAS = SCHEMA["pain"]["properties"]["areas"]["items"]["enum"]
MEDICAL = SCHEMA["medical"]["items"]["enum"]
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _example(name: str) -> dict[str, Any]:
    return plan_for(yaml.safe_load((EXAMPLES_DIR / name).read_text(encoding="utf-8")))


def _needles(points: list[dict[str, Any]]) -> int:
    return sum(2 if p["side"] == "both" else 1 for p in points)


def _everywhere(plan: dict[str, Any]) -> set[str]:
    return ({p["code"] for p in plan["acupuncture"]["points"]}
            | {c for pair in plan["electroacupuncture"]["pairs"] for c in pair}
            | {a["code"] for a in plan["self_care"]["acupressure"]})


# ── worked cases ─────────────────────────────────────────────────────────────────────────────────────────


def test_anticoagulated_older_patient_gets_a_light_superficial_session() -> None:
    """78, on warfarin, first treatment: at most 10 needles, all at most 0.5 cun, no BL40, one pair at most,
    no cupping and no deep work."""
    plan = _example("anticoagulated-older.yaml")
    acu = plan["acupuncture"]
    assert acu["needle_cap"] == 10
    assert acu["needles"] == _needles(acu["points"]) <= 10
    assert all(p["depth_cun"][1] <= 0.5 for p in acu["points"])
    assert "BL40" not in _everywhere(plan)
    assert len(plan["electroacupuncture"]["pairs"]) <= 1
    assert plan["cupping"]["allowed"] is False
    assert not set(plan["massage"]["techniques"]) & DEEP_WORK
    assert "anticoagulants" in {w["id"] for w in plan["warnings"]}


def test_spinal_cord_stimulator_keeps_everything_off_the_generator_and_leads() -> None:
    """Generator in the right buttock, leads up the low back: no electroacupuncture, no point in the buttock or
    low back on that side, no cups, no heat pack, and a no-deep-pressure caution."""
    plan = _example("spinal-cord-stimulator.yaml")
    assert plan["electroacupuncture"]["allowed"] is False
    assert plan["electroacupuncture"]["pairs"] == []
    for p in plan["acupuncture"]["points"]:
        point = POINTS[p["code"]]
        assert point.placement is not None
        assert not {"buttock", "lower_back"} & set(point.areas) or p["side"] == "left"
    assert plan["cupping"]["allowed"] is False
    assert plan["self_care"]["thermal"] == "none"
    assert any("deep pressure" in c for c in plan["massage"]["cautions"])
    warning = next(w["text"] for w in plan["warnings"] if w["id"] == "pacemaker")
    assert "generator" in warning


# ── properties ───────────────────────────────────────────────────────────────────────────────────────────


@st.composite
def intakes(draw: st.DrawFn) -> dict[str, Any]:
    """A routine intake that varies what the safety rules look at: sex, pregnancy and its stage, the medical
    history and its sites, previous acupuncture, pain side, areas and duration."""
    pregnant = draw(st.sampled_from([True, False, None]))
    patient: dict[str, Any] = {"age": draw(st.integers(18, 90)), "sex": "female" if pregnant else draw(
        st.sampled_from(["male", "female", "other"]))}
    if pregnant is not None:
        patient["pregnant"] = pregnant
        if pregnant and draw(st.booleans()):
            patient["pregnancy_weeks"] = draw(st.integers(1, 42))
    medical = draw(st.lists(st.sampled_from([m for m in MEDICAL if m not in ("active_cancer", "dvt_suspected")]),
                            unique=True, max_size=3))
    episode: dict[str, Any] = {"side": draw(st.sampled_from(["left", "right", "both"])),
                               "duration_weeks": draw(st.integers(0, 60))}
    if draw(st.booleans()):
        episode["previous_acupuncture"] = draw(st.booleans())
    intake: dict[str, Any] = {
        "schema_version": "1", "patient": patient, "episode": episode, "red_flags": [], "medical": medical,
        "pain": {"leg_nrs": draw(st.integers(0, 10)),
                 "areas": draw(st.lists(st.sampled_from(AREAS), unique=True, min_size=1, max_size=7))},
        "examination": {"sensory_loss": []},
    }
    sited = [m for m in medical if m in ("pacemaker", "skin_lesion_at_site", "recent_spinal_surgery")]
    sites = {m: {"areas": draw(st.lists(st.sampled_from(AREAS), unique=True, max_size=3)),
                 "side": draw(st.sampled_from(["left", "right", "both", "midline"]))}
             for m in sited if draw(st.booleans())}
    if sites:
        intake["medical_sites"] = sites
    return intake


@SETTINGS
@given(intakes())
def test_needles_within_the_cap_and_equal_to_the_points(intake: dict[str, Any]) -> None:
    """`acupuncture.needles` counts the points (both sides = 2) and never exceeds the cap; the cap is never
    above a first treatment's unless the patient has had acupuncture, and bleeding risk lowers it."""
    plan = plan_for(intake)
    acu = plan["acupuncture"]
    assert acu["needles"] == _needles(acu["points"])
    if plan["treatment_allowed"]:
        assert acu["needles"] <= acu["needle_cap"]
        if intake["episode"].get("previous_acupuncture") is not True:
            assert acu["needle_cap"] <= 16
        if {"anticoagulants", "bleeding_disorder"} & set(intake["medical"]):
            assert acu["needle_cap"] <= 10
        dry = plan["dry_needling"]
        assert _needles(dry["points"]) <= acu["needle_cap"]


@SETTINGS
@given(intakes())
def test_pregnancy_no_forbidden_or_confusable_point_and_no_supine_after_20_weeks(intake: dict[str, Any]) -> None:
    """Pregnant: no forbidden or confusable point in points, pairs or acupressure; from 20 weeks (or the stage
    unknown) no exercise or self-pressure instruction lies on the back."""
    patient = intake["patient"]
    if patient.get("pregnant") is not True:
        return
    plan = plan_for(intake)
    assert not _everywhere(plan) & (FORBIDDEN | CONFUSABLE)
    if patient.get("pregnancy_weeks", 99) >= 20:
        care = plan["self_care"]
        for item in [*care["exercise_details"], *care["acupressure"]]:
            assert "supine" not in item["positions"]
            text = (item.get("instructions") or item.get("how") or "").lower()
            assert not any(w in text for w in SUPINE_WORDS), item


@SETTINGS
@given(intakes())
def test_bleeding_risk_no_deep_work_and_depth_within_the_cap(intake: dict[str, Any]) -> None:
    """Anticoagulants or a bleeding disorder: no deep-tissue, trigger-point or PNF work, every needle within the
    depth cap, nothing over a large vessel, at most one pair."""
    if not {"anticoagulants", "bleeding_disorder"} & set(intake["medical"]):
        return
    plan = plan_for(intake)
    assert not set(plan["massage"]["techniques"]) & DEEP_WORK
    for section in ("acupuncture", "dry_needling"):
        for p in plan[section]["points"]:
            assert p["depth_cun"][1] <= BLEEDING_DEPTH
            assert not POINTS[p["code"]].over_large_vessel
    details = plan["electroacupuncture"].get("pair_details", [])
    assert sum(2 if d["side"] == "both" else 1 for d in details) <= 1
