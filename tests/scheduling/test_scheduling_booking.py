"""The booking service: book, cancel, move and mark — each one transaction, audited, version-checked, refusals that
name the field, and `appointment_changed` sent once it has committed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)  # a Friday; the desk's practitioner works Mon–Fri 09–17 London
MONDAY = dt.date(2027, 1, 4)


def at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def book(desk: dict[str, Any], start: dt.datetime, kind: str = "follow_up_acupuncture", **kw: Any) -> Any:
    from sciatica_care.scheduling import booking

    kw.setdefault("patient", desk["patient"])
    kw.setdefault("by", desk["reception"])
    kw.setdefault("now", NOW)
    return booking.book(clinic=desk["clinic"], practitioner=kw.pop("practitioner", desk["practitioner"]),
                        service=desk["services"][kind], location=desk["location"], start=start, **kw)


@pytest.fixture
def changes() -> Any:
    """`changes()`: the changes announced so far, in order, as (id, change, previous) — the on-commit callbacks
    of the writes so far run first, as they would once the test's transaction commits."""
    from django.db import connection

    from sciatica_care.scheduling.signals import appointment_changed

    seen: list[tuple[int, str, Any]] = []

    def receiver(appointment: Any, change: str, previous: Any = None, **_: Any) -> None:
        seen.append((appointment.pk, change, previous))

    appointment_changed.connect(receiver, dispatch_uid="test-booking-changes")
    done = len(connection.run_on_commit)

    def announced() -> list[tuple[int, str, Any]]:
        nonlocal done
        while done < len(connection.run_on_commit):
            done += 1
            connection.run_on_commit[done - 1][1]()
        return seen

    yield announced
    appointment_changed.disconnect(dispatch_uid="test-booking-changes")


def test_a_booking_holds_the_visit_and_its_buffers(desk: dict[str, Any]) -> None:
    """The appointment ends after the service's duration and holds the practitioner for the buffers too."""
    appt = book(desk, at(10))
    assert appt.end == at(10, 45)
    assert appt.blocked_from == at(10)
    assert appt.blocked_until == at(11)
    assert appt.status == "booked"
    assert appt.room == desk["rooms"][0]


def test_a_booking_is_audited(desk: dict[str, Any]) -> None:
    """Booking writes one audit event naming the patient, the actor and the time."""
    from sciatica_care.clinic.models import AuditEvent

    appt = book(desk, at(10))
    event = AuditEvent.objects.get(action="book_appointment", object_id=appt.pk)
    assert event.patient_id == desk["patient"].pk
    assert event.actor == desk["reception"]
    assert event.detail["start"] == at(10).isoformat()


def test_the_signal_is_sent_once_the_booking_commits(desk: dict[str, Any],
                                                     django_capture_on_commit_callbacks: Any) -> None:
    """`appointment_changed` (booked) is sent on commit, not before."""
    from sciatica_care.scheduling.signals import appointment_changed

    seen: list[str] = []

    def receiver(change: str, **_: Any) -> None:
        seen.append(change)

    appointment_changed.connect(receiver, dispatch_uid="test-on-commit")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            book(desk, at(10))
        assert seen == []
        for callback in callbacks:
            callback()
        assert seen == ["booked"]
    finally:
        appointment_changed.disconnect(dispatch_uid="test-on-commit")


@pytest.mark.parametrize(("start", "kind"), [
    ((10, 0), "follow_up_acupuncture"),   # the same time
    ((10, 30), "follow_up_acupuncture"),  # inside the visit
    ((9, 30), "follow_up_acupuncture"),   # ends inside it
    ((10, 45), "follow_up_acupuncture"),  # in the first one's buffer after
    ((11, 0), "massage"),                 # the massage's buffer before reaches back into that buffer
])
def test_an_overlapping_booking_is_refused(desk: dict[str, Any], start: tuple[int, int], kind: str) -> None:
    """A practitioner never holds two overlapping appointments, buffers included: SlotTaken names `start`."""
    from sciatica_care.scheduling.booking import SlotTaken

    book(desk, at(10))  # held 10:00–11:00 (45 minutes + 15 after)
    with pytest.raises(SlotTaken) as refused:
        book(desk, at(*start), kind)
    assert refused.value.problems[0].path == "start"


def test_back_to_back_bookings_are_allowed(desk: dict[str, Any]) -> None:
    """One appointment's held time ending as the next one's begins is not an overlap."""
    book(desk, at(10))
    assert book(desk, at(11)).start == at(11)


