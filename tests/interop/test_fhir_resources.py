"""The FHIR builders, pure: each resource they make is read by the R4B models unchanged and accepted by the
official R4 JSON Schema; what each says about a session, a score, a plan or a consent."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fhir_schema import schema_errors
from hypothesis import given, settings
from hypothesis import strategies as st

from sciatica_care.engine.plan import plan_for
from sciatica_care.engine.plan_model import plan_from
from sciatica_care.interop.fhir import (
    ALL_TYPES,
    AppointmentRow,
    ClinicRow,
    DocumentRow,
    EpisodeRow,
    PatientRecord,
    PatientRow,
    PlanRow,
    ScoreRow,
    ShiftRow,
    SiteRow,
    StaffRow,
    VisitRow,
    clinic_resources,
    outcome,
    patient_resources,
)
from sciatica_care.interop.fhir.courses import care_plan, plan_status
from sciatica_care.interop.fhir.measures import observation, questionnaires, response
from sciatica_care.interop.fhir.people import instant, patient
from sciatica_care.interop.fhir.sessions import procedures
from sciatica_care.interop.fhir.standard_codes import export_codes
from sciatica_care.interop.fhir.validation import NotValidFhir, check

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = dt.datetime(2025, 3, 4, 9, 30, 15, 250000, tzinfo=dt.UTC)
DAY = dt.date(2025, 3, 4)


def names(code: str) -> str:
    return f"name of {code}"


def _plan(example: str = "s1-disc-acute.yaml") -> Any:
    return plan_from(plan_for(yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))))


def _patient(**kw: Any) -> PatientRow:
    base: dict[str, Any] = {"id": 1, "clinic_id": 1, "first_name": "Ann", "last_name": "Smith",
                            "date_of_birth": dt.date(1980, 5, 1), "sex": "female", "phone": "07700 900001",
                            "email": "ann@example.org", "address": "1 Mill Lane", "updated_at": NOW,
                            "consent_treatment": True, "consent_treatment_at": NOW, "consent_treatment_by": 2,
                            "consent_data_use": True, "consent_data_use_at": NOW}
    return PatientRow(**{**base, **kw})


def _visit(**kw: Any) -> VisitRow:
    base: dict[str, Any] = {"id": 5, "clinic_id": 1, "episode_id": 3, "patient_id": 1, "plan_id": 4, "date": DAY,
                            "practitioner_id": 2, "created_at": NOW, "updated_at": NOW}
    return VisitRow(**{**base, **kw})


def _score(instrument: str, measure: str, answers: tuple[int | None, ...], score: float, band: str | None = None,
           **kw: Any) -> ScoreRow:
    return ScoreRow(kw.pop("id", 6), 1, 3, 1, kw.pop("visit_id", 5), instrument, measure, kw.pop("source", "staff"),
                    answers, score, band, NOW, 2, **kw)


def record() -> PatientRecord:
    """A record with one of everything: a course, a plan, a session with every modality, each score."""
    plan = _plan()
    return PatientRecord(
        _patient(),
        episodes=(EpisodeRow(3, 1, 1, "Sciatica", dt.date(2025, 3, 1), dt.date(2025, 4, 1), "closed", "left",
                             "disc_herniation", "Disc herniation", lead_practitioner_id=2),),
        plans=(PlanRow(4, 1, 3, 1, 1, NOW, 2, "1.0", "k1", "", plan, episode_open=False),),
        visits=(_visit(points=(("GB30", "left"), ("BL40", "left")), ea_pairs=(("GB30", "BL40"),),
                       ea_frequency_hz="2/100", ea_minutes=20, massage_done=("kneading",), cupping_done=True,
                       red_flags_rechecked=True, subjective="Better", objective="SLR 60°", assessment="Improving",
                       plan_notes="Continue", adverse_events="Small bruise", version=2),),
        scores=(_score("odi", "odi", (1, 2, None, 3, 1, 1, 1, 1, 1, 1), 26.7, "moderate"),
                _score("startback", "startback", (1, 0, 1, 0, 1, 1, 0, 0, 3), 5, "medium", id=7, subscale=3,
                       source="tablet"),
                _score("nrs", "nrs_leg", (5,), 5, id=8),
                _score("rmdq", "rmdq", (1,) * 24, 24, id=9, visit_id=None),
                _score("sbi", "sbi", (1, 2, 3, 4), 10, id=10, source="link")),
        documents=(DocumentRow("handout-4", "handout", "Home programme", 1, NOW, "Binary/handout-4", 2,
                               (("CarePlan", 4),), sha1="a" * 40, size=1234),
                   DocumentRow("discharge-3", "discharge", "Discharge summary", 1, dt.date(2025, 4, 1),
                               "Binary/discharge-3", 2, (("EpisodeOfCare", 3),))),
        appointments=APPOINTMENTS,
    )


APPOINTMENTS = (
    AppointmentRow(11, 1, 2, 7, "Acupuncture follow-up", NOW, NOW + dt.timedelta(minutes=45), "booked", NOW, 3),
    AppointmentRow(12, 1, 2, 7, "Acupuncture follow-up", NOW, NOW + dt.timedelta(minutes=45), "late_cancelled",
                   NOW, None, "Car broke down"),
)


def every_resource() -> list[dict[str, Any]]:
    return [*patient_resources(record(), names),
            *clinic_resources([ClinicRow(1, "Riverside")],
                              [StaffRow(2, 1, "Mei", "Lin", "dr.lin", "mei@example.org", "practitioner", True),
                               StaffRow(3, 1, "Sam", "Reyes", "reception", "", "reception", False)],
                              [SiteRow(7, 1, "Riverside, High St", "2 High St", "01632 960000")],
                              [ShiftRow(2, 7, 0, dt.time(9), dt.time(17)), ShiftRow(2, 7, 2, dt.time(9), dt.time(13))],
                              APPOINTMENTS)]


def test_every_type_is_made() -> None:
    """One record with one of everything makes every resource type the export writes."""
    assert {r["resourceType"] for r in every_resource()} == set(ALL_TYPES)


@pytest.mark.parametrize("resource", every_resource(), ids=lambda r: f"{r['resourceType']}/{r['id']}")
def test_the_models_read_each_resource_unchanged(resource: dict[str, Any]) -> None:
    """fhir.resources (R4B) reads the resource and writes back exactly what it was given."""
    check(resource)


@pytest.mark.parametrize("resource", every_resource(), ids=lambda r: f"{r['resourceType']}/{r['id']}")
def test_the_official_r4_schema_accepts_each_resource(resource: dict[str, Any]) -> None:
    """The official FHIR R4 JSON Schema accepts the resource (no unknown element, every value well formed)."""
    assert schema_errors(resource) == []


def test_the_check_refuses_what_fhir_does_not_have() -> None:
    """Both checks are real: the models refuse an element FHIR does not define and a malformed date; the schema
    also refuses a code outside its value set."""
    with pytest.raises(NotValidFhir):
        check({"resourceType": "Patient", "id": "1", "favouriteColour": "blue"})
    with pytest.raises(NotValidFhir):
        check({"resourceType": "Patient", "id": "1", "birthDate": "1st May 1980"})
    assert schema_errors({"resourceType": "Patient", "id": "1", "favouriteColour": "blue"})
    assert schema_errors({"resourceType": "Patient", "id": "1", "gender": "sometimes"})


def test_resources_round_trip_as_json() -> None:
    """Export, parse, compare: the NDJSON text of each resource parses back to the same resource."""
    for resource in every_resource():
        assert json.loads(json.dumps(resource, ensure_ascii=False)) == resource


@pytest.mark.parametrize(("value", "text"), [
    (dt.datetime(2025, 1, 2, 9, 30, tzinfo=dt.UTC), "2025-01-02T09:30:00Z"),
    (dt.datetime(2025, 1, 2, 9, 30, 0, 5, tzinfo=dt.UTC), "2025-01-02T09:30:00.000005Z"),
    (dt.datetime(2025, 1, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), "2025-01-02T09:30:00+02:00"),
])
def test_instants_carry_seconds_and_a_zone(value: dt.datetime, text: str) -> None:
    """A FHIR instant has seconds and a time zone; UTC is written Z, as the models write it."""
    assert instant(value) == text


def test_an_instant_without_a_zone_is_refused() -> None:
    """A naive time cannot be an instant (which zone would it be in?)."""
    with pytest.raises(ValueError, match="time zone"):
        instant(dt.datetime(2025, 1, 2, 9, 30))  # noqa: DTZ001 - the naive time is the point


@pytest.mark.parametrize(("visit", "expected"), [
    ({"points": (("GB30", "left"),)}, [("acupuncture", "completed")]),
    ({"points": (("GB30", "left"),), "ea_pairs": (("GB30", "BL40"),)}, [("electroacupuncture", "completed")]),
    ({"needling_stopped": True, "red_flag_advice": "Emergency department now"}, [("acupuncture", "not-done")]),
    ({"massage_done": ("kneading",)}, [("massage", "completed")]),
    ({"cupping_done": True, "unplanned_points": (("ST36", "both"),)},
     [("acupuncture", "completed"), ("cupping", "completed")]),
    ({}, []),
])
def test_a_procedure_for_each_modality_given(visit: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    """One Procedure per modality charted; needling stopped at the red-flag re-check is `not-done`."""
    made = list(procedures(_visit(**visit), names, export_codes()))
    assert [(p["id"].split("-", 1)[1], p["status"]) for p in made] == expected


@pytest.mark.parametrize(("kind", "cpt"), [("acupuncture", "97810"), ("electroacupuncture", "97813"),
                                           ("massage", "97124"), ("cupping", None)])
def test_procedures_carry_cpt_where_one_applies(kind: str, cpt: str | None) -> None:
    """Acupuncture 97810, with e-stim 97813, massage 97124 (from the codes knowledge); cupping has no code."""
    fields = {"acupuncture": {"points": (("GB30", "left"),)},
              "electroacupuncture": {"points": (("GB30", "left"),), "ea_pairs": (("GB30", "BL40"),)},
              "massage": {"massage_done": ("kneading",)}, "cupping": {"cupping_done": True}}[kind]
    (made,) = procedures(_visit(**fields), names, export_codes())
    codes = {c["system"]: c["code"] for c in made["code"]["coding"]}
    assert codes.get("http://www.ama-assn.org/go/cpt") == cpt
    assert codes["https://sciatica-care.org/fhir/CodeSystem/procedure"] == kind


@pytest.mark.parametrize(("measure", "instrument", "loinc"), [("nrs_leg", "nrs", "72514-3"),
                                                              ("nrs_back", "nrs", "72514-3"), ("odi", "odi", "97909-6"),
                                                              ("rmdq", "rmdq", None), ("sbi", "sbi", None),
                                                              ("startback", "startback", None)])
def test_observations_are_coded_with_loinc_where_it_has_the_measure(measure: str, instrument: str,
                                                                     loinc: str | None) -> None:
    """NRS 72514-3, ODI 97909-6; the others by the project's own measure code only."""
    obs = observation(_score(instrument, measure, (1,), 1), export_codes())
    codes = {c["system"]: c["code"] for c in obs["code"]["coding"]}
    assert codes.get("http://loinc.org") == loinc
    assert codes["https://sciatica-care.org/fhir/CodeSystem/measure"] == measure


