"""Slot search: the free times for a service, read from the database in a fixed handful of queries (shifts,
exceptions, live appointments, rooms, rules — whatever the range), then worked out by `free_time`.

Free means: inside one of the practitioner's shifts (at the location, in its local time), not in a leave or a
closure, the whole held time (buffers included) clear of their live appointments, a room free when the service
needs one, and — under the clinic's rules — no sooner than its minimum notice and no later than its horizon.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.utils import timezone

from sciatica_care.clinic.models import Role, Staff
from sciatica_care.scheduling import free_time
from sciatica_care.scheduling.free_time import Closure, Interval, Slot, WeeklyShift, Window
from sciatica_care.scheduling.models import Appointment, BookingRules, Room, Service, Shift, ShiftException
from sciatica_care.scheduling.models.appointments import LIVE_STATUSES

__all__ = ["Slot", "bookable_practitioners", "search", "working_windows"]

#: The longest range one search may cover.
MAX_DAYS = 92


def bookable_practitioners(clinic_id: int) -> list[int]:
    """The ids of the clinic's active staff who see patients."""
    return list(Staff.objects.filter(clinic_id=clinic_id, is_active=True,
                                     role__in=(Role.PRACTITIONER, Role.CLINIC_ADMIN)).values_list("pk", flat=True))


def working_windows(clinic_id: int, practitioner_ids: Sequence[int], start: dt.datetime, end: dt.datetime,
                    location_id: int | None = None) -> list[Window]:
    """The practitioners' working windows that meet [start, end), less leave and closures (two queries)."""
    shifts = Shift.objects.filter(practitioner_id__in=practitioner_ids, location__clinic_id=clinic_id,
                                  location__active=True)
    if location_id is not None:
        shifts = shifts.filter(location_id=location_id)
    weekly = [WeeklyShift(*row) for row in shifts.values_list(
        "practitioner_id", "location_id", "weekday", "start_time", "end_time", "location__time_zone",
        "valid_from", "valid_until")]
    if not weekly:
        return []
    closures = [Closure(*row) for row in ShiftException.objects.filter(
        Q(practitioner_id__in=practitioner_ids) | Q(practitioner__isnull=True), clinic_id=clinic_id,
        starts_at__lt=end, ends_at__gt=start).values_list("starts_at", "ends_at", "practitioner_id", "location_id")]
    # local dates: a day either side covers every time zone's view of [start, end)
    first, last = (start - dt.timedelta(days=1)).date(), (end + dt.timedelta(days=1)).date()
    return [w for w in free_time.shift_windows(weekly, closures, first, last) if w.start < end and w.end > start]


def _busy(rows: Iterable[tuple[int | None, dt.datetime, dt.datetime]]) -> dict[int, list[Interval]]:
    out: dict[int, list[Interval]] = {}
    for key, a, b in rows:
        if key is not None:
            out.setdefault(key, []).append((a, b))
    return out


def search(service: Service, start: dt.datetime, end: dt.datetime, *, practitioner_id: int | None = None,
           location_id: int | None = None, apply_policy: bool = True,
           now: dt.datetime | None = None) -> list[Slot]:
    """The free slots for `service` starting in [start, end) (aware), with one practitioner or any, at one
    location or any (a service by phone is held wherever the practitioner works). With `apply_policy` (patients
    booking) the clinic's minimum notice and horizon narrow the range; staff see every free time."""
    clinic_id = service.clinic_id
    now = now or timezone.now()
    rules = BookingRules.objects.filter(clinic_id=clinic_id).first() or BookingRules(clinic_id=clinic_id)
    earliest, latest = start, end - dt.timedelta(microseconds=1)
    if apply_policy:
        earliest = max(earliest, now + dt.timedelta(hours=rules.minimum_notice_hours))
        latest = min(latest, now + dt.timedelta(days=rules.horizon_days))
    if earliest > latest:
        return []
    practitioners = [practitioner_id] if practitioner_id is not None else bookable_practitioners(clinic_id)
    if not practitioners:
        return []
    before = dt.timedelta(minutes=service.buffer_before_minutes)
    after = dt.timedelta(minutes=service.buffer_after_minutes)
    duration = dt.timedelta(minutes=service.duration_minutes)
    span_from, span_until = earliest - before, latest + duration + after
    windows = working_windows(clinic_id, practitioners, span_from, span_until, location_id)
    if not windows:
        return []
    live = Appointment.objects.filter(clinic_id=clinic_id, status__in=LIVE_STATUSES,
                                      blocked_from__lt=span_until, blocked_until__gt=span_from)
    busy = _busy(live.filter(practitioner_id__in=practitioners)
                 .values_list("practitioner_id", "blocked_from", "blocked_until"))
    rooms: dict[int, list[int]] | None = None
    room_busy: dict[int, list[Interval]] | None = None
    if service.room_needed and not service.by_phone:
        locations = {w.location_id for w in windows}
        rooms = {}
        for room_id, loc in Room.objects.filter(location_id__in=locations, active=True).order_by("pk") \
                .values_list("pk", "location_id"):
            rooms.setdefault(loc, []).append(room_id)
        room_busy = _busy(live.filter(room__location_id__in=locations)
                          .values_list("room_id", "blocked_from", "blocked_until"))
    return free_time.free_slots(windows, busy=busy, duration=duration, before=before, after=after,
                                step=dt.timedelta(minutes=rules.slot_step_minutes), earliest=earliest,
                                latest=latest, rooms=rooms, room_busy=room_busy)

