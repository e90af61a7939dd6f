"""A unit test per rule: every rule in the knowledge, read from `load_knowledge()`, has a hand-written intake
that makes it fire, and the test checks the rule's visible effect on the plan.

Each table below is keyed by rule id. The tests are parametrized over the ids in the knowledge (not over the
tables), so a rule added to the knowledge without an intake here fails; `test_*_table_is_complete` also fails
on a table entry whose rule no longer exists. Every intake is built on the clear baseline (a 40-year-old man,
left leg, 3 weeks, leg pain 5/10 in the buttock, medical history recorded and empty).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from sciatica_care.knowledge.load import load_knowledge

K = load_knowledge()
OTHER_SIDE = {"left": "right", "right": "left", "both": "both"}

ACUTE = {"episode": {"duration_weeks": 3}}
SUBACUTE = {"episode": {"duration_weeks": 8}}
CHRONIC = {"episode": {"duration_weeks": 20}}


def _ids(items: Iterable[Any]) -> list[str]:
    return [i.id for i in items]


def _overrides(table: dict[str, dict[str, Any]], rule_id: str) -> dict[str, Any]:
    assert rule_id in table, f"no intake written for rule {rule_id!r}: add one to the table"
    return table[rule_id]


def _merged(h: Any, *parts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in parts:
        out = h.deep_merge(out, part)
    return out


# ── point rules ──────────────────────────────────────────────────────────────────────────────────────────

POINT_RULES: dict[str, dict[str, Any]] = {
    "huatuojiaji-l4-root": {"examination": {"weakness": ["knee_extension"]}},
    "huatuojiaji-l5-root": {"examination": {"weakness": ["great_toe_extension"]}},
    "huatuojiaji-s1-root": {"examination": {"weakness": ["plantarflexion"]}},
    "huatuojiaji-spinal-cause": {"examination": {"imaging": ["spinal_stenosis"]}},
    "piriformis-release": {"examination": {"piriformis_tenderness": True}},
    "sciatic-gluteal": {"pain": {"areas": ["buttock"]}},
    "bladder-thigh": {"pain": {"areas": ["buttock", "posterior_thigh"]}},
    "bladder-knee": {"pain": {"areas": ["posterior_thigh"]}},
    "bladder-calf": {"pain": {"areas": ["posterior_calf"]}},
    "bladder-distal": {"pain": {"areas": ["posterior_thigh"]}},
    "gallbladder-thigh": {"pain": {"areas": ["lateral_thigh"]}},
    "gallbladder-sinews": {"pain": {"qualities": ["cramping"]}},
    "gallbladder-calf": {"pain": {"areas": ["lateral_calf"]}},
    "stomach-thigh": {"pain": {"areas": ["anterior_thigh"]}},
    "stomach-leg": {"pain": {"areas": ["anterior_shin"]}},
    "spleen-leg": {"pain": {"areas": ["medial_calf", "big_toe"]}},
    "liver-leg": {"pain": {"areas": ["groin"]}},
    "kidney-leg": {"pain": {"areas": ["medial_ankle"]}},
    "gallbladder-distal": {"pain": {"areas": ["lateral_thigh"]}},
    "back-shu-lumbar": {"pain": {"areas": ["lower_back"]}},
    "tung-hand": {"pain": {"areas": ["posterior_thigh"]}},
    "four-gates": {**ACUTE},
    "kidney-support": {**SUBACUTE, "tcm": {"signs": ["low_back_weakness"], "pulse": ["deep_weak"]}},
    "kidney-yin-support": {"tcm": {"signs": ["low_back_weakness"], "pulse": ["deep_weak"], "tongue": ["red"]}},
    "harmonise-liver-kidney": {**CHRONIC},
    "ashi": {},
    "balance-bladder": {**ACUTE, "pain": {"areas": ["posterior_thigh"]}},
    "balance-gallbladder": {**ACUTE, "pain": {"areas": ["lateral_calf"]}},
}
POINT_RULE_IDS = _ids(K.protocol.point_rules)


def test_point_rule_table_is_complete() -> None:
    """Every point rule in the knowledge has an intake, and the table names no rule that is gone."""
    assert set(POINT_RULES) == set(POINT_RULE_IDS)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("rule_id", POINT_RULE_IDS)
def test_point_rule_places_its_points(rule_id: str, side: str, h: Any) -> None:
    """The rule's points are planned, credited to the rule, on the side the rule says relative to the pain."""
    rule = {r.id: r for r in K.protocol.point_rules}[rule_id]
    plan = h.clear_plan(**_merged(h, _overrides(POINT_RULES, rule_id), {"episode": {"side": side}}))
    planned = h.points_by_code(plan)
    want_side = {"affected": side, "opposite": OTHER_SIDE[side]}.get(rule.side, rule.side)
    for pick in rule.points:
        assert pick.code in planned, f"{pick.code} missing from {sorted(planned)}"
        assert rule_id in planned[pick.code]["rules"]
        assert planned[pick.code]["side"] == want_side
        assert planned[pick.code]["role"] == pick.role or planned[pick.code]["rule"] != rule_id


