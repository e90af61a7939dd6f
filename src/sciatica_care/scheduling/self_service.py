"""What a patient may do to their own appointment themselves — from the link in their messages or from the
portal — and doing it. Both kinds of page use only this module, so the rules are the same wherever they act.

The rules (the clinic's `BookingRules`):

- Only a coming appointment that is booked or awaiting approval can change; a past or cancelled one cannot.
- Cancelling is always possible then. Inside the late-cancel window before the start it is a late cancellation
  under the clinic's policy — the page says so before the patient confirms, and the booking service records it as
  `late_cancelled`. A request not yet approved is never a late cancellation.
- Rescheduling is possible only outside the late-cancel window, for a booked appointment of a service the clinic
  lets people book online; inside the window the patient is asked to call the clinic. The new time is one of the
  free slots for the same service (the same practitioner, or any), within the clinic's notice and horizon, and the
  booking service checks it again as it moves.

Every change is the booking service's, by nobody on the staff (`by=None`), so the practitioner and the front desk
are told (notices.py); it is audited there, and again here with who did it (the patient's account, or nobody for
the link) and how (`via`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import Staff
from sciatica_care.errors import InputRefused, Problem
from sciatica_care.scheduling import booking, slots
from sciatica_care.scheduling.free_time import Slot
from sciatica_care.scheduling.models import Appointment, AppointmentStatus

__all__ = ["Choices", "Conflict", "SlotTaken", "cancel", "choices", "first_day", "free_slots", "move", "parse_slot",
           "slot_value"]

Conflict = booking.Conflict
SlotTaken = booking.SlotTaken

#: How many days of free times one page lists.
DAYS_SHOWN = 7
#: What the booking service records when the patient gives no reason.
NO_REASON = "cancelled by the patient"
VIA = ("manage link", "portal")


@dataclass(frozen=True)
class Choices:
    """What the patient may do with one appointment now, and why not."""

    state: str  # "open", "past" or "cancelled"
    can_cancel: bool
    late: bool  # cancelling now is a late cancellation under the clinic's policy
    can_move: bool
    why_not_move: str
    late_cancel_hours: int
    phone: str


def choices(appointment: Appointment, now: dt.datetime | None = None) -> Choices:
    now = now or timezone.now()
    rules = booking.rules_for(appointment.clinic_id)
    hours = rules.late_cancel_hours
    phone = appointment.location.phone
    if appointment.status not in booking.CANCELLABLE:
        state = "cancelled" if appointment.status in (AppointmentStatus.CANCELLED,
                                                      AppointmentStatus.LATE_CANCELLED) else "past"
        return Choices(state, False, False, False, "", hours, phone)
    if appointment.start <= now:
        return Choices("past", False, False, False, "", hours, phone)
    booked = appointment.status == AppointmentStatus.BOOKED
    late = booked and now > appointment.start - dt.timedelta(hours=hours)
    call = f"please call the clinic{f' on {phone}' if phone else ''}"
    if late:
        why = f"It is less than {hours} hours away: to move it, {call}."
    elif not booked:
        why = f"The clinic has not confirmed it yet: to ask for another time, {call}."
    elif not appointment.service.online_bookable:
        why = f"This kind of appointment is arranged with the clinic: to move it, {call}."
    else:
        why = ""
    return Choices("open", True, late, not why, why, hours, phone)


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise booking.StatusRefused(message)


def _record(actor: Staff | None, action: str, appointment: Appointment, via: str, **detail: object) -> None:
    audit.record(actor, action, object_type="Appointment", object_id=appointment.pk,
                 patient_id=appointment.patient_id, clinic_id=appointment.clinic_id, via=via, **detail)


def cancel(appointment: Appointment, *, reason: str, via: str, actor: Staff | None = None,
           version: int | None = None, now: dt.datetime | None = None) -> Appointment:
    """Cancel as the patient (late inside the window). `version`: the one the patient's page showed — a page
    sent twice, or after the clinic changed the appointment, changes nothing (`Conflict`)."""
    now = now or timezone.now()
    _refuse_unless(choices(appointment, now).can_cancel, "this appointment can no longer be cancelled here")
    if version is not None:
        appointment.version = version
    with transaction.atomic():
        booking.cancel(appointment, by=None, reason=reason.strip()[:300] or NO_REASON, now=now)
        _record(actor, "self_cancel_appointment", appointment, via, status=appointment.status)
    return appointment


def first_day(appointment: Appointment, day: dt.date | None, now: dt.datetime | None = None) -> dt.date:
    """The first day of the week of free times to list: `day`, but not before today nor beyond the clinic's
    horizon (in the location's time zone)."""
    now = now or timezone.now()
    today = now.astimezone(ZoneInfo(appointment.location.time_zone)).date()
    last = today + dt.timedelta(days=booking.rules_for(appointment.clinic_id).horizon_days)
    return min(max(day or today, today), last)


def _search_from(appointment: Appointment, day: dt.date | None, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(appointment.location.time_zone)
    start = dt.datetime.combine(first_day(appointment, day, now), dt.time(), tzinfo=zone)
    return start, start + dt.timedelta(days=DAYS_SHOWN)


def free_slots(appointment: Appointment, *, any_practitioner: bool = False, day: dt.date | None = None,
               now: dt.datetime | None = None) -> list[Slot]:
    """The free times it may move to, over a week from `day` (today at the earliest), under the clinic's rules."""
    now = now or timezone.now()
    if not choices(appointment, now).can_move:
        return []
    start, end = _search_from(appointment, day, now)
    service = appointment.service
    found = slots.search(service, start, end, practitioner_id=None if any_practitioner
                         else appointment.practitioner_id,
                         location_id=None if service.by_phone else appointment.location_id, now=now)
    # one start a time: several practitioners free at once are one choice (the appointment's own first)
    seen: dict[dt.datetime, Slot] = {}
    for slot in found:
        if slot.start not in seen or slot.practitioner_id == appointment.practitioner_id:
            seen[slot.start] = slot
    return sorted(seen.values(), key=lambda s: s.start)


def slot_value(slot: Slot) -> str:
    """A free time as a form's value: the practitioner and the start in UTC."""
    return f"{slot.practitioner_id}@{slot.start.astimezone(dt.UTC):%Y-%m-%dT%H:%MZ}"


def parse_slot(value: str) -> tuple[int, dt.datetime]:
    """The practitioner and start of a `slot_value`; `InputRefused` naming `start` when it is not one."""
    try:
        who, when = value.split("@", 1)
        start = dt.datetime.strptime(when, "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.UTC)
        return int(who), start
    except (ValueError, OverflowError):
        raise InputRefused([Problem("start", "choose one of the free times listed")]) from None


def move(appointment: Appointment, *, slot: str, via: str, actor: Staff | None = None,
         version: int | None = None, now: dt.datetime | None = None) -> Appointment:
    """Move to a free time chosen from `free_slots` (its `slot_value`). `SlotTaken` when it was taken meanwhile;
    `Conflict` when the appointment changed since the page was shown."""
    now = now or timezone.now()
    _refuse_unless(choices(appointment, now).can_move, "this appointment can no longer be moved here")
    practitioner_id, start = parse_slot(slot)
    if practitioner_id != appointment.practitioner_id:
        practitioner = Staff.objects.filter(pk=practitioner_id, clinic_id=appointment.clinic_id,
                                            is_active=True).first()
        if practitioner is None or practitioner_id not in slots.bookable_practitioners(appointment.clinic_id):
            raise InputRefused([Problem("start", "choose one of the free times listed")])
    else:
        practitioner = appointment.practitioner
    service = appointment.service
    offered = slots.search(service, start, start + dt.timedelta(minutes=1), practitioner_id=practitioner.pk,
                           location_id=None if service.by_phone else appointment.location_id, now=now)
    if not any(s.start == start for s in offered):
        raise SlotTaken()
    before = appointment.start
    if version is not None:
        appointment.version = version
    with transaction.atomic():
        booking.move(appointment, start=start, by=None, practitioner=practitioner, apply_policy=True, now=now)
        _record(actor, "self_move_appointment", appointment, via, moved_from=before.isoformat(),
                moved_to=start.isoformat())
    return appointment
