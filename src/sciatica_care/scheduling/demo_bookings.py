"""The demo clinic's front desk and diary, so the calendar looks lived in: two locations with rooms, the five
services, the practitioners' weekly shifts and a day of leave, the booking rules (the public booking page at
/book/demo/), and a month of appointments around today.

Every appointment goes through the booking service under the clinic's rules, as reception would book it. A
current course (seen in the last weeks) has its assessment and every charted session as completed appointments
linked to their charting, the review visit marked, and the rest of it booked from its plan at the patient's
usual days and times. Around the courses: massages, top-up sessions of courses that are over, new patients'
initial assessments, free consultation calls (one waiting for approval), no-shows, cancellations and late
cancellations, with a few people on the waitlist. Nothing is said to the patients while it loads (the demo must
not send confirmations of appointments that are already over); the worker's reminders of the appointments ahead
follow as usual.

Deterministic for a seed, relative to today in the clinic's time zone. Loaded once: a clinic that has a front
desk already is left as it is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sciatica_care.clinic import records
from sciatica_care.clinic.models import Clinic, Episode, Role, Staff
from sciatica_care.errors import InputRefused
from sciatica_care.scheduling import booking, charting_link, course_booking, notices
from sciatica_care.scheduling.course_series import Preference
from sciatica_care.scheduling.models import (
    Appointment,
    AppointmentStatus,
    BookedVia,
    BookingRules,
    Location,
    Room,
    Service,
    ServiceKind,
    Shift,
    ShiftException,
    WaitlistEntry,
)
from sciatica_care.scheduling.models.appointments import LIVE_STATUSES
from sciatica_care.scheduling.signals import appointment_changed
from sciatica_care.scheduling.treatment_gate import current_plan

ZONE = "Europe/London"
#: How far either side of today the diary reaches (the courses booked from their plans may run on beyond it).
SPAN = dt.timedelta(days=14)
#: A course whose last session is longer ago than this is over (or paused): the demo books nothing for it.
RECENT = dt.timedelta(days=16)
#: The furthest ahead a course is booked in the demo.
COURSE_AHEAD = dt.timedelta(days=28)
LOCATIONS = [("Riverside", "14 Riverside Walk\nBristol BS1 6XX", "0117 496 0000", ["Room 1", "Room 2", "Room 3"]),
             ("Clifton", "3 Princess Victoria Street\nBristol BS8 4BX", "0117 496 0001", ["Treatment room"])]
SERVICES = [
    # name, kind, minutes, buffer after, price, online, new patients, by phone
    ("Free consultation call", ServiceKind.CONSULTATION_CALL, 15, 5, "0.00", True, True, True),
    ("Initial assessment", ServiceKind.INITIAL_ASSESSMENT, 60, 15, "85.00", True, True, False),
    ("Follow-up acupuncture", ServiceKind.FOLLOW_UP_ACUPUNCTURE, 45, 15, "60.00", True, False, False),
    ("Electroacupuncture", ServiceKind.ELECTROACUPUNCTURE, 45, 15, "70.00", True, False, False),
    ("Therapeutic massage", ServiceKind.MASSAGE, 30, 10, "45.00", True, False, False),
]
#: Weekly patterns, given to the clinic's practitioners in turn: (location index, weekday, from, until).
PATTERNS: list[list[tuple[int, int, dt.time, dt.time]]] = [
    [(0, d, dt.time(8, 30), dt.time(17, 30)) for d in range(5)] + [(0, 5, dt.time(9), dt.time(14))],
    [(0, 0, dt.time(9), dt.time(18)), (0, 1, dt.time(9), dt.time(18)), (1, 2, dt.time(10), dt.time(16)),
     (0, 3, dt.time(12), dt.time(20)), (1, 4, dt.time(10), dt.time(16)), (1, 5, dt.time(9), dt.time(14))],
]
PROSPECTS = [("Rosa Delgado", "rosa.delgado@example.org", "07700 900555"),
             ("Ian Fletcher", "ian.fletcher@example.org", "07700 900556"),
             ("Marta Kowal", "marta.kowal@example.org", "07700 900557")]
NEW_PATIENTS = [("Hannah", "Reid"), ("Samuel", "Osei")]
CANCEL_REASONS = ["Unwell", "Work came up", "Childcare", "Car broke down", "Away that week"]
SET_UP = "Set up for the demonstration"


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Appointment changes tell nobody meanwhile (no confirmations, no staff notices, nothing in the outbox)."""
    appointment_changed.disconnect(dispatch_uid="sciatica_care.scheduling.notices")
    try:
        yield
    finally:
        notices.connect()