@pytest.mark.parametrize("rule_id", POINT_RULE_IDS)
def test_point_rule_explains_itself(rule_id: str, h: Any) -> None:
    """A point chosen by a rule carries that rule's reason and sources."""
    rule = {r.id: r for r in K.protocol.point_rules}[rule_id]
    planned = h.points_by_code(h.clear_plan(**_overrides(POINT_RULES, rule_id)))
    point = planned[rule.points[0].code]
    assert rule.reason in point["reason"]
    assert set(rule.sources) <= set(point["sources"])


# ── electroacupuncture pair and frequency rules ──────────────────────────────────────────────────────────

PAIR_RULES: dict[str, dict[str, Any]] = {
    "ea-huatuojiaji": {"examination": {"weakness": ["plantarflexion"]}},
    "ea-gb30-bl40": {"pain": {"areas": ["buttock", "posterior_thigh"]}},
    # no spinal cause likely (trauma leads), so the two Bladder pairs are the two that fit
    "ea-bl36-bl57": {"episode": {"after_trauma": True}, "pain": {"areas": ["buttock", "posterior_thigh",
                                                                            "posterior_calf"]}},
    "ea-gallbladder": {"pain": {"areas": ["lateral_thigh", "lateral_calf"]}},
    "ea-muscular": {"examination": {"piriformis_tenderness": True, "fair_test": "positive",
                                    "straight_leg_raise": "negative"}},
}
PAIR_RULE_IDS = _ids(K.protocol.pair_rules)


def test_pair_rule_table_is_complete() -> None:
    """Every electroacupuncture pair rule in the knowledge has an intake."""
    assert set(PAIR_RULES) == set(PAIR_RULE_IDS)


@pytest.mark.parametrize("rule_id", PAIR_RULE_IDS)
def test_pair_rule_connects_its_pair(rule_id: str, h: Any) -> None:
    """One of the rule's pairs is connected, credited to the rule."""
    rule = {r.id: r for r in K.protocol.pair_rules}[rule_id]
    ea = h.clear_plan(**_overrides(PAIR_RULES, rule_id))["electroacupuncture"]
    assert ea["allowed"] is True
    connected = [tuple(p) for p in ea["pairs"]]
    assert set(connected) & {tuple(p) for p in rule.pairs}, f"none of {rule.pairs} in {connected}"
    assert rule_id in [d["rule"] for d in ea["pair_details"]]


def test_pairs_capped_at_max_pairs(h: Any) -> None:
    """No more pairs are connected than the protocol's max_pairs."""
    ea = h.clear_plan(**PAIR_RULES["ea-bl36-bl57"])["electroacupuncture"]
    assert len(ea["pairs"]) == K.protocol.max_pairs


FREQUENCY_RULES: dict[str, dict[str, Any]] = {
    "ea-frequency-chronic": {**CHRONIC, "pain": {"areas": ["buttock", "posterior_thigh"]}},
    "ea-frequency-dense-disperse": {**ACUTE, "pain": {"areas": ["buttock", "posterior_thigh"]}},
}
FREQUENCY_RULE_IDS = _ids(K.protocol.frequency_rules)


def test_frequency_rule_table_is_complete() -> None:
    """Every frequency rule in the knowledge has an intake."""
    assert set(FREQUENCY_RULES) == set(FREQUENCY_RULE_IDS)


@pytest.mark.parametrize("rule_id", FREQUENCY_RULE_IDS)
def test_frequency_rule_sets_frequency_and_minutes(rule_id: str, h: Any) -> None:
    """The first matching frequency rule sets frequency_hz and minutes, and is named."""
    rule = {r.id: r for r in K.protocol.frequency_rules}[rule_id]
    ea = h.clear_plan(**_overrides(FREQUENCY_RULES, rule_id))["electroacupuncture"]
    assert ea["pairs"]
    assert ea["rule"] == rule_id
    assert ea["frequency_hz"] == rule.frequency_hz
    assert ea["minutes"] == rule.minutes


