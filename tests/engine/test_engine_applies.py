"""Only what applies: cautions, notes, hold-off reasons, causes, consent and evidence filtered by the patient;
points for every channel the assessment can assign; cause weights shipped with what a display needs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from sciatica_care import plan_for
from sciatica_care.engine.planning import draft
from sciatica_care.engine.rulebook import rulebook
from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.knowledge.model import Knowledge
from sciatica_care.knowledge.validate import overstated

from .test_engine_properties import valid_intakes

K = load_knowledge()
EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEEDLE_CASE = {"pain": {"areas": ["lower_back", "buttock", "posterior_thigh"]}}


def _text(plan: dict[str, Any]) -> str:
    return json.dumps(plan).lower()


def _replace(record: Any, **changes: Any) -> Any:
    import msgspec

    return msgspec.structs.replace(record, **changes)


def _not_possibly_pregnant(patient: dict[str, Any]) -> bool:
    """A man, anyone over 55, or anyone recorded as not pregnant; a recorded pregnancy overrides age."""
    if patient.get("pregnant") is True:
        return False
    return patient.get("sex") == "male" or patient["age"] > 55 or patient.get("pregnant") is False


# ── a man's plan never mentions pregnancy ────────────────────────────────────────────────────────────────

def test_mans_plan_has_no_pregnancy_text(h: Any) -> None:
    """The lumbosacral, LI4, SP6 and BL60 cautions, the self-pressure notes, the pregnancy cause and the
    pregnancy evidence statement are all left out of a man's plan."""
    plan = h.clear_plan(**NEEDLE_CASE, patient={"sex": "male", "age": 38})
    assert {"BL23", "EX-B2-L4"} & set(h.point_codes(plan)) or "BL23" in h.point_codes(plan)
    assert "pregnan" not in _text(plan)


@pytest.mark.parametrize("patient", [
    {"sex": "female", "age": 62},
    {"sex": "female", "age": 30, "pregnant": False},
    {"sex": "other", "age": 70},
])
def test_no_pregnancy_text_for_anyone_who_cannot_be_pregnant(patient: dict[str, Any], h: Any) -> None:
    plan = h.clear_plan(**NEEDLE_CASE, patient={"sex": h.DROP, **patient})
    assert "pregnan" not in _text(plan)


def test_pregnancy_cautions_shown_for_a_recorded_pregnancy_whatever_the_age(h: Any) -> None:
    """A recorded pregnancy overrides the age cut-off: a pregnant woman of 56 still gets the pregnancy notes."""
    plan = h.clear_plan(**NEEDLE_CASE, patient={"sex": "female", "age": 56, "pregnant": True})
    assert any("pregnan" in c.lower() for p in plan["acupuncture"]["points"] for c in p["cautions"]) \
        or "pregnan" in _text(plan["self_care"]) or "pregnan" in _text(plan["guideline"])
    assert "pregnancy_related" in {c["id"] for c in plan["assessment"]["causes"]}


def test_pregnancy_cautions_shown_when_pregnancy_is_possible(h: Any) -> None:
    """Positive control: for a woman of 30 whose pregnancy status is not recorded the cautions are shown."""
    plan = h.clear_plan(**NEEDLE_CASE, patient={"sex": "female", "age": 30})
    cautions = [c for p in plan["acupuncture"]["points"] for c in p["cautions"]]
    assert any("pregnan" in c.lower() for c in cautions)
    assert "pregnancy-not-recorded" in h.warning_ids(plan)


def test_without_the_condition_a_mans_plan_gets_pregnancy_cautions(h: Any) -> None:
    """Move the conditional cautions back into the unconditional list and the hazard returns."""
    points = tuple(_replace(p, cautions=(*p.cautions, *(c.text for c in p.cautions_if)), cautions_if=())
                   for p in K.points)
    k = _replace(K, points=points)
    plan = h.plan(h.make_clear_intake(**NEEDLE_CASE, patient={"sex": "male", "age": 38}), k)
    assert "pregnan" in _text(plan)


