"""Safety rules that fail if the rule were removed: each test shows the protection with the packaged knowledge,
and shows it gone when that one rule is taken out of a `dataclasses.replace`d Knowledge. Then laterality."""

from __future__ import annotations

from typing import Any

import pytest

from sciatica_care.contract import intake_schema
from sciatica_care.knowledge.load import load_knowledge

K = load_knowledge()
POINTS = {p.code: p for p in K.points}
FORBIDDEN_IN_PREGNANCY = {"LI4", "SP6", "BL60", "BL67", "GB21", "TUNG-22.04"}
LOW_BACK_REGIONS = {"lumbar", "sacral"}
LEG_REGIONS = {"thigh", "knee", "leg", "ankle", "foot"}
FOOT_REGIONS = {"foot", "ankle"}
MEDICAL = intake_schema()["properties"]["medical"]["items"]["enum"]

#: Safety rules whose protection is shown (with and without the rule) somewhere in this file.
COVERED: set[str] = set()


def covers(*rule_ids: str) -> Any:
    """Record that the decorated test proves the protection of these safety rules."""
    COVERED.update(rule_ids)

    def mark(fn: Any) -> Any:
        return fn

    return mark


def _regions(plan: dict[str, Any], sides: set[str] | None = None) -> set[str]:
    return {POINTS[p["code"]].region for p in plan["acupuncture"]["points"] if sides is None or p["side"] in sides}


def _ea_open(plan: dict[str, Any]) -> bool:
    return plan["electroacupuncture"]["allowed"] is True and bool(plan["electroacupuncture"]["pairs"])


def test_packaged_knowledge_has_the_facts_rules() -> None:
    """The points the clinical facts forbid in pregnancy are exactly those flagged forbidden in the knowledge."""
    assert {p.code for p in K.points if p.forbidden_in_pregnancy} == FORBIDDEN_IN_PREGNANCY


# ── pregnancy ────────────────────────────────────────────────────────────────────────────────────────────

PREGNANT_CASE = {
    "patient": {"sex": "female", "age": 31, "pregnant": True, "pregnancy_weeks": 26},
    "episode": {"duration_weeks": 20},  # chronic: SP6
    "pain": {"leg_nrs": 7, "areas": ["lower_back", "buttock", "posterior_thigh", "posterior_calf"]},  # LI4, BL60
}


@covers("pregnancy-forbidden-points")
def test_pregnancy_never_plans_forbidden_points(h: Any) -> None:
    """Pregnant: LI4, SP6, BL60, BL67, GB21 and Tung 22.04 are never in points, pairs or acupressure."""
    plan = h.clear_plan(**PREGNANT_CASE)
    assert not h.everywhere(plan) & FORBIDDEN_IN_PREGNANCY
    excluded = {e["code"]: e["rule"] for e in plan["acupuncture"]["excluded"]}
    assert {"LI4", "SP6", "BL60", "TUNG-22.04"} <= set(excluded)
    assert excluded["LI4"] == "pregnancy-forbidden-points"


@covers("pregnancy-forbidden-points")
def test_without_the_rule_pregnancy_gets_forbidden_points(h: Any) -> None:
    """Remove pregnancy-forbidden-points and the forbidden points reach the needles and the home acupressure."""
    plan = h.plan(h.make_clear_intake(**PREGNANT_CASE), h.without_safety_rule("pregnancy-forbidden-points"))
    assert {"LI4", "SP6", "BL60"} <= set(h.point_codes(plan))
    assert set(h.acupressure_codes(plan)) & FORBIDDEN_IN_PREGNANCY


@covers("pregnancy")
def test_pregnancy_no_low_back_points_no_ea_no_cupping(h: Any) -> None:
    """Pregnant: no lumbar or sacral points, electroacupuncture not allowed (no pairs), no cupping."""
    plan = h.clear_plan(**PREGNANT_CASE)
    assert not _regions(plan) & LOW_BACK_REGIONS
    assert plan["electroacupuncture"]["allowed"] is False
    assert plan["electroacupuncture"]["pairs"] == []
    assert plan["cupping"]["allowed"] is False
    assert "pregnancy" in h.warning_ids(plan)


@covers("pregnancy")
def test_without_the_rule_pregnancy_gets_low_back_points_ea_and_cupping(h: Any) -> None:
    """Remove the pregnancy rule and lumbosacral points, electroacupuncture and cupping all come back."""
    plan = h.plan(h.make_clear_intake(**PREGNANT_CASE), h.without_safety_rule("pregnancy"))
    assert _regions(plan) & LOW_BACK_REGIONS
    assert _ea_open(plan)
    assert plan["cupping"]["allowed"] is True


@pytest.mark.parametrize("weeks", [4, 12, 26, 40])
def test_pregnancy_at_any_stage_is_protected(weeks: int, h: Any) -> None:
    """The pregnancy protections hold at every stage of pregnancy."""
    case = h.deep_merge(PREGNANT_CASE, {"patient": {"pregnancy_weeks": weeks}})
    plan = h.clear_plan(**case)
    assert not h.everywhere(plan) & FORBIDDEN_IN_PREGNANCY
    assert plan["electroacupuncture"]["pairs"] == []


def test_pregnancy_without_weeks_is_protected(h: Any) -> None:
    """pregnant: true without pregnancy_weeks still gets every pregnancy protection."""
    case = h.deep_merge(PREGNANT_CASE, {"patient": {"pregnancy_weeks": h.DROP}})
    plan = h.clear_plan(**case)
    assert not h.everywhere(plan) & FORBIDDEN_IN_PREGNANCY
    assert plan["electroacupuncture"]["allowed"] is False


UNRECORDED = {"patient": {"sex": "female", "age": 40}, "episode": {"duration_weeks": 20}, "pain": {"leg_nrs": 7}}