def test_a_second_practitioner_gets_the_other_room(desk: dict[str, Any], make_staff: Any) -> None:
    """Two practitioners at the same time at one location get different rooms."""
    other = make_staff(desk["clinic"])
    from sciatica_care.scheduling.models import Shift

    Shift.objects.create(practitioner=other, location=desk["location"], weekday=0, start_time=dt.time(9),
                         end_time=dt.time(17))
    first, second = book(desk, at(10)), book(desk, at(10), practitioner=other)
    assert {first.room, second.room} == set(desk["rooms"])


def test_no_free_room_is_slot_taken_naming_room(desk: dict[str, Any], make_staff: Any) -> None:
    """With both rooms taken, a third practitioner's booking is refused naming `room`."""
    from sciatica_care.scheduling.booking import SlotTaken
    from sciatica_care.scheduling.models import Shift

    others = [make_staff(desk["clinic"]) for _ in range(2)]
    for other in others:
        Shift.objects.create(practitioner=other, location=desk["location"], weekday=0, start_time=dt.time(9),
                             end_time=dt.time(17))
    book(desk, at(10))
    book(desk, at(10), practitioner=others[0])
    with pytest.raises(SlotTaken) as refused:
        book(desk, at(10), practitioner=others[1])
    assert refused.value.problems[0].path == "room"


def test_a_call_by_phone_takes_no_room(desk: dict[str, Any]) -> None:
    """The free consultation call is held by phone: no room, and a prospect's name is enough."""
    appt = book(desk, at(10), "consultation_call", patient=None, prospect_name="Jo Bloggs",
                prospect_email="jo@example.org")
    assert appt.room is None
    assert appt.patient is None


@pytest.mark.parametrize(("start", "message"), [
    (NOW + dt.timedelta(hours=3), "notice"),
    (dt.datetime(2027, 6, 7, 9, tzinfo=LONDON), "days ahead"),
    (at(8), "not working"),
    (at(16, 30), "not working"),  # the visit and its buffer run past 17:00
    (at(10, day=dt.date(2027, 1, 9)), "not working"),  # a Saturday
])
def test_the_clinic_policy_binds_bookings(desk: dict[str, Any], start: dt.datetime, message: str) -> None:
    """Minimum notice, horizon and working hours are refused under the policy, naming `start`."""
    from sciatica_care.errors import InputRefused

    with pytest.raises(InputRefused) as refused:
        book(desk, start)
    assert refused.value.problems[0].path == "start"
    assert message in refused.value.problems[0].message


def test_staff_may_override_the_policy_only_with_a_reason(desk: dict[str, Any]) -> None:
    """Outside the rules, staff must say why (naming `override_reason`); the reason is audited."""
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.errors import InputRefused

    with pytest.raises(InputRefused) as refused:
        book(desk, at(8), apply_policy=False)
    assert refused.value.problems[0].path == "override_reason"
    appt = book(desk, at(8), apply_policy=False, override_reason="early start agreed for work")
    event = AuditEvent.objects.get(action="book_appointment", object_id=appt.pk)
    assert event.detail["reason"] == "early start agreed for work"
    assert event.detail["overridden"]


def test_a_leave_day_is_not_working_time(desk: dict[str, Any]) -> None:
    """A shift exception (leave) takes the day out of the practitioner's hours."""
    from sciatica_care.errors import InputRefused
    from sciatica_care.scheduling.models import ShiftException

    ShiftException.objects.create(clinic=desk["clinic"], practitioner=desk["practitioner"],
                                  starts_at=at(0), ends_at=at(0, day=MONDAY + dt.timedelta(days=1)),
                                  reason="leave")
    with pytest.raises(InputRefused, match="not working"):
        book(desk, at(10))


@pytest.mark.parametrize(("field", "kw"), [
    ("patient", {"patient": None}),
    ("room", {"room": "other-location"}),
    ("start", {"start": dt.datetime(2027, 1, 4, 10)}),  # noqa: DTZ001 - no offset, the input refused
    ("start", {"start": dt.datetime(2027, 1, 4, 10, 0, 30, tzinfo=dt.UTC)}),
])
def test_refusals_name_the_field(desk: dict[str, Any], field: str, kw: dict[str, Any]) -> None:
    """Bad input is refused with the field it concerns, before anything is written."""
    from sciatica_care.errors import InputRefused
    from sciatica_care.scheduling.models import Appointment, Location, Room

    if kw.get("room") == "other-location":
        elsewhere = Location.objects.create(clinic=desk["clinic"], name="Elsewhere")
        kw["room"] = Room.objects.create(location=elsewhere, name="Room 9")
    start = kw.pop("start", at(10))
    with pytest.raises(InputRefused) as refused:
        book(desk, start, **kw)
    assert refused.value.problems[0].path == field
    assert not Appointment.objects.exists()