@EXAMPLES
@given(valid_intakes())
def test_property_a_man_or_anyone_not_possibly_pregnant_gets_no_pregnancy_text(intake: dict[str, Any]) -> None:
    """For `sex: male` (and for anyone over 55 or recorded as not pregnant) no sentence mentions pregnancy."""
    if not _not_possibly_pregnant(intake["patient"]):
        intake = {**intake, "patient": {**intake["patient"], "sex": "male", "pregnant": False,
                                        "pregnancy_weeks": None}}
    assert "pregnan" not in _text(plan_for(intake))


# ── held-off exercises: the one reason that fired ────────────────────────────────────────────────────────

def _held(plan: dict[str, Any]) -> dict[str, str]:
    return {e["id"]: e["reason"] for e in plan["self_care"]["exercises_to_hold_off"]}


def _hold_off_texts(exercise: str) -> list[str]:
    return [c.text for c in {e.id: e for e in K.self_care.exercises}[exercise].hold_off]


def test_hold_off_reason_is_the_one_that_fired(h: Any) -> None:
    """A crossed straight-leg raise holds off the hamstring stretch with that reason only: nothing about
    surgery or the early-weeks straight-leg raise."""
    plan = h.clear_plan(pain={"areas": ["posterior_thigh"]}, episode={"duration_weeks": 8},
                        examination={"crossed_straight_leg_raise": "positive"})
    reason = _held(plan)["hamstring_stretch"]
    texts = _hold_off_texts("hamstring_stretch")
    assert reason in texts
    assert "crossed" in reason
    assert "surgery" not in reason


def test_hold_off_after_surgery_names_only_surgery(h: Any) -> None:
    plan = h.clear_plan(medical=["recent_spinal_surgery"], episode={"duration_weeks": 20})
    for exercise, reason in _held(plan).items():
        assert "surgery" in reason, exercise
        assert "straight-leg" not in reason, exercise
        assert "pregnan" not in reason, exercise


def test_dead_bug_in_pregnancy_names_the_pregnancy_reason_only(h: Any) -> None:
    plan = h.clear_plan(patient={"sex": "female", "age": 30, "pregnant": True, "pregnancy_weeks": 24},
                        episode={"duration_weeks": 20})
    reason = _held(plan)["dead_bug"]
    assert "20 weeks" in reason
    assert "surgery" not in reason
    assert "flare" not in reason


def test_every_hold_off_reason_is_a_single_sentence_group_not_a_list_of_all(h: Any) -> None:
    """No reason given is the old all-in-one text: each is one of the exercise's separate reasons."""
    plan = h.clear_plan(episode={"duration_weeks": 2}, pain={"leg_nrs": 8, "areas": ["buttock", "posterior_thigh"]},
                        examination={"straight_leg_raise": "positive"})
    for exercise, reason in _held(plan).items():
        assert reason in _hold_off_texts(exercise)


# ── consent names only what is planned ───────────────────────────────────────────────────────────────────

def test_consent_names_only_the_planned_modalities(h: Any) -> None:
    plan = h.clear_plan(preferences={"modalities": ["massage"]})
    note = plan["guideline"]["consent_note"]
    assert plan["guideline"]["planned_modalities"] == ["massage"]
    assert K.guideline.consent_modalities["massage"] in note
    for other in ("acupuncture", "electroacupuncture", "cupping", "dry_needling", "acupressure"):
        assert K.guideline.consent_modalities[other] not in note
    assert "{involves}" not in note


def test_consent_for_a_withheld_plan_names_no_treatment(h: Any) -> None:
    plan = h.clear_plan(red_flags=["saddle_anaesthesia"])
    assert plan["treatment_allowed"] is False
    note = plan["guideline"]["consent_note"]
    assert K.guideline.consent_nothing_planned in note
    assert all(text not in note for text in K.guideline.consent_modalities.values())