@covers("pregnancy-not-recorded")
def test_pregnancy_not_recorded_holds_back_forbidden_points_and_ea(h: Any) -> None:
    """A woman of 55 or under with pregnancy not recorded: forbidden points and electroacupuncture held back."""
    plan = h.clear_plan(**UNRECORDED)
    assert not h.everywhere(plan) & FORBIDDEN_IN_PREGNANCY
    assert plan["electroacupuncture"]["allowed"] is False
    assert "pregnancy-not-recorded" in h.warning_ids(plan)


@covers("pregnancy-not-recorded")
def test_without_the_rule_unrecorded_pregnancy_gets_forbidden_points(h: Any) -> None:
    """Remove pregnancy-not-recorded and LI4/SP6 and electroacupuncture are planned for her."""
    plan = h.plan(h.make_clear_intake(**UNRECORDED), h.without_safety_rule("pregnancy-not-recorded"))
    assert {"LI4", "SP6"} <= set(h.point_codes(plan))
    assert _ea_open(plan)


@pytest.mark.parametrize(
    ("patient", "held_back"),
    [
        ({"sex": "female", "age": 55}, True),
        ({"sex": "other", "age": 30}, True),
        ({"age": 30}, True),  # sex not recorded either
        ({"sex": "female", "age": 56}, False),
        ({"sex": "male", "age": 30}, False),
        ({"sex": "female", "age": 30, "pregnant": False}, False),
    ],
)
def test_pregnancy_not_recorded_applies_to_who_could_be_pregnant(
    patient: dict[str, Any], held_back: bool, h: Any,
) -> None:
    """The hold-back applies to a patient 55 or under who is not recorded male, and only while unrecorded."""
    case = h.deep_merge(UNRECORDED, {"patient": patient})
    case["patient"]["sex"] = patient.get("sex", h.DROP)  # DROP must reach the final merge over the baseline
    plan = h.clear_plan(**case)
    assert ("pregnancy-not-recorded" in h.warning_ids(plan)) is held_back
    assert bool(h.everywhere(plan) & FORBIDDEN_IN_PREGNANCY) is not held_back


# ── electrical devices and epilepsy ──────────────────────────────────────────────────────────────────────

EA_CASE = {"pain": {"areas": ["buttock", "posterior_thigh", "posterior_calf"]},
           "examination": {"weakness": ["plantarflexion"]}}


@covers("pacemaker", "epilepsy")
@pytest.mark.parametrize(("item", "rule_id"), [("pacemaker", "pacemaker"), ("epilepsy", "epilepsy")])
def test_no_electroacupuncture_with_device_or_epilepsy(item: str, rule_id: str, h: Any) -> None:
    """Pacemaker or epilepsy: electroacupuncture not allowed, no pairs, a warning with the medical item's id."""
    plan = h.clear_plan(**EA_CASE, medical=[item])
    assert plan["electroacupuncture"]["allowed"] is False
    assert plan["electroacupuncture"]["pairs"] == []
    assert item in h.warning_ids(plan)
    assert h.point_codes(plan), "manual needling stays possible"


@pytest.mark.parametrize(("item", "rule_id"), [("pacemaker", "pacemaker"), ("epilepsy", "epilepsy")])
def test_without_the_rule_device_or_epilepsy_gets_pairs(item: str, rule_id: str, h: Any) -> None:
    """Remove the pacemaker or epilepsy rule and electroacupuncture pairs are planned."""
    plan = h.plan(h.make_clear_intake(**EA_CASE, medical=[item]), h.without_safety_rule(rule_id))
    assert _ea_open(plan)
    assert item not in h.warning_ids(plan)


# ── bleeding ─────────────────────────────────────────────────────────────────────────────────────────────


@covers("anticoagulants", "bleeding-disorder", "skin-lesion")
@pytest.mark.parametrize(
    ("item", "rule_id"),
    [("anticoagulants", "anticoagulants"), ("bleeding_disorder", "bleeding-disorder"),
     ("skin_lesion_at_site", "skin-lesion")],
)
def test_no_cupping_with_bleeding_risk_or_skin_lesion(item: str, rule_id: str, h: Any) -> None:
    """Anticoagulants, a bleeding disorder or a skin lesion: no cupping, and a warning with the item's id."""
    plan = h.clear_plan(medical=[item])
    assert plan["cupping"]["allowed"] is False
    assert item in h.warning_ids(plan)


@pytest.mark.parametrize(
    ("item", "rule_id"),
    [("anticoagulants", "anticoagulants"), ("bleeding_disorder", "bleeding-disorder"),
     ("skin_lesion_at_site", "skin-lesion")],
)
def test_without_the_rule_bleeding_risk_gets_cupping(item: str, rule_id: str, h: Any) -> None:
    """Remove the rule and cupping is planned despite the bleeding risk or lesion."""
    plan = h.plan(h.make_clear_intake(medical=[item]), h.without_safety_rule(rule_id))
    assert plan["cupping"]["allowed"] is True
    assert item not in h.warning_ids(plan)


@pytest.mark.parametrize("item", ["anticoagulants", "bleeding_disorder"])
def test_bleeding_risk_lightens_massage(item: str, h: Any) -> None:
    """With a bleeding risk massage stays possible, with a lighter-pressure caution."""
    massage = h.clear_plan(medical=[item])["massage"]
    assert massage["allowed"] is True
    assert any("Lighter pressure" in c for c in massage["cautions"])


# ── suspected DVT ────────────────────────────────────────────────────────────────────────────────────────

DVT_CASE = {"medical": ["dvt_suspected"],
            "pain": {"areas": ["buttock", "posterior_thigh", "posterior_calf", "lateral_calf"]}}


#: Suspected DVT stops treatment at triage (a doctor the same day); the safety rule is the second line, shown
#: on knowledge without that triage finding.


