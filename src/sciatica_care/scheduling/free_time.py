"""Free time, as plain values: working windows from weekly shifts, and the free slots inside them.

Pure: no database, no clock (`earliest` and `latest` are handed in). Shifts are in their location's local time, so
a 09:00 shift is 09:00 on both sides of a clock change; everything returned is an aware datetime. Intervals are
half-open, [start, end): an appointment ending at 10:00 and another starting at 10:00 do not overlap.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple, TypeVar
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
    to `end + after`. `room_id` is a room free then when the service needs one, else None."""

    start: dt.datetime
    end: dt.datetime
    practitioner_id: int
    location_id: int
    room_id: int | None


def utc(value: dt.datetime) -> dt.datetime:
    """`value` in UTC (a naive value is taken as UTC, as the database gives it). Everything inside this module is
    compared in UTC: comparing datetimes of different zones converts on every comparison, which is slow."""
    if value.tzinfo is dt.UTC:
        return value
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def local(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """`day` at `at` on the wall clock of `zone`, as an aware datetime in UTC. A time skipped by a clock change
    (01:30 on the spring-forward night in London) is read with the offset before the change, i.e. one hour
    later on the wall clock."""
    return dt.datetime.combine(day, at).replace(tzinfo=zone).astimezone(dt.UTC)


def shift_windows(shifts: Iterable[WeeklyShift], closures: Iterable[Closure], first_day: dt.date,
                  last_day: dt.date) -> list[Window]:
    """The working windows of every shift on each day from `first_day` to `last_day` (inclusive, local dates),
    less the closures that apply to it, sorted by start (in UTC)."""
    by_weekday: dict[int, list[WeeklyShift]] = {}
    for shift in shifts:
        by_weekday.setdefault(shift.weekday, []).append(shift)
    closures = [c._replace(start=utc(c.start), end=utc(c.end)) for c in closures]
    zones: dict[str, ZoneInfo] = {}
    instants: dict[tuple[dt.time, str], dt.datetime] = {}  # the day's wall-clock times, each converted once

    def at(when: dt.time, zone_name: str) -> dt.datetime:
        found = instants.get((when, zone_name))
        if found is None:
            zone = zones.get(zone_name) or zones.setdefault(zone_name, ZoneInfo(zone_name))
            found = instants[(when, zone_name)] = local(day, when, zone)
        return found

    windows: list[Window] = []
    day = first_day
    while day <= last_day:
        instants.clear()
        for shift in by_weekday.get(day.weekday(), ()):
            if (shift.valid_from and day < shift.valid_from) or (shift.valid_until and day > shift.valid_until):
                continue
            start, end = at(shift.start, shift.time_zone), at(shift.end, shift.time_zone)
            if end <= start:
                continue
            cuts = [(c.start, c.end) for c in closures
                    if c.start < end and c.end > start
                    and c.practitioner_id in (None, shift.practitioner_id)
                    and c.location_id in (None, shift.location_id)] if closures else []
            if not cuts:
                windows.append(Window(shift.practitioner_id, shift.location_id, start, end))
                continue
            for a, b in subtract((start, end), cuts):
                windows.append(Window(shift.practitioner_id, shift.location_id, a, b))
        day += dt.timedelta(days=1)
    windows.sort(key=lambda w: (w.start, w.practitioner_id))
    return windows


T = TypeVar("T", int, dt.datetime)


def subtract(span: tuple[T, T], cuts: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """What is left of `span` once every interval of `cuts` is taken out, in order."""
    start, end = span
    left: list[tuple[T, T]] = []
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


#: A moment: an aware datetime (a naive one is read as UTC, as the database gives it), or whole seconds since the
#: epoch. Inside this module every comparison is on seconds: comparing datetimes of different zones converts on
#: every comparison, and a search compares thousands.
Moment = dt.datetime | int


def seconds(value: Moment) -> int:
    if isinstance(value, int):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp())


class _Busy:
    """Sorted busy intervals (seconds) of one practitioner or room, merged, with a fast overlap test."""

    def __init__(self, intervals: Iterable[tuple[Moment, Moment]]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        given = list(intervals)
        if given and isinstance(given[0][0], int):
            pairs: list[tuple[int, int]] = given  # type: ignore[assignment]  # seconds already (slots.py)
        else:
            pairs = [(seconds(a), seconds(b)) for a, b in given]
        pairs.sort()
        starts, ends = self.starts, self.ends
        for s, e in pairs:
            if e <= s:
                continue
            if ends and s <= ends[-1]:
                if e > ends[-1]:
                    ends[-1] = e
            else:
                starts.append(s)
                ends.append(e)

    def clashes(self, a: int, b: int) -> bool:
        i = bisect.bisect_left(self.starts, b)  # intervals starting before b
        return i > 0 and self.ends[i - 1] > a

    def gaps(self, a: int, b: int) -> list[tuple[int, int]]:
        """The free parts of [a, b)."""
        i = max(0, bisect.bisect_right(self.starts, a) - 1)
        j = bisect.bisect_left(self.starts, b)
        return subtract((a, b), zip(self.starts[i:j], self.ends[i:j], strict=True))


NO_BUSY = _Busy(())


class _AnyRoom:
    """The rooms of one location over [lo, hi), to ask whether one of them is free throughout [a, b): every room's
    free gaps sorted by start, with the latest end among the gaps begun so far (and its room). A gap that starts by
    `a` and ends no earlier than `b` holds [a, b) whole: one bisect a question, however many rooms (free_slots)."""

    def __init__(self, room_ids: Sequence[int], busy_of: Mapping[int, _Busy], lo: int, hi: int) -> None:
        gaps = sorted((g0, g1, r) for r in room_ids for g0, g1 in busy_of.get(r, NO_BUSY).gaps(lo, hi))
        self.starts = [g[0] for g in gaps]
        self.ends: list[int] = []
        self.rooms: list[int] = []
        end, room = lo - 1, 0
        for _, g1, r in gaps:
            if g1 > end:
                end, room = g1, r
            self.ends.append(end)
            self.rooms.append(room)



def free_slots(windows: Iterable[Window], *, busy: Mapping[int, Iterable[tuple[Moment, Moment]]],
               duration: dt.timedelta, before: dt.timedelta = dt.timedelta(0),
               after: dt.timedelta = dt.timedelta(0), step: dt.timedelta = dt.timedelta(minutes=15),
               earliest: dt.datetime | None = None, latest: dt.datetime | None = None,
               rooms: Mapping[int, Sequence[int]] | None = None,
               room_busy: Mapping[int, Iterable[tuple[Moment, Moment]]] | None = None) -> list[Slot]:
    """Every start, on the `step` grid counted from each window's start, at which the whole held time
    [start - before, start + duration + after) lies inside the window and clashes with none of the
    practitioner's `busy` intervals (keyed by practitioner id); with `rooms` (location id → room ids, for a
    service that needs a room), only starts at which one of the location's rooms is free too (`room_busy`,
    keyed by room id). Starts before `earliest` or after `latest` are left out. Sorted by start, then practitioner;
    times in UTC.
    """
    if duration <= dt.timedelta(0) or step <= dt.timedelta(0):
        raise ValueError("duration and step must be positive")
    b4, dur, st = int(before.total_seconds()), int(duration.total_seconds()), int(step.total_seconds())
    held = b4 + dur + int(after.total_seconds())
    busy_of = {k: _Busy(v) for k, v in busy.items()}
    spans = [(w, seconds(w.start), seconds(w.end)) for w in windows]
    any_room: dict[int, _AnyRoom] = {}
    if rooms is not None:
        room_busy_of = {k: _Busy(v) for k, v in (room_busy or {}).items()}
        for loc in {w.location_id for w, _, _ in spans}:
            here = [(ws, we) for w, ws, we in spans if w.location_id == loc]
            any_room[loc] = _AnyRoom(rooms.get(loc, ()), room_busy_of, min(a for a, _ in here),
                                     max(b for _, b in here))
    first = seconds(earliest) if earliest is not None else None
    last = seconds(latest) if latest is not None else None
    found: list[tuple[int, int, int, int | None]] = []
    bisect_right = bisect.bisect_right
    for w, ws, we in spans:
        where = any_room.get(w.location_id)
        who, loc = w.practitioner_id, w.location_id
        for gap_start, gap_end in busy_of.get(who, NO_BUSY).gaps(ws, we):
            # the first grid point k with ws + k*step - before >= gap_start, and not before `earliest`
            lowest = gap_start + b4 if first is None else max(gap_start + b4, first)
            start = ws + max(0, -((ws - lowest) // st)) * st
            stop = gap_end - held + b4 if last is None else min(gap_end - held + b4, last)
            if where is None:
                found += [(s, who, loc, None) for s in range(start, stop + 1, st)]
                continue
            starts, ends, rooms_at = where.starts, where.ends, where.rooms
            for s in range(start, stop + 1, st):
                i = bisect_right(starts, s - b4)  # `where.free`, inline: this loop runs for every start
                if i and ends[i - 1] >= s - b4 + held:
                    found.append((s, who, loc, rooms_at[i - 1]))
    found.sort(key=lambda f: (f[0], f[1]))
    moments = {t: dt.datetime.fromtimestamp(t, dt.UTC)  # many slots share a start: each instant made once
               for t in {f[0] for f in found} | {f[0] + dur for f in found}}
    return [Slot(moments[s], moments[s + dur], p, loc, room) for s, p, loc, room in found]


def inside(windows: Iterable[Window], practitioner_id: int, location_id: int | None, a: dt.datetime,
           b: dt.datetime) -> bool:
    """True when [a, b) lies inside one working window of the practitioner (at `location_id` unless None)."""
    return any(w.practitioner_id == practitioner_id and (location_id is None or w.location_id == location_id)
               and w.start <= a and b <= w.end for w in windows)
