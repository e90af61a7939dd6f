"""A red flag or a closed course cancels what is left: the clinic's records send `course_stopped` once the write
commits; the front desk cancels the future appointments (the clinic's cancellation, reason recorded, audited) and
`appointment_changed` tells the patient. A patient with a red flag is not booked back in for treatment."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from clinic_fixtures import base_intake

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def weekday_ahead(weeks: int, hour: int = 10, weekday: int = 0) -> dt.datetime:
    """A weekday `weeks` weeks ahead (at least a week from now), at `hour` London time."""
    from django.utils import timezone

    today = timezone.localdate()
    day = today + dt.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def book(desk: dict[str, Any], start: dt.datetime, kind: str = "follow_up_acupuncture", **kw: Any) -> Any:
    from sciatica_care.scheduling import booking

    kw.setdefault("patient", desk["patient"])
    return booking.book(clinic=desk["clinic"], practitioner=desk["practitioner"], service=desk["services"][kind],
                        location=desk["location"], start=start, by=desk["reception"], **kw)


@pytest.fixture
def booked(desk: dict[str, Any]) -> dict[str, Any]:
    """Three sessions of the course, an unlinked massage, a phone call and a completed past visit."""
    from sciatica_care.scheduling.models import Appointment

    course = [book(desk, weekday_ahead(w), episode=desk["episode"], course_session=w) for w in (1, 2, 3)]
    massage = book(desk, weekday_ahead(1, 14))
    call = book(desk, weekday_ahead(1, 16), "consultation_call")
    past = book(desk, weekday_ahead(1, 12), apply_policy=False, override_reason="test")
    Appointment.objects.filter(pk=past.pk).update(start=past.start - dt.timedelta(weeks=3),
                                                  end=past.end - dt.timedelta(weeks=3),
                                                  blocked_from=past.blocked_from - dt.timedelta(weeks=3),
                                                  blocked_until=past.blocked_until - dt.timedelta(weeks=3),
                                                  status="completed")
    return {"course": course, "massage": massage, "call": call, "past": past}


@pytest.fixture
def told() -> Any:
    from sciatica_care.scheduling.signals import appointment_changed

    seen: list[tuple[int, str]] = []

    def receiver(appointment: Any, change: str, **_: Any) -> None:
        seen.append((appointment.pk, change))

    appointment_changed.connect(receiver, dispatch_uid="test-course-stop")
    yield seen
    appointment_changed.disconnect(dispatch_uid="test-course-stop")


def statuses(*appointments: Any) -> list[str]:
    for a in appointments:
        a.refresh_from_db()
    return [a.status for a in appointments]


def red_flag_at_visit(desk: dict[str, Any]) -> Any:
    from sciatica_care.clinic import records

    return records.chart_visit(desk["practitioner"], desk["episode"], None, {
        "red_flags_rechecked": True, "red_flags_found": ["saddle_anaesthesia"], "needling_stopped": True,
        "red_flag_advice": "now: emergency department"})


def test_a_red_flag_at_a_visit_cancels_every_future_in_person_appointment(
        desk: dict[str, Any], booked: dict[str, Any], told: Any, django_capture_on_commit_callbacks: Any) -> None:
    """The course's sessions and the unlinked massage are cancelled by the clinic (not late), with the reason;
    the phone call and the past visit stay; the patient is told of each."""
    with django_capture_on_commit_callbacks(execute=True):
        red_flag_at_visit(desk)
    assert statuses(*booked["course"], booked["massage"]) == ["cancelled"] * 4
    assert statuses(booked["call"], booked["past"]) == ["booked", "completed"]
    assert "red flag" in booked["course"][0].cancel_reason
    assert sorted(told) == sorted((a.pk, "cancelled") for a in [*booked["course"], booked["massage"]])


def test_the_cancellations_are_audited(desk: dict[str, Any], booked: dict[str, Any],
                                       django_capture_on_commit_callbacks: Any) -> None:
    """Each cancellation is an audit event by the practitioner who recorded the red flag, as the clinic's."""
    from sciatica_care.clinic.models import AuditEvent

    with django_capture_on_commit_callbacks(execute=True):
        red_flag_at_visit(desk)
    events = AuditEvent.objects.filter(action="cancel_appointment", patient_id=desk["patient"].pk)
    assert events.count() == 4
    assert {e.actor_id for e in events} == {desk["practitioner"].pk}
    assert all(e.detail["by_clinic"] for e in events)