# ── massage and cupping ──────────────────────────────────────────────────────────────────────────────────

MASSAGE: dict[str, dict[str, Any]] = {
    "effleurage": {**ACUTE},
    "trigger_point_release": {"examination": {"trigger_points": True}},
    "deep_tissue": {**SUBACUTE},
    "myofascial_release": {**CHRONIC},
    "pnf_stretching": {**SUBACUTE, "examination": {"straight_leg_raise": "negative"}},
}
MASSAGE_IDS = _ids(K.protocol.massage)


def test_massage_table_is_complete() -> None:
    """Every massage technique in the knowledge has an intake."""
    assert set(MASSAGE) == set(MASSAGE_IDS)


@pytest.mark.parametrize("technique", MASSAGE_IDS)
def test_massage_technique_is_planned(technique: str, h: Any) -> None:
    """Each technique is planned when its conditions hold."""
    massage = h.clear_plan(**_overrides(MASSAGE, technique))["massage"]
    assert massage["allowed"] is True
    assert technique in massage["techniques"]


@pytest.mark.parametrize("technique", [t.id for t in K.protocol.massage if t.acute == "avoid"])
def test_vigorous_technique_left_out_in_acute_phase(technique: str, h: Any) -> None:
    """A technique marked `avoid` for the acute phase is not planned then, and the plan says why."""
    massage = h.clear_plan(**h.deep_merge(_overrides(MASSAGE, technique), ACUTE))["massage"]
    name = {t.id: t.name for t in K.protocol.massage}[technique]
    assert technique not in massage["techniques"]
    assert any(name in r for r in massage["reasons"])


@pytest.mark.parametrize("technique", [t.id for t in K.protocol.massage if t.acute == "gentle"])
def test_gentle_technique_flagged_gentle_in_acute_phase(technique: str, h: Any) -> None:
    """A technique marked `gentle` stays in the acute phase with a gentleness caution."""
    massage = h.clear_plan(**h.deep_merge(_overrides(MASSAGE, technique), ACUTE))["massage"]
    name = {t.id: t.name for t in K.protocol.massage}[technique]
    assert technique in massage["techniques"]
    assert f"{name}: gentle only in the acute phase." in massage["cautions"]


def test_pnf_stretching_not_with_positive_slr(h: Any) -> None:
    """PNF stretching is not chosen while the straight-leg raise is positive."""
    massage = h.clear_plan(**SUBACUTE, examination={"straight_leg_raise": "positive"})["massage"]
    assert "pnf_stretching" not in massage["techniques"]


def test_cupping_planned_when_nothing_forbids_it(h: Any) -> None:
    """Cupping over the low back and buttocks is planned on a clear case."""
    cupping = h.clear_plan()["cupping"]
    assert cupping["allowed"] is True
    assert cupping["sites"] == list(K.protocol.cupping.sites)


# ── self-care: exercises, ergonomics, thermal ────────────────────────────────────────────────────────────

EXERCISES: dict[str, dict[str, Any]] = {
    "neural_flossing": {**SUBACUTE, "examination": {"straight_leg_raise": "positive"}},
    "piriformis_stretch": {"pain": {"areas": ["buttock"]}},
    "hamstring_stretch": {"pain": {"areas": ["posterior_thigh"]}},
    "hip_flexor_stretch": {"pain": {"worse_with": ["sitting"]}},
    "bird_dog": {},
    "dead_bug": {},
    "pelvic_tilts": {},
    "posture_breaks": {},
    "walking": {},
}
EXERCISE_IDS = _ids(K.self_care.exercises)

#: For every exercise with `hold_off` reasons: an intake where it suits the case but is held off.
EXERCISES_HELD_OFF: dict[str, dict[str, Any]] = {
    "neural_flossing": {**ACUTE, "examination": {"straight_leg_raise": "positive",
                                                 "crossed_straight_leg_raise": "positive"}},
    "piriformis_stretch": {**ACUTE, "pain": {"leg_nrs": 8}, "examination": {"straight_leg_raise": "positive"}},
    "hamstring_stretch": {**SUBACUTE, "pain": {"areas": ["posterior_thigh"]},
                          "examination": {"crossed_straight_leg_raise": "positive"}},
    "hip_flexor_stretch": {"pain": {"worse_with": ["sitting", "extension"]}},
    "bird_dog": {**ACUTE, "pain": {"leg_nrs": 7}},
    "dead_bug": {"patient": {"sex": "female", "pregnant": True, "pregnancy_weeks": 24}},
    "pelvic_tilts": {"medical": ["recent_spinal_surgery"]},
}
HELD_OFF_IDS = [e.id for e in K.self_care.exercises if e.hold_off]


