"""The front desk stops an appointment's self-service link (the patient says someone else reads their email, say).

Every link made so far stops working at once (`manage_link.revoke`): it opens the same page as any unknown one.
The messages about the appointment still waiting in the outbox — its reminders above all, queued days ahead, and
a confirmation not yet sent — would otherwise carry the dead link: their text and calendar files are rewritten in
the same transaction with the new link in its place, so what goes out works and names no dead address. Rows are
locked while they are rewritten and only still-queued ones are changed; a message a worker has already claimed is
on its way out with the old link (then useless). Later messages are made with the new link as usual.
"""

from __future__ import annotations

import re

import icalendar
from django.db import transaction

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import Staff
from sciatica_care.scheduling import manage_link
from sciatica_care.scheduling.models import Appointment, Message, MessageStatus

__all__ = ["stop"]

_FOLD = re.compile(r"\r?\n[ \t]")


def _relinked_calendar(text: str, old: str, new: str) -> str:
    """A calendar file with the old token replaced: its long lines are folded, so unfold, replace, write again."""
    unfolded = _FOLD.sub("", text)
    if old not in unfolded:
        return text
    return str(icalendar.Calendar.from_ical(unfolded.replace(old, new)).to_ical().decode())


def _relinked_attachments(attachments: list[dict[str, str]], old: str, new: str) -> list[dict[str, str]]:
    out = []
    for a in attachments:
        text = a.get("text", "")
        text = (_relinked_calendar(text, old, new) if a.get("content_type", "").startswith("text/calendar")
                else text.replace(old, new))
        out.append({**a, "text": text})
    return out


def _relink_queued(appointment: Appointment, old: str, new: str) -> int:
    changed = 0
    for message in Message.objects.select_for_update().filter(appointment=appointment, status=MessageStatus.QUEUED):
        body = message.body.replace(old, new)
        attachments = _relinked_attachments(list(message.attachments or []), old, new)
        if body == message.body and attachments == list(message.attachments or []):
            continue
        changed += Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
            body=body, attachments=attachments)
    return changed


def stop(appointment: Appointment, *, by: Staff) -> int:
    """Stop the appointment's link and put the new one in its queued messages; return how many were rewritten."""
    with transaction.atomic():
        appointment.manage_digest = (Appointment.objects.select_for_update().filter(pk=appointment.pk)
                                     .values_list("manage_digest", flat=True).get())
        old = manage_link.token(appointment) if appointment.manage_digest else ""
        manage_link.revoke(appointment)
        rewritten = _relink_queued(appointment, old, manage_link.token(appointment)) if old else 0
        audit.record(by, "manage_link_stopped", appointment, patient_id=appointment.patient_id,
                     queued_messages_relinked=rewritten)
    return rewritten