def test_odi_is_a_percentage_and_nrs_a_whole_number() -> None:
    """The ODI's score is a UCUM percentage, an NRS a whole number; the band is the interpretation."""
    odi = observation(_score("odi", "odi", (2,) * 10, 40.0, "moderate"), export_codes())
    assert odi["valueQuantity"] == {"value": 40.0, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}
    assert odi["interpretation"][0]["text"] == "moderate disability"
    assert observation(_score("nrs", "nrs_back", (3,), 3), export_codes())["valueInteger"] == 3


def test_an_unanswered_item_is_left_out_of_the_response() -> None:
    """FHIR has no empty answer: an ODI section left unanswered is not in the response."""
    qr = response(_score("odi", "odi", (1, None, 2, 2, 2, 2, 2, 2, 2, 2), 42.2))
    assert [i["linkId"] for i in qr["item"]] == ["1", "3", "4", "5", "6", "7", "8", "9", "10"]


@pytest.mark.parametrize(("source", "who"), [("staff", "Practitioner/2"), ("tablet", "Patient/1"),
                                             ("link", "Patient/1")])
def test_the_response_says_who_filled_it_in(source: str, who: str) -> None:
    """On the charting form the practitioner; on the tablet or by link the patient."""
    assert response(_score("nrs", "nrs_leg", (4,), 4, source=source))["source"]["reference"] == who