def test_exercise_table_is_complete() -> None:
    """Every exercise in the knowledge has an intake."""
    assert set(EXERCISES) == set(EXERCISE_IDS)


def test_exercise_hold_off_table_is_complete() -> None:
    """Every exercise with a hold-off condition has an intake that triggers it."""
    assert set(EXERCISES_HELD_OFF) == set(HELD_OFF_IDS)


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_exercise_is_recommended(exercise: str, h: Any) -> None:
    """Each exercise is in the home programme when it suits the case."""
    care = h.clear_plan(**_overrides(EXERCISES, exercise))["self_care"]
    assert exercise in care["exercises"]
    assert exercise in [e["id"] for e in care["exercise_details"]]


@pytest.mark.parametrize("exercise", HELD_OFF_IDS)
def test_exercise_is_held_off_when_unsafe(exercise: str, h: Any) -> None:
    """Each exercise with a hold-off condition is moved to `exercises_to_hold_off` with its reason."""
    care = h.clear_plan(**_overrides(EXERCISES_HELD_OFF, exercise))["self_care"]
    assert exercise not in care["exercises"]
    held = {e["id"]: e for e in care["exercises_to_hold_off"]}
    assert exercise in held
    assert held[exercise]["reason"]


ERGONOMICS: dict[str, dict[str, Any]] = {
    "lumbar_support": {},
    "no_cross_legged": {},
    "workstation_setup": {},
    "driving_breaks": {"pain": {"worse_with": ["sitting"]}},
    "sleep_position": {},
    "lifting_technique": {"episode": {"after_lifting": True}},
}
ERGONOMIC_IDS = _ids(K.self_care.ergonomics)


def test_ergonomics_table_is_complete() -> None:
    """Every ergonomic item in the knowledge has an intake."""
    assert set(ERGONOMICS) == set(ERGONOMIC_IDS)


@pytest.mark.parametrize("item", ERGONOMIC_IDS)
def test_ergonomic_item_is_advised(item: str, h: Any) -> None:
    """Each ergonomic item is advised when its condition holds."""
    assert item in h.clear_plan(**_overrides(ERGONOMICS, item))["self_care"]["ergonomics"]


@pytest.mark.parametrize("item", ["driving_breaks", "lifting_technique"])
def test_conditional_ergonomic_item_not_advised_without_its_trigger(item: str, h: Any) -> None:
    """Driving breaks and lifting technique are only advised when sitting or lifting is part of the story."""
    assert item not in h.clear_plan()["self_care"]["ergonomics"]


NUMB = {"examination": {"sensory_loss": ["sole"]}}
THERMAL: dict[str, dict[str, Any]] = {
    "dvt_suspected_no_thermal": {"medical": ["dvt_suspected"]},
    "both_temperatures_worsen": {"pain": {"worse_with": ["heat", "cold_damp"]}},
    "heat_worsens_ice_reduced_sensation": {**NUMB, **CHRONIC, "pain": {"worse_with": ["heat"]}},
    "cold_worsens_heat_reduced_sensation": {**ACUTE, "pain": {"qualities": ["numbness"],
                                                              "worse_with": ["cold_damp"]}},
    "ice_then_heat_reduced_sensation": {**ACUTE, "medical": ["diabetes"],
                                        "examination": {"piriformis_tenderness": True}},
    "ice_reduced_sensation": {**ACUTE, "medical": ["diabetes"]},
    "heat_reduced_sensation": {**CHRONIC, "medical": ["peripheral_neuropathy"]},
    "either_reduced_sensation": {**SUBACUTE, **NUMB},
    "heat_worsens_ice": {**CHRONIC, "pain": {"worse_with": ["heat"]}},
    "cold_worsens_heat": {**ACUTE, "tcm": {"signs": ["heat_relief"]}},
    "ice_then_heat": {**ACUTE, "examination": {"trigger_points": True}},
    "ice_acute_or_nerve": {**ACUTE},
    "heat_chronic_or_muscular": {**CHRONIC},
    "either_default": {**SUBACUTE},
}
THERMAL_IDS = _ids(K.self_care.thermal_rules)


