"""What patients and staff are told when appointments change: the real booking service, its signal, the notice
task (run at once here) and the outbox, with locmem email and SMS; the clock moved with time-machine."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core import mail

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)  # a Friday
START = dt.datetime(2027, 1, 6, 10, tzinfo=LONDON)  # the next Wednesday, 10:00 in London
#: Words no message may carry: clinical findings, the reason for a course's end, the course's title.
CLINICAL = re.compile(r"red flag|sciatica|cauda|referr|diagnos|symptom|pain|numb|bladder|bowel", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _immediate_tasks_and_locmem_sms(settings: Any, sms_outbox: list[Any]) -> None:
    """The notice task runs as soon as it is queued; text messages in memory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def patient(desk: dict[str, Any]) -> Any:
    p = desk["patient"]
    p.email, p.phone = "ann@example.org", "07700 900123"
    p.save()
    desk["location"].phone, desk["location"].address = "020 7946 0000", "1 High Street\nLondon"
    desk["location"].save()
    return p


def book(desk: dict[str, Any], start: dt.datetime = START, kind: str = "electroacupuncture", **kw: Any) -> Any:
    from sciatica_care.scheduling import booking

    kw.setdefault("patient", desk["patient"])
    kw.setdefault("by", desk["reception"])
    return booking.book(clinic=desk["clinic"], practitioner=kw.pop("practitioner", desk["practitioner"]),
                        service=desk["services"][kind], location=desk["location"], start=start, **kw)


def send() -> Any:
    from sciatica_care.scheduling import outbox

    return outbox.dispatch()


def messages(**filters: Any) -> list[Any]:
    from sciatica_care.scheduling.models import Message

    return list(Message.objects.filter(**filters).order_by("due_at", "id"))


def test_a_booking_is_confirmed_by_email_with_a_calendar_file(desk: dict[str, Any], patient: Any,
                                                              django_capture_on_commit_callbacks: Any) -> None:
    """The confirmation: when, where, with whom, how to change it — and an .ics that parses back to the same
    appointment (stable UID, times in London)."""
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        send()
    (email,) = mail.outbox
    assert email.to == ["ann@example.org"]
    assert "Wednesday 6 January 2027 at 10:00" in email.body
    assert "Electroacupuncture" in email.body
    assert "020 7946 0000" in email.body
    name, content, mimetype = email.attachments[0]
    assert name == f"appointment-{appointment.pk}.ics"
    assert mimetype.startswith("text/calendar")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == START
    assert event.decoded("dtstart").tzinfo.key == "Europe/London"
    assert str(event["uid"]) == f"appointment-{appointment.pk}-{desk['clinic'].pk}@sciatica-care"
    assert str(event["status"]) == "CONFIRMED"


def test_reminders_go_at_the_clinics_offsets_by_text_message(desk: dict[str, Any], patient: Any,
                                                            sms_outbox: list[Any],
                                                            django_capture_on_commit_callbacks: Any) -> None:
    """With offsets 48 h and 2 h: one text message at each, none before, nothing clinical in them."""
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            book(desk)
        reminders = messages(kind="reminder")
        assert [m.due_at for m in reminders] == [START - dt.timedelta(hours=48), START - dt.timedelta(hours=2)]
        assert {m.channel for m in reminders} == {"sms"}
        send()
        assert sms_outbox == []
        clock.move_to(START - dt.timedelta(hours=48))
        send()
        assert len(sms_outbox) == 1
        clock.move_to(START - dt.timedelta(hours=3))
        send()
        assert len(sms_outbox) == 1
        clock.move_to(START - dt.timedelta(hours=2))
        send()
    assert len(sms_outbox) == 2
    text = sms_outbox[0].body
    assert "Wed 6 Jan at 10:00" in text
    assert "High Street" in text
    assert "Electroacupuncture" not in text  # no service name by text message
    assert not CLINICAL.search(text)