@dataclass
class Diary:
    """What is being built: the clinic's front desk, today and now, and each practitioner's held times."""

    clinic: Clinic
    rng: random.Random
    today: dt.date
    now: dt.datetime
    reception: Staff
    services: dict[str, Service] = field(default_factory=dict)
    locations: list[Location] = field(default_factory=list)
    #: practitioner id -> weekday -> (location, from, until)
    hours: dict[int, dict[int, tuple[Location, dt.time, dt.time]]] = field(default_factory=dict)
    booked: list[Appointment] = field(default_factory=list)

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=ZoneInfo(ZONE))

    def booked_when(self, start: dt.datetime) -> dt.datetime:
        """When an appointment was booked: a few days ahead of it, and never after now."""
        return min(self.now, start - dt.timedelta(days=self.rng.choice([2, 3, 5, 7, 10])))

    def starts(self, practitioner: Staff, day: dt.date, service: Service, wanted: dt.time) -> list[dt.datetime]:
        """The quarter hours of the practitioner's shift that day that fit the service, nearest `wanted` first."""
        shift = self.hours.get(practitioner.pk, {}).get(day.weekday())
        if shift is None:
            return []
        _, begin, until = shift
        held = dt.timedelta(minutes=service.duration_minutes + service.buffer_after_minutes)
        out = []
        t = self.at(day, begin)
        while t + held <= self.at(day, until):
            out.append(t)
            t += dt.timedelta(minutes=15)
        target = self.at(day, wanted)
        return sorted(out, key=lambda s: (abs(s - target), s))

    def book(self, practitioner: Staff, day: dt.date, service: Service, wanted: dt.time,
             when: Callable[[dt.datetime], dt.datetime] | None = None, **kwargs: Any) -> Appointment | None:
        """Book at the free time of that day nearest `wanted` (under the clinic's rules, as booked then); None
        when the day has none."""
        shift = self.hours.get(practitioner.pk, {}).get(day.weekday())
        if shift is None:
            return None
        kwargs.setdefault("by", self.reception)
        # What already holds the practitioner that day, and their leave: skipped here rather than refused there.
        day_from, day_until = self.at(day, dt.time(0)), self.at(day + dt.timedelta(days=1), dt.time(0))
        held = list(Appointment.objects.filter(
            practitioner=practitioner, status__in=LIVE_STATUSES, blocked_from__lt=day_until,
            blocked_until__gt=day_from).values_list("blocked_from", "blocked_until"))
        held += ShiftException.objects.filter(
            Q(practitioner=practitioner) | Q(practitioner__isnull=True), clinic=self.clinic,
            starts_at__lt=day_until, ends_at__gt=day_from).values_list("starts_at", "ends_at")
        length = dt.timedelta(minutes=service.duration_minutes + service.buffer_after_minutes)
        for start in self.starts(practitioner, day, service, wanted):
            if any(start < until and start + length > begin for begin, until in held):
                continue
            try:
                appointment = booking.book(clinic=self.clinic, practitioner=practitioner, service=service,
                                           location=shift[0], start=start,
                                           now=(when or self.booked_when)(start), **kwargs)
            except InputRefused:
                continue
            self.booked.append(appointment)
            return appointment
        return None

    def settle(self, appointment: Appointment, *, no_show: bool = False) -> None:
        """Mark a booked appointment as the day went: done once over, arrived while on, or did not attend."""
        if appointment.status != AppointmentStatus.BOOKED or appointment.start > self.now:
            return
        if no_show:
            booking.mark(appointment, AppointmentStatus.NO_SHOW, by=self.reception,
                         now=appointment.start + dt.timedelta(minutes=20))
        elif appointment.end <= self.now:
            booking.mark(appointment, AppointmentStatus.COMPLETED, by=appointment.practitioner,
                         now=appointment.end)
        else:
            booking.mark(appointment, AppointmentStatus.ARRIVED, by=self.reception,
                         now=appointment.start - dt.timedelta(minutes=5))

    def cancel(self, appointment: Appointment, *, late: bool = False) -> None:
        """The patient cancels: in good time (days before), or late (hours before)."""
        before = dt.timedelta(hours=self.rng.choice([3, 5])) if late else dt.timedelta(days=self.rng.choice([2, 4]))
        booking.cancel(appointment, by=self.reception, reason=self.rng.choice(CANCEL_REASONS),
                       now=min(self.now, max(appointment.booked_at, appointment.start - before)))


