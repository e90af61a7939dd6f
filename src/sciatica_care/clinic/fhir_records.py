"""The clinic's records read for FHIR: rows gathered in bulk (a few queries per chunk of patients, only the
columns needed, never one query per record), handed to the pure builders through the seam, resources given back
one at a time. The API (api/fhir.py), the bulk export and the command line all read through here.

Access is decided by the caller (api/fhir.py, the export's kick-off): these functions read what they are asked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
from django.db.models import F, QuerySet, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from sciatica_care.clinic import clinical
from sciatica_care.clinic.models import (
    Clinic,
    Episode,
    EpisodeStatus,
    Intake,
    OutcomeScore,
    Patient,
    PlanRevision,
    Role,
    Staff,
    Visit,
)

#: Patients read per round of queries: big enough that the queries cost little per patient, small enough that a
#: round's rows (plans are the biggest, a few kB each) stay a few MB.
CHUNK = 400

#: Which rows each resource type is built from.
NEEDS = {
    "Patient": "patients", "Consent": "patients", "EpisodeOfCare": "episodes", "Condition": "episodes",
    "CarePlan": "plans", "Encounter": "visits", "Procedure": "visits", "ClinicalImpression": "visits",
    "QuestionnaireResponse": "scores", "Observation": "scores", "Appointment": "appointments",
}
MULTI = {"Provenance": ("patients", "plans", "visits"), "DocumentReference": ("plans", "episodes")}


@dataclass(frozen=True)
class Links:
    """How the record's documents are addressed: `base` is the FHIR API's address ("" away from a server:
    the references are then relative, `Binary/…`)."""

    base: str = ""

    def binary(self, binary_id: str) -> str:
        return f"{self.base}/Binary/{binary_id}" if self.base else f"Binary/{binary_id}"


#: Away from a server (the command line, a subject-access file): documents by relative address.
AWAY = Links()


def rows_needed(types: Collection[str]) -> set[str]:
    out = {"patients"}  # the patient's row anchors every compartment
    for t in types:
        if t in NEEDS:
            out.add(NEEDS[t])
        out.update(MULTI.get(t, ()))
    return out


def patient_id_chunks(patients: QuerySet[Patient], chunk: int = CHUNK) -> Iterator[list[int]]:
    """The patients' ids in order, `chunk` at a time (keyset pagination: no OFFSET)."""
    last = 0
    while True:
        ids = list(patients.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _text(name: str) -> Cast:
    """A JSON column read as its text: decoded here by msgspec, several times faster than the JSON field's own
    decoding of each value (and a plan goes straight into its typed record)."""
    return Cast(F(name), output_field=TextField())


_decode = msgspec.json.Decoder().decode


def _json(text: str | None) -> Any:
    return _decode(text) if text else None


def _patient_rows(ids: list[int]) -> dict[int, clinical.PatientRow]:
    fields = ("id", "clinic_id", "first_name", "last_name", "date_of_birth", "sex", "phone", "email", "address",
              "updated_at", "consent_treatment", "consent_treatment_at", "consent_treatment_by_id",
              "consent_data_use", "consent_data_use_at", "anonymised_at", "pseudonym")
    out = {}
    for r in Patient.objects.filter(pk__in=ids).values_list(*fields):
        out[r[0]] = clinical.PatientRow(*r[:15], anonymised=r[15] is not None, pseudonym=r[16])
    return out


def _episode_rows(ids: list[int]) -> dict[int, list[clinical.EpisodeRow]]:
    sides: dict[int, str | None] = {}
    for episode_id, side in (Intake.objects.filter(episode__patient_id__in=ids)
                             .order_by("episode_id", "recorded_at", "id")
                             .values_list("episode_id", KT("data__episode__side"))):
        sides.setdefault(episode_id, side)
    out: dict[int, list[clinical.EpisodeRow]] = defaultdict(list)
    for r in (Episode.objects.filter(patient_id__in=ids).order_by("opened_on", "id")
              .values_list("id", "clinic_id", "patient_id", "title", "opened_on", "closed_on", "status",
                           "outcome__top_cause", "outcome__lead_practitioner_id", _text("diagnoses"))):
        cause = r[7] or None
        diagnoses = tuple(str(d["id"]) for d in _json(r[9]) or () if isinstance(d, dict) and d.get("id"))
        out[r[2]].append(clinical.EpisodeRow(*r[:7], side=sides.get(r[0]), cause=cause,
                                             cause_name=clinical.fhir_name(cause) if cause else "",
                                             diagnoses=diagnoses, lead_practitioner_id=r[8]))
    return out


def _plan_rows(ids: list[int], links: Links
               ) -> tuple[dict[int, list[clinical.PlanRow]], dict[int, list[clinical.DocumentRow]]]:
    plans: dict[int, list[clinical.PlanRow]] = defaultdict(list)
    documents: dict[int, list[clinical.DocumentRow]] = defaultdict(list)
    rows = (PlanRevision.objects.filter(episode__patient_id__in=ids).order_by("episode_id", "number")
            .values_list("id", "clinic_id", "episode_id", "episode__patient_id", "number", "created_at",
                         "created_by_id", "engine_version", "knowledge_version", "reason", _text("plan"),
                         "episode__status"))
    by_episode: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_episode[r[2]].append(r)
    for revisions in by_episode.values():
        for n, r in enumerate(revisions):
            try:
                typed, problem = clinical.read_plan(r[10]), ""
            except clinical.PlanUnreadable as exc:
                typed, problem = None, str(exc)
            latest = n == len(revisions) - 1
            plans[r[3]].append(clinical.PlanRow(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], typed, problem,
                previous_id=revisions[n - 1][0] if n else None, latest=latest,
                episode_open=r[11] != EpisodeStatus.CLOSED))
            if typed is not None:
                documents[r[3]].append(clinical.DocumentRow(
                    f"handout-{r[0]}", "handout", f"Home programme, plan {r[4]}", r[3], r[5],
                    links.binary(f"handout-{r[0]}"), author_id=r[6], related=(("CarePlan", r[0]),), current=latest))
    return plans, documents


