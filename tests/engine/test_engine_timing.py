"""Referral timing (contract 1.1): `triage.see_within` is the most urgent timing over every flag and finding, each
flag and finding carries its own timing and whom to contact, a timing of today or sooner stops treatment, and no
advice text in the plan states a slower timing than the plan's (clinical/facts.md §9)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciatica_care import plan_for
from sciatica_care.contract import intake_schema
from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.knowledge.timing import (
    SEE_WITHIN,
    URGENCY,
    clause_timings,
    most_urgent,
    slower_than,
    slowest_stated,
    stated_timings,
)

K = load_knowledge()
SCHEMA = intake_schema()
FLAGS = SCHEMA["properties"]["red_flags"]["items"]["enum"]
MEDICAL = SCHEMA["properties"]["medical"]["items"]["enum"]
MUSCLES = SCHEMA["properties"]["examination"]["properties"]["weakness"]["items"]["enum"]
EXAMPLES = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STOPS = {"now", "same_day"}


# ── the reader ───────────────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("text", "expected"), [
    ("Go to an emergency department straight away.", {"now"}),
    ("Send the patient to an emergency department today, within hours.", {"now"}),
    ("Call 999 if they are breathless.", {"now"}),
    ("Please see a doctor today.", {"same_day"}),
    ("A same-day GP appointment, or NHS 111 when the surgery is closed.", {"same_day"}),
    ("Please see your GP in the next few days — no later than two weeks.", {"two_weeks"}),
    ("Refer for urgent medical assessment.", {"two_weeks"}),
    ("See your GP if it is not better in a few weeks.", {"none"}),
    ("Do not wait for your next appointment.", set()),
    ("Not to a routine GP appointment.", set()),
    ("The level is emergency rather than urgent.", set()),
    ("Before any treatment, tell us about your medicines.", set()),
])
def test_the_reader_finds_the_timing_a_sentence_states(text: str, expected: set[str]) -> None:
    assert stated_timings(text) == expected


def test_reader_helpers() -> None:
    """The slowest stated timing, the slower-than check and the order of timings."""
    text = "Go to an emergency department now. Otherwise see your GP within two weeks."
    assert slowest_stated(text) == "two_weeks"
    assert slower_than(text, "same_day") == {"two_weeks"}
    assert slower_than(text, "two_weeks") == set()
    assert slowest_stated("Keep moving gently.") is None
    assert most_urgent(["two_weeks", "now", "none"]) == "now"
    assert most_urgent([]) == "none"
    assert [URGENCY[s] for s in SEE_WITHIN] == [3, 2, 1, 0]
    assert clause_timings("Today: see a doctor.") == [("Today", "same_day")]


# ── the table: every flag and finding at its §9 timing ───────────────────────────────────────────────────

#: facts.md §9, written out by hand: each red flag alone.
FLAG_TIMING = {
    "bladder_dysfunction": "now", "bowel_dysfunction": "now", "saddle_anaesthesia": "now",
    "sexual_dysfunction": "now", "bilateral_sudden": "now",
    "progressive_weakness": "same_day",  # progressive unilateral deficit
    "history_of_cancer": "two_weeks", "unexplained_weight_loss": "two_weeks", "unrelenting_night_pain": "two_weeks",
    "fever": "same_day", "iv_drug_use": "two_weeks", "immunosuppression": "two_weeks",
    "significant_trauma": "now",  # major trauma
    "osteoporosis": "two_weeks", "long_term_steroids": "two_weeks",  # minor trauma, neurology intact
    "incapacitating_pain": "same_day",
}


def test_flag_table_covers_every_flag() -> None:
    assert set(FLAG_TIMING) == set(FLAGS)


@pytest.mark.parametrize("flag", FLAGS)
def test_each_flag_alone_has_its_section_9_timing(flag: str, h: Any) -> None:
    """Each red flag alone: its entry carries the §9 timing and a contact, the plan takes it, and a timing of
    today or sooner stops treatment."""
    plan = h.clear_plan(red_flags=[flag], pain={"leg_nrs": 5})
    entry = {f["id"]: f for f in plan["triage"]["flags"]}[flag]
    assert entry["see_within"] == FLAG_TIMING[flag]
    assert entry["contact"]
    assert plan["triage"]["see_within"] == FLAG_TIMING[flag]
    assert plan["treatment_allowed"] is False


#: Findings and combinations (§9), each with the timing and the least level it must give.
FINDINGS: list[tuple[str, dict[str, Any], str, str]] = [
    ("fever + IV drug use", {"red_flags": ["fever", "iv_drug_use"]}, "same_day", "urgent"),
    ("fever + immunosuppression", {"red_flags": ["fever", "immunosuppression"]}, "same_day", "urgent"),
    ("fever + recorded weakness", {"red_flags": ["fever"], "examination": {"weakness": ["ankle_dorsiflexion"]}},
     "now", "emergency"),
    ("fever + progressive weakness", {"red_flags": ["fever", "progressive_weakness"]}, "now", "emergency"),
    ("fever + IV drugs + weakness", {"red_flags": ["fever", "iv_drug_use"],
                                     "examination": {"weakness": ["plantarflexion"]}}, "now", "emergency"),
    ("fever + power 4/5", {"red_flags": ["fever"], "examination": {"power": {"knee_extension": 4}}},
     "now", "emergency"),
    ("cancer + new weakness (MSCC)", {"red_flags": ["history_of_cancer"],
                                      "examination": {"weakness": ["hip_flexion"]}}, "now", "emergency"),
    ("active cancer, long-standing pain", {"medical": ["active_cancer"], "episode": {"duration_weeks": 40}},
     "same_day", "urgent"),
    ("acute foot drop 3/5", {"examination": {"weakness": ["ankle_dorsiflexion"],
                                             "power": {"ankle_dorsiflexion": 3}}}, "same_day", "urgent"),
    ("acute foot drop 0/5, weakness not listed", {"examination": {"power": {"ankle_dorsiflexion": 0}}},
     "same_day", "urgent"),
    ("suspected DVT", {"medical": ["dvt_suspected"]}, "same_day", "urgent"),
    ("suspected DVT with its site", {"medical": ["dvt_suspected"],
                                     "medical_sites": {"dvt_suspected": {"areas": ["posterior_calf"],
                                                                         "side": "left"}}}, "same_day", "urgent"),
    ("both legs, absent ankle reflexes", {"episode": {"side": "both", "onset": "gradual"},
                                          "examination": {"reflexes": {"ankle": "absent"}}}, "now", "emergency"),
    ("both legs, weakness", {"episode": {"side": "both", "onset": "gradual"},
                             "examination": {"weakness": ["plantarflexion"]}}, "now", "emergency"),
    ("major trauma", {"red_flags": ["significant_trauma"]}, "now", "urgent"),
    ("osteoporosis + incapacitating pain", {"red_flags": ["osteoporosis", "incapacitating_pain"]},
     "same_day", "urgent"),
]

#: Findings that must NOT raise anything on their own.
ROUTINE: list[tuple[str, dict[str, Any]]] = [
    ("ankle dorsiflexion 4/5", {"examination": {"weakness": ["ankle_dorsiflexion"],
                                                "power": {"ankle_dorsiflexion": 4}}}),
    ("one leg, absent ankle reflex", {"examination": {"reflexes": {"ankle": "absent"}}}),
    ("both legs, gradual, no neurology", {"episode": {"side": "both", "onset": "gradual"}}),
    ("skin lesion with its site", {"medical": ["skin_lesion_at_site"],
                                   "medical_sites": {"skin_lesion_at_site": {"areas": ["lateral_calf"],
                                                                             "side": "left"}}}),
]


@pytest.mark.parametrize(("name", "case", "see_within", "level"), FINDINGS, ids=[f[0] for f in FINDINGS])
def test_finding_timing(name: str, case: dict[str, Any], see_within: str, level: str, h: Any) -> None:
    plan = h.clear_plan(**case)
    assert plan["triage"]["see_within"] == see_within, name
    assert {"urgent": 1, "emergency": 2}[plan["triage"]["level"]] >= {"urgent": 1, "emergency": 2}[level]
    assert plan["treatment_allowed"] is False
    assert plan["triage"]["contact"]


@pytest.mark.parametrize(("name", "case"), ROUTINE, ids=[r[0] for r in ROUTINE])
def test_finding_that_stays_routine(name: str, case: dict[str, Any], h: Any) -> None:
    plan = h.clear_plan(**case)
    assert plan["triage"]["see_within"] == "none", name
    assert plan["triage"]["level"] == "routine"
    assert plan["treatment_allowed"] is True


def test_without_the_finding_fever_with_weakness_is_only_same_day(h: Any) -> None:
    """"New weakness with fever = emergency" comes from the fever_with_neurology finding: remove it and the
    plan falls to the fever flag's same day."""
    case = h.make_clear_intake(red_flags=["fever"], examination={"weakness": ["ankle_dorsiflexion"]})
    assert plan_for(case)["triage"]["see_within"] == "now"
    assert plan_for(case, h.without_escalation("fever_with_neurology"))["triage"]["see_within"] == "same_day"