def test_dvt_stops_treatment_at_triage(h: Any) -> None:
    """Suspected DVT: a doctor today, level urgent, no treatment at all (no points, pairs, massage, cupping)."""
    plan = h.clear_plan(**DVT_CASE)
    assert plan["triage"]["see_within"] == "same_day"
    assert plan["triage"]["level"] == "urgent"
    assert plan["treatment_allowed"] is False
    assert not h.everywhere(plan)
    assert plan["massage"]["allowed"] is False
    assert plan["cupping"]["allowed"] is False
    assert "dvt_suspected" in h.warning_ids(plan)


def test_without_the_dvt_finding_the_leg_is_treated(h: Any) -> None:
    """Remove the triage finding and a suspected DVT is treated again (the hazard of issue 9)."""
    plan = h.plan(h.make_clear_intake(**DVT_CASE), h.without_escalation("dvt_suspected"))
    assert plan["treatment_allowed"] is True
    assert plan["triage"]["see_within"] == "none"


@covers("dvt-suspected")
@pytest.mark.parametrize("side", ["left", "right", "both"])
def test_dvt_no_massage_no_cupping_no_leg_points_on_painful_side(side: str, h: Any) -> None:
    """Second line, if triage let a suspected DVT through: no massage, no cupping, no leg point on the painful
    side, a dvt_suspected warning."""
    plan = h.plan(h.make_clear_intake(**DVT_CASE, episode={"side": side}), h.without_escalation("dvt_suspected"))
    assert plan["treatment_allowed"] is True
    painful = {side, "both", "midline"} if side != "both" else {"left", "right", "both", "midline"}
    assert plan["massage"]["allowed"] is False
    assert plan["cupping"]["allowed"] is False
    assert not _regions(plan, painful) & LEG_REGIONS
    assert "dvt_suspected" in h.warning_ids(plan)
    assert plan["self_care"]["thermal"] == "none"


@pytest.mark.parametrize("side", ["left", "right"])
def test_without_the_rule_dvt_gets_massage_cupping_and_leg_points(side: str, h: Any) -> None:
    """Remove dvt-suspected (and the triage finding) and massage, cupping and leg points on the painful side
    return."""
    k = h.without_safety_rule("dvt-suspected", h.without_escalation("dvt_suspected"))
    plan = h.plan(h.make_clear_intake(**DVT_CASE, episode={"side": side}), k)
    assert plan["massage"]["allowed"] is True
    assert plan["cupping"]["allowed"] is True
    assert _regions(plan, {side}) & LEG_REGIONS


def test_dvt_plans_no_ashi_on_the_painful_leg(h: Any) -> None:
    """Suspected DVT with leg pain: no ashi (wherever-it-hurts) point is needled on the painful leg."""
    plan = h.plan(h.make_clear_intake(**DVT_CASE), h.without_escalation("dvt_suspected"))
    assert "ASHI" not in h.point_codes(plan)


# ── neuropathy and reduced sensation ─────────────────────────────────────────────────────────────────────

FOOT_CASE = {"episode": {"duration_weeks": 2},  # acute: LR3
             "pain": {"areas": ["lateral_thigh", "lateral_calf", "posterior_calf", "dorsum_foot"]}}  # GB41, BL60


@covers("peripheral-neuropathy")
def test_neuropathy_no_foot_or_ankle_points(h: Any) -> None:
    """Peripheral neuropathy: no needles in the feet or ankles (points or pairs), with its warning."""
    plan = h.clear_plan(**FOOT_CASE, medical=["peripheral_neuropathy"])
    assert not _regions(plan) & FOOT_REGIONS
    assert not {POINTS[c].region for c in h.pair_codes(plan)} & FOOT_REGIONS
    assert "peripheral_neuropathy" in h.warning_ids(plan)


@covers("peripheral-neuropathy")
def test_without_the_rule_neuropathy_gets_foot_points(h: Any) -> None:
    """Remove peripheral-neuropathy and foot and ankle points are needled."""
    plan = h.plan(h.make_clear_intake(**FOOT_CASE, medical=["peripheral_neuropathy"]),
                  h.without_safety_rule("peripheral-neuropathy"))
    assert _regions(plan) & FOOT_REGIONS


NUMB_CASE = {"pain": {"areas": ["buttock", "posterior_thigh"]}, "examination": {"sensory_loss": ["buttock"]}}


@covers("reduced-sensation-electroacupuncture")
def test_no_ea_pair_through_a_numb_area(h: Any) -> None:
    """Reduced feeling in the buttock: no electroacupuncture pair uses a point lying in the buttock."""
    plan = h.clear_plan(**NUMB_CASE)
    for code in h.pair_codes(plan):
        assert "buttock" not in POINTS[code].areas, f"{code} lies in the numb buttock"
    assert "GB30" in h.point_codes(plan), "the point may still be needled by hand"


@covers("reduced-sensation-electroacupuncture")
def test_without_the_rule_ea_pair_crosses_the_numb_area(h: Any) -> None:
    """Remove reduced-sensation-electroacupuncture and the GB30–BL40 pair runs through the numb buttock."""
    plan = h.plan(h.make_clear_intake(**NUMB_CASE), h.without_safety_rule("reduced-sensation-electroacupuncture"))
    assert ["GB30", "BL40"] in plan["electroacupuncture"]["pairs"]


@pytest.mark.parametrize("qualities", [[], ["numbness"]], ids=["no-report", "numbness-reported"])
def test_unrecorded_sensation_is_not_read_as_normal_for_ea(qualities: list[str], h: Any) -> None:
    """Sensation not examined: electroacupuncture pairs are held back, or a warning says sensation is unchecked."""
    plan = h.clear_plan(pain={"areas": ["buttock", "posterior_thigh"], "qualities": qualities},
                        examination={"sensory_loss": h.DROP})
    texts = " ".join(w["text"].lower() for w in plan["warnings"])
    assert not plan["electroacupuncture"]["pairs"] or "sensation" in texts or "feeling" in texts