def _discharge_documents(episodes: Iterable[clinical.EpisodeRow], links: Links) -> list[clinical.DocumentRow]:
    return [clinical.DocumentRow(f"discharge-{e.id}", "discharge", f"Discharge summary, {e.title}", e.patient_id,
                        e.closed_on, links.binary(f"discharge-{e.id}"), author_id=e.lead_practitioner_id,
                        related=(("EpisodeOfCare", e.id),))
            for e in episodes if e.status == EpisodeStatus.CLOSED and e.closed_on is not None]


def _booking(model: str) -> Any:
    """A model of the booking app (`scheduling`), which builds on the clinic's records: looked up by name so
    that the clinic app never imports it."""
    from django.apps import apps

    return apps.get_model("scheduling", model)


APPOINTMENT_FIELDS = ("id", "patient_id", "practitioner_id", "location_id", "service__name", "start", "end",
                      "status", "booked_at", "episode_id", "cancel_reason")


def _appointment_rows(ids: list[int]) -> dict[int, list[clinical.AppointmentRow]]:
    out: dict[int, list[clinical.AppointmentRow]] = defaultdict(list)
    for r in (_booking("Appointment").objects.filter(patient_id__in=ids).order_by("start", "id")
              .values_list(*APPOINTMENT_FIELDS)):
        out[r[1]].append(clinical.AppointmentRow(*r))
    return out


def _slot_rows(clinic_ids: Collection[int]) -> Iterator[clinical.AppointmentRow]:
    """Every appointment of the clinics with a patient, streamed in chunks (the busy slots)."""
    qs = (_booking("Appointment").objects.filter(clinic_id__in=clinic_ids, patient__isnull=False).order_by("pk")
          .values_list(*APPOINTMENT_FIELDS))
    for r in qs.iterator(chunk_size=2000):
        yield clinical.AppointmentRow(*r)