def test_thermal_table_is_complete() -> None:
    """Every thermal rule in the knowledge has an intake."""
    assert set(THERMAL) == set(THERMAL_IDS)


@pytest.mark.parametrize("rule_id", THERMAL_IDS)
def test_thermal_rule_decides_heat_or_ice(rule_id: str, h: Any) -> None:
    """Each thermal rule is the first match for its intake and sets `self_care.thermal`."""
    rule = {r.id: r for r in K.self_care.thermal_rules}[rule_id]
    knowledge = h.without_escalation("dvt_suspected") if rule_id == "dvt_suspected_no_thermal" else None
    care = h.plan(h.make_clear_intake(**_overrides(THERMAL, rule_id)), knowledge)["self_care"]
    assert care["thermal_advice"]["rule"] == rule_id
    assert care["thermal"] == rule.thermal


# ── schedule ─────────────────────────────────────────────────────────────────────────────────────────────

SCHEDULE: dict[str, dict[str, Any]] = {
    "course-acute": {**ACUTE},
    "course-subacute": {**SUBACUTE},
    "course-chronic": {**CHRONIC},
}
SCHEDULE_IDS = _ids(K.schedule.bands)


def test_schedule_table_is_complete() -> None:
    """Every schedule band in the knowledge has an intake."""
    assert set(SCHEDULE) == set(SCHEDULE_IDS)


@pytest.mark.parametrize("band_id", SCHEDULE_IDS)
def test_schedule_band_sets_frequency_and_course(band_id: str, h: Any) -> None:
    """Each band sets sessions a week and course length for its phase."""
    band = {b.id: b for b in K.schedule.bands}[band_id]
    schedule = h.clear_plan(**_overrides(SCHEDULE, band_id))["schedule"]
    assert schedule["rule"] == band_id
    assert schedule["sessions_per_week"] == band.sessions_per_week
    assert schedule["course_sessions"] == list(band.course_sessions)
    assert schedule["review_after_sessions"] == K.schedule.review_after_sessions


@pytest.mark.parametrize("limit", [1, 2, 3])
@pytest.mark.parametrize("band_id", SCHEDULE_IDS)
def test_schedule_respects_patient_limit(band_id: str, limit: int, h: Any) -> None:
    """The schedule never asks for more sessions a week than the patient can attend."""
    band = {b.id: b for b in K.schedule.bands}[band_id]
    overrides = h.deep_merge(SCHEDULE[band_id], {"preferences": {"max_sessions_per_week": limit}})
    schedule = h.clear_plan(**overrides)["schedule"]
    assert schedule["sessions_per_week"] == min(limit, band.sessions_per_week)


# ── safety rules ─────────────────────────────────────────────────────────────────────────────────────────

PREGNANT = {"patient": {"sex": "female", "pregnant": True, "pregnancy_weeks": 20}}
SAFETY: dict[str, dict[str, Any]] = {
    "pregnancy-forbidden-points": {**PREGNANT, **ACUTE},
    "pregnancy": {**PREGNANT, "pain": {"areas": ["lower_back", "buttock"]}},
    "pregnancy-not-recorded": {**ACUTE, "patient": {"sex": "female", "age": 34}},
    "pregnancy-confusable-points": {**PREGNANT, "pain": {"areas": ["buttock", "posterior_thigh"]}},
    "pregnancy-no-supine": {**PREGNANT, "pain": {"areas": ["buttock"]}},
    "pregnancy-warning-signs": PREGNANT,
    "pregnancy-first-trimester": {"patient": {"sex": "female", "pregnant": True, "pregnancy_weeks": 10}},
    "pregnancy-pelvic-girdle": {**PREGNANT, "pain": {"areas": ["buttock"]}},
    "pregnancy-leg-massage": PREGNANT,
    "bleeding-risk": {"medical": ["anticoagulants"], "examination": {"weakness": ["plantarflexion"]},
                      "pain": {"areas": ["buttock", "posterior_thigh", "posterior_calf"]}},
    "pacemaker": {"medical": ["pacemaker"]},
    "epilepsy": {"medical": ["epilepsy"]},
    "anticoagulants": {"medical": ["anticoagulants"]},
    "bleeding-disorder": {"medical": ["bleeding_disorder"]},
    "dvt-suspected": {"medical": ["dvt_suspected"], "pain": {"areas": ["posterior_thigh", "posterior_calf"]}},
    "skin-lesion": {"medical": ["skin_lesion_at_site"]},
    "diabetes": {"medical": ["diabetes"]},
    "peripheral-neuropathy": {**ACUTE, "medical": ["peripheral_neuropathy"],
                              "examination": {"sensory_loss": ["buttock"]},
                              "pain": {"areas": ["buttock", "posterior_thigh"]}},
    "reduced-sensation-electroacupuncture": {"examination": {"sensory_loss": ["buttock"]},
                                             "pain": {"areas": ["buttock", "posterior_thigh"]}},
    "sensation-not-examined": {"examination": {"sensory_loss": None}},
    "numbness-not-examined": {"examination": {"sensory_loss": None}, "pain": {"qualities": ["numbness"]}},
    "recent-spinal-surgery": {"medical": ["recent_spinal_surgery"], "pain": {"areas": ["lower_back", "buttock"]}},
    "needle-phobia": {"medical": ["needle_phobia"]},
    "metal-allergy": {"medical": ["metal_allergy"]},
    "medical-not-recorded": {"medical": None},
    "motor-deficit": {"examination": {"weakness": ["hip_abduction"]}},
    "weakness-not-graded": {"examination": {"weakness": ["knee_flexion"]}},
    "new-pain-over-50": {**ACUTE, "patient": {"age": 58}},
    "red-flag-rescreen": {},
}
SAFETY_IDS = _ids(K.safety)