def test_without_the_finding_foot_drop_is_treated_with_estim(h: Any) -> None:
    """Remove acute_foot_drop and a 2/5 foot drop gets a routine plan again (the hazard of issue 9)."""
    case = h.make_clear_intake(examination={"weakness": ["ankle_dorsiflexion"], "power": {"ankle_dorsiflexion": 2}})
    assert plan_for(case)["treatment_allowed"] is False
    assert plan_for(case, h.without_escalation("acute_foot_drop"))["treatment_allowed"] is True


def test_urgent_headline_is_not_slow_when_a_flag_needs_today(h: Any) -> None:
    """Issue 9: fever with IV drug use used to say 'in the next few days — no later than two weeks'."""
    plan = h.clear_plan(red_flags=["fever", "iv_drug_use"])
    tri = plan["triage"]
    assert tri["see_within"] == "same_day"
    for text in (tri["advice"], tri["patient_advice"], tri["timing"], tri["patient_timing"]):
        assert not slower_than(text, "same_day"), text
        assert "two weeks" not in text
        assert "few days" not in text
    assert tri["patient_advice"].startswith("Please see a doctor today")


def test_the_headline_states_the_timing_first(h: Any) -> None:
    """The first clause of each headline text states the plan's own timing."""
    for case in ({}, {"red_flags": ["unexplained_weight_loss"]}, {"red_flags": ["fever"]},
                 {"red_flags": ["saddle_anaesthesia"]}, {"red_flags": ["significant_trauma"]}):
        tri = h.clear_plan(**case)["triage"]
        for text in (tri["advice"], tri["patient_advice"]):
            if tri["see_within"] == "none":
                continue
            first = clause_timings(text)[0][1]
            assert first == tri["see_within"], (case, text)


