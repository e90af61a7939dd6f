"""Slot search: the free times for a service, read from the database in a fixed handful of queries (shifts,
exceptions, live appointments, rooms, rules — whatever the range), then worked out by `free_time`.

Free means: inside one of the practitioner's shifts (at the location, in its local time), not in a leave or a
closure, the whole held time (buffers included) clear of their live appointments, a room free when the service
needs one, and — under the clinic's rules — no sooner than its minimum notice and no later than its horizon.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.models import Func, IntegerField, Q, QuerySet
from django.utils import timezone

from sciatica_care.clinic.models import Role, Staff
from sciatica_care.scheduling import free_time
from sciatica_care.scheduling.free_time import Closure, Slot, WeeklyShift, Window
from sciatica_care.scheduling.models import Appointment, BookingRules, Room, Service, Shift, ShiftException
from sciatica_care.scheduling.models.appointments import LIVE_STATUSES

__all__ = ["Slot", "bookable_practitioners", "search", "working_windows"]

#: The longest range one search may cover.
MAX_DAYS = 92
#: The longest time an appointment holds (the longest service and both buffers, models/front_desk.py).
LONGEST_HOLD = dt.timedelta(minutes=480 + 120 + 120)


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


class Epoch(Func):
    """A time as whole seconds since the epoch, computed by the database (no datetime parsed per row)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # julianday, not strftime('%s'): a literal % would be read as a parameter; unixepoch() needs SQLite 3.38
        return self.as_sql(compiler, connection, template=(
            "CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400.0) AS INTEGER)"), **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS BIGINT)",
                           **extra)


def _raw(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` query as the database driver gives them, without Django's per-value
    converters (thousands of busy times a search)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


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
    # `start` bounds let the (clinic, start) index narrow the rows: a held time that meets the span starts at most
    # the longest a service holds before the span's end, and begins no later than its end
    live = Appointment.objects.filter(clinic_id=clinic_id, start__gt=span_from - LONGEST_HOLD,
                                      start__lt=span_until + LONGEST_HOLD, status__in=LIVE_STATUSES,
                                      blocked_from__lt=span_until, blocked_until__gt=span_from)
    rooms: dict[int, list[int]] | None = None
    if service.room_needed and not service.by_phone:
        rooms = {}
        for room_id, loc in Room.objects.filter(location_id__in={w.location_id for w in windows}, active=True) \
                .order_by("pk").values_list("pk", "location_id"):
            rooms.setdefault(loc, []).append(room_id)
        live = live.filter(Q(practitioner_id__in=practitioners)
                           | Q(room_id__in=[r for ids in rooms.values() for r in ids]))
    else:
        live = live.filter(practitioner_id__in=practitioners)
    # one query for the practitioners' and the rooms' busy times
    rows = _raw(live.values_list("practitioner_id", "room_id", Epoch("blocked_from"), Epoch("blocked_until")))
    busy: dict[int, list[tuple[int, int]]] = {}
    room_busy: dict[int, list[tuple[int, int]]] = {}
    for p, r, a, b in rows:
        busy.setdefault(p, []).append((a, b))
        if r is not None:
            room_busy.setdefault(r, []).append((a, b))
    return free_time.free_slots(windows, busy=busy, duration=duration, before=before, after=after,
                                step=dt.timedelta(minutes=rules.slot_step_minutes), earliest=earliest,
                                latest=latest, rooms=rooms,
                                room_busy=room_busy if rooms is not None else None)