def test_neuropathy_also_bars_pairs_through_numb_areas(h: Any) -> None:
    """Peripheral neuropathy on its own keeps pairs out of areas of reduced feeling."""
    k = h.without_safety_rule("reduced-sensation-electroacupuncture")
    plan = h.plan(h.make_clear_intake(**NUMB_CASE, medical=["peripheral_neuropathy"]), k)
    assert ["GB30", "BL40"] not in plan["electroacupuncture"]["pairs"]


# ── recent spinal surgery ────────────────────────────────────────────────────────────────────────────────

SURGERY_CASE = {"medical": ["recent_spinal_surgery"], "pain": {"areas": ["lower_back", "buttock"]},
                "examination": {"weakness": ["plantarflexion"]}}


@covers("recent-spinal-surgery")
def test_recent_spinal_surgery_no_low_back_points(h: Any) -> None:
    """Recent spinal surgery: no lumbar or sacral points (and so no segmental pairs), no cupping."""
    plan = h.clear_plan(**SURGERY_CASE)
    assert not _regions(plan) & LOW_BACK_REGIONS
    assert not {POINTS[c].region for c in h.pair_codes(plan)} & LOW_BACK_REGIONS
    assert plan["cupping"]["allowed"] is False
    assert "recent_spinal_surgery" in h.warning_ids(plan)


@covers("recent-spinal-surgery")
def test_without_the_rule_surgery_gets_low_back_points(h: Any) -> None:
    """Remove recent-spinal-surgery and lumbar points over the operated spine are planned."""
    plan = h.plan(h.make_clear_intake(**SURGERY_CASE), h.without_safety_rule("recent-spinal-surgery"))
    assert _regions(plan) & LOW_BACK_REGIONS


# ── medical history not recorded ─────────────────────────────────────────────────────────────────────────


@covers("medical-not-recorded")
def test_medical_not_recorded_holds_back_ea_and_cupping(h: Any) -> None:
    """No medical list: electroacupuncture and cupping held back, with a warning that says so."""
    plan = h.plan(h.make_intake(**EA_CASE, patient={"sex": "male"}))
    assert plan["electroacupuncture"]["allowed"] is False
    assert plan["electroacupuncture"]["pairs"] == []
    assert plan["cupping"]["allowed"] is False
    assert "medical-not-recorded" in h.warning_ids(plan)


@covers("medical-not-recorded")
def test_without_the_rule_unrecorded_history_gets_ea_and_cupping(h: Any) -> None:
    """Remove medical-not-recorded and an unchecked patient gets electroacupuncture and cupping."""
    plan = h.plan(h.make_intake(**EA_CASE, patient={"sex": "male"}), h.without_safety_rule("medical-not-recorded"))
    assert _ea_open(plan)
    assert plan["cupping"]["allowed"] is True


def test_empty_medical_list_counts_as_recorded(h: Any) -> None:
    """medical: [] is a recorded, clear history: no not-recorded warning."""
    assert "medical-not-recorded" not in h.warning_ids(h.clear_plan())


# ── warning-only rules ───────────────────────────────────────────────────────────────────────────────────

WARNING_ONLY = {
    "diabetes": {"medical": ["diabetes"]},
    "needle-phobia": {"medical": ["needle_phobia"]},
    "metal-allergy": {"medical": ["metal_allergy"]},
    "motor-deficit": {"examination": {"weakness": ["ankle_dorsiflexion"]}},
    "new-pain-over-50": {"patient": {"age": 64}, "episode": {"duration_weeks": 1}},
    "weakness-not-graded": {"examination": {"weakness": ["hip_flexion"]}},
    "red-flag-rescreen": {},
}
covers(*WARNING_ONLY)


def _warning_id(rule_id: str) -> str:
    rule = {r.id: r for r in K.safety}[rule_id]
    return rule.warning_id or rule.id


@pytest.mark.parametrize("rule_id", list(WARNING_ONLY))
def test_warning_rule_warns(rule_id: str, h: Any) -> None:
    """Each warning-only rule puts its warning on the plan."""
    assert _warning_id(rule_id) in h.warning_ids(h.clear_plan(**WARNING_ONLY[rule_id]))


@pytest.mark.parametrize("rule_id", list(WARNING_ONLY))
def test_without_the_rule_the_warning_is_gone(rule_id: str, h: Any) -> None:
    """Remove the rule and its warning disappears: the warning comes from the rule, not from elsewhere."""
    plan = h.plan(h.make_clear_intake(**WARNING_ONLY[rule_id]), h.without_safety_rule(rule_id))
    assert _warning_id(rule_id) not in h.warning_ids(plan)


@pytest.mark.parametrize("muscle", ["ankle_dorsiflexion", "plantarflexion", "knee_extension"])
def test_weakness_not_graded_names_only_an_ungraded_weakness(muscle: str, h: Any) -> None:
    """A listed weakness without an MRC grade warns; once graded (even 4/5) the warning goes; a grade for a muscle
    that is not the weak one does not silence it."""
    ungraded = h.clear_plan(examination={"weakness": [muscle]})
    assert "weakness-not-graded" in h.warning_ids(ungraded)
    graded = h.clear_plan(examination={"weakness": [muscle], "power": {muscle: 4}})
    assert "weakness-not-graded" not in h.warning_ids(graded)
    other = "hip_flexion"
    elsewhere = h.clear_plan(examination={"weakness": [muscle], "power": {other: 5}})
    assert "weakness-not-graded" in h.warning_ids(elsewhere)