def test_no_licensed_wording_is_in_the_questionnaires() -> None:
    """The ODI and STarT Back items carry our topic words, and the licence is named, never the wording."""
    from sciatica_care.outcomes.instruments import INSTRUMENTS

    by_id = {q["id"]: q for q in questionnaires()}
    assert set(by_id) == set(INSTRUMENTS)
    for instrument in INSTRUMENTS.values():
        q = by_id[instrument.id]
        assert [i["text"] for i in q["item"]] == [item.topic for item in instrument.items]
        assert all("answerOption" in i and all(set(o) == {"valueInteger"} for o in i["answerOption"])
                   for i in q["item"])
        if instrument.licence:
            assert instrument.licence in q["copyright"]


@pytest.mark.parametrize(("latest", "episode_open", "status"), [(True, True, "active"), (True, False, "completed"),
                                                                (False, True, "revoked"), (False, False, "revoked")])
def test_care_plan_status(latest: bool, episode_open: bool, status: str) -> None:
    """The newest plan of an open course is active, of a closed one completed; a replaced plan revoked."""
    row = PlanRow(4, 1, 3, 1, 1, NOW, 2, "1", "k", "", None, latest=latest, episode_open=episode_open)
    assert plan_status(row) == status


def test_a_plan_that_stops_treatment_plans_no_treatment() -> None:
    """A red-flag plan says so, and carries no treatment activity (the home programme alone, if any)."""
    plan = _plan("cauda-equina.yaml")
    assert not plan.treatment_allowed
    made = care_plan(PlanRow(4, 1, 3, 1, 1, NOW, 2, "1", "k", "", plan), names)
    assert made["description"].startswith("No treatment")
    treatments = {"acupuncture", "electroacupuncture", "massage", "cupping"}
    assert not any(a["detail"]["code"]["coding"][0]["code"] in treatments for a in made.get("activity", []))


