"""The calendar's content for one scope (a practitioner, a room or a location) over a day or a week, in the
location's time zone: columns of working hours, leave and appointments, read with one query per kind of record
(appointments with their patient, service, practitioner, room and location; shifts; exceptions; course lengths).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from sciatica_care.clinic.models import Staff
from sciatica_care.scheduling.calendar_layout import DAY, Span, clip, free, lanes, steps, window
from sciatica_care.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Location,
    Room,
    Shift,
    ShiftException,
)
from sciatica_care.scheduling.models.appointments import LIVE_STATUSES
from sciatica_care.scheduling.visibility import Viewer

PRACTITIONER, ROOM, LOCATION = "practitioner", "room", "location"
DAY_VIEW, WEEK_VIEW = "day", "week"
CANCELLED = (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED)
STATUS_WORDS = {AppointmentStatus.REQUESTED: "To approve", AppointmentStatus.ARRIVED: "Arrived",
                AppointmentStatus.COMPLETED: "Done", AppointmentStatus.NO_SHOW: "No-show",
                AppointmentStatus.CANCELLED: "Cancelled", AppointmentStatus.LATE_CANCELLED: "Late cancel"}
#: Appointments are never longer than this (a service lasts at most 8 h, plus buffers): the query looks back this
#: far for one that started before the range and runs into it, so that it can use the (clinic, start) index.
LONGEST = dt.timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Booked:
    """What the calendar shows of one appointment (read as plain values: thousands of model instances with their
    related rows would cost more than the page's whole budget)."""

    pk: int
    start: dt.datetime
    end: dt.datetime
    status: str
    course_session: int | None
    is_review: bool
    front_desk_note: str
    prospect_name: str
    episode_id: int | None
    practitioner_id: int
    patient_id: int | None
    first_name: str | None
    last_name: str | None
    service_name: str
    service_kind: str
    practitioner_first: str
    practitioner_last: str
    practitioner_username: str

    @property
    def practitioner_name(self) -> str:
        return f"{self.practitioner_first} {self.practitioner_last}".strip() or self.practitioner_username

    @property
    def status_label(self) -> str:
        return str(AppointmentStatus(self.status).label)


BOOKED_FIELDS = ("pk", "start", "end", "status", "course_session", "is_review", "front_desk_note", "prospect_name",
                 "episode_id", "practitioner_id", "patient_id", "patient__first_name", "patient__last_name",
                 "service__name", "service__kind", "practitioner__first_name", "practitioner__last_name",
                 "practitioner__username")


@dataclass(frozen=True)
class Scope:
    kind: str
    obj: Staff | Room | Location
    location: Location | None  # whose time zone the calendar speaks (None: the site's)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.obj.pk}"

    @property
    def name(self) -> str:
        if isinstance(self.obj, Staff):
            return self.obj.display()
        if isinstance(self.obj, Room):
            return f"{self.obj.name} · {self.location.name if self.location else ''}"
        return self.obj.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.location.time_zone if self.location else settings.TIME_ZONE)


