"""Free time, as plain values: working windows from weekly shifts, and the free slots inside them.

Pure: no database, no clock (`earliest` and `latest` are handed in). Shifts are in their location's local time, so
a 09:00 shift is 09:00 on both sides of a clock change; everything returned is an aware datetime. Intervals are
half-open, [start, end): an appointment ending at 10:00 and another starting at 10:00 do not overlap.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple
from zoneinfo import ZoneInfo

Interval = tuple[dt.datetime, dt.datetime]


class WeeklyShift(NamedTuple):
    """A practitioner's hours at one location on one weekday (0 = Monday), in the location's time zone."""

    practitioner_id: int
    location_id: int
    weekday: int
    start: dt.time
    end: dt.time
    time_zone: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class Closure(NamedTuple):
    """Time off a shift: one practitioner's (leave) or everyone's (practitioner_id None: a clinic-wide closure),
    at one location or at all of them (location_id None)."""

    start: dt.datetime
    end: dt.datetime
    practitioner_id: int | None = None
    location_id: int | None = None


class Window(NamedTuple):
    """Time a practitioner works at one location, as aware datetimes."""

    practitioner_id: int
    location_id: int
    start: dt.datetime
    end: dt.datetime


class Slot(NamedTuple):
    """A free start: the visit is [start, end); the practitioner (and the room) are held from `start - before`
    to `end + after`. `room_id` is a free room (the first by id) when the service needs one, else None."""

    start: dt.datetime
    end: dt.datetime
    practitioner_id: int
    location_id: int
    room_id: int | None


def local(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """`day` at `at` on the wall clock of `zone`, as an aware datetime. A time skipped by a clock change (01:30 on
    the spring-forward night in London) is read with the offset before the change, i.e. one hour later."""
    naive = dt.datetime.combine(day, at)
    return naive.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)


def shift_windows(shifts: Iterable[WeeklyShift], closures: Iterable[Closure], first_day: dt.date,
                  last_day: dt.date) -> list[Window]:
    """The working windows of every shift on each day from `first_day` to `last_day` (inclusive, local dates),
    less the closures that apply to it, sorted by start."""
    by_weekday: dict[int, list[WeeklyShift]] = {}
    for shift in shifts:
        by_weekday.setdefault(shift.weekday, []).append(shift)
    closures = list(closures)
    zones: dict[str, ZoneInfo] = {}
    windows: list[Window] = []
    day = first_day
    while day <= last_day:
        for shift in by_weekday.get(day.weekday(), ()):
            if (shift.valid_from and day < shift.valid_from) or (shift.valid_until and day > shift.valid_until):
                continue
            zone = zones.get(shift.time_zone) or zones.setdefault(shift.time_zone, ZoneInfo(shift.time_zone))
            start, end = local(day, shift.start, zone), local(day, shift.end, zone)
            if end <= start:
                continue
            cuts = [(c.start, c.end) for c in closures
                    if c.start < end and c.end > start
                    and c.practitioner_id in (None, shift.practitioner_id)
                    and c.location_id in (None, shift.location_id)]
            for a, b in subtract((start, end), cuts):
                windows.append(Window(shift.practitioner_id, shift.location_id, a, b))
        day += dt.timedelta(days=1)
    windows.sort(key=lambda w: (w.start, w.practitioner_id))
    return windows


def subtract(span: Interval, cuts: Iterable[Interval]) -> list[Interval]:
    """What is left of `span` once every interval of `cuts` is taken out, in order."""
    start, end = span
    left: list[Interval] = []
    for a, b in sorted(cuts):
        if b <= start or a >= end:
            continue
        if a > start:
            left.append((start, a))
        start = max(start, b)
        if start >= end:
            return left
    if start < end:
        left.append((start, end))
    return left


class _Busy:
    """Sorted busy intervals of one practitioner or room, with a fast overlap test."""

    def __init__(self, intervals: Iterable[Interval]) -> None:
        merged: list[list[dt.datetime]] = []
        for s, e in sorted(intervals):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def clashes(self, a: dt.datetime, b: dt.datetime) -> bool:
        i = bisect.bisect_left(self.starts, b)  # intervals starting before b
        return i > 0 and self.ends[i - 1] > a

    def gaps(self, a: dt.datetime, b: dt.datetime) -> list[Interval]:
        """The free parts of [a, b)."""
        i = max(0, bisect.bisect_right(self.starts, a) - 1)
        cuts = []
        while i < len(self.starts) and self.starts[i] < b:
            cuts.append((self.starts[i], self.ends[i]))
            i += 1
        return subtract((a, b), cuts)


NO_BUSY = _Busy(())


def free_slots(windows: Iterable[Window], *, busy: Mapping[int, Iterable[Interval]],
               duration: dt.timedelta, before: dt.timedelta = dt.timedelta(0),
               after: dt.timedelta = dt.timedelta(0), step: dt.timedelta = dt.timedelta(minutes=15),
               earliest: dt.datetime | None = None, latest: dt.datetime | None = None,
               rooms: Mapping[int, Sequence[int]] | None = None,
               room_busy: Mapping[int, Iterable[Interval]] | None = None) -> list[Slot]:
    """Every start, on the `step` grid counted from each window's start, at which the whole held time
    [start - before, start + duration + after) lies inside the window and clashes with none of the
    practitioner's `busy` intervals (keyed by practitioner id); with `rooms` (location id → room ids, for a
    service that needs a room), only starts at which one of the location's rooms is free too (`room_busy`,
    keyed by room id). Starts before `earliest` or after `latest` are left out. Sorted by start, then practitioner.
    """
    if duration <= dt.timedelta(0) or step <= dt.timedelta(0):
        raise ValueError("duration and step must be positive")
    held = before + duration + after
    busy_of = {k: _Busy(v) for k, v in busy.items()}
    room_busy_of = {k: _Busy(v) for k, v in (room_busy or {}).items()}
    out: list[Slot] = []
    for w in windows:
        room_ids = None if rooms is None else rooms.get(w.location_id, ())
        if room_ids is not None and not room_ids:
            continue
        for gap_start, gap_end in busy_of.get(w.practitioner_id, NO_BUSY).gaps(w.start, w.end):
            # the first grid point k with w.start + k*step - before >= gap_start, and not before `earliest`
            lowest = gap_start + before
            if earliest is not None and earliest > lowest:
                lowest = earliest
            k = -((w.start - lowest) // step)  # ceil((lowest - w.start) / step)
            start = w.start + max(k, 0) * step
            while start - before + held <= gap_end:
                if latest is not None and start > latest:
                    break
                room = None
                if room_ids is not None:
                    a, b = start - before, start - before + held
                    room = next((r for r in room_ids if not room_busy_of.get(r, NO_BUSY).clashes(a, b)), None)
                    if room is None:
                        start += step
                        continue
                out.append(Slot(start, start + duration, w.practitioner_id, w.location_id, room))
                start += step
    out.sort(key=lambda s: (s.start, s.practitioner_id))
    return out


def inside(windows: Iterable[Window], practitioner_id: int, location_id: int | None, a: dt.datetime,
           b: dt.datetime) -> bool:
    """True when [a, b) lies inside one working window of the practitioner (at `location_id` unless None)."""
    return any(w.practitioner_id == practitioner_id and (location_id is None or w.location_id == location_id)
               and w.start <= a and b <= w.end for w in windows)