def test_left_out_points_are_do_not_perform() -> None:
    """A point the safety pass left out is exported as an activity not to perform, with its reason."""
    plan = _plan("pregnancy-third-trimester.yaml")
    assert plan.acupuncture.excluded
    made = care_plan(PlanRow(4, 1, 3, 1, 1, NOW, 2, "1", "k", "", plan), names)
    held = [a["detail"] for a in made["activity"] if a["detail"]["code"]["coding"][0]["code"] == "point_left_out"]
    assert {h["code"]["coding"][1]["code"] for h in held} == {p.code for p in plan.acupuncture.excluded}
    assert all(h["doNotPerform"] is True and h["statusReason"]["text"] for h in held)


def test_only_consents_given_are_exported() -> None:
    """A consent never recorded is not exported (the record cannot tell a refusal from a question not asked)."""
    types = [r["id"] for r in patient_resources(PatientRecord(_patient(consent_data_use=False)), names)
             if r["resourceType"] == "Consent"]
    assert types == ["1-treatment"]


def test_an_anonymised_patient_is_named_by_the_pseudonym_only() -> None:
    """Anonymised: the name is the pseudonym, nothing else."""
    made = patient(_patient(first_name="", last_name="P-7QX2", anonymised=True, pseudonym="P-7QX2", phone="",
                            email="", address=""))
    assert made["name"] == [{"use": "anonymous", "text": "P-7QX2"}]
    assert "telecom" not in made
    assert "address" not in made