def _pairs(items: Any, second: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(i.get("code", "")), str(i.get(second) or "")) for i in items or () if isinstance(i, dict))


VISIT_FIELDS = ("id", "clinic_id", "episode_id", "episode__patient_id", "plan_id", "date", "practitioner_id",
                "created_at", "updated_at", "version", "points", "unplanned_points", "overrides", "ea_pairs",
                "ea_frequency_hz", "ea_minutes", "massage_done", "cupping_done", "needling_stopped",
                "red_flags_rechecked", "red_flags_found", "red_flag_advice", "adverse_events", "subjective",
                "objective", "assessment", "plan_notes", "minutes_acupuncture", "minutes_electroacupuncture",
                "minutes_massage")
VISIT_JSON = frozenset({"points", "unplanned_points", "overrides", "ea_pairs", "massage_done", "red_flags_found"})


def _visit_rows(ids: list[int]) -> dict[int, list[clinical.VisitRow]]:
    out: dict[int, list[clinical.VisitRow]] = defaultdict(list)
    for r in (Visit.objects.filter(episode__patient_id__in=ids).order_by("date", "id")
              .values_list(*(_text(f) if f in VISIT_JSON else f for f in VISIT_FIELDS))):
        r = [_json(v) if f in VISIT_JSON else v for f, v in zip(VISIT_FIELDS, r, strict=True)]
        out[r[3]].append(clinical.VisitRow(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
            points=_pairs(r[10], "side"), unplanned_points=_pairs(r[11], "side"), overrides=_pairs(r[12], "reason"),
            ea_pairs=tuple(tuple(str(x) for x in p) for p in r[13] or () if isinstance(p, list | tuple)),
            ea_frequency_hz=r[14], ea_minutes=r[15],
            massage_done=tuple(str(m) for m in r[16] or ()), cupping_done=r[17], needling_stopped=r[18],
            red_flags_rechecked=r[19], red_flags_found=tuple(str(f) for f in r[20] or ()), red_flag_advice=r[21],
            adverse_events=r[22], subjective=r[23], objective=r[24], assessment=r[25], plan_notes=r[26],
            minutes=tuple((kind, n) for kind, n in zip(("acupuncture", "electroacupuncture", "massage"), r[27:30],
                                                       strict=True) if n)))
    return out


def _score_rows(ids: list[int]) -> dict[int, list[clinical.ScoreRow]]:
    out: dict[int, list[clinical.ScoreRow]] = defaultdict(list)
    for r in (OutcomeScore.objects.filter(episode__patient_id__in=ids).order_by("recorded_at", "id")
              .values_list("id", "clinic_id", "episode_id", "episode__patient_id", "visit_id", "instrument",
                           "measure", "source", _text("answers"), _text("result"), "recorded_at",
                           "recorded_by_id")):
        answers, result = _json(r[8]), _json(r[9])
        result = result if isinstance(result, dict) else {}
        out[r[3]].append(clinical.ScoreRow(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6] or r[5], r[7],
            tuple(a if isinstance(a, int) else None for a in answers or ()),
            result.get("score"), result.get("band"), r[10], r[11], subscale=result.get("subscale")))
    return out


def patient_records(ids: list[int], types: Collection[str] = clinical.FHIR_PATIENT_TYPES,
                    links: Links = AWAY) -> Iterator[clinical.PatientRecord]:
    """The records of these patients (one round of queries for them all), in the order of `ids`, reading only
    the rows `types` are built from."""
    need = rows_needed(types)
    patients = _patient_rows(ids)
    episodes = _episode_rows(ids) if "episodes" in need else {}
    plans, documents = _plan_rows(ids, links) if "plans" in need else ({}, {})
    visits = _visit_rows(ids) if "visits" in need else {}
    scores = _score_rows(ids) if "scores" in need else {}
    booked = _appointment_rows(ids) if "appointments" in need else {}
    for pk in ids:
        row = patients.get(pk)
        if row is None:
            continue
        courses = tuple(episodes.get(pk, ()))
        yield clinical.PatientRecord(row, courses, tuple(plans.get(pk, ())), tuple(visits.get(pk, ())),
                            tuple(scores.get(pk, ())),
                            (*documents.get(pk, ()), *_discharge_documents(courses, links)),
                            tuple(booked.get(pk, ())))


