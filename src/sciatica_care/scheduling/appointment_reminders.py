"""Reminders of appointments at the clinic's offsets (`BookingRules.reminder_offsets_hours`, e.g. 48 and 2 hours
before the start).

They are queued when an appointment is booked, approved or moved, each due at its offset before the start and tied
to that start (`about_start`): the outbox skips one whose appointment was cancelled or moved by the time it is due,
and of two due at once (a worker that was stopped) sends only the later. A moved appointment gets new reminders and
its old ones are marked skipped at once. An offset whose time has already passed is not queued.

`ensure_upcoming(now)` (every few minutes in the worker) queues those missing for the booked appointments ahead,
so a lost notice, or offsets the clinic has changed since, still give each appointment its reminders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from sciatica_care.scheduling import message_wording, outbox, recipients
from sciatica_care.scheduling.models import (
    Appointment,
    AppointmentStatus,
    BookingRules,
    Message,
    SkipReason,
    Topic,
)

#: The longest offset taken (two weeks); anything else in the clinic's list is ignored.
LONGEST_HOURS = 24 * 14
KIND = "reminder"
#: How far beyond the longest offset the periodic job looks (it runs every few minutes: a day is ample).
AHEAD = dt.timedelta(days=1)


def offsets(hours: Iterable[object]) -> list[int]:
    """The clinic's offsets that make sense, longest first."""
    return sorted({h for h in hours if isinstance(h, int) and not isinstance(h, bool) and 0 < h <= LONGEST_HOURS},
                  reverse=True)


def _rules_offsets(clinic_id: int) -> list[int]:
    rules = BookingRules.objects.filter(clinic_id=clinic_id).values_list("reminder_offsets_hours", flat=True).first()
    return offsets(rules or [])


def key(appointment: Appointment, hours: int) -> str:
    return f"appt:{appointment.pk}:reminder:{hours}h:{appointment.start.astimezone(dt.UTC):%Y%m%dT%H%MZ}"


def outgoing(appointment: Appointment, now: dt.datetime, hours: list[int] | None = None) -> list[outbox.Outgoing]:
    """The reminders a booked appointment should still get."""
    if appointment.status != AppointmentStatus.BOOKED:
        return []
    hours = _rules_offsets(appointment.clinic_id) if hours is None else hours
    due = [(h, appointment.start - dt.timedelta(hours=h)) for h in hours]
    due = [(h, at) for h, at in due if at > now]
    if not due:
        return []
    from sciatica_care.scheduling.notices import manage_url

    recipient = recipients.of(appointment)
    wording = message_wording.reminder(appointment, recipient.name, manage_url(appointment))
    return [recipients.message(recipient, kind=KIND, topic=Topic.REMINDERS, dedupe_key=key(appointment, h),
                               wording=wording, appointment_id=appointment.pk, due_at=at,
                               about_start=appointment.start, clinic_name=appointment.clinic.name)
            for h, at in due]


def queue_for(appointment: Appointment, now: dt.datetime | None = None) -> int:
    return outbox.queue_many(outgoing(appointment, now or timezone.now()))


def skip_stale(appointment: Appointment) -> int:
    """Mark skipped the queued reminders that no longer fit the appointment: all of them once it is no longer
    booked, those of another start once it has moved."""
    reminders = Message.objects.filter(appointment=appointment, topic=Topic.REMINDERS)
    if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.REQUESTED):
        return outbox.skip_queued(reminders, SkipReason.CANCELLED)
    return outbox.skip_queued(reminders.exclude(about_start=appointment.start), SkipReason.MOVED)


def ensure_upcoming(now: dt.datetime | None = None) -> int:
    """Queue the reminders missing for every booked appointment ahead (within each clinic's longest offset and a
    day); return how many were queued."""
    now = now or timezone.now()
    queued = 0
    for clinic_id, hours in BookingRules.objects.exclude(reminder_offsets_hours=[]).values_list(
            "clinic_id", "reminder_offsets_hours"):
        hours = offsets(hours or [])
        if not hours:
            continue
        ahead = (Appointment.objects.filter(clinic_id=clinic_id, status=AppointmentStatus.BOOKED,
                                            start__gt=now, start__lte=now + dt.timedelta(hours=hours[0]) + AHEAD)
                 .select_related("clinic", "patient", "practitioner", "service", "location"))
        for chunk in _chunks(ahead.iterator(chunk_size=500), 500):
            wanted = {key(a, h): a for a in chunk for h in hours if a.start - dt.timedelta(hours=h) > now}
            have = set(Message.objects.filter(dedupe_key__in=wanted).values_list("dedupe_key", flat=True))
            missing = {a.pk: a for k, a in wanted.items() if k not in have}
            queued += outbox.queue_many(o for a in missing.values() for o in outgoing(a, now, hours)
                                        if o.dedupe_key not in have)
    return queued


def _chunks(items: Iterable[Appointment], size: int) -> Iterable[list[Appointment]]:
    chunk: list[Appointment] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
