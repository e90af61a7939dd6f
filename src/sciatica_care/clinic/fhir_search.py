"""What the FHIR API reads and searches, and who may: each resource id is traced to the record it is built from
(a visit, a score, a plan…) and that record is opened through `access.get_for`, so another clinic's record is 404
(audited), reception is refused clinical resources (403, audited) and care-team access applies, exactly as on the
clinic's pages. Every read and search is audited here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models

from sciatica_care.clinic import access, audit, clinical, fhir_records
from sciatica_care.clinic.models import Episode, OutcomeScore, Patient, PlanRevision, Staff, Visit
from sciatica_care.errors import InputRefused, Problem

#: Resource types reception may read (no clinical content); every other type is clinical.
DEMOGRAPHIC_TYPES = frozenset({"Patient", "Organization", "Location", "Practitioner", "PractitionerRole",
                               "Questionnaire", "Appointment", "Schedule", "Slot"})
#: Where each patient-compartment type keeps the date `date=` searches on.
DATE_OF = {"Encounter": ("period", "start"), "Procedure": ("performedDateTime",),
           "Observation": ("effectiveDateTime",), "QuestionnaireResponse": ("authored",),
           "ClinicalImpression": ("effectiveDateTime",), "CarePlan": ("created",),
           "Condition": ("recordedDate",), "DocumentReference": ("date",), "Consent": ("dateTime",),
           "Appointment": ("start",)}
SEARCH_PARAMS = {kind: ["_id", "_count"] + (["patient"] if kind in clinical.FHIR_PATIENT_TYPES else [])
                 + (["date"] if kind in DATE_OF else []) for kind in clinical.FHIR_TYPES}
SEARCH_PARAMS["Patient"] = ["_id", "_count", "family", "birthdate"]
MAX_COUNT = 200
DEFAULT_COUNT = 50

_NUMBER = r"[1-9][0-9]{0,17}"
#: How a resource's id names the record it is built from: (model, pattern with the record's number as group 1).
OWNERS: dict[str, tuple[type[models.Model], str]] = {
    "Patient": (Patient, rf"({_NUMBER})"),
    "Consent": (Patient, rf"({_NUMBER})-(?:treatment|research)"),
    "EpisodeOfCare": (Episode, rf"({_NUMBER})"),
    "Condition": (Episode, rf"({_NUMBER})"),
    "CarePlan": (PlanRevision, rf"({_NUMBER})"),
    "Encounter": (Visit, rf"({_NUMBER})"),
    "ClinicalImpression": (Visit, rf"({_NUMBER})"),
    "Procedure": (Visit, rf"({_NUMBER})-(?:acupuncture|electroacupuncture|massage|cupping)"),
    "Observation": (OutcomeScore, rf"({_NUMBER})"),
    "QuestionnaireResponse": (OutcomeScore, rf"({_NUMBER})"),
}
#: Booking records (the scheduling app's, found by name: the clinic app never imports it).
BOOKING_OWNERS = {"Appointment": "Appointment"}
PREFIXED: dict[str, dict[str, type[models.Model]]] = {
    "DocumentReference": {"handout": PlanRevision, "discharge": Episode},
    "Provenance": {"careplan": PlanRevision, "encounter": Visit, "consent": Patient},
}


class BadSearch(InputRefused):
    """A search parameter the API cannot read (400, naming it)."""


@dataclass(frozen=True)
class Found:
    resources: list[dict[str, Any]]
    total: int


def kind_of(resource_type: str) -> str:
    return access.DEMOGRAPHIC if resource_type in DEMOGRAPHIC_TYPES else access.CLINICAL


def known_type(resource_type: str) -> bool:
    return resource_type in clinical.FHIR_TYPES


def _patient_id(obj: models.Model) -> int:
    if isinstance(obj, Patient):
        return obj.pk
    if isinstance(obj, PlanRevision | Visit | OutcomeScore):
        return obj.episode.patient_id
    patient_id = getattr(obj, "patient_id", None)
    if patient_id is None:  # an appointment for someone not yet a patient: in no patient's record
        from django.http import Http404

        raise Http404("not in a patient's record")
    return int(patient_id)


def owner(user: Staff, resource_type: str, resource_id: str) -> Patient:
    """The patient whose record holds this resource, opened for `user` (404 when no record of the user's clinic
    has that id — another clinic's is audited —, 403 for reception on a clinical type or outside the care team)."""
    from django.http import Http404

    model: type[models.Model] | None = None
    number: str | None = None
    if resource_type in OWNERS:
        model, pattern = OWNERS[resource_type]
        match = re.fullmatch(pattern, resource_id)
        number = match.group(1) if match else None
    elif resource_type in BOOKING_OWNERS:
        from django.apps import apps

        model = apps.get_model("scheduling", BOOKING_OWNERS[resource_type])
        number = resource_id if re.fullmatch(_NUMBER, resource_id) else None
    elif resource_type in PREFIXED:
        match = re.fullmatch(rf"([a-z]+)-({_NUMBER})(?:-treatment)?", resource_id)
        if match and match.group(1) in PREFIXED[resource_type]:
            model, number = PREFIXED[resource_type][match.group(1)], match.group(2)
    if model is None or number is None:
        raise Http404(f"no {resource_type} {resource_id} here")
    kind = kind_of(resource_type)
    obj = access.get_for(user, model, int(number), kind=kind)
    return obj if isinstance(obj, Patient) else access.get_for(user, Patient, _patient_id(obj), kind=kind)


def _records(patient: Patient, types: list[str], links: fhir_records.Links) -> Iterator[dict[str, Any]]:
    return fhir_records.resources_of(fhir_records.patient_records([patient.pk], types, links), types)


def read(user: Staff, resource_type: str, resource_id: str,
         links: fhir_records.Links = fhir_records.AWAY) -> dict[str, Any]:
    """One resource by type and id (404 when there is none the user's clinic holds)."""
    from django.http import Http404

    if resource_type in clinical.FHIR_CLINIC_TYPES:
        found = [r for r in fhir_records.clinic_resources([user.clinic_id or 0], [resource_type])
                 if r["id"] == resource_id]
        if not found:
            raise Http404(f"no {resource_type} {resource_id} here")
        return found[0]
    patient = owner(user, resource_type, resource_id)
    for resource in _records(patient, [resource_type], links):
        if resource["id"] == resource_id:
            audit.record(user, "read", patient, via="fhir", resource=f"{resource_type}/{resource_id}")
            return resource
    raise Http404(f"no {resource_type} {resource_id} here")


def _date_test(values: list[str]) -> Any:
    tests = []
    for value in values:
        match = re.fullmatch(r"(eq|ge|gt|le|lt)?([0-9]{4}-[0-9]{2}-[0-9]{2})", value)
        if match is None:
            raise BadSearch([Problem("date", f"not a date this server reads (YYYY-MM-DD with an optional prefix "
                                              f"eq, ge, gt, le or lt): {value[:40]!r}")])
        try:
            dt.date.fromisoformat(match.group(2))
        except ValueError:
            raise BadSearch([Problem("date", f"not a calendar date: {match.group(2)!r}")]) from None
        tests.append((match.group(1) or "eq", match.group(2)))

    def passes(day: str) -> bool:
        return all({"eq": day == v, "ge": day >= v, "gt": day > v, "le": day <= v, "lt": day < v}[op]
                   for op, v in tests)

    return passes


def _date_of(resource: dict[str, Any]) -> str | None:
    value: Any = resource
    for key in DATE_OF.get(resource["resourceType"], ()):
        value = value.get(key) if isinstance(value, dict) else None
    return value[:10] if isinstance(value, str) else None


def _reference_number(value: str, what: str) -> int:
    match = re.fullmatch(rf"(?:Patient/)?({_NUMBER})", value.strip())
    if match is None:
        raise BadSearch([Problem(what, f"not a patient reference (Patient/ID or ID): {value[:40]!r}")])
    return int(match.group(1))


def count_of(value: str | None) -> int:
    if value is None or value == "":
        return DEFAULT_COUNT
    if not re.fullmatch(r"[0-9]{1,6}", value) or not 1 <= int(value) <= MAX_COUNT:
        raise BadSearch([Problem("_count", f"a whole number from 1 to {MAX_COUNT}, got {value[:20]!r}")])
    return int(value)


def offset_of(value: str | None) -> int:
    if value is None or value == "":
        return 0
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise BadSearch([Problem("_offset", f"a whole number of 0 or more, got {value[:20]!r}")])
    return int(value)


def search(user: Staff, resource_type: str, params: dict[str, Any], count: int, offset: int,
           links: fhir_records.Links = fhir_records.AWAY) -> Found:
    """A type's resources matching `params` (`_id`, `patient`, `date`, `family`, `birthdate`), a page of them.
    A patient-compartment type other than Patient is searched within one patient: `patient` or `_id` is
    required (a whole clinic is what `$export` is for)."""
    unknown = sorted(k for k, v in params.items() if v not in (None, "", []) and k not in SEARCH_PARAMS[resource_type])
    if unknown:
        raise BadSearch([Problem(k, f"{resource_type} is not searched by {k} here") for k in unknown])
    ids = {x for x in (params.get("_id") or "").split(",") if x}
    if resource_type in clinical.FHIR_CLINIC_TYPES:
        rows = [r for r in fhir_records.clinic_resources([user.clinic_id or 0], [resource_type])
                if not ids or r["id"] in ids]
        return Found(rows[offset:offset + count], len(rows))
    if resource_type == "Patient":
        return _search_patients(user, params, ids, count, offset)
    patient_param = params.get("patient")
    if patient_param:
        patient = access.get_for(user, Patient, _reference_number(patient_param, "patient"),
                                 kind=kind_of(resource_type))
    elif ids:
        owners = {owner(user, resource_type, i).pk for i in ids}
        if len(owners) > 1:
            raise BadSearch([Problem("_id", "search the ids of one patient at a time")])
        patient = access.get_for(user, Patient, owners.pop(), kind=kind_of(resource_type))
    else:
        raise BadSearch([Problem("patient", f"search {resource_type} by patient (or _id); the whole clinic is "
                                            "exported with $export")])
    passes = _date_test(params["date"]) if params.get("date") else None
    rows = [r for r in _records(patient, [resource_type], links) if (not ids or r["id"] in ids)
            and (passes is None or ((day := _date_of(r)) is not None and passes(day)))]
    audit.record(user, "list", patient_id=patient.pk, object_type=f"fhir:{resource_type}", via="fhir",
                 shown=len(rows))
    return Found(rows[offset:offset + count], len(rows))


def _search_patients(user: Staff, params: dict[str, Any], ids: set[str], count: int, offset: int) -> Found:
    qs = access.listed_patients(user)
    if ids:
        if not all(re.fullmatch(_NUMBER, i) for i in ids):
            raise BadSearch([Problem("_id", "a patient's id is a number")])
        qs = qs.filter(pk__in=[int(i) for i in ids])
    if params.get("family"):
        qs = qs.filter(last_name__istartswith=str(params["family"]))
    if params.get("birthdate"):
        try:
            qs = qs.filter(date_of_birth=dt.date.fromisoformat(str(params["birthdate"])))
        except ValueError:
            raise BadSearch([Problem("birthdate", "a date: YYYY-MM-DD")]) from None
    total = qs.count()
    page = list(qs.order_by("pk").values_list("pk", flat=True)[offset:offset + count])
    rows = list(fhir_records.resources_of(fhir_records.patient_records(page, ["Patient"]), ["Patient"]))
    audit.record(user, "list", object_type="Patient", via="fhir", searched=bool(params.get("family")),
                 shown=len(rows), patients=page)
    return Found(rows, total)


def everything(user: Staff, pk: int, links: fhir_records.Links) -> list[dict[str, Any]]:
    """`Patient/{id}/$everything`: the patient's whole compartment and the clinic's resources it refers to."""
    patient = access.get_for(user, Patient, pk)
    out = list(fhir_records.clinic_resources([patient.clinic_id]))
    out.extend(fhir_records.resources_of(fhir_records.patient_records([patient.pk], links=links),
                                         clinical.FHIR_PATIENT_TYPES))
    audit.record(user, "read", patient, via="fhir", operation="everything", resources=len(out))
    return out