def resources_of(records: Iterable[clinical.PatientRecord], types: Collection[str]) -> Iterator[dict[str, Any]]:
    """The resources of these records whose type is among `types`."""
    wanted = set(types)
    for record in records:
        for resource in clinical.fhir_patient_resources(record):
            if resource["resourceType"] in wanted:
                yield resource


def clinic_rows(clinic_ids: Collection[int]) -> list[clinical.ClinicRow]:
    return [clinical.ClinicRow(pk, name, clinical.fhir_identifiers(npi, tax_id)) for pk, name, npi, tax_id in
            Clinic.objects.filter(pk__in=clinic_ids).order_by("pk").values_list("pk", "name", "npi", "tax_id")]


def staff_rows(clinic_ids: Collection[int]) -> list[clinical.StaffRow]:
    """The clinic's staff (a patient's own portal sign-in is never one of them)."""
    return [clinical.StaffRow(*r[:8], clinical.fhir_identifiers(r[8])) for r in
            Staff.objects.filter(clinic_id__in=clinic_ids).exclude(role=Role.PATIENT).order_by("pk")
            .values_list("pk", "clinic_id", "first_name", "last_name", "username", "email", "role", "is_active",
                         "npi")]


def site_rows(clinic_ids: Collection[int]) -> list[clinical.SiteRow]:
    return [clinical.SiteRow(*r) for r in _booking("Location").objects.filter(clinic_id__in=clinic_ids).order_by("pk")
            .values_list("pk", "clinic_id", "name", "address", "phone", "active")]


def shift_rows(clinic_ids: Collection[int]) -> list[clinical.ShiftRow]:
    return [clinical.ShiftRow(*r) for r in _booking("Shift").objects.filter(location__clinic_id__in=clinic_ids)
            .order_by("practitioner_id", "location_id", "weekday", "start_time")
            .values_list("practitioner_id", "location_id", "weekday", "start_time", "end_time")]


def clinic_resources(clinic_ids: Collection[int], types: Collection[str] = clinical.FHIR_CLINIC_TYPES
                     ) -> Iterator[dict[str, Any]]:
    wanted = set(types)
    staff = staff_rows(clinic_ids) if wanted & {"Practitioner", "PractitionerRole"} else []
    sites = site_rows(clinic_ids) if "Location" in wanted else []
    shifts = shift_rows(clinic_ids) if "Schedule" in wanted else []
    booked = _slot_rows(clinic_ids) if "Slot" in wanted else iter(())
    for resource in clinical.fhir_clinic_resources(clinic_rows(clinic_ids), staff, sites, shifts, booked):
        if resource["resourceType"] in wanted:
            yield resource


def everything(patients: QuerySet[Patient], clinic_ids: Collection[int], types: Collection[str] = clinical.FHIR_TYPES,
               links: Links = AWAY, chunk: int = CHUNK) -> Iterator[dict[str, Any]]:
    """The clinic's resources, then every patient's, streamed: a chunk of patients' rows at a time."""
    yield from clinic_resources(clinic_ids, [t for t in types if t in clinical.FHIR_CLINIC_TYPES])
    patient_types = [t for t in types if t in clinical.FHIR_PATIENT_TYPES]
    if not patient_types:
        return
    for ids in patient_id_chunks(patients, chunk):
        yield from resources_of(patient_records(ids, patient_types, links), patient_types)