@dataclass
class Block:
    """One appointment as the calendar shows it."""

    item_kind: ClassVar[str] = "appt"
    appointment: Booked
    start: dt.datetime  # local
    end: dt.datetime
    span: Span
    full: bool  # False: a colleague's, shown as busy
    course_total: int | None = None
    classes: str = ""
    href: str = ""

    @property
    def status(self) -> str:
        return str(self.appointment.status)

    @property
    def cancelled(self) -> bool:
        return self.appointment.status in CANCELLED

    @property
    def who(self) -> str:
        if not self.full:
            return "Busy"
        a = self.appointment
        if a.patient_id is not None:
            return f"{a.first_name} {a.last_name}"
        return a.prospect_name

    @property
    def times(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def badges(self) -> list[tuple[str, str]]:
        """(css class, words) for the small tags on the block."""
        if not self.full:
            return []
        a, out = self.appointment, []
        if a.is_review:
            out.append(("review", "Review"))
        if a.course_session:
            total = f" of {self.course_total}" if self.course_total else ""
            out.append(("course", f"Session {a.course_session}{total}"))
        if a.patient_id is None:
            out.append(("prospect", "New enquiry"))
        return out

    @property
    def flags(self) -> list[tuple[str, str]]:
        """The tags in their short form, for the block's first line ("Review", "3/10", "New")."""
        short = {"course": f"{self.appointment.course_session}/{self.course_total}" if self.course_total
                 else f"#{self.appointment.course_session}", "prospect": "New"}
        return [(css, short.get(css, words)) for css, words in self.badges]

    @property
    def status_word(self) -> str:
        """The status in a word or two on the block ("" for booked, the usual)."""
        return STATUS_WORDS.get(str(self.appointment.status), "")

    @property
    def label(self) -> str:
        """What a screen reader says for the block: everything the eye reads from it."""
        if not self.full:
            return f"{self.times}, busy"
        a = self.appointment
        parts = [self.times, self.who, a.service_name, a.status_label]
        parts += [words for _, words in self.badges]
        if a.front_desk_note:
            parts.append(f"note: {a.front_desk_note}")
        return ", ".join(parts)


@dataclass
class Stretch:
    """Working hours or leave drawn behind the appointments."""

    item_kind: ClassVar[str] = "leave"
    span: Span
    classes: str
    words: str
    location_id: int | None = None

    @property
    def times(self) -> str:
        return f"{clock(self.span.start)}–{clock(self.span.end)}"


@dataclass
class Gap:
    """Free working time between appointments: at phone width the day's list shows it, with a way to book it."""

    item_kind: ClassVar[str] = "gap"
    span: Span
    start: dt.datetime
    location_id: int | None
    href: str = ""

    @property
    def times(self) -> str:
        return f"{clock(self.span.start)}–{clock(self.span.end)}"


@dataclass
class BookAt:
    """A free moment in a column: clicking it opens the booking form there."""

    minute: int
    start: dt.datetime
    location_id: int | None
    classes: str = ""
    href: str = ""

    @property
    def words(self) -> str:
        return f"{self.start:%H:%M}"


@dataclass
class Column:
    key: str
    heading: str
    sub: str
    day: dt.date
    practitioner: Staff | None
    today: bool
    work: list[Stretch] = field(default_factory=list)
    leave: list[Stretch] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    book_at: list[BookAt] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    now: str = ""
    url: str = ""  # the column's own day view
    free_html: str = ""  # the free times' links, made at once (several hundred in a week)
    chips_html: str = ""  # a location's week: the day's appointments as chips, made at once

    @property
    def working(self) -> bool:
        return bool(self.work)

    @property
    def items(self) -> list[Block | Stretch | Gap]:
        """Leave, appointments and free time in time order (the day's list)."""
        order = {"leave": 0, "appt": 1, "gap": 2}
        return sorted([*self.leave, *self.blocks, *self.gaps], key=lambda i: (i.span.start, order[i.item_kind]))

    @property
    def live_count(self) -> int:
        return sum(1 for b in self.blocks if b.appointment.status in LIVE_STATUSES)


@dataclass
class WeekRow:
    """One practitioner's week at a location (the location's week view)."""

    practitioner: Staff
    cells: list[Column]
    url: str = ""  # the practitioner's own week


@dataclass
class Calendar:
    scope: Scope
    mode: str
    days: list[dt.date]
    columns: list[Column]
    first_hour: int
    last_hour: int
    rows: list[WeekRow] = field(default_factory=list)
    patient_ids: list[int] = field(default_factory=list)
    appointment_ids: list[int] = field(default_factory=list)

    @property
    def hours(self) -> list[tuple[str, str]]:
        return [(f"{h:02d}:00", f"at-h{h - self.first_hour}") for h in range(self.first_hour, self.last_hour)]

    @property
    def hours_class(self) -> str:
        return f"hours-{self.last_hour - self.first_hour}"

    @property
    def grid(self) -> bool:
        return not self.rows


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def week_of(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=n) for n in range(7)]


def local_midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone)