def _front_desk(clinic: Clinic, practitioners: list[Staff], today: dt.date) -> tuple[
        list[Location], dict[str, Service], dict[int, dict[int, tuple[Location, dt.time, dt.time]]]]:
    locations = []
    for name, address, phone, rooms in LOCATIONS:
        location = Location.objects.create(clinic=clinic, name=name, address=address, phone=phone, time_zone=ZONE)
        Room.objects.bulk_create([Room(location=location, name=room) for room in rooms])
        locations.append(location)
    services = {}
    for name, kind, minutes, after, price, online, new, by_phone in SERVICES:
        services[kind] = Service.objects.create(
            clinic=clinic, name=name, kind=kind, duration_minutes=minutes, buffer_after_minutes=after,
            price=Decimal(price), online_bookable=online, new_patients_allowed=new, room_needed=not by_phone,
            by_phone=by_phone)
    hours: dict[int, dict[int, tuple[Location, dt.time, dt.time]]] = {}
    shifts = []
    for i, practitioner in enumerate(practitioners):
        for where, weekday, begin, until in PATTERNS[i % len(PATTERNS)]:
            shifts.append(Shift(practitioner=practitioner, location=locations[where], weekday=weekday,
                                start_time=begin, end_time=until))
            hours.setdefault(practitioner.pk, {})[weekday] = (locations[where], begin, until)
    Shift.objects.bulk_create(shifts)
    BookingRules.objects.create(
        clinic=clinic, minimum_notice_hours=12, horizon_days=90, late_cancel_hours=24, approve_new_patients=True,
        reminder_offsets_hours=[48, 2], front_desk_email=clinic.email or "desk@riverside.example",
        online_booking=True, public_slug="demo")
    if len(practitioners) > 1:
        # The second practitioner's day of leave next week: the calendar shows it, and nothing is booked then.
        leave = _next_working_day(hours[practitioners[1].pk], today + dt.timedelta(days=8))
        ShiftException.objects.create(
            clinic=clinic, practitioner=practitioners[1], reason="Annual leave",
            starts_at=dt.datetime.combine(leave, dt.time(0), tzinfo=ZoneInfo(ZONE)),
            ends_at=dt.datetime.combine(leave + dt.timedelta(days=1), dt.time(0), tzinfo=ZoneInfo(ZONE)))
    for year in (today.year, today.year + 1):
        christmas = dt.datetime(year, 12, 25, tzinfo=ZoneInfo(ZONE))
        ShiftException.objects.create(clinic=clinic, starts_at=christmas, ends_at=christmas + dt.timedelta(days=2),
                                      reason="Closed for Christmas")
    return locations, services, hours


def _next_working_day(hours: dict[int, Any], day: dt.date) -> dt.date:
    while day.weekday() not in hours:
        day += dt.timedelta(days=1)
    return day


def _course_service(diary: Diary, plan: Any) -> Service:
    ea = plan.electroacupuncture
    kind = ServiceKind.ELECTROACUPUNCTURE if ea.allowed and ea.pairs else ServiceKind.FOLLOW_UP_ACUPUNCTURE
    return diary.services[kind]