@covers("sensation-not-examined")
def test_sensation_not_examined_warns(h: Any) -> None:
    """Sensation not examined: a warning says so; without the rule the plan is silent about it."""
    intake = h.make_clear_intake(examination={"sensory_loss": h.DROP})
    assert "sensation-not-examined" in {w["id"] for w in h.plan(intake)["warnings"]}
    silent = h.plan(intake, h.without_safety_rule("sensation-not-examined"))
    assert "sensation-not-examined" not in {w["id"] for w in silent["warnings"]}


@covers("numbness-not-examined")
def test_numbness_not_examined_holds_back_electroacupuncture(h: Any) -> None:
    """Numbness reported but sensation not examined: no electroacupuncture; without the rule pairs are planned."""
    intake = h.make_clear_intake(examination={"sensory_loss": h.DROP},
                                 pain={"qualities": ["numbness"], "areas": ["buttock", "posterior_thigh"]})
    plan = h.plan(intake)
    assert plan["electroacupuncture"]["allowed"] is False
    assert plan["electroacupuncture"]["pairs"] == []
    assert h.plan(intake, h.without_safety_rule("numbness-not-examined"))["electroacupuncture"]["pairs"]


def test_active_cancer_withholds_treatment_through_triage(h: Any) -> None:
    """Active cancer derives the cancer red flag: no treatment until a doctor has assessed the patient."""
    plan = h.clear_plan(medical=["active_cancer"], pain={"leg_nrs": 0})
    assert plan["treatment_allowed"] is False
    assert "history_of_cancer" in plan["triage"]["red_flags"]
    assert plan["acupuncture"]["points"] == []


def test_every_safety_rule_has_a_removal_test() -> None:
    """Each safety rule in safety.yaml is covered by a with/without test in this file."""
    assert {r.id for r in K.safety} <= COVERED
    assert {r.id for r in K.safety} >= COVERED


# ── warnings carry the medical item's id ─────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "item",
    [m for m in MEDICAL if m != "active_cancer"],  # active cancer stops treatment at triage (tested above)
)
def test_medical_item_warning_carries_the_item_id(item: str, h: Any) -> None:
    """Every medical history item raises a warning whose id is that item's id, as the contract fixes."""
    knowledge = h.without_escalation("dvt_suspected") if item == "dvt_suspected" else None
    plan = h.plan(h.make_clear_intake(medical=[item]), knowledge)
    by_rule = {w["rule"]: w["id"] for w in plan["warnings"]}
    rules_for_item = [r.id for r in K.safety if r.warning and item in (r.when.any_of or ())]
    assert rules_for_item, f"no safety rule warns about {item}"
    for rule_id in rules_for_item:
        assert by_rule.get(rule_id) == item


# ── laterality ───────────────────────────────────────────────────────────────────────────────────────────

SIDE_CASE = {"episode": {"duration_weeks": 2},
             "pain": {"areas": ["lower_back", "buttock", "posterior_thigh", "lateral_calf"]}}


@pytest.mark.parametrize(("side", "other"), [("left", "right"), ("right", "left")])
def test_local_points_only_on_the_painful_side(side: str, other: str, h: Any) -> None:
    """One-sided pain: every local point is on the painful side, none on the other."""
    plan = h.clear_plan(**h.deep_merge(SIDE_CASE, {"episode": {"side": side}}))
    local = [p for p in plan["acupuncture"]["points"] if p["role"] == "local"]
    assert local
    assert {p["side"] for p in local} == {side}


@pytest.mark.parametrize(("side", "other"), [("left", "right"), ("right", "left")])
def test_balance_and_tung_points_on_the_opposite_side(side: str, other: str, h: Any) -> None:
    """One-sided pain: balance-method and Master Tung points go on the opposite side."""
    plan = h.clear_plan(**h.deep_merge(SIDE_CASE, {"episode": {"side": side}}))
    balance = [p for p in plan["acupuncture"]["points"] if p["role"] == "balance" or p["code"].startswith("TUNG")]
    assert {p["code"] for p in balance} >= {"TUNG-22.05"}
    assert {p["side"] for p in balance} == {other}


def test_pain_on_both_sides_puts_local_points_on_both(h: Any) -> None:
    """Pain in both legs: local points are needled on both sides (and balance points too)."""
    # A follow-up session (previous acupuncture), so the needle cap leaves room for the balance points.
    plan = h.clear_plan(**h.deep_merge(SIDE_CASE, {"episode": {"side": "both", "onset": "gradual",
                                                               "previous_acupuncture": True}}))
    sides = {p["role"]: set() for p in plan["acupuncture"]["points"]}
    for p in plan["acupuncture"]["points"]:
        sides[p["role"]].add(p["side"])
    assert sides["local"] == {"both"}
    assert sides["balance"] == {"both"}


@pytest.mark.parametrize("side", ["left", "right"])
def test_ea_pairs_on_the_painful_side(side: str, h: Any) -> None:
    """Electroacupuncture pairs are connected on the painful side."""
    ea = h.clear_plan(**h.deep_merge(SIDE_CASE, {"episode": {"side": side}}))["electroacupuncture"]
    assert ea["pair_details"]
    assert {d["side"] for d in ea["pair_details"]} == {side}


@pytest.mark.parametrize("side", ["left", "right"])
def test_acupressure_follows_the_needle_side(side: str, h: Any) -> None:
    """Home acupressure is on the same side as the point it repeats."""
    plan = h.clear_plan(**h.deep_merge(SIDE_CASE, {"episode": {"side": side}}))
    sides = {p["code"]: p["side"] for p in plan["acupuncture"]["points"]}
    for a in plan["self_care"]["acupressure"]:
        if a["code"] in sides:
            assert a["side"] == sides[a["code"]]


# ── bleeding risk: techniques left out, depth, vessels, pairs and needles capped ─────────────────────────