def test_a_moved_appointment_gets_new_reminders_and_the_old_are_skipped(
        desk: dict[str, Any], patient: Any, sms_outbox: list[Any], django_capture_on_commit_callbacks: Any) -> None:
    """Moved a day later: the old reminders are skipped (moved), new ones are queued for the new time, and the
    patient is told of the move with an updated calendar file (same UID, higher SEQUENCE)."""
    from sciatica_care.scheduling import booking

    later = START + dt.timedelta(days=1)
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        with django_capture_on_commit_callbacks(execute=True):
            booking.move(appointment, start=later, by=desk["reception"])
        send()
        old = messages(kind="reminder", about_start=START)
        assert {(m.status, m.skip_reason) for m in old} == {("skipped", "moved")}
        new = messages(kind="reminder", about_start=later)
        assert [m.due_at for m in new] == [later - dt.timedelta(hours=48), later - dt.timedelta(hours=2)]
        clock.move_to(START - dt.timedelta(hours=2))
        send()
        assert all("Thu 7 Jan" in m.body for m in sms_outbox)  # nothing about the old time
        clock.move_to(later - dt.timedelta(hours=2))
        send()
    moved = [e for e in mail.outbox if "moved" in e.subject]
    assert len(moved) == 1
    assert "from Wednesday 6 January 2027 at 10:00" in moved[0].body
    event = icalendar.Calendar.from_ical(moved[0].attachments[0][1]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == later
    assert int(event["sequence"]) == 2
    assert all("Thu 7 Jan" in m.body for m in sms_outbox)
    assert len(sms_outbox) == 2


def test_a_cancelled_appointments_reminders_are_skipped(desk: dict[str, Any], patient: Any, sms_outbox: list[Any],
                                                        django_capture_on_commit_callbacks: Any) -> None:
    """Cancelled by the patient: the reminders are skipped, never sent; the cancellation is confirmed."""
    from sciatica_care.scheduling import booking

    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        with django_capture_on_commit_callbacks(execute=True):
            booking.cancel(appointment, by=None, reason="patient asked online")
        clock.move_to(START - dt.timedelta(hours=1))
        send()
    assert {(m.status, m.skip_reason) for m in messages(kind="reminder")} == {("skipped", "cancelled")}
    assert sms_outbox == []
    cancelled = [e for e in mail.outbox if "cancelled" in e.subject]
    assert len(cancelled) == 1
    assert "To book another time, call 020 7946 0000" in cancelled[0].body
    event = icalendar.Calendar.from_ical(cancelled[0].attachments[0][1]).walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED"


@pytest.mark.parametrize(("by_clinic", "says"), [
    (False, "To book another time, call 020 7946 0000."),
    (True, "The clinic will contact you about what happens next."),
])
def test_a_cancellation_by_the_front_desk_is_worded_by_whose_it_is(
        desk: dict[str, Any], patient: Any, by_clinic: bool, says: str,
        django_capture_on_commit_callbacks: Any) -> None:
    """Reception cancelling at the patient's request tells them how to rebook; the clinic's own cancellation (the
    practitioner unwell) says the clinic will be in touch. Neither gives the reason recorded."""
    from sciatica_care.scheduling import booking

    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        with django_capture_on_commit_callbacks(execute=True):
            booking.cancel(appointment, by=desk["reception"], reason="practitioner unwell", by_clinic=by_clinic)
        send()
    (email,) = [e for e in mail.outbox if "cancelled" in e.subject]
    assert says in email.body
    assert "unwell" not in email.body


def test_a_reminder_already_claimed_when_its_appointment_is_cancelled_is_not_sent(
        desk: dict[str, Any], patient: Any, sms_outbox: list[Any], django_capture_on_commit_callbacks: Any) -> None:
    """The outbox checks again at sending: a reminder queued before the cancellation reached it is skipped."""
    from sciatica_care.scheduling.models import Appointment

    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        Appointment.objects.filter(pk=appointment.pk).update(status="cancelled")  # as if no notice ran
        clock.move_to(START - dt.timedelta(hours=2))
        send()
    assert sms_outbox == []
    assert {m.skip_reason for m in messages(kind="reminder")} == {"cancelled"}


def test_a_course_stopped_by_the_clinic_is_one_message_saying_the_clinic_will_call(
        desk: dict[str, Any], patient: Any, sms_outbox: list[Any], django_capture_on_commit_callbacks: Any) -> None:
    """What is left of a course, cancelled by the clinic at once (a red flag): one message listing the dates,
    saying the clinic will contact them — never why — and one SMS when there is no email."""
    from django.db import transaction

    from sciatica_care.scheduling import booking

    patient.email = ""
    patient.save()
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            course = [book(desk, START + dt.timedelta(days=7 * week), episode=desk["episode"], via="course",
                           course_session=week + 1) for week in range(3)]
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for appointment in course:
                booking.cancel(appointment, by=desk["practitioner"], reason="red flag: cauda equina signs",
                               by_clinic=True)
        send()
    told = messages(kind="course_cancelled")
    assert len(told) == 1
    assert told[0].channel == "sms"
    (text,) = [m.body for m in sms_outbox if "cancelled" in m.body]
    assert "3 remaining appointments" in text
    assert "The clinic will contact you." in text
    assert not CLINICAL.search(text)
    assert not messages(kind="cancelled")


def test_a_course_booked_in_one_step_is_one_confirmation_with_every_session(
        desk: dict[str, Any], patient: Any, django_capture_on_commit_callbacks: Any) -> None:
    """Six sessions booked from the plan at once: one email listing them, its calendar file holding all six."""
    from django.db import transaction

    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for week in range(6):
                book(desk, START + dt.timedelta(days=7 * week), episode=desk["episode"], via="course",
                     course_session=week + 1, kind="follow_up_acupuncture")
        send()
    confirmations = [e for e in mail.outbox if "appointments at" in e.subject]
    assert len(confirmations) == 1
    assert len(mail.outbox) == 1
    assert "Your 6 appointments" in confirmations[0].subject
    events = icalendar.Calendar.from_ical(confirmations[0].attachments[0][1]).walk("VEVENT")
    assert len(events) == 6
    assert not CLINICAL.search(confirmations[0].body)


def test_a_courses_confirmation_gives_each_appointment_its_own_link_by_email_only(
        desk: dict[str, Any], patient: Any, django_capture_on_commit_callbacks: Any) -> None:
    """Each session's line carries the link that changes or cancels that one; the text message stays short."""
    from django.db import transaction

    from sciatica_care.scheduling import manage_link, message_wording
    from sciatica_care.scheduling.models import Appointment

    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for week in range(3):
                book(desk, START + dt.timedelta(days=7 * week), episode=desk["episode"], via="course",
                     course_session=week + 1, kind="follow_up_acupuncture")
        send()
    (email,) = mail.outbox
    course = list(Appointment.objects.filter(episode=desk["episode"]).order_by("start"))
    lines = email.body.splitlines()
    for appointment in course:
        at = next(i for i, line in enumerate(lines) if message_wording.when(appointment) in line)
        assert lines[at + 1].strip() == f"To change or cancel it online: {manage_link.url(appointment)}"
    assert "Or call 020 7946 0000." in email.body
    wording = message_wording.course_confirmation(course, "Ann", [manage_link.url(a) for a in course])
    assert "http" not in wording.sms


def test_staff_are_told_of_an_online_booking_without_the_patients_name(
        desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    """A stranger books the free call online: they get the confirmation; the practitioner and the front desk get
    a notice with the time and a link, and no name."""
    from sciatica_care.scheduling.models import BookingRules

    BookingRules.objects.filter(clinic=desk["clinic"]).update(front_desk_email="desk@clinic.example")
    prac = desk["practitioner"]
    prac.email = "prac@clinic.example"
    prac.save()
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            book(desk, kind="consultation_call", patient=None, by=None, via="online", prospect_name="Ben Jones",
                 prospect_email="ben@example.org")
        send()
    by_to = {e.to[0]: e for e in mail.outbox}
    assert set(by_to) == {"ben@example.org", "prac@clinic.example", "desk@clinic.example"}
    for staff in ("prac@clinic.example", "desk@clinic.example"):
        notice = by_to[staff]
        assert notice.subject.startswith("A new online booking")
        assert "Ben" not in notice.body
        assert "Jones" not in notice.body
        assert "/calendar/appointments/" in notice.body
    assert "By telephone or video" in by_to["ben@example.org"].body


def test_an_opted_out_patient_gets_reminders_by_email_or_none(desk: dict[str, Any], patient: Any,
                                                              sms_outbox: list[Any],
                                                              django_capture_on_commit_callbacks: Any) -> None:
    """Reminders stopped by text: they come by email instead; stopped by email too: queued as skipped, sent never."""
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import OptOut

    OptOut.objects.create(clinic=desk["clinic"], patient=patient, channel="sms", topic="reminders", via="test")
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            first = book(desk)
        assert {m.channel for m in messages(kind="reminder")} == {"email"}
        OptOut.objects.create(clinic=desk["clinic"], patient=patient, channel="email", topic="reminders", via="test")
        with django_capture_on_commit_callbacks(execute=True):
            booking.move(first, start=START + dt.timedelta(days=1), by=desk["reception"])
        new = messages(kind="reminder", about_start=START + dt.timedelta(days=1))
        assert {(m.status, m.skip_reason) for m in new} == {("skipped", "opted_out")}
        clock.move_to(START + dt.timedelta(days=1) - dt.timedelta(hours=1))
        send()
    assert sms_outbox == []
    assert not [e for e in mail.outbox if e.subject.startswith("Reminder")]


def test_a_task_run_twice_queues_nothing_twice(desk: dict[str, Any], patient: Any,
                                               django_capture_on_commit_callbacks: Any) -> None:
    """A notice task run again (a worker restarted) finds its messages queued already."""
    from sciatica_care.scheduling import notices
    from sciatica_care.scheduling.models import Message

    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        count = Message.objects.count()
        assert notices.tell(appointment.pk, "booked", appointment.version) == 0
    assert Message.objects.count() == count == 3  # the confirmation and two reminders


def test_missing_reminders_are_queued_by_the_periodic_job(desk: dict[str, Any], patient: Any,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    """A lost notice, or offsets changed after booking: the worker's periodic job queues what is missing."""
    from sciatica_care.scheduling import appointment_reminders
    from sciatica_care.scheduling.models import BookingRules, Message

    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        Message.objects.filter(kind="reminder").delete()
        BookingRules.objects.filter(clinic=desk["clinic"]).update(reminder_offsets_hours=[48, 24, 2])
        assert appointment_reminders.ensure_upcoming() == 0  # five days ahead: not yet
        clock.move_to(START - dt.timedelta(hours=60))
        assert appointment_reminders.ensure_upcoming() == 3
        assert appointment_reminders.ensure_upcoming() == 0
    due = sorted(m.due_at for m in messages(kind="reminder", appointment=appointment))
    assert due == [START - dt.timedelta(hours=h) for h in (48, 24, 2)]


def test_of_two_reminders_due_at_once_only_the_later_is_sent(desk: dict[str, Any], patient: Any,
                                                             sms_outbox: list[Any],
                                                             django_capture_on_commit_callbacks: Any) -> None:
    """A worker that was stopped for two days: the 48-hour reminder is superseded by the 2-hour one."""
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            book(desk)
        clock.move_to(START - dt.timedelta(hours=1))
        send()
    assert len(sms_outbox) == 1
    assert [(m.status, m.skip_reason) for m in messages(kind="reminder")] == [("skipped", "superseded"),
                                                                               ("sent", "")]


@pytest.mark.parametrize("offsets", [[48, 2], [2, 48, 48], [0, -1, 2, 48, "x", True, 10_000]])
def test_only_sensible_offsets_are_used(offsets: list[Any]) -> None:
    """The clinic's offsets: whole hours from 1 to two weeks, each once, longest first."""
    from sciatica_care.scheduling.appointment_reminders import offsets as clean

    assert clean(offsets) == [48, 2]


def test_a_red_flag_at_a_visit_tells_the_patient_once_through_the_worker(
        desk: dict[str, Any], patient: Any, settings: Any, sms_outbox: list[Any],
        django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole way: a red flag charted at a visit stops the course; the front desk cancels the patient's sessions
    and their massage one by one; their notices wait for the step to finish (django-tasks' run_after) and the
    worker's turn sends the patient one email — the clinic will contact them, no reason given."""
    from django.utils import timezone
    from django_tasks_db.management.commands import db_worker

    from sciatica_care.clinic import records
    from sciatica_care.scheduling import notices, worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)  # the test's transaction holds it
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday() + 7)
    at = [dt.datetime.combine(monday + dt.timedelta(days=7 * w), dt.time(10), tzinfo=LONDON) for w in range(3)]
    for n, start in enumerate(at):
        book(desk, start, kind="follow_up_acupuncture", episode=desk["episode"], course_session=n + 1)
    book(desk, at[0].replace(hour=14), kind="massage")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        records.chart_visit(desk["practitioner"], desk["episode"], None, {
            "red_flags_rechecked": True, "red_flags_found": ["saddle_anaesthesia"], "needling_stopped": True,
            "red_flag_advice": "now: emergency department"})
    turn = worker.Worker(once=True)
    turn.run_once()
    assert messages(kind="course_cancelled") == []  # the step is given time to finish
    with time_machine.travel(timezone.now() + notices.SETTLE + dt.timedelta(seconds=1)):
        worker.Worker(once=True).run_once()
    (told,) = messages(kind="course_cancelled")
    assert told.status == "sent"
    (email,) = [e for e in mail.outbox if "cancelled" in e.subject]
    assert "Your 4 remaining appointments" in email.body
    assert "The clinic will contact you about what happens next." in email.body
    assert not CLINICAL.search(email.body)
    assert not CLINICAL.search(email.subject)