def _charted_sessions(diary: Diary, episode: Episode, plan: Any, practitioner: Staff) -> None:
    """A current course so far: its initial assessment and every session charted, as completed appointments
    linked to their charting."""
    visits = list(episode.visits.order_by("date", "id"))
    if not visits or visits[-1].date < diary.today - RECENT:
        return  # a course that ended weeks ago: off the calendar's month
    review = plan.schedule.review_after_sessions + 1 if plan.schedule.review_after_sessions else None
    opened = episode.opened_on
    if opened is not None:
        assessment = diary.book(practitioner, opened, diary.services[ServiceKind.INITIAL_ASSESSMENT],
                                dt.time(9, 30), patient=episode.patient, episode=episode)
        if assessment is not None:
            diary.settle(assessment)
    service = _course_service(diary, plan)
    wanted = diary.rng.choice([dt.time(9), dt.time(10, 30), dt.time(13), dt.time(15, 30)])
    for number, visit in enumerate(visits, start=1):
        if visit.date > diary.today:
            continue
        appointment = diary.book(practitioner, visit.date, service, wanted, patient=episode.patient,
                                 episode=episode, course_session=number, is_review=number == review,
                                 via=BookedVia.COURSE, by=practitioner)
        if appointment is None:
            continue
        if appointment.start <= diary.now:
            # Charted from the calendar: linked to its session and completed.
            charting_link.link(None, visit=visit, by=practitioner, appointment=str(appointment.pk))


def _rest_of_course(diary: Diary, episode: Episode, plan: Any, practitioner: Staff) -> None:
    """The rest of the course booked from its plan at the patient's usual days and times, the sessions after
    those charted numbered on from them."""
    done = episode.visits.count()
    last = episode.visits.order_by("-date").values_list("date", flat=True).first()
    _, high = plan.schedule.course_sessions
    if done >= high or last is None or last < diary.today - RECENT:
        return  # the course is over, or the patient has not been back for weeks
    hours = diary.hours.get(practitioner.pk, {})
    days = sorted(hours)
    first = diary.rng.choice(days)
    second = days[(days.index(first) + diary.rng.choice([2, 3])) % len(days)]
    begin = hours[first][1]
    at = dt.time(diary.rng.choice(range(begin.hour + 1, begin.hour + 6)), diary.rng.choice([0, 30]))
    preferences = [Preference(first, at), Preference(second, at)]
    location = hours[first][0]
    service = _course_service(diary, plan)
    first_day = max(diary.today + dt.timedelta(days=1), last + dt.timedelta(days=3))
    proposal = course_booking.proposal(episode, service=service, practitioner=practitioner, location=location,
                                       first_day=first_day, preferences=preferences, sessions=high,
                                       now=diary.now)
    review = plan.schedule.review_after_sessions + 1 if plan.schedule.review_after_sessions else None
    visits = [course_booking.CourseVisit(done + p.number, p.start, done + p.number == review)
              for p in proposal.visits[:high - done]
              if p.start is not None and p.start <= diary.now + COURSE_AHEAD
              and p.start >= diary.now + dt.timedelta(hours=12)]
    for _ in range(3):
        if not visits:
            return
        try:
            diary.booked += course_booking.book_course(episode, practitioner=practitioner, service=service,
                                                       location=location, visits=visits, by=practitioner,
                                                       now=diary.now)
            return
        except InputRefused as exc:
            failed = {int(p.path.split("[", 1)[1].split("]", 1)[0]) for p in exc.problems
                      if p.path.startswith("sessions[")}
            if not failed:
                return
            visits = [v for i, v in enumerate(visits) if i not in failed]


def _fits(entry: tuple[Episode, Any, Staff], that_week: int, in_course: bool) -> bool:
    """Whether someone comes in once more that week: beside a course, a massage once; after a course, a top-up
    session, and massages up to three visits."""
    if in_course:
        return that_week == 0 and entry[1].massage.allowed
    return that_week == 0 or (that_week < 3 and entry[1].massage.allowed)