# ── properties ───────────────────────────────────────────────────────────────────────────────────────────

@st.composite
def risky_intakes(draw: st.DrawFn) -> dict[str, Any]:
    """Red flags, medical items, MRC grades, sides and reflexes in any combination."""
    exam: dict[str, Any] = {"sensory_loss": draw(st.lists(st.sampled_from(["lateral_calf", "sole"]), unique=True))}
    weakness = draw(st.lists(st.sampled_from(MUSCLES), unique=True, max_size=3))
    if weakness:
        exam["weakness"] = weakness
    power = draw(st.dictionaries(st.sampled_from(MUSCLES), st.integers(0, 5), max_size=3))
    if power:
        exam["power"] = power
    reflexes = draw(st.dictionaries(st.sampled_from(["knee", "ankle"]),
                                    st.sampled_from(["normal", "reduced", "absent"]), max_size=2))
    if reflexes:
        exam["reflexes"] = reflexes
    medical = draw(st.lists(st.sampled_from(MEDICAL), unique=True, max_size=3))
    doc: dict[str, Any] = {
        "schema_version": "1",
        "patient": {"age": draw(st.integers(16, 95)), "sex": "male"},
        "episode": {"side": draw(st.sampled_from(["left", "right", "both"])),
                    "duration_weeks": draw(st.sampled_from([1, 4, 10, 30])),
                    "onset": draw(st.sampled_from(["sudden", "gradual"]))},
        "pain": {"leg_nrs": draw(st.integers(0, 10)), "areas": ["buttock", "posterior_thigh", "posterior_calf"]},
        "red_flags": draw(st.lists(st.sampled_from(FLAGS), unique=True, max_size=3)),
        "medical": medical,
        "examination": exam,
    }
    sited = [m for m in medical if m in ("dvt_suspected", "pacemaker", "skin_lesion_at_site")]
    if sited and draw(st.booleans()):
        doc["medical_sites"] = {m: {"areas": ["posterior_calf"], "side": "left"} for m in sited}
    return doc


