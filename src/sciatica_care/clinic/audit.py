"""Recording who read or wrote what: one function, called by every view and API endpoint touching patient data."""

from __future__ import annotations

from typing import Any

from sciatica_care.clinic.input_cleaning import scrub
from sciatica_care.clinic.models import AuditEvent, Staff


def record(actor: Staff | None, action: str, obj: Any = None, *, patient_id: int | None = None,
           object_type: str = "", object_id: int | None = None, clinic_id: int | None = None,
           **detail: Any) -> AuditEvent:
    """Append one audit event. `obj` names the record (its class and id); `patient_id` the patient concerned;
    `clinic_id` the clinic concerned when there is no actor to take it from (a command-line action)."""
    if obj is not None:
        object_type = type(obj).__name__
        object_id = obj.pk
    if patient_id is None and obj is not None:
        patient_id = getattr(obj, "patient_id", None)
        if patient_id is None and hasattr(obj, "episode"):
            patient_id = obj.episode.patient_id
        if patient_id is None and object_type == "Patient":
            patient_id = object_id
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        clinic_id_at_time=clinic_id if clinic_id is not None else getattr(actor, "clinic_id", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        detail=scrub(detail),  # what was typed, NUL and all, must never stop the event (PostgreSQL's JSON)
    )