def _fill(diary: Diary, episodes: list[tuple[Episode, Any, Staff]], practitioners: list[Staff]) -> None:
    """Each working day of the month filled around the courses as a busy clinic's is: massages, and top-up
    sessions of courses that are over (fuller this fortnight than later on), a few who did not come,
    cancellations and late cancellations."""
    rng = diary.rng
    massage = diary.services[ServiceKind.MASSAGE]
    held: dict[tuple[int, dt.date], int] = {}
    current = {a.episode_id for a in diary.booked if a.course_session}
    seen = {(a.patient_id, a.start.astimezone(ZoneInfo(ZONE)).date()) for a in diary.booked}
    seen_weekly: dict[tuple[int | None, tuple[int, int]], int] = {}
    for a in diary.booked:
        if a.status not in LIVE_STATUSES:
            continue
        key = (a.practitioner_id, a.start.astimezone(ZoneInfo(ZONE)).date())
        held[key] = held.get(key, 0) + 1
    days = [diary.today + dt.timedelta(days=n) for n in range(-SPAN.days, SPAN.days + 1)]
    rng.shuffle(days)  # the patients' weekly limits fall on no day in particular
    for day in days:
        for practitioner in practitioners:
            shift = diary.hours.get(practitioner.pk, {}).get(day.weekday())
            if shift is None:
                continue
            _, begin, until = shift
            short = (until.hour - begin.hour) < 6
            target = rng.randint(2, 3) if short else (rng.randint(5, 7) if day <= diary.today + dt.timedelta(days=7)
                                                      else rng.randint(3, 5))
            for _ in range(max(0, target - held.get((practitioner.pk, day), 0))):
                # Someone not in that day, among those seen least that week.
                week = day.isocalendar()[:2]
                choices = [e for e in episodes if (e[0].patient_id, day) not in seen
                           and _fits(e, seen_weekly.get((e[0].patient_id, week), 0), e[0].pk in current)]
                if not choices:
                    break
                episode, plan, _ = min(rng.sample(choices, min(4, len(choices))),
                                       key=lambda e: seen_weekly.get((e[0].patient_id, week), 0))
                if episode.pk in current or seen_weekly.get((episode.patient_id, week), 0):
                    service = massage
                else:  # a course that is over: a top-up session now and then, or a massage
                    service = massage if plan.massage.allowed and rng.random() < 0.4 else _course_service(diary,
                                                                                                        plan)
                wanted = dt.time(rng.randint(begin.hour, until.hour - 1), rng.choice([0, 15, 30, 45]))
                appointment = diary.book(practitioner, day, service, wanted, patient=episode.patient)
                if appointment is None:
                    break
                seen.add((episode.patient_id, day))
                seen_weekly[(episode.patient_id, week)] = seen_weekly.get((episode.patient_id, week), 0) + 1
                roll = rng.random()
                if roll < 0.04:
                    diary.cancel(appointment, late=True)
                elif roll < 0.12:
                    diary.cancel(appointment)
                else:
                    diary.settle(appointment, no_show=roll > 0.97)


def _new_people(diary: Diary, practitioners: list[Staff]) -> None:
    """New patients' initial assessments, and the free consultation calls of people who are not patients yet:
    one held last week, one booked by reception, one asked for online and waiting for approval."""
    assessment = diary.services[ServiceKind.INITIAL_ASSESSMENT]
    call = diary.services[ServiceKind.CONSULTATION_CALL]
    for i, (first, last) in enumerate(NEW_PATIENTS):
        practitioner = practitioners[i % len(practitioners)]
        patient = records.create_patient(practitioner, first_name=first, last_name=last,
                                         date_of_birth=dt.date(1968 + 9 * i, 4 + i, 11), sex="female" if i == 0
                                         else "male", phone=f"07700 9002{i:02d}",
                                         email=f"{first.lower()}.{last.lower()}@example.org",
                                         consent_treatment=True, booking_notes="Came through the free call.")
        day = _next_working_day(diary.hours[practitioner.pk], diary.today + dt.timedelta(days=2 + 3 * i))
        diary.book(practitioner, day, assessment, dt.time(10 + 4 * i), patient=patient)
    lin = practitioners[0]
    name, email, phone = PROSPECTS[0]
    held = _next_working_day(diary.hours[lin.pk], diary.today - dt.timedelta(days=6))
    done = diary.book(lin, held, call, dt.time(12, 45), prospect_name=name, prospect_email=email,
                      prospect_phone=phone)
    if done is not None:
        diary.settle(done)
    name, email, phone = PROSPECTS[1]
    day = _next_working_day(diary.hours[lin.pk], diary.today + dt.timedelta(days=1))
    diary.book(lin, day, call, dt.time(12, 45), prospect_name=name, prospect_email=email, prospect_phone=phone,
               front_desk_note="Prefers a video call")
    name, email, phone = PROSPECTS[2]
    other = practitioners[-1]
    day = _next_working_day(diary.hours[other.pk], diary.today + dt.timedelta(days=3))
    diary.book(other, day, call, dt.time(13, 30), when=lambda start: diary.now, by=None, via=BookedVia.ONLINE,
               prospect_name=name, prospect_email=email, prospect_phone=phone)