def test_errors_are_operation_outcomes() -> None:
    """An error is an OperationOutcome naming the field; the models and the schema accept it."""
    made = outcome(404, "not found", expression="patient")
    assert made["issue"][0]["code"] == "not-found"
    assert made["issue"][0]["expression"] == ["patient"]
    check(made)
    assert schema_errors(made) == []


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(first=text, last=text, phone=text, subjective=text, advice=text, dob=st.dates(dt.date(1900, 1, 1), DAY))
def test_any_text_in_the_record_makes_valid_fhir(first: str, last: str, phone: str, subjective: str, advice: str,
                                                  dob: dt.date) -> None:
    """Whatever a record's free text holds (empty, spaces, any script), the patient and session validate."""
    rec = PatientRecord(_patient(first_name=first, last_name=last, phone=phone, date_of_birth=dob),
                        visits=(_visit(subjective=subjective, red_flag_advice=advice, needling_stopped=True,
                                       red_flags_rechecked=True, red_flags_found=("saddle_anaesthesia",)),))
    for resource in patient_resources(rec, names):
        check(resource)
        assert schema_errors(resource) == []


def test_appointments_keep_their_status_and_hold_a_slot_while_live() -> None:
    """A booked appointment holds a busy Slot; a late cancellation is FHIR's cancelled with the words kept."""
    made = {r["id"]: r for r in every_resource() if r["resourceType"] in ("Appointment", "Slot", "Schedule")}
    assert made["11"]["status"] == "booked"
    assert made["11"]["slot"] == [{"reference": "Slot/appointment-11"}]
    assert made["12"]["status"] == "cancelled"
    assert made["12"]["cancelationReason"]["text"] == "Cancelled late: Car broke down"
    assert "appointment-12" not in made
    assert made["appointment-11"]["status"] == "busy"
    assert made["2-7"]["comment"].endswith("Mon 09:00–17:00; Wed 09:00–13:00")


def test_a_confirmed_diagnosis_is_coded_in_icd10cm() -> None:
    """The practitioner's confirmed diagnosis: ICD-10-CM from the codes knowledge, verification confirmed; none
    confirmed: provisional, named by the likely cause."""
    from sciatica_care.interop.fhir.courses import condition

    row = EpisodeRow(3, 1, 1, "Sciatica", DAY, None, "open", "left", "disc_herniation", "Disc herniation",
                     diagnoses=("sciatica_left",))
    made = condition(row)
    assert made["code"]["coding"][0] == {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M54.32",
                                         "display": made["code"]["coding"][0]["display"]}
    assert made["verificationStatus"]["coding"][0]["code"] == "confirmed"
    provisional = condition(EpisodeRow(3, 1, 1, "Sciatica", DAY, None, "open", cause="disc_herniation",
                                       cause_name="Disc herniation"))
    assert provisional["verificationStatus"]["coding"][0]["code"] == "provisional"
    assert provisional["code"]["text"] == "Disc herniation"


def test_npi_and_tax_id_are_identifiers() -> None:
    """A practitioner's NPI and the clinic's NPI and EIN go out as identifiers in their standard systems."""
    from sciatica_care.interop.fhir.people import identifiers, organization, practitioner

    org = organization(ClinicRow(1, "Riverside", identifiers("1234567893", "12-3456789")))
    assert org["identifier"] == [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"},
                                 {"system": "urn:oid:2.16.840.1.113883.4.4", "value": "12-3456789"}]
    person = practitioner(StaffRow(2, 1, "Mei", "Lin", "dr.lin", "", "practitioner", True, identifiers("1234567893")))
    assert person["identifier"][0]["value"] == "1234567893"
    check(org)
    assert schema_errors(org) == []