BLEED_CASE = {"episode": {"duration_weeks": 20, "side": "both", "onset": "gradual"},  # chronic: deep work planned
              "pain": {"leg_nrs": 7, "areas": ["lower_back", "buttock", "posterior_thigh", "posterior_calf"]},
              # no deficit: weakness in both legs is bilateral neurology, a same-day referral
              "examination": {"straight_leg_raise": "positive"}}
DEEP_WORK = {"deep_tissue", "pnf_stretching", "trigger_point_release"}


def _connections(plan: dict[str, Any]) -> int:
    return sum(2 if d["side"] == "both" else 1 for d in plan["electroacupuncture"].get("pair_details", []))


@covers("bleeding-risk")
@pytest.mark.parametrize("item", ["anticoagulants", "bleeding_disorder"])
def test_bleeding_risk_leaves_out_deep_work_and_caps_depth_pairs_and_needles(item: str, h: Any) -> None:
    """Bleeding risk: no deep-tissue, trigger-point or PNF work (left out, with the reason), every needle at most
    0.5 cun with the reason on the point (GB30's usual 1.5–3 cun capped), no BL40 over the popliteal vessels,
    at most one electroacupuncture pair and at most 10 needles."""
    plan = h.clear_plan(**BLEED_CASE, medical=[item])
    assert not set(plan["massage"]["techniques"]) & DEEP_WORK
    assert any("Deep tissue massage left out" in r for r in plan["massage"]["reasons"])
    points = h.points_by_code(plan)
    assert all(p["depth_cun"][1] <= 0.5 for p in points.values())
    assert points["GB30"]["depth_cun"] == [0.5, 0.5]
    assert "capped" in points["GB30"]["depth_reason"]
    assert "BL40" not in h.everywhere(plan)
    assert {"code": "BL40", "rule": "bleeding-risk"}.items() <= next(
        e for e in plan["acupuncture"]["excluded"] if e["code"] == "BL40").items()
    assert _connections(plan) <= 1
    assert plan["acupuncture"]["needle_cap"] == 10
    assert plan["acupuncture"]["needles"] <= 10


@covers("bleeding-risk")
def test_without_the_rule_bleeding_risk_gets_deep_work_full_depth_and_more_needles(h: Any) -> None:
    """Remove bleeding-risk and deep tissue work, GB30 at 3 cun, BL40 and a full needle count come back."""
    plan = h.plan(h.make_clear_intake(**BLEED_CASE, medical=["anticoagulants"]), h.without_safety_rule("bleeding-risk"))
    assert set(plan["massage"]["techniques"]) & DEEP_WORK
    assert h.points_by_code(plan)["GB30"]["depth_cun"][1] == 3.0
    assert "BL40" in h.point_codes(plan)
    assert plan["acupuncture"]["needles"] > 10
    assert _connections(plan) > 1


def test_bleeding_disorder_asks_for_haemophilia_centre_clearance(h: Any) -> None:
    """A bleeding disorder's warning asks the practitioner to agree needling with the haemophilia centre team."""
    warning = next(w for w in h.clear_plan(medical=["bleeding_disorder"])["warnings"] if w["id"] == "bleeding_disorder")
    assert "haemophilia centre" in warning["text"]
    assert {"wfh-2020", "demeco-2025"} <= set(warning["sources"])


# ── needle cap ───────────────────────────────────────────────────────────────────────────────────────────

BUSY_CASE = {"episode": {"side": "both", "duration_weeks": 2, "onset": "gradual"},
             "pain": {"leg_nrs": 8, "areas": ["lower_back", "buttock", "posterior_thigh", "lateral_calf",
                                              "posterior_calf", "dorsum_foot"]}}


def _counted(plan: dict[str, Any]) -> int:
    return sum(2 if p["side"] == "both" else 1 for p in plan["acupuncture"]["points"])


def test_first_treatment_needle_cap_counts_needles_and_reports_what_is_left_out(h: Any) -> None:
    """A first treatment (previous acupuncture not recorded): at most 16 needles, a point on both sides counting
    two; `acupuncture.needles` is that count and the points left out are named in the reasons."""
    plan = h.clear_plan(**BUSY_CASE)
    acu = plan["acupuncture"]
    assert acu["needle_cap"] == 16
    assert acu["needles"] == _counted(plan) <= 16
    assert any("within 16 needles" in r for r in acu["reasons"])


def test_a_patient_who_has_had_acupuncture_gets_the_follow_up_cap(h: Any) -> None:
    """episode.previous_acupuncture: true raises the cap to 24 needles, no higher."""
    plan = h.clear_plan(**h.deep_merge(BUSY_CASE, {"episode": {"previous_acupuncture": True}}))
    assert plan["acupuncture"]["needle_cap"] == 24
    assert 16 < plan["acupuncture"]["needles"] == _counted(plan) <= 24


def test_without_the_needle_cap_the_session_is_larger(h: Any) -> None:
    """A knowledge base with a cap of 100 plans more needles than 16: the cap is what keeps the session small."""
    caps = tuple(h.replace(c, needles=100) for c in K.protocol.needle_caps)
    k = h.replace(K, protocol=h.replace(K.protocol, needle_caps=caps))
    assert h.plan(h.make_clear_intake(**BUSY_CASE), k)["acupuncture"]["needles"] > 16


# ── pregnancy: confusable points, lying on the back, warning signs, consent, pelvic girdle, leg massage ──

LEG_PREGNANT = {"patient": {"sex": "female", "age": 31, "pregnant": True, "pregnancy_weeks": 34},
                "episode": {"duration_weeks": 20},
                "pain": {"leg_nrs": 6, "areas": ["buttock", "posterior_thigh", "posterior_calf"]}}


