"""Booking the course from the plan: propose the whole series against the practitioner's free time, then book it
in one step.

`proposal` reads the episode's current plan (typed, through the clinic's seam) and lays the course out
(`course_series`) at the patient's preferred days and times; each time is checked against the free slots (one
search for the whole course): a taken time moves to the nearest free start the same day, or is flagged when the
day has none. A plan that is not for treatment (a red flag, an unreadable plan) or a closed course proposes
nothing, and says why.

`book_course` books the sessions the practitioner settled on ALL OR NOTHING, in one transaction: if any session
cannot be booked (taken meanwhile, outside the rules without a reason), nothing is booked and the refusal names
every session that failed (`sessions[2].start: …`), so the practitioner fixes those and books again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from sciatica_care.clinic.models import Episode, Staff
from sciatica_care.errors import InputRefused, Problem, join_path
from sciatica_care.scheduling import booking, course_series, slots
from sciatica_care.scheduling.course_series import Preference
from sciatica_care.scheduling.models import Appointment, BookedVia, Location, Service
from sciatica_care.scheduling.treatment_gate import current_plan

__all__ = ["CourseVisit", "Preference", "Proposal", "ProposedVisit", "book_course", "proposal"]

@dataclass(frozen=True)
class ProposedVisit:
    """One session as proposed: `start` is the free time to book (None when the day has none), `wanted` the
    patient's preferred time it came from; `note` says when the two differ."""

    number: int
    start: dt.datetime | None
    wanted: dt.datetime
    is_review: bool
    tapered: bool
    note: str = ""


@dataclass(frozen=True)
class Proposal:
    visits: list[ProposedVisit] = field(default_factory=list)
    #: Why nothing is proposed ("" when the plan is for treatment).
    reason: str = ""
    #: The plan's course length (fewest, most sessions) and sessions a week.
    course_sessions: tuple[int, int] = (0, 0)
    sessions_per_week: int = 0


class CourseVisit(NamedTuple):
    """A session to book: its number in the course, its start (aware) and whether it is the review visit."""

    number: int
    start: dt.datetime
    is_review: bool = False


def _nearest(wanted: dt.datetime, free: Sequence[dt.datetime]) -> dt.datetime | None:
    return min(free, key=lambda s: (abs(s - wanted), s), default=None)


def proposal(episode: Episode, *, service: Service, practitioner: Staff, location: Location, first_day: dt.date,
             preferences: Sequence[Preference], sessions: int | None = None,
             now: dt.datetime | None = None) -> Proposal:
    """The course the plan calls for, from `first_day`, at the preferred days and times (local to `location`),
    each time checked against the practitioner's free slots. `sessions` (default: the plan's longest course) must
    lie within the plan's course length (InputRefused naming `sessions`)."""
    plan, reason = current_plan(episode)
    if plan is None:
        return Proposal(reason=reason)
    schedule = plan.schedule
    low, high = schedule.course_sessions
    count = high if sessions is None else sessions
    if not low <= count <= high:
        raise InputRefused([Problem("sessions", f"the plan's course is {low} to {high} sessions")])
    laid_out = course_series.propose(sessions=count, per_week=schedule.sessions_per_week,
                                     review_after=schedule.review_after_sessions, tapers=bool(schedule.taper),
                                     first_day=first_day, preferences=preferences)
    base = Proposal(course_sessions=(low, high), sessions_per_week=schedule.sessions_per_week)
    if not laid_out:
        return base
    zone = ZoneInfo(location.time_zone)
    now = now or timezone.now()
    first = dt.datetime.combine(laid_out[0].day, dt.time(0), tzinfo=zone)
    last = dt.datetime.combine(laid_out[-1].day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    free: dict[dt.date, list[dt.datetime]] = {}
    for slot in slots.search(service, max(first, now), last, practitioner_id=practitioner.pk,
                             location_id=location.pk, apply_policy=False, now=now):
        free.setdefault(slot.start.astimezone(zone).date(), []).append(slot.start)
    visits = []
    for p in laid_out:
        wanted = dt.datetime.combine(p.day, p.at, tzinfo=zone)
        day_free = free.get(p.day, [])
        start = wanted if wanted in day_free else _nearest(wanted, day_free)
        note = "" if start == wanted else (
            f"{p.at:%H:%M} is taken: moved to the nearest free time that day" if start is not None
            else "no free time that day: choose another day")
        visits.append(ProposedVisit(p.number, start, wanted, p.is_review, p.tapered, note))
    return Proposal(visits, "", base.course_sessions, base.sessions_per_week)


def book_course(episode: Episode, *, practitioner: Staff, service: Service, location: Location,
                visits: Sequence[CourseVisit], by: Staff, override_reason: str = "",
                now: dt.datetime | None = None) -> list[Appointment]:
    """Book every session of `visits` for the episode's patient, all or nothing: InputRefused naming each session
    that failed (`sessions[i].…`) and nothing booked, or every appointment (booked via the course, numbered,
    the review marked). Under the clinic's rules unless `override_reason` is given."""
    plan, reason = current_plan(episode)
    if plan is None:
        raise InputRefused([Problem("episode", reason)])
    if not visits:
        raise InputRefused([Problem("sessions", "choose at least one session to book")])
    numbers = [v.number for v in visits]
    if len(set(numbers)) != len(numbers):
        raise InputRefused([Problem("sessions", "each session of the course is booked once")])
    problems: list[Problem] = []
    booked: list[Appointment] = []
    with transaction.atomic():
        for i, visit in enumerate(visits):
            try:
                booked.append(booking.book(
                    clinic=episode.clinic, practitioner=practitioner, service=service, location=location,
                    start=visit.start, patient=episode.patient, episode=episode, course_session=visit.number,
                    is_review=visit.is_review, by=by, via=BookedVia.COURSE, apply_policy=not override_reason,
                    override_reason=override_reason, now=now))
            except InputRefused as exc:
                problems += [Problem(join_path(join_path("sessions", i), p.path), p.message) for p in exc.problems]
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise InputRefused(problems)
    return booked
