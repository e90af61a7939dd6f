"""Red-flag triage: every flag's level from the contract's meaning, derived flags, escalations, and what a
non-routine level withholds."""

from __future__ import annotations

from typing import Any

import pytest

from sciatica_care import plan_for
from sciatica_care.contract import intake_schema
from sciatica_care.engine.triage import SEVERITY
from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.knowledge.timing import URGENCY

#: The contract's groups (contract/README.md, `red_flags`), written out by hand.
CONTRACT_GROUPS = {
    "bladder_dysfunction": "cauda_equina",
    "bowel_dysfunction": "cauda_equina",
    "saddle_anaesthesia": "cauda_equina",
    "sexual_dysfunction": "cauda_equina",
    "bilateral_sudden": "cauda_equina",
    "progressive_weakness": "cauda_equina",
    "history_of_cancer": "cancer",
    "unexplained_weight_loss": "cancer",
    "unrelenting_night_pain": "cancer",
    "fever": "infection",
    "iv_drug_use": "infection",
    "immunosuppression": "infection",
    "significant_trauma": "fracture",
    "osteoporosis": "fracture",
    "long_term_steroids": "fracture",
    "incapacitating_pain": "other",
}


def expected_level(flag: str) -> str:
    """The level the contract's fixed meanings give one flag on its own.

    Suspected cauda equina is an emergency; a progressive deficit that is not (yet) cauda equina, cancer,
    infection and fracture are urgent. `incapacitating_pain` ("other") is not placed by the contract: NICE lists
    it among the red flags needing medical review, so it is urgent too.
    """
    group = CONTRACT_GROUPS[flag]
    if group == "cauda_equina" and flag != "progressive_weakness":
        return "emergency"
    return "urgent"


ALL_FLAGS = list(CONTRACT_GROUPS)
MEDICAL = intake_schema()["properties"]["medical"]["items"]["enum"]


def test_flag_table_covers_the_contract_vocabulary() -> None:
    """The hand-written table names exactly the contract's sixteen red-flag ids."""
    assert set(ALL_FLAGS) == set(intake_schema()["properties"]["red_flags"]["items"]["enum"])
    assert len(ALL_FLAGS) == 16


@pytest.mark.parametrize("flag", ALL_FLAGS)
def test_each_red_flag_alone_sets_its_level(flag: str, make_clear: Any) -> None:
    """A single flag given on a one-sided, gradual case sets the level the contract's meaning gives it."""
    plan = plan_for(make_clear(red_flags=[flag], episode={"onset": "gradual"}))
    assert plan["triage"]["level"] == expected_level(flag)
    assert plan["triage"]["red_flags"] == [flag]


@pytest.mark.parametrize("flag", ALL_FLAGS)
def test_knowledge_flag_group_matches_contract(flag: str, knowledge: Any) -> None:
    """Every flag in the knowledge carries the contract's group."""
    by_id = {f.id: f for f in knowledge.triage.flags}
    assert by_id[flag].group == CONTRACT_GROUPS[flag]


@pytest.mark.parametrize("flag", ALL_FLAGS)
def test_non_routine_level_withholds_all_treatment(flag: str, h: Any) -> None:
    """Any red flag: treatment_allowed is false and there are no points, pairs, acupressure, massage or cupping."""
    plan = h.clear_plan(red_flags=[flag], pain={"areas": ["lower_back", "buttock", "posterior_thigh"]})
    assert plan["treatment_allowed"] is False
    assert plan["acupuncture"]["points"] == []
    assert plan["electroacupuncture"]["pairs"] == []
    assert plan["electroacupuncture"]["allowed"] is False
    assert plan["self_care"]["acupressure"] == []
    assert plan["massage"]["allowed"] is False
    assert plan["massage"]["techniques"] == []
    assert plan["cupping"]["allowed"] is False
    assert plan["schedule"]["sessions_per_week"] == 0


@pytest.mark.parametrize("level", ["emergency", "urgent"])
def test_withheld_plan_warns_with_the_triage_advice(level: str, h: Any) -> None:
    """A withheld plan carries a triage warning and the advice the knowledge gives for its timing and level."""
    flag = "saddle_anaesthesia" if level == "emergency" else "fever"
    plan = h.clear_plan(red_flags=[flag])
    table = {(a.see_within, a.level): a.advice for a in load_knowledge().triage.advice}
    see_within = plan["triage"]["see_within"]
    assert plan["triage"]["advice"] == table.get((see_within, level), table[(see_within, None)])
    assert f"triage-{level}" in h.warning_ids(plan)