def test_another_clinics_patient_is_refused(desk: dict[str, Any], world: dict[str, Any]) -> None:
    """A patient of another clinic cannot be booked here."""
    from sciatica_care.errors import InputRefused

    with pytest.raises(InputRefused) as refused:
        book(desk, at(10), patient=world["b"]["patient"])
    assert refused.value.problems[0].path == "patient"


def test_reception_is_not_a_practitioner(desk: dict[str, Any]) -> None:
    """Only staff who see patients can hold appointments."""
    from sciatica_care.errors import InputRefused

    with pytest.raises(InputRefused) as refused:
        book(desk, at(10), practitioner=desk["reception"])
    assert refused.value.problems[0].path == "practitioner"


# --- online rules -------------------------------------------------------------------------------------------------

def test_an_online_booking_of_a_new_person_waits_for_approval_when_the_clinic_says(desk: dict[str, Any],
                                                                                 changes: Any) -> None:
    """With approval on, a prospect's online booking is `requested` and holds the time; approving it books it."""
    from sciatica_care.scheduling import booking

    desk["rules"].approve_new_patients = True
    desk["rules"].save()
    appt = book(desk, at(10), "initial_assessment", patient=None, prospect_name="New Person", by=None,
                via="online")
    assert appt.status == "requested"
    booking.mark(appt, "booked", by=desk["reception"], now=NOW)
    assert appt.status == "booked"
    assert [c[1] for c in changes()] == ["requested", "approved"]


def test_online_a_service_for_existing_patients_is_refused_to_a_prospect(desk: dict[str, Any]) -> None:
    """A follow-up is for existing patients: a prospect booking it online is refused, naming `service`."""
    from sciatica_care.errors import InputRefused

    with pytest.raises(InputRefused) as refused:
        book(desk, at(10), patient=None, prospect_name="New Person", by=None, via="online")
    assert refused.value.problems[0].path == "service"


def test_online_bookings_cannot_skip_the_policy(desk: dict[str, Any]) -> None:
    """A patient booking online is always under the clinic's rules."""
    from sciatica_care.errors import InputRefused

    with pytest.raises(InputRefused) as refused:
        book(desk, at(10), by=None, via="online", apply_policy=False)
    assert refused.value.problems[0].path == "via"


# --- cancel -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("hours_before", "status"), [(48, "cancelled"), (25, "cancelled"), (23, "late_cancelled"),
                                                      (1, "late_cancelled")])
def test_cancelling_inside_the_window_is_late(desk: dict[str, Any], hours_before: int, status: str,
                                             changes: Any) -> None:
    """Cancelled less than the clinic's late-cancel window (24 h) before the start, it is a late cancellation."""
    from sciatica_care.scheduling import booking

    appt = book(desk, at(10))
    booking.cancel(appt, by=desk["reception"], reason="patient phoned",
                   now=at(10) - dt.timedelta(hours=hours_before))
    appt.refresh_from_db()
    assert appt.status == status
    assert changes()[-1][1] == status


def test_the_clinic_cancelling_late_is_not_a_late_cancellation(desk: dict[str, Any]) -> None:
    """When the clinic cancels (a red flag, the practitioner unwell), the patient is never charged as late."""
    from sciatica_care.scheduling import booking

    appt = book(desk, at(10))
    booking.cancel(appt, by=desk["practitioner"], reason="practitioner unwell", by_clinic=True,
                   now=at(10) - dt.timedelta(hours=2))
    assert appt.status == "cancelled"


def test_a_cancelled_time_can_be_booked_again(desk: dict[str, Any]) -> None:
    """A cancelled appointment no longer holds the practitioner or the room."""
    from sciatica_care.scheduling import booking

    appt = book(desk, at(10))
    booking.cancel(appt, by=desk["reception"], reason="patient phoned", now=NOW)
    assert book(desk, at(10)).room == appt.room


