"""Every resource of one patient's record (their compartment), and the clinic's own (its organisation, place,
staff and questionnaires), built from the rows handed in, one resource at a time: an export streams them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sciatica_care.interop.fhir.booking_resources import (
    AppointmentRow,
    ShiftRow,
    SiteRow,
    appointment,
    schedules,
    site,
    slot,
)
from sciatica_care.interop.fhir.consents import consents
from sciatica_care.interop.fhir.courses import care_plan, condition, episode_of_care, plan_provenance
from sciatica_care.interop.fhir.document_refs import document_reference
from sciatica_care.interop.fhir.measures import observation, questionnaires, response
from sciatica_care.interop.fhir.people import location, organization, patient, practitioner, practitioner_role
from sciatica_care.interop.fhir.rows import ClinicRow, ExtraCodes, Names, PatientRecord, StaffRow
from sciatica_care.interop.fhir.sessions import session
from sciatica_care.interop.fhir.standard_codes import export_codes

#: The resource types of a patient's compartment, in the order they are written.
PATIENT_TYPES = ("Patient", "Consent", "EpisodeOfCare", "Condition", "CarePlan", "Appointment", "Encounter",
                 "Procedure", "ClinicalImpression", "QuestionnaireResponse", "Observation", "DocumentReference",
                 "Provenance")
#: The clinic's own resource types (not about one patient).
CLINIC_TYPES = ("Organization", "Location", "Practitioner", "PractitionerRole", "Questionnaire", "Schedule", "Slot")
ALL_TYPES = CLINIC_TYPES + PATIENT_TYPES


def patient_resources(record: PatientRecord, names: Names, extra: ExtraCodes | None = None
                      ) -> Iterator[dict[str, Any]]:
    """The patient's resources: demographics and consents, each course with its diagnosis and plans, each
    session, each score (answers and result), the PDFs given out, and the provenance of each. `extra`: the
    standard codes by our own (default: the codes knowledge's, `standard_codes.export_codes`)."""
    if extra is None:
        extra = export_codes()
    yield patient(record.patient)
    yield from consents(record.patient)
    for episode in record.episodes:
        yield episode_of_care(episode)
        yield condition(episode)
    for plan in record.plans:
        yield care_plan(plan, names)
        yield plan_provenance(plan)
    for booked in record.appointments:
        yield appointment(booked)
    for visit in record.visits:
        yield from session(visit, names, extra)
    for score in record.scores:
        yield response(score)
        yield observation(score, extra)
    for document in record.documents:
        yield document_reference(document)


def clinic_resources(clinics: Iterable[ClinicRow], staff: Iterable[StaffRow], sites: Iterable[SiteRow] = (),
                     shifts: Iterable[ShiftRow] = (), booked: Iterable[AppointmentRow] = ()
                     ) -> Iterator[dict[str, Any]]:
    """The clinics (and their premises), the staff, the questionnaires, the booking locations, the working hours
    and the time each live appointment holds (`booked` is streamed: it may be long)."""
    for clinic in clinics:
        yield organization(clinic)
        yield location(clinic)
    for place in sites:
        yield site(place)
    for person in staff:
        yield practitioner(person)
        yield practitioner_role(person)
    yield from questionnaires()
    yield from schedules(shifts)
    for row in booked:
        held = slot(row)
        if held is not None:
            yield held