def test_routine_case_allows_treatment(h: Any) -> None:
    """No flag: level routine, treatment allowed, points planned."""
    plan = h.clear_plan()
    assert plan["triage"]["level"] == "routine"
    assert plan["triage"]["red_flags"] == []
    assert plan["treatment_allowed"] is True
    assert plan["acupuncture"]["points"]


def test_highest_level_wins_and_every_flag_is_listed(h: Any) -> None:
    """With an urgent and an emergency flag the level is emergency and both flags are listed."""
    plan = h.clear_plan(red_flags=["fever", "bowel_dysfunction"])
    assert plan["triage"]["level"] == "emergency"
    assert set(plan["triage"]["red_flags"]) == {"fever", "bowel_dysfunction"}


def test_bilateral_sudden_is_derived_from_side_both_and_sudden_onset(h: Any) -> None:
    """side both with a sudden onset derives bilateral_sudden: emergency, marked as derived."""
    plan = h.clear_plan(episode={"side": "both", "onset": "sudden"})
    assert plan["triage"]["level"] == "emergency"
    assert plan["triage"]["red_flags"] == ["bilateral_sudden"]
    (entry,) = plan["triage"]["flags"]
    assert entry["derived"] is True
    assert entry["rule"] == "derive_bilateral_sudden"


@pytest.mark.parametrize(
    "episode",
    [
        {"side": "both", "onset": "gradual"},
        {"side": "both"},
        {"side": "left", "onset": "sudden"},
        {"side": "right", "onset": "sudden"},
    ],
)
def test_bilateral_sudden_needs_both_sides_and_sudden_onset(episode: dict[str, str], h: Any) -> None:
    """Pain on both sides without a sudden onset, or a sudden one-sided onset, derives nothing."""
    plan = h.clear_plan(episode=episode)
    assert plan["triage"]["level"] == "routine"
    assert plan["triage"]["red_flags"] == []


def test_given_and_derived_bilateral_sudden_is_listed_once(h: Any) -> None:
    """A flag that is both given and derivable is listed once, as given."""
    plan = h.clear_plan(red_flags=["bilateral_sudden"], episode={"side": "both", "onset": "sudden"})
    assert plan["triage"]["red_flags"] == ["bilateral_sudden"]
    assert plan["triage"]["flags"][0]["derived"] is False


def test_history_of_cancer_is_derived_from_active_cancer(h: Any) -> None:
    """medical active_cancer derives history_of_cancer (urgent when there is no leg pain to escalate it)."""
    plan = h.clear_plan(medical=["active_cancer"], pain={"leg_nrs": 0})
    assert plan["triage"]["red_flags"] == ["history_of_cancer"]
    assert plan["triage"]["flags"][0]["derived"] is True
    assert plan["triage"]["level"] == "urgent"
    assert plan["treatment_allowed"] is False


#: For every escalation in triage.yaml: an intake (over the clear baseline) that makes it fire, and the level.
ESCALATIONS: dict[str, dict[str, Any]] = {
    "progressive_weakness_both_legs": {
        "red_flags": ["progressive_weakness"], "episode": {"side": "both", "onset": "gradual"},
    },
    "bilateral_neurology": {"episode": {"side": "both", "onset": "gradual"},
                            "examination": {"reflexes": {"ankle": "absent"}}},
    "progressive_weakness_with_cauda_equina_sign": {
        "red_flags": ["progressive_weakness", "bladder_dysfunction"],
    },
    "cancer_with_new_nerve_deficit": {
        "red_flags": ["history_of_cancer"], "examination": {"weakness": ["ankle_dorsiflexion"]},
    },
    "active_cancer_with_radicular_pain": {"medical": ["active_cancer"], "pain": {"leg_nrs": 4}},
    "active_cancer_spinal_pain": {"medical": ["active_cancer"], "episode": {"duration_weeks": 30}},
    "suspected_spinal_infection": {"red_flags": ["fever", "immunosuppression"]},
    "fever_with_neurology": {"red_flags": ["fever"], "examination": {"weakness": ["plantarflexion"]}},
    "acute_foot_drop": {"examination": {"weakness": ["ankle_dorsiflexion"], "power": {"ankle_dorsiflexion": 3}}},
    "dvt_suspected": {"medical": ["dvt_suspected"]},
}
ESCALATION_IDS = [e.id for e in load_knowledge().triage.escalations]
ESCALATION_BY_ID = {e.id: e for e in load_knowledge().triage.escalations}