@covers("pregnancy-confusable-points")
def test_pregnancy_keeps_ling_gu_out_of_needles_and_home_pressing(h: Any) -> None:
    """Pregnant: Ling Gu (beside LI4) is never needled, paired or given for home pressing."""
    plan = h.clear_plan(**LEG_PREGNANT)
    assert "TUNG-22.05" not in h.everywhere(plan)
    assert any(e["code"] == "TUNG-22.05" and e["rule"] == "pregnancy-confusable-points"
               for e in plan["acupuncture"]["excluded"])


@covers("pregnancy-confusable-points")
def test_without_the_rule_pregnancy_gets_ling_gu_for_home_pressing(h: Any) -> None:
    """Remove pregnancy-confusable-points and Ling Gu is needled and handed out for daily pressing."""
    plan = h.plan(h.make_clear_intake(**LEG_PREGNANT), h.without_safety_rule("pregnancy-confusable-points"))
    assert "TUNG-22.05" in h.point_codes(plan)
    assert "TUNG-22.05" in h.acupressure_codes(plan)


def test_unrecorded_pregnancy_also_keeps_ling_gu_out(h: Any) -> None:
    """Pregnancy not recorded for a woman who could be pregnant: Ling Gu is held back like LI4."""
    plan = h.clear_plan(**h.deep_merge(LEG_PREGNANT, {"patient": {"pregnant": h.DROP, "pregnancy_weeks": h.DROP}}))
    assert "TUNG-22.05" not in h.everywhere(plan)


SUPINE_WORDS = ("face up", "face-up", "on your back", "lying flat")


def _home_texts(plan: dict[str, Any]) -> list[str]:
    care = plan["self_care"]
    return [e["instructions"] for e in care["exercise_details"]] + [a["how"] for a in care["acupressure"]]


@covers("pregnancy-no-supine")
def test_after_20_weeks_no_home_instruction_lies_on_the_back(h: Any) -> None:
    """At 34 weeks: the GB30 ball pressure is given standing at a wall, exercises that lie on the back are given
    in another position or held off with the reason, and no home text lies on the back."""
    plan = h.clear_plan(**LEG_PREGNANT)
    care = plan["self_care"]
    gb30 = next(a for a in care["acupressure"] if a["code"] == "GB30")
    assert "wall" in gb30["how"]
    assert gb30["adapted"]["rule"] == "pregnancy-no-supine"
    assert all("supine" not in e["positions"] for e in care["exercise_details"])
    assert all("supine" not in a["positions"] for a in care["acupressure"])
    assert not any(w in t.lower() for t in _home_texts(plan) for w in SUPINE_WORDS)
    assert "pregnancy-no-supine" in h.warning_ids(plan)


@covers("pregnancy-no-supine")
def test_without_the_rule_the_ball_instruction_lies_face_up(h: Any) -> None:
    """Remove pregnancy-no-supine and the 34-week plan tells her to lie face up on the ball."""
    plan = h.plan(h.make_clear_intake(**LEG_PREGNANT), h.without_safety_rule("pregnancy-no-supine"))
    gb30 = next(a for a in plan["self_care"]["acupressure"] if a["code"] == "GB30")
    assert "face up" in gb30["how"].lower()


def test_before_20_weeks_the_usual_instructions_stand(h: Any) -> None:
    """At 16 weeks the rule does not fire: the usual ball instruction is given."""
    plan = h.clear_plan(**h.deep_merge(LEG_PREGNANT, {"patient": {"pregnancy_weeks": 16}}))
    assert "pregnancy-no-supine" not in h.warning_ids(plan)


@covers("pregnancy-warning-signs")
def test_pregnancy_warning_signs_with_maternity_contact(h: Any) -> None:
    """Pregnant: a warning lists the signs that need the maternity unit the same day, and 999 for heavy bleeding."""
    warning = next(w for w in h.clear_plan(**LEG_PREGNANT)["warnings"] if w["id"] == "pregnancy-warning-signs")
    assert "maternity" in warning["text"]
    by_timing = {s["see_within"] for s in warning["signs"]}
    assert by_timing == {"now", "same_day"}
    assert any(s["contact"] == "999" and "bleeding" in s["text"].lower() for s in warning["signs"])
    assert any("maternity" in s["contact"] and "moving less" in s["text"].lower() for s in warning["signs"])


@covers("pregnancy-warning-signs")
def test_without_the_rule_no_pregnancy_warning_signs(h: Any) -> None:
    plan = h.plan(h.make_clear_intake(**LEG_PREGNANT), h.without_safety_rule("pregnancy-warning-signs"))
    assert "pregnancy-warning-signs" not in h.warning_ids(plan)


@covers("pregnancy-first-trimester")
@pytest.mark.parametrize(("weeks", "noted"), [(8, True), (12, True), (None, True), (13, False), (30, False)])
def test_first_trimester_consent_note(weeks: int | None, noted: bool, h: Any) -> None:
    """12 weeks or less (or the stage not recorded): the consent note gives the miscarriage base rate."""
    stage = h.DROP if weeks is None else weeks
    plan = h.clear_plan(**h.deep_merge(LEG_PREGNANT, {"patient": {"pregnancy_weeks": stage}}))
    assert ("pregnancy-first-trimester" in h.warning_ids(plan)) is noted
    if noted:
        text = next(w["text"] for w in plan["warnings"] if w["id"] == "pregnancy-first-trimester")
        assert "1 in 6" in text


@covers("pregnancy-first-trimester")
def test_without_the_rule_no_first_trimester_note(h: Any) -> None:
    intake = h.make_clear_intake(**h.deep_merge(LEG_PREGNANT, {"patient": {"pregnancy_weeks": 9}}))
    bare = h.plan(intake, h.without_safety_rule("pregnancy-first-trimester"))
    assert "pregnancy-first-trimester" not in h.warning_ids(bare)