def _waitlist(diary: Diary, episodes: list[tuple[Episode, Any, Staff]]) -> None:
    """People waiting for an earlier time: patients of a course, and a newcomer for an assessment."""
    rows = []
    for episode, plan, practitioner in episodes[1:4]:
        rows.append(WaitlistEntry(
            clinic=diary.clinic, patient=episode.patient, service=_course_service(diary, plan),
            practitioner=practitioner, earliest=diary.today + dt.timedelta(days=1),
            latest=diary.today + dt.timedelta(days=diary.rng.choice([7, 10, 14])),
            weekdays=sorted(diary.rng.sample(range(5), 2)),
            created_at=diary.now - dt.timedelta(days=diary.rng.randint(1, 6))))
    rows.append(WaitlistEntry(
        clinic=diary.clinic, prospect_name="Daniel Moss", prospect_email="daniel.moss@example.org",
        prospect_phone="07700 900558", service=diary.services[ServiceKind.INITIAL_ASSESSMENT],
        location=diary.locations[0], earliest=diary.today + dt.timedelta(days=1),
        latest=diary.today + dt.timedelta(days=14), created_at=diary.now - dt.timedelta(days=2)))
    WaitlistEntry.objects.bulk_create(rows)


def load(seed: int = 7, *, clinic: Clinic | None = None, now: dt.datetime | None = None) -> list[Appointment]:
    """Give the demo clinic (the first one, unless given) its front desk and a month of appointments around
    today; nothing when it has a front desk already. Returns the appointments booked. Called outside a
    transaction (as `serve --demo` calls it), so that its changes commit while nobody is told of them."""
    clinic = clinic or Clinic.objects.order_by("id").first()
    if clinic is None or Location.objects.filter(clinic=clinic).exists():
        return []
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    with quiet(), transaction.atomic():
        practitioners = list(Staff.objects.filter(clinic=clinic, role=Role.PRACTITIONER, is_active=True)
                             .order_by("id"))
        reception = Staff.objects.filter(clinic=clinic, role=Role.RECEPTION, is_active=True).order_by("id").first()
        if not practitioners:
            return []
        today = now.astimezone(ZoneInfo(ZONE)).date()
        diary = Diary(clinic, random.Random(seed), today, now, reception or practitioners[0])  # noqa: S311
        diary.locations, diary.services, diary.hours = _front_desk(clinic, practitioners, today)
        episodes = []
        for episode in Episode.objects.filter(clinic=clinic).select_related("patient").order_by("id"):
            plan, _ = current_plan(episode)
            visit = episode.visits.order_by("id").first()
            if plan is None or visit is None or visit.practitioner not in practitioners:
                continue
            episodes.append((episode, plan, visit.practitioner))
        for episode, plan, practitioner in episodes:
            _charted_sessions(diary, episode, plan, practitioner)
        for episode, plan, practitioner in episodes:
            _rest_of_course(diary, episode, plan, practitioner)
        _new_people(diary, practitioners)
        _fill(diary, episodes, practitioners)
        _waitlist(diary, episodes)
    return diary.booked