def minutes(moment: dt.datetime, day: dt.date, zone: zoneinfo.ZoneInfo) -> int:
    """Minutes from the local midnight of `day` to `moment`, by the wall clock (a moment on another day falls
    outside 0…DAY)."""
    local = moment.astimezone(zone)
    return (local.date() - day).days * DAY + local.hour * 60 + local.minute


def build(viewer: Viewer, scope: Scope, mode: str, anchor: dt.date, *, show_cancelled: bool = True,
          now: dt.datetime | None = None) -> Calendar:
    zone = scope.zone
    now = (now or timezone.now()).astimezone(zone)
    days = [anchor] if mode == DAY_VIEW else week_of(anchor)
    start, end = local_midnight(days[0], zone), local_midnight(days[-1] + dt.timedelta(days=1), zone)
    appointments = _appointments(viewer, scope, start, end, show_cancelled)
    practitioner_ids = {a.practitioner_id for a in appointments}
    shifts = _shifts(scope, days)
    practitioner_ids |= {s.practitioner_id for s in shifts}
    exceptions = _exceptions(viewer, scope, start, end, practitioner_ids)
    totals = _course_totals(viewer, appointments)
    step = viewer.rules.slot_step_minutes or 15

    def column(key: str, heading: str, sub: str, day: dt.date, practitioner: Staff | None,
               appts: Iterable[Booked], day_shifts: Iterable[Shift], leave: Iterable[ShiftException],
               bookable: bool) -> Column:
        col = Column(key=key, heading=heading, sub=sub, day=day, practitioner=practitioner, today=day == now.date())
        for s in day_shifts:
            if _valid(s, day):
                span = Span(s.start_time.hour * 60 + s.start_time.minute, s.end_time.hour * 60 + s.end_time.minute)
                col.work.append(Stretch(span, "", f"{s.start_time:%H:%M}–{s.end_time:%H:%M} at {s.location.name}",
                                        s.location_id))
        col.work = _merged(col.work)
        for e in leave:
            span = clip(minutes(e.starts_at, day, zone), minutes(e.ends_at, day, zone))
            if span is not None:
                col.leave.append(Stretch(span, "", e.reason or ("Closed" if e.practitioner_id is None else "Leave")))
        for a in sorted(appts, key=lambda a: (a.start, a.pk)):
            span = clip(minutes(a.start, day, zone), minutes(a.end, day, zone))
            if span is None:
                continue
            col.blocks.append(Block(a, a.start.astimezone(zone), a.end.astimezone(zone), span,
                                    viewer.sees(a.practitioner_id),
                                    totals.get(a.episode_id) if a.course_session else None))
        if bookable and practitioner is not None and col.work:
            open_spans = free([w.span for w in col.work],
                              [b.span for b in col.blocks if not b.cancelled] + [lv.span for lv in col.leave])
            earliest = minutes(now, day, zone)
            for gap in open_spans:
                begin = max(gap.start, -(-earliest // step) * step)
                if gap.end - begin >= step:
                    location_id = next((w.location_id for w in col.work if w.span.start <= begin < w.span.end),
                                       None)
                    col.gaps.append(Gap(Span(begin, gap.end), dt.datetime.combine(
                        day, dt.time(begin // 60, begin % 60), tzinfo=zone), location_id))
            for t in steps(open_spans, step):
                if t < earliest:
                    continue
                location_id = next((w.location_id for w in col.work if w.span.start <= t < w.span.end), None)
                moment = dt.datetime.combine(day, dt.time(t // 60, t % 60), tzinfo=zone)
                col.book_at.append(BookAt(t, moment, location_id))
        return col

    by_day_practitioner: dict[tuple[dt.date, int], list[Booked]] = defaultdict(list)
    by_day: dict[dt.date, list[Booked]] = defaultdict(list)
    shown_days = set(days)
    for a in appointments:
        day, last = a.start.astimezone(zone).date(), (a.end - dt.timedelta(microseconds=1)).astimezone(zone).date()
        while day <= last:  # an appointment past midnight is on both days
            if day in shown_days:
                by_day[day].append(a)
                by_day_practitioner[(day, a.practitioner_id)].append(a)
            day += dt.timedelta(days=1)
    shifts_by: dict[tuple[int, int], list[Shift]] = defaultdict(list)
    shifts_by_weekday: dict[int, list[Shift]] = defaultdict(list)
    for s in shifts:
        shifts_by[(s.weekday, s.practitioner_id)].append(s)
        shifts_by_weekday[s.weekday].append(s)

    def leave_for(practitioner_id: int | None) -> list[ShiftException]:
        return [e for e in exceptions if e.practitioner_id is None or e.practitioner_id == practitioner_id]

    staff = _staff(viewer, practitioner_ids, scope)
    columns: list[Column] = []
    rows: list[WeekRow] = []
    if scope.kind == PRACTITIONER:
        prac = scope.obj
        if not isinstance(prac, Staff):
            raise TypeError("a practitioner's calendar is of a member of staff")
        for day in days:
            columns.append(column(day.isoformat(), f"{day:%a} {day.day}", f"{day:%b}", day, prac, by_day[day],
                                  shifts_by[(day.weekday(), prac.pk)], leave_for(prac.pk),
                                  viewer.sees(prac.pk)))
    elif scope.kind == ROOM:
        for day in days:
            columns.append(column(day.isoformat(), f"{day:%a} {day.day}", f"{day:%b}", day, None, by_day[day],
                                  shifts_by_weekday[day.weekday()], leave_for(None), False))
    elif mode == DAY_VIEW:
        day = days[0]
        for prac in staff:
            columns.append(column(f"p{prac.pk}", prac.display(), "", day, prac,
                                  by_day_practitioner[(day, prac.pk)], shifts_by[(day.weekday(), prac.pk)],
                                  leave_for(prac.pk), viewer.sees(prac.pk)))
    else:
        for prac in staff:
            rows.append(WeekRow(prac, [column(f"p{prac.pk}-{day}", f"{day:%a} {day.day}", "", day, prac,
                                              by_day_practitioner[(day, prac.pk)],
                                              shifts_by[(day.weekday(), prac.pk)], leave_for(prac.pk), False)
                                       for day in days]))
    if mode == WEEK_VIEW and scope.kind != LOCATION:
        columns = [c for c in columns if c.day.weekday() < 5 or c.work or c.blocks]
    cells = columns or [c for r in rows for c in r.cells]
    first, last = window([s.span for c in cells for s in c.work] + [b.span for c in cells for b in c.blocks])
    for c in columns:
        for s in c.work:
            s.classes = s.span.classes(first)
        for s in c.leave:
            s.classes = s.span.classes(first)
        for b, (lane, width) in zip(c.blocks, lanes([b.span for b in c.blocks]), strict=True):
            b.classes = f"{b.span.classes(first)} lane-{lane} lanes-{width}"
        c.book_at = [b for b in c.book_at if first * 60 <= b.minute < last * 60]
        for at in c.book_at:
            at.classes = Span(at.minute, at.minute + step).classes(first)
        if c.today and first * 60 <= minutes(now, c.day, zone) < last * 60:
            m = minutes(now, c.day, zone)
            c.now = Span(m, m + 1).classes(first)
    shown = [b for c in cells for b in c.blocks if b.full]
    return Calendar(scope=scope, mode=mode, days=days, columns=columns, rows=rows, first_hour=first,
                    last_hour=last, patient_ids=sorted({b.appointment.patient_id for b in shown
                                                        if b.appointment.patient_id}),
                    appointment_ids=sorted({b.appointment.pk for b in shown}))


def _valid(shift: Shift, day: dt.date) -> bool:
    return (shift.valid_from is None or shift.valid_from <= day) and (shift.valid_until is None
                                                                       or day <= shift.valid_until)


def _merged(stretches: list[Stretch]) -> list[Stretch]:
    """Working stretches that touch or overlap joined into one (several practitioners' shifts in a room's view)."""
    out: list[Stretch] = []
    for s in sorted(stretches, key=lambda s: (s.span.start, s.span.end)):
        if out and s.span.start <= out[-1].span.end:
            last = out[-1]
            if s.span.end > last.span.end:
                out[-1] = Stretch(Span(last.span.start, s.span.end), "", f"{last.words}; {s.words}", last.location_id)
            continue
        out.append(s)
    return out


def _appointments(viewer: Viewer, scope: Scope, start: dt.datetime, end: dt.datetime,
                  show_cancelled: bool) -> list[Booked]:
    qs = Appointment.objects.filter(clinic_id=viewer.user.clinic_id, start__gte=start - LONGEST, start__lt=end,
                                    end__gt=start)
    if scope.kind == PRACTITIONER:
        qs = qs.filter(practitioner_id=scope.obj.pk)
    elif scope.kind == ROOM:
        qs = qs.filter(room_id=scope.obj.pk)
    else:
        qs = qs.filter(location_id=scope.obj.pk)
    if not show_cancelled:
        qs = qs.exclude(status__in=CANCELLED)
    return [Booked(*row) for row in qs.order_by("start", "id").values_list(*BOOKED_FIELDS)]


def _shifts(scope: Scope, days: list[dt.date]) -> list[Shift]:
    qs = Shift.objects.filter(weekday__in={d.weekday() for d in days}).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=days[-1])).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=days[0]))
    if scope.kind == PRACTITIONER:
        qs = qs.filter(practitioner_id=scope.obj.pk)
    else:
        qs = qs.filter(location_id=scope.location.pk if scope.location else None, practitioner__is_active=True)
    return list(qs.select_related("location").only(
        "id", "practitioner_id", "location_id", "weekday", "start_time", "end_time", "valid_from", "valid_until",
        "location__name"))


def _exceptions(viewer: Viewer, scope: Scope, start: dt.datetime, end: dt.datetime,
                practitioner_ids: set[int]) -> list[ShiftException]:
    qs = ShiftException.objects.filter(clinic_id=viewer.user.clinic_id, starts_at__lt=end, ends_at__gt=start)
    who = Q(practitioner__isnull=True)
    if scope.kind != ROOM:
        who |= Q(practitioner_id__in=practitioner_ids)
    where = Q(location__isnull=True)
    if scope.location is not None:
        where |= Q(location_id=scope.location.pk)
    return list(qs.filter(who & where).only("id", "practitioner_id", "location_id", "starts_at", "ends_at",
                                            "reason"))


def _course_totals(viewer: Viewer, appointments: list[Booked]) -> dict[int, int]:
    """How many live sessions each shown course holds ("Session 3 of 10")."""
    episodes = {a.episode_id for a in appointments if a.course_session and a.episode_id and viewer.sees(
        a.practitioner_id)}
    if not episodes:
        return {}
    rows = (Appointment.objects.filter(episode_id__in=episodes, course_session__isnull=False,
                                       status__in=LIVE_STATUSES)
            .values("episode_id").annotate(n=Count("id")).values_list("episode_id", "n"))
    return dict(rows)


def _staff(viewer: Viewer, ids: set[int], scope: Scope) -> list[Staff]:
    """The practitioners a location's view has a column or a row for: those working there or booked there."""
    if scope.kind != LOCATION or not ids:
        return []
    return list(Staff.objects.filter(clinic_id=viewer.user.clinic_id, pk__in=ids)
                .only("id", "username", "first_name", "last_name").order_by("first_name", "last_name", "id"))


def describe(cal: Calendar) -> dict[str, Any]:
    """The calendar's title parts: the scope's name and the dates shown."""
    first, last = cal.days[0], cal.days[-1]
    if cal.mode == DAY_VIEW:
        when = f"{first:%A} {first.day} {first:%B %Y}"
    elif first.month == last.month:
        when = f"{first.day}–{last.day} {first:%B %Y}"
    else:
        when = f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return {"name": cal.scope.name, "when": when, "zone": cal.scope.location.time_zone if cal.scope.location
            else settings.TIME_ZONE}