def test_escalation_table_covers_every_escalation() -> None:
    """Every escalation in the knowledge has an intake in the table, and no stale entry remains."""
    assert set(ESCALATIONS) == set(ESCALATION_IDS)


@pytest.mark.parametrize("escalation_id", ESCALATION_IDS)
def test_escalation_fires_and_sets_its_level_and_timing(escalation_id: str, h: Any) -> None:
    """Each escalation fires on its combination, is listed with its timing and contact, and the plan is at least
    as urgent as it says; a same-day-or-sooner finding stops treatment."""
    e = ESCALATION_BY_ID[escalation_id]
    plan = h.clear_plan(**ESCALATIONS[escalation_id])
    entry = {x["id"]: x for x in plan["triage"]["escalations"]}[escalation_id]
    assert (entry["level"], entry["see_within"], entry["contact"]) == (e.level, e.see_within, e.contact)
    assert SEVERITY[plan["triage"]["level"]] >= SEVERITY[e.level]
    assert URGENCY[plan["triage"]["see_within"]] >= URGENCY[e.see_within]
    assert plan["treatment_allowed"] is False
    assert plan["acupuncture"]["points"] == []


#: Escalations that name a combination whose flags already reach the same level and timing (they document the
#: finding and its contact; removing them changes nothing): the bladder flag is already `now`, fever `same_day`.
RESTATING = {"progressive_weakness_with_cauda_equina_sign", "suspected_spinal_infection"}


@pytest.mark.parametrize("escalation_id", [e for e in ESCALATION_IDS if e not in RESTATING])
def test_removing_an_escalation_lowers_the_plan(escalation_id: str, h: Any) -> None:
    """Without the escalation the same case is less urgent (level or timing): the finding is what raises it."""
    e = ESCALATION_BY_ID[escalation_id]
    plan = plan_for(h.make_clear_intake(**ESCALATIONS[escalation_id]), h.without_escalation(escalation_id))
    lower_level = SEVERITY[plan["triage"]["level"]] < SEVERITY[e.level]
    lower_timing = URGENCY[plan["triage"]["see_within"]] < URGENCY[e.see_within]
    assert lower_level or lower_timing


def test_progressive_weakness_one_side_is_not_escalated(h: Any) -> None:
    """Progressive weakness in one leg, with no cauda equina sign, stays urgent."""
    plan = h.clear_plan(red_flags=["progressive_weakness"], episode={"side": "right", "onset": "gradual"})
    assert plan["triage"]["level"] == "urgent"
    assert plan["triage"]["escalations"] == []


@pytest.mark.parametrize("age", [16, 51, 70, 90, 110])
def test_age_alone_never_raises_the_level(age: int, h: Any) -> None:
    """Age on its own (however old) leaves triage routine."""
    plan = h.clear_plan(patient={"age": age})
    assert plan["triage"]["level"] == "routine"
    assert plan["treatment_allowed"] is True


def test_new_pain_over_50_warns_without_raising_the_level(h: Any) -> None:
    """A new episode over 50 adds a warning but stays routine."""
    plan = h.clear_plan(patient={"age": 62}, episode={"duration_weeks": 2})
    assert plan["triage"]["level"] == "routine"
    assert "new-pain-over-50" in h.warning_ids(plan)


@pytest.mark.parametrize("item", [m for m in MEDICAL if m not in {"active_cancer", "dvt_suspected"}])
def test_medical_risk_factor_alone_never_raises_the_level(item: str, h: Any) -> None:
    """A medical history item without a red flag (diabetes, say) leaves triage routine."""
    plan = h.clear_plan(medical=[item])
    assert plan["triage"]["level"] == "routine"
    assert plan["treatment_allowed"] is True


def test_diabetes_alone_warns_but_stays_routine(h: Any) -> None:
    """Diabetes adds its warning (with the medical item's id) and nothing else changes the level."""
    plan = h.clear_plan(medical=["diabetes"], patient={"age": 70})
    assert plan["triage"]["level"] == "routine"
    assert "diabetes" in h.warning_ids(plan)


@pytest.mark.parametrize("flag", ALL_FLAGS)
def test_each_fired_flag_carries_advice_and_sources(flag: str, h: Any) -> None:
    """Every fired flag in the triage detail has its level, advice and at least one source."""
    (entry,) = h.clear_plan(red_flags=[flag])["triage"]["flags"]
    assert entry["id"] == flag
    assert entry["advice"]
    assert entry["sources"]