def test_cancel_needs_a_reason(desk: dict[str, Any]) -> None:
    """A cancellation without a reason is refused naming `reason`."""
    from sciatica_care.errors import InputRefused
    from sciatica_care.scheduling import booking

    appt = book(desk, at(10))
    with pytest.raises(InputRefused) as refused:
        booking.cancel(appt, by=desk["reception"], reason="  ")
    assert refused.value.problems[0].path == "reason"


def test_a_stale_copy_cannot_cancel(desk: dict[str, Any]) -> None:
    """Someone moved the appointment since it was opened: the stale cancel is a Conflict and writes nothing."""
    from sciatica_care.clinic.records import Conflict
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import Appointment

    appt = book(desk, at(10))
    stale = Appointment.objects.get(pk=appt.pk)
    booking.move(appt, start=at(14), by=desk["reception"], now=NOW)
    with pytest.raises(Conflict):
        booking.cancel(stale, by=desk["reception"], reason="patient phoned", now=NOW)
    stale.refresh_from_db()
    assert stale.status == "booked"
    assert stale.start == at(14)


# --- move ---------------------------------------------------------------------------------------------------------

def test_moving_sends_the_previous_time(desk: dict[str, Any], changes: Any) -> None:
    """A move keeps the room when it is free, bumps the version and tells receivers where it was."""
    from sciatica_care.scheduling import booking

    appt = book(desk, at(10))
    booking.move(appt, start=at(14), by=desk["reception"], now=NOW)
    appt.refresh_from_db()
    assert (appt.start, appt.blocked_until, appt.version) == (at(14), at(15), 2)
    assert changes()[-1][1] == "moved"
    assert changes()[-1][2]["start"] == at(10)


def test_an_appointment_can_move_over_its_own_time(desk: dict[str, Any]) -> None:
    """Moving by a quarter of an hour overlaps only itself, which is allowed."""
    from sciatica_care.scheduling import booking

    appt = book(desk, at(10))
    booking.move(appt, start=at(10, 15), by=desk["reception"], now=NOW)
    assert appt.start == at(10, 15)


def test_moving_onto_another_appointment_is_refused(desk: dict[str, Any]) -> None:
    """A move into another appointment's held time is SlotTaken."""
    from sciatica_care.scheduling import booking

    appt = book(desk, at(10))
    book(desk, at(14))
    with pytest.raises(booking.SlotTaken):
        booking.move(appt, start=at(14, 30), by=desk["reception"], now=NOW)


# --- mark ---------------------------------------------------------------------------------------------------------

def test_arrived_then_completed(desk: dict[str, Any], changes: Any) -> None:
    """Booked → arrived → completed, each audited and announced."""
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling import booking

    appt = book(desk, at(10))
    booking.mark(appt, "arrived", by=desk["reception"], now=at(9, 55))
    booking.mark(appt, "completed", by=desk["practitioner"], now=at(10, 50))
    assert appt.status == "completed"
    assert [c[1] for c in changes()] == ["booked", "arrived", "completed"]
    assert AuditEvent.objects.filter(action="mark_appointment", object_id=appt.pk).count() == 2


@pytest.mark.parametrize(("status", "now"), [
    ("no_show", at(9)),           # before it started
    ("completed", at(9)),
    ("arrived", at(10) - dt.timedelta(days=2)),
    ("cancelled", at(11)),        # not a mark
])
def test_marks_that_cannot_be_true_are_refused(desk: dict[str, Any], status: str, now: dt.datetime) -> None:
    """A no-show before the start, an arrival days early, an unknown mark: refused naming `status`."""
    from sciatica_care.errors import InputRefused
    from sciatica_care.scheduling import booking

    appt = book(desk, at(10))
    with pytest.raises(InputRefused) as refused:
        booking.mark(appt, status, by=desk["reception"], now=now)
    assert refused.value.problems[0].path == "status"


def test_a_cancelled_appointment_cannot_be_marked_arrived(desk: dict[str, Any]) -> None:
    """Only a booked appointment can be marked arrived."""
    from sciatica_care.errors import InputRefused
    from sciatica_care.scheduling import booking

    appt = book(desk, at(10))
    booking.cancel(appt, by=desk["reception"], reason="patient phoned", now=NOW)
    with pytest.raises(InputRefused):
        booking.mark(appt, "arrived", by=desk["reception"], now=at(9, 55))
