"""The course from the plan: proposed against the practitioner's free time (the real engine's plan), booked in one
step all or nothing, the review marked; a plan that is not for treatment proposes and books nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from clinic_fixtures import base_intake

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)
MONDAY = dt.date(2027, 1, 4)


def at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def propose(desk: dict[str, Any], **kw: Any) -> Any:
    from sciatica_care.scheduling.course_booking import Preference, proposal

    kw.setdefault("preferences", [Preference(0, dt.time(10)), Preference(3, dt.time(14))])
    kw.setdefault("episode", desk["episode"])
    return proposal(kw.pop("episode"), service=desk["services"]["follow_up_acupuncture"],
                    practitioner=desk["practitioner"], location=desk["location"], first_day=MONDAY, now=NOW, **kw)


def book_all(desk: dict[str, Any], visits: list[Any], **kw: Any) -> Any:
    from sciatica_care.scheduling.course_booking import CourseVisit, book_course

    return book_course(desk["episode"], practitioner=desk["practitioner"],
                       service=desk["services"]["follow_up_acupuncture"], location=desk["location"],
                       visits=[CourseVisit(v.number, v.start, v.is_review) for v in visits], by=desk["reception"],
                       now=NOW, **kw)


def test_the_plan_proposes_its_course_at_the_preferred_times(desk: dict[str, Any]) -> None:
    """The acute plan: twice a week (Monday 10:00, Thursday 14:00), ten sessions, the fifth the review."""
    course = propose(desk)
    assert (course.sessions_per_week, course.course_sessions) == (2, (8, 10))
    assert len(course.visits) == 10
    assert all(v.start == v.wanted and v.note == "" for v in course.visits)
    assert course.visits[0].start == at(10)
    assert course.visits[1].start == at(14, day=MONDAY + dt.timedelta(days=3))
    assert [v.number for v in course.visits if v.is_review] == [5]


def test_a_shorter_course_within_the_plan(desk: dict[str, Any]) -> None:
    """Eight sessions is within the plan's 8–10; seven is refused naming `sessions`."""
    from sciatica_care.errors import InputRefused

    assert len(propose(desk, sessions=8).visits) == 8
    with pytest.raises(InputRefused) as refused:
        propose(desk, sessions=7)
    assert refused.value.problems[0].path == "sessions"


def test_a_taken_time_moves_to_the_nearest_free_time_that_day(desk: dict[str, Any]) -> None:
    """Monday 10:15–11:15 is held: the 10:00 session moves to 09:15 (ending as the other begins), the nearest free
    start that day (11:15 is further away)."""
    from sciatica_care.scheduling import booking

    booking.book(clinic=desk["clinic"], practitioner=desk["practitioner"],
                 service=desk["services"]["follow_up_acupuncture"], location=desk["location"], start=at(10, 15),
                 patient=desk["patient"], by=desk["reception"], now=NOW)
    first = propose(desk).visits[0]
    assert first.wanted == at(10)
    assert first.start == at(9, 15)
    assert "taken" in first.note


def test_a_day_without_free_time_is_flagged(desk: dict[str, Any]) -> None:
    """The practitioner on leave on the first Monday: that session has no time and says so."""
    from sciatica_care.scheduling.models import ShiftException

    ShiftException.objects.create(clinic=desk["clinic"], practitioner=desk["practitioner"], starts_at=at(0),
                                  ends_at=at(0, day=MONDAY + dt.timedelta(days=1)))
    first = propose(desk).visits[0]
    assert first.start is None
    assert "no free time" in first.note


def test_a_red_flag_plan_proposes_nothing(desk: dict[str, Any]) -> None:
    """A plan that stops treatment for a red flag proposes no course, and says why."""
    from sciatica_care.clinic import records

    records.record_intake(desk["practitioner"], desk["episode"], base_intake(red_flags=["saddle_anaesthesia"]))
    course = propose(desk)
    assert course.visits == []
    assert "not for treatment" in course.reason


def test_booking_the_course_books_every_session(desk: dict[str, Any]) -> None:
    """One step books all ten: via the course, numbered, the review marked, for the episode's patient."""
    booked = book_all(desk, propose(desk).visits)
    assert [a.course_session for a in booked] == list(range(1, 11))
    assert {a.booked_via for a in booked} == {"course"}
    assert [a.course_session for a in booked if a.is_review] == [5]
    assert {a.patient_id for a in booked} == {desk["patient"].pk}
    assert {a.episode_id for a in booked} == {desk["episode"].pk}


def test_a_course_that_cannot_all_be_booked_books_nothing(desk: dict[str, Any]) -> None:
    """A session taken meanwhile: nothing is booked, and the refusal names that session."""
    from sciatica_care.errors import InputRefused
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import Appointment

    visits = propose(desk).visits
    booking.book(clinic=desk["clinic"], practitioner=desk["practitioner"],
                 service=desk["services"]["massage"], location=desk["location"], start=visits[3].start,
                 patient=desk["patient"], by=desk["reception"], now=NOW)
    with pytest.raises(InputRefused) as refused:
        book_all(desk, visits)
    assert [p.path for p in refused.value.problems] == ["sessions[3].start"]
    assert Appointment.objects.filter(booked_via="course").count() == 0


def test_a_red_flag_plan_books_no_course(desk: dict[str, Any]) -> None:
    """A red flag recorded after the proposal: booking it is refused naming `episode`."""
    from sciatica_care.clinic import records
    from sciatica_care.errors import InputRefused

    visits = propose(desk).visits
    records.record_intake(desk["practitioner"], desk["episode"], base_intake(red_flags=["saddle_anaesthesia"]))
    with pytest.raises(InputRefused) as refused:
        book_all(desk, visits)
    assert refused.value.problems[0].path == "episode"