@covers("pregnancy-pelvic-girdle")
def test_pregnancy_buttock_pain_considers_pelvic_girdle_pain(h: Any) -> None:
    """Pregnant with buttock pain: a warning asks for the pelvic girdle tests before calling it sciatica."""
    plan = h.clear_plan(**LEG_PREGNANT)
    text = next(w["text"] for w in plan["warnings"] if w["id"] == "pregnancy-pelvic-girdle")
    assert "P4" in text
    assert "pelvic girdle" in text
    bare = h.plan(h.make_clear_intake(**LEG_PREGNANT), h.without_safety_rule("pregnancy-pelvic-girdle"))
    assert "pregnancy-pelvic-girdle" not in h.warning_ids(bare)


@covers("pregnancy-leg-massage")
def test_pregnancy_no_deep_leg_massage(h: Any) -> None:
    """Pregnant: deep tissue massage (hamstrings) is left out with the reason; without the rule it is planned."""
    plan = h.clear_plan(**LEG_PREGNANT)
    assert "deep_tissue" not in plan["massage"]["techniques"]
    assert any("clot" in c for c in plan["massage"]["cautions"])
    bare = h.plan(h.make_clear_intake(**LEG_PREGNANT), h.without_safety_rule("pregnancy-leg-massage"))
    assert "deep_tissue" in bare["massage"]["techniques"]


# ── implanted devices, skin lesions and surgery: the recorded site, or every site while unrecorded ───────

DEVICE_CASE = {"episode": {"duration_weeks": 20},
               "pain": {"areas": ["lower_back", "buttock", "posterior_thigh"], "better_with": ["heat"]}}


def test_device_warning_asks_to_locate_generator_and_leads(h: Any) -> None:
    text = next(w["text"] for w in h.clear_plan(medical=["pacemaker"])["warnings"] if w["id"] == "pacemaker")
    assert "generator" in text
    assert "leads" in text
    assert "device card" in text
    assert "TENS" in text


def test_device_without_a_site_holds_cupping_and_heat_on_back_and_buttock(h: Any) -> None:
    """A device listed without its site: no cups and no heat pack on the back or buttock, saying why."""
    plan = h.clear_plan(**DEVICE_CASE, medical=["pacemaker"])
    assert plan["cupping"]["allowed"] is False
    assert any("generator" in r for r in plan["cupping"]["reasons"])
    assert plan["self_care"]["thermal"] == "none"
    assert "generator" in plan["self_care"]["thermal_advice"]["advice"]


def test_without_the_rule_an_unlocated_device_gets_cupping_and_heat(h: Any) -> None:
    plan = h.plan(h.make_clear_intake(**DEVICE_CASE, medical=["pacemaker"]), h.without_safety_rule("pacemaker"))
    assert plan["cupping"]["allowed"] is True
    assert plan["self_care"]["thermal"] == "heat"


@pytest.mark.parametrize("side", ["left", "midline"])
def test_device_site_in_the_buttock_keeps_needles_cups_heat_and_pressure_off(side: str, h: Any) -> None:
    """A generator recorded in the left buttock: no needle there (GB30), no cups, no heat, a no-deep-pressure
    caution naming the site; a point on the right stays when the site is on the left."""
    plan = h.clear_plan(**DEVICE_CASE, medical=["pacemaker"],
                        medical_sites={"pacemaker": {"areas": ["buttock"], "side": side}})
    assert "GB30" not in h.point_codes(plan)
    assert plan["cupping"]["allowed"] is False
    assert plan["self_care"]["thermal"] == "none"
    assert "No deep pressure over the recorded site (buttock)." in plan["massage"]["cautions"]


def test_device_site_on_the_other_side_keeps_the_painful_side_points(h: Any) -> None:
    plan = h.clear_plan(**DEVICE_CASE, medical=["pacemaker"],
                        medical_sites={"pacemaker": {"areas": ["buttock"], "side": "right"}})
    assert "GB30" in h.point_codes(plan)  # pain on the left


def test_device_recorded_outside_the_treatment_areas_allows_cupping(h: Any) -> None:
    """A cardiac pacemaker recorded with no treatment area (in the chest): cups and heat on the back are fine."""
    plan = h.clear_plan(**DEVICE_CASE, medical=["pacemaker"],
                        medical_sites={"pacemaker": {"areas": [], "side": "left"}})
    assert plan["cupping"]["allowed"] is True
    assert plan["electroacupuncture"]["allowed"] is False


def test_skin_lesion_site_keeps_needles_off_and_unrecorded_holds_massage(h: Any) -> None:
    """A lesion recorded on the calf: no calf point; a lesion not recorded: massage and cups held back."""
    case = {"pain": {"areas": ["buttock", "posterior_thigh", "posterior_calf"]},
            "examination": {"weakness": ["plantarflexion"]}, "medical": ["skin_lesion_at_site"]}
    site = {"skin_lesion_at_site": {"areas": ["posterior_calf"], "side": "left"}}
    recorded = h.clear_plan(**case, medical_sites=site)
    assert "BL57" not in h.point_codes(recorded)
    assert recorded["massage"]["allowed"] is True
    assert "No massage over the recorded site (posterior calf)." in recorded["massage"]["cautions"]
    assert h.clear_plan(**case)["massage"]["allowed"] is False
    bare = h.plan(h.make_clear_intake(**case, medical_sites={
        "skin_lesion_at_site": {"areas": ["posterior_calf"], "side": "left"}}), h.without_safety_rule("skin-lesion"))
    assert "BL57" in h.point_codes(bare)


def test_recent_surgery_site_keeps_needles_off_the_recorded_buttock(h: Any) -> None:
    plan = h.clear_plan(**SURGERY_CASE, medical_sites={"recent_spinal_surgery": {"areas": ["buttock"], "side": "left"}})
    assert "GB30" not in h.point_codes(plan)