def test_consent_leaves_out_a_modality_the_safety_pass_disallowed(h: Any) -> None:
    """Electroacupuncture chosen but barred by a pacemaker: the consent does not mention the current."""
    plan = h.clear_plan(**NEEDLE_CASE, medical=["pacemaker"])
    assert plan["electroacupuncture"]["pairs"] == []
    assert K.guideline.consent_modalities["electroacupuncture"] not in plan["guideline"]["consent_note"]


def test_evidence_statements_only_where_they_apply(h: Any) -> None:
    plain = {s["id"] for s in h.clear_plan()["guideline"]["statements"]}
    assert "anticoagulant-safety" not in plain
    assert "pregnancy-forbidden-points" not in plain
    anticoag = {s["id"] for s in h.clear_plan(medical=["anticoagulants"])["guideline"]["statements"]}
    assert "anticoagulant-safety" in anticoag


# ── "not recorded" warnings only where they apply ────────────────────────────────────────────────────────

@pytest.mark.parametrize("patient", [{"sex": "male", "age": 30}, {"sex": "female", "age": 60}])
def test_pregnancy_not_recorded_warning_only_when_pregnancy_is_possible(patient: dict[str, Any], h: Any) -> None:
    assert "pregnancy-not-recorded" not in h.warning_ids(h.clear_plan(patient=patient))


# ── cause weights ────────────────────────────────────────────────────────────────────────────────────────

def test_causes_carry_rank_and_the_weights_note(h: Any) -> None:
    a = h.clear_plan()["assessment"]
    assert [c["rank"] for c in a["causes"]] == list(range(1, len(a["causes"]) + 1))
    assert "not probabilities" in a["weights_note"]
    assert "100%" in a["weights_note"]
    assert sum(c["likelihood"] for c in a["causes"]) > 1 or len(a["causes"]) > 1


# ── points for every channel the assessment can assign ──────────────────────────────────────────────────

ASSIGNABLE = [c.channel for c in K.assessment.channels]


def _roles_on_channel(channel: str, knowledge: Knowledge) -> set[str]:
    """The roles of the points on `channel` that the rules choose when the assessment assigns that channel
    (with every pain area that channel covers, acute and chronic)."""
    book = rulebook(knowledge)
    cmap = {c.channel: c for c in knowledge.assessment.channels}[channel]
    roles: set[str] = set()
    for phase in ("acute", "chronic"):
        facts = {"assessment.channels": frozenset({channel}), "pain.areas": frozenset(cmap.areas),
                 "assessment.phase": phase, "assessment.nerve_roots": frozenset(),
                 "assessment.likely_causes": frozenset(), "assessment.tcm_patterns": frozenset()}
        for cand in draft(book, facts, "left").points:
            if book.points[cand.code].channel == channel:
                roles.add(cand.role)
    return roles


def test_the_assignable_channels_are_the_mapped_ones() -> None:
    """The assessment assigns only channels it maps to pain areas (the Governor vessel is not mapped)."""
    assert set(ASSIGNABLE) == {"bladder", "gallbladder", "stomach", "spleen", "liver", "kidney"}


@pytest.mark.parametrize("channel", ASSIGNABLE)
def test_every_assignable_channel_has_a_local_and_a_distal_point(channel: str) -> None:
    roles = _roles_on_channel(channel, K)
    assert {"local", "distal"} <= roles, f"{channel}: rules choose only {roles or 'nothing'}"


def test_without_the_stomach_rules_the_stomach_channel_has_no_point() -> None:
    """Remove the Stomach rules and the channel is assigned with nothing to offer: the test above would fail."""
    rules = tuple(r for r in K.protocol.point_rules if not r.id.startswith("stomach-"))
    k = _replace(K, protocol=_replace(K.protocol, point_rules=rules))
    assert not {"local", "distal"} <= _roles_on_channel("stomach", k)