@EXAMPLES
@given(risky_intakes())
def test_today_or_sooner_stops_all_treatment(intake: dict[str, Any]) -> None:
    """see_within ∈ {now, same_day} ⇒ level not routine, treatment_allowed false, and no points, pairs, massage,
    cupping or home pressing."""
    plan = plan_for(intake)
    tri = plan["triage"]
    if tri["see_within"] in STOPS:
        assert tri["level"] != "routine"
        assert plan["treatment_allowed"] is False
        assert plan["acupuncture"]["points"] == []
        assert plan["electroacupuncture"]["pairs"] == []
        assert plan["massage"]["allowed"] is False
        assert plan["massage"]["techniques"] == []
        assert plan["cupping"]["allowed"] is False
        assert plan["self_care"]["acupressure"] == []
    if tri["level"] == "routine":
        assert tri["see_within"] == "none"


@EXAMPLES
@given(risky_intakes())
def test_see_within_is_the_most_urgent_of_everything_that_fired(intake: dict[str, Any]) -> None:
    tri = plan_for(intake)["triage"]
    every = [f["see_within"] for f in tri["flags"]] + [e["see_within"] for e in tri["escalations"]]
    assert tri["see_within"] == most_urgent(every)
    for entry in [*tri["flags"], *tri["escalations"]]:
        assert entry["see_within"] in SEE_WITHIN
        assert entry["contact"]


def _texts_against_the_plan(plan: dict[str, Any]) -> list[str]:
    """Every text the plan shows as its own referral advice (the headline, its words and the warnings)."""
    tri = plan["triage"]
    texts = [tri["advice"], tri["patient_advice"], tri["timing"], tri["patient_timing"]]
    texts += [w["text"] for w in plan["warnings"]]
    for section in ("acupuncture", "electroacupuncture", "massage", "cupping", "self_care"):
        texts += plan[section].get("reasons", [])
    return texts


@EXAMPLES
@given(risky_intakes())
def test_no_advice_text_names_a_slower_timing_than_see_within(intake: dict[str, Any]) -> None:
    """The headline texts and the withheld reasons never state a slower timing than `triage.see_within`; each
    flag's and finding's own texts never state a slower timing than that item's `see_within`."""
    plan = plan_for(intake)
    tri = plan["triage"]
    for text in _texts_against_the_plan(plan):
        assert not slower_than(text, tri["see_within"]), (tri["see_within"], text)
    for entry in [*tri["flags"], *tri["escalations"]]:
        for key in ("advice", "patient_text"):
            if entry.get(key):
                assert not slower_than(entry[key], entry["see_within"]), (entry["id"], entry[key])


# ── worked examples ──────────────────────────────────────────────────────────────────────────────────────

EXAMPLES_DIR = __import__("pathlib").Path(__file__).resolve().parents[2] / "examples"
WORKED = {
    "dvt-same-day": ("same_day", "urgent", "dvt_suspected"),
    "foot-drop": ("same_day", "urgent", "acute_foot_drop"),
    "fever-weakness-emergency": ("now", "emergency", "fever_with_neurology"),
    "bilateral-absent-reflexes": ("now", "emergency", "bilateral_neurology"),
}


@pytest.mark.parametrize("name", list(WORKED))
def test_worked_example_is_referred_in_time_and_not_treated(name: str) -> None:
    import yaml

    see_within, level, finding = WORKED[name]
    plan = plan_for(yaml.safe_load((EXAMPLES_DIR / f"{name}.yaml").read_text(encoding="utf-8")))
    tri = plan["triage"]
    assert (tri["see_within"], tri["level"]) == (see_within, level)
    assert finding in [e["id"] for e in tri["escalations"]]
    assert plan["treatment_allowed"] is False
    assert plan["acupuncture"]["points"] == []
    assert plan["electroacupuncture"]["pairs"] == []
    assert not slower_than(tri["patient_advice"], see_within)


def test_a_slower_findings_advice_is_not_shown_beside_an_emergency(h: Any) -> None:
    """Suspected DVT (same day) with a cauda equina sign (now): the plan's warnings never tell the practitioner
    to arrange a same-day appointment; the DVT is still listed among the findings."""
    plan = h.plan(h.make_clear_intake(medical=["dvt_suspected"], red_flags=["bladder_dysfunction"]))
    assert plan["triage"]["see_within"] == "now"
    assert "dvt_suspected" in {e["id"] for e in plan["triage"]["escalations"]}
    for warning in plan["warnings"]:
        assert not slower_than(warning["text"], "now"), warning