def _safety_intake(h: Any, rule_id: str) -> dict[str, Any]:
    overrides = dict(_overrides(SAFETY, rule_id))
    if overrides.get("medical", []) is None:
        overrides["medical"] = h.DROP
    if overrides.get("examination", {}).get("sensory_loss", []) is None:
        overrides["examination"] = {**overrides["examination"], "sensory_loss": h.DROP}
    return h.make_clear_intake(**overrides)


def test_safety_table_is_complete() -> None:
    """Every safety rule in the knowledge has an intake."""
    assert set(SAFETY) == set(SAFETY_IDS)


@pytest.mark.parametrize("rule_id", SAFETY_IDS)
def test_safety_rule_shows_every_declared_effect(rule_id: str, h: Any) -> None:
    """Each safety rule's declared effects are all visible: its warning, exclusions, disallowed modalities,
    unconnected pairs and massage cautions."""
    rule = {r.id: r for r in K.safety}[rule_id]
    # suspected DVT stops treatment at triage; its safety rule is the second line, shown without that finding
    knowledge = h.without_escalation("dvt_suspected") if rule_id == "dvt-suspected" else None
    plan = h.plan(_safety_intake(h, rule_id), knowledge)
    assert plan["treatment_allowed"] is True, "the intake must reach the safety pass"
    if rule.warning:
        warnings = {w["id"]: w for w in plan["warnings"]}
        wid = rule.warning_id or rule.id
        assert wid in warnings
        assert warnings[wid]["rule"] == rule_id
    if rule.exclude is not None:
        assert rule_id in [e["rule"] for e in plan["acupuncture"]["excluded"]]
    for modality in rule.disallow:
        section = plan[modality]
        assert section["allowed"] is False
        assert rule.reason in section["reasons"]
    if rule.no_pairs_in_areas_of:
        assert any("not connected" in r for r in plan["electroacupuncture"]["reasons"])
    for caution in rule.massage_cautions:
        if "massage" not in rule.disallow:
            assert caution in plan["massage"]["cautions"]
    for tech in rule.omit_techniques:
        assert tech not in plan["massage"]["techniques"]
    if rule.max_depth_cun is not None:
        assert all(p["depth_cun"][1] <= rule.max_depth_cun for p in plan["acupuncture"]["points"])
    if rule.needle_cap is not None:
        assert plan["acupuncture"]["needle_cap"] <= rule.needle_cap
    assert (rule.warning or rule.exclude or rule.disallow or rule.no_pairs_in_areas_of or rule.omit_techniques
            or rule.max_depth_cun or rule.needle_cap or rule.no_supine or rule.site), "a rule with no effect"


@pytest.mark.parametrize("rule_id", SAFETY_IDS)
def test_safety_rule_is_silent_on_a_clear_case(rule_id: str, h: Any) -> None:
    """On the clear baseline no conditional safety rule leaves a mark (only the always-on rescreen reminder)."""
    plan = h.clear_plan()
    marks = {w["rule"] for w in plan["warnings"]} | {e["rule"] for e in plan["acupuncture"]["excluded"]}
    if rule_id == "red-flag-rescreen":
        assert rule_id in marks
    else:
        assert rule_id not in marks