def test_l4_anterior_medial_pain_gets_stomach_and_spleen_points(h: Any) -> None:
    plan = h.clear_plan(pain={"areas": ["anterior_thigh", "anterior_shin", "medial_calf", "medial_ankle"]},
                        examination={"weakness": ["knee_extension"], "reflexes": {"knee": "reduced"}})
    assert {"stomach", "spleen"} <= set(plan["assessment"]["channels"])
    codes = set(h.point_codes(plan))
    assert {"ST36", "ST41"} <= codes
    assert "SP9" in codes


# ── locations and wording ────────────────────────────────────────────────────────────────────────────────

def test_bl54_location_is_level_with_the_fourth_sacral_foramen() -> None:
    bl54 = {p.code: p for p in K.points}["BL54"]
    text = bl54.location.lower()
    assert "fourth posterior sacral foramen" in text
    assert "3 cun" in text
    assert "median sacral crest" in text
    assert "upper inner buttock" not in text
    assert bl54.placement is not None
    assert bl54.placement.landmark == "sacral_foramen_4_level_midline"
    assert bl54.placement.offset.lateral == 3.0


@pytest.mark.parametrize("code", ["ST32", "ST36", "ST41", "SP9", "LR8", "KI7"])
def test_new_channel_points_are_marked_unverified(code: str) -> None:
    """None of the new points is in the checked facts: the status and the text say so."""
    point = {p.code: p for p in K.points}[code]
    assert point.location_status == "unverified"
    assert "not yet been checked" in point.location


def test_overstated_flags_absolute_words_outside_quotations() -> None:
    assert overstated("2/100 Hz releases all four opioid peptides") == ["releases"]
    assert overstated("this cures sciatica") == ["cures"]
    assert overstated("a proven treatment") == ["proven"]
    assert overstated('the paper says "2/100 Hz releases all four"') == []
    assert overstated("linked with the release of dynorphin") == []


def test_no_reason_in_any_plan_uses_absolute_wording(h: Any) -> None:
    """The frequency reasons and the Han statement say what was reported, at its strength."""
    plan = h.clear_plan(**NEEDLE_CASE, episode={"duration_weeks": 30})
    for text in [plan["electroacupuncture"].get("frequency_reason") or "",
                 *(s["text"] for s in plan["guideline"]["statements"]),
                 *(p["reason"] for p in plan["acupuncture"]["points"])]:
        assert overstated(text) == [], text
    han = {s.id: s for s in K.guideline.statements}["han-2004-frequencies"]
    assert "animal" in han.text
    assert "does not" in han.text


@pytest.mark.parametrize(("medical", "shown"), [([], False), (["anticoagulants"], True), (["bleeding_disorder"], True)])
def test_bleeding_cautions_only_for_bleeding_risk(medical: list[str], shown: bool, h: Any) -> None:
    """A point's bleeding caution is shown only to a patient on anticoagulants or with a bleeding disorder."""
    plan = h.plan(h.make_clear_intake(medical=medical, **NEEDLE_CASE))
    cautions = [c for p in plan["acupuncture"]["points"] for c in p["cautions"]]
    assert plan["acupuncture"]["points"]
    assert any("bleeding disorder" in c.lower() for c in cautions) is shown


def test_needle_limits_give_only_the_reason_that_bound(h: Any) -> None:
    """Points left out for the needle cap are named under the cap alone: no second, unused point limit."""
    intake = h.make_clear_intake(medical=["anticoagulants"],
                                 pain={"leg_nrs": 7, "areas": ["lower_back", "buttock", "posterior_thigh",
                                                               "posterior_calf", "sole"]})
    acu = h.plan(intake)["acupuncture"]
    assert acu["needles"] <= acu["needle_cap"]
    capped = [r for r in acu["reasons"] if "needles" in r]
    assert capped, acu["reasons"]
    assert not [r for r in acu["reasons"] if "lower-priority points" in r]
