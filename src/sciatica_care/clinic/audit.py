"""Recording who read or wrote what: one function, called by every view and API endpoint touching patient data."""

from __future__ import annotations

import contextvars
from typing import Any

from django.db import transaction

from sciatica_care.clinic import audit_chain
from sciatica_care.clinic.input_cleaning import scrub
from sciatica_care.clinic.models import AuditChainHead, AuditEvent, Staff

#: The API token the current request was made with (its id), set by `api_tokens.use`: every event written while
#: it is set names it as `detail["api_token"]`. Cleared when each request starts and ends (apps.py).
current_token: contextvars.ContextVar[int | None] = contextvars.ContextVar("current_api_token", default=None)


def forget_token(**_: object) -> None:
    current_token.set(None)


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
    token = current_token.get()
    if token is not None:
        detail.setdefault("api_token", token)
    event = AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        clinic_id_at_time=clinic_id if clinic_id is not None else getattr(actor, "clinic_id", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        detail=audit_chain.normalise_detail(scrub(detail)),  # NUL and all must never stop the event
    )
    # No savepoint of its own: inside a view's transaction an audit failure fails the whole write anyway.
    with transaction.atomic(savepoint=False):
        # The chain's head row, locked until this transaction ends: one writer appends at a time, so the chain
        # cannot fork (PostgreSQL: SELECT … FOR UPDATE; SQLite: its transactions already hold the write lock).
        # A trigger on the audit table moves the head to each new event (migration 0011).
        head = AuditChainHead.objects.select_for_update().filter(pk=audit_chain.HEAD_ID).first()
        if head is None:  # an emptied database (a test's flush): concurrent first writers create it once
            last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first() or (None, audit_chain.GENESIS)
            AuditChainHead.objects.bulk_create([AuditChainHead(pk=audit_chain.HEAD_ID, last_event_id=last[0],
                                                               last_hash=last[1])], ignore_conflicts=True)
            head = AuditChainHead.objects.select_for_update().get(pk=audit_chain.HEAD_ID)
        event.prev_hash = head.last_hash
        event.hash = audit_chain.event_hash({
            "at": event.at, "actor_id": event.actor_id, "clinic_id_at_time": event.clinic_id_at_time,
            "action": event.action, "object_type": event.object_type, "object_id": event.object_id,
            "patient_id": event.patient_id, "detail": event.detail}, event.prev_hash)
        event.save()
    return event


def attempted(actor: Staff | None, action: str, obj: Any = None, *, fields: Any = (), **kwargs: Any) -> AuditEvent:
    """A write that was refused and whose form is shown again with its errors (issue 11): audited as
    `attempted_<action>`, naming the fields refused (never the values typed)."""
    names = sorted({str(getattr(f, "path", f)) or "form" for f in fields})
    return record(actor, f"attempted_{action}", obj, fields=names, **kwargs)