def test_nothing_is_cancelled_before_the_red_flag_commits(desk: dict[str, Any], booked: dict[str, Any],
                                                          django_capture_on_commit_callbacks: Any) -> None:
    """The signal waits for the commit: a charting that rolls back cancels nothing."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        red_flag_at_visit(desk)
        assert statuses(*booked["course"]) == ["booked"] * 3
    assert callbacks


def test_a_new_intake_that_stops_treatment_cancels_the_rest(desk: dict[str, Any], booked: dict[str, Any],
                                                            django_capture_on_commit_callbacks: Any) -> None:
    """A re-assessment with a red flag (plan not for treatment) cancels the future in-person appointments."""
    from sciatica_care.clinic import records

    with django_capture_on_commit_callbacks(execute=True):
        records.record_intake(desk["practitioner"], desk["episode"], base_intake(red_flags=["saddle_anaesthesia"]))
    assert statuses(*booked["course"], booked["massage"], booked["call"]) == ["cancelled"] * 4 + ["booked"]


def test_a_routine_re_assessment_cancels_nothing(desk: dict[str, Any], booked: dict[str, Any],
                                                 django_capture_on_commit_callbacks: Any) -> None:
    """A new plan that still allows treatment leaves the bookings alone."""
    from sciatica_care.clinic import records

    with django_capture_on_commit_callbacks(execute=True):
        records.record_intake(desk["practitioner"], desk["episode"], base_intake())
    assert statuses(*booked["course"], booked["massage"]) == ["booked"] * 4


def test_a_discharged_course_cancels_its_own_future_sessions(desk: dict[str, Any], booked: dict[str, Any],
                                                             django_capture_on_commit_callbacks: Any) -> None:
    """Discharge cancels the course's future sessions, not the patient's other appointments."""
    from django.utils import timezone

    from sciatica_care.clinic import records

    episode = desk["episode"]
    episode.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        records.discharge_episode(desk["practitioner"], episode, episode.version, timezone.localdate())
    assert statuses(*booked["course"]) == ["cancelled"] * 3
    assert statuses(booked["massage"], booked["call"]) == ["booked", "booked"]
    assert booked["course"][0].cancel_reason.startswith("The course of treatment was completed")


def test_an_arrived_patient_is_left_to_the_practitioner(desk: dict[str, Any], booked: dict[str, Any],
                                                        django_capture_on_commit_callbacks: Any) -> None:
    """An appointment already marked arrived is not cancelled under the practitioner."""
    from sciatica_care.scheduling import booking

    first = booked["course"][0]
    booking.mark(first, "arrived", by=desk["reception"], now=first.start - dt.timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        red_flag_at_visit(desk)
    assert statuses(first) == ["arrived"]


def test_after_a_red_flag_the_course_cannot_be_booked_for_treatment(
        desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    """A treatment appointment on the episode is refused naming `episode`; a phone call still can be booked."""
    from sciatica_care.errors import InputRefused

    with django_capture_on_commit_callbacks(execute=True):
        red_flag_at_visit(desk)
    with pytest.raises(InputRefused) as refused:
        book(desk, weekday_ahead(2), episode=desk["episode"])
    assert refused.value.problems[0].path == "episode"
    assert "red flag" in refused.value.problems[0].message
    assert book(desk, weekday_ahead(2, 16), "consultation_call", episode=desk["episode"]).status == "booked"


def test_a_new_plan_after_the_red_flag_allows_booking_again(desk: dict[str, Any],
                                                            django_capture_on_commit_callbacks: Any) -> None:
    """Cleared and re-planned (a routine intake after the visit), the course can be booked again."""
    from sciatica_care.clinic import records

    with django_capture_on_commit_callbacks(execute=True):
        red_flag_at_visit(desk)
        records.record_intake(desk["practitioner"], desk["episode"], base_intake())
    assert book(desk, weekday_ahead(2), episode=desk["episode"]).status == "booked"
