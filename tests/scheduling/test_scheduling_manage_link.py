"""The patient's own link to reschedule or cancel (`/book/manage/<token>/`): the token (valid, altered, revoked, the
same after a move), cancelling early and late under the clinic's policy, rescheduling to a real free time and not
inside the late window, a time taken meanwhile, a form sent twice, the throttle, and what the staff and the
patient are told. The notice task runs at once; the clock is moved with time-machine."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)  # a Friday
START = dt.datetime(2027, 1, 6, 10, tzinfo=LONDON)  # the next Wednesday, 10:00 in London
LATE = START - dt.timedelta(hours=5)  # inside the default late-cancel window
LINK = re.compile(r"https?://\S+/book/manage/[0-9a-z]+-[A-Za-z0-9_-]+/")


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any, sms_outbox: list[Any]) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def patient(desk: dict[str, Any]) -> Any:
    p = desk["patient"]
    p.email, p.phone = "ann@example.org", "07700 900123"
    p.save()
    desk["location"].phone = "020 7946 0000"
    desk["location"].save()
    desk["rules"].front_desk_email = "desk@clinic.example.org"
    desk["rules"].save()
    desk["practitioner"].email = "dr@clinic.example.org"
    desk["practitioner"].save()
    return p


def book(desk: dict[str, Any], start: dt.datetime = START, kind: str = "electroacupuncture", **kw: Any) -> Any:
    from sciatica_care.scheduling import booking

    kw.setdefault("patient", desk["patient"])
    kw.setdefault("by", desk["reception"])
    return booking.book(clinic=desk["clinic"], practitioner=kw.pop("practitioner", desk["practitioner"]),
                        service=desk["services"][kind], location=desk["location"], start=start, **kw)


def booked(desk: dict[str, Any], capture: Any, **kw: Any) -> Any:
    with time_machine.travel(NOW, tick=False), capture(execute=True):
        return book(desk, **kw)


def link_of(appointment: Any) -> str:
    from sciatica_care.scheduling import manage_link

    return reverse("booking:manage", args=[manage_link.token(appointment)])


def fresh(appointment: Any) -> Any:
    appointment.refresh_from_db()
    return appointment


def slot_near(desk: dict[str, Any], appointment: Any, day: dt.date) -> str:
    from sciatica_care.scheduling import self_service

    slots = self_service.free_slots(appointment, day=day)
    return self_service.slot_value(slots[0])


# The token.

def test_the_token_opens_its_appointment_and_is_the_same_each_time(desk: dict[str, Any], patient: Any,
                                                                   django_capture_on_commit_callbacks: Any) -> None:
    """Only a digest-shaped key id is stored; the token is made from it with the secret key, the same every time."""
    from sciatica_care.scheduling import manage_link

    appointment = booked(desk, django_capture_on_commit_callbacks)
    token = manage_link.token(appointment)
    assert manage_link.token(fresh(appointment)) == token
    assert re.fullmatch(r"[0-9a-f]{64}", appointment.manage_digest)
    assert token.split("-", 1)[1] not in appointment.manage_digest
    assert manage_link.read(token).pk == appointment.pk


@pytest.mark.parametrize("change", ["mac", "id", "cut", "junk"])
def test_an_altered_token_opens_nothing(desk: dict[str, Any], patient: Any, change: str,
                                        django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling import manage_link

    appointment = booked(desk, django_capture_on_commit_callbacks)
    other = booked(desk, django_capture_on_commit_callbacks, start=START + dt.timedelta(days=1))
    token = manage_link.token(appointment)
    manage_link.token(other)
    head, mac = token.split("-", 1)
    altered = {"mac": f"{head}-{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",
               "id": f"{manage_link._b36(other.pk)}-{mac}", "cut": token[:-3], "junk": "zz-" + "x" * 32}[change]
    assert manage_link.read(altered) is None
    with time_machine.travel(NOW, tick=False):
        r = Client().get(f"/book/manage/{altered}/")
    assert r.status_code == 404
    assert b"This link cannot be used" in r.content


def test_a_revoked_link_stops_working_and_the_new_one_works(desk: dict[str, Any], patient: Any,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling import manage_link

    appointment = booked(desk, django_capture_on_commit_callbacks)
    old = manage_link.token(appointment)
    manage_link.revoke(appointment)
    assert manage_link.read(old) is None
    new = manage_link.token(fresh(appointment))
    assert new != old
    assert manage_link.read(new).pk == appointment.pk
    with time_machine.travel(NOW, tick=False):
        assert Client().get(f"/book/manage/{old}/").status_code == 404
        assert Client().get(f"/book/manage/{new}/").status_code == 200


def test_the_confirmations_link_still_works_after_a_move(desk: dict[str, Any], patient: Any,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    """The link in the first confirmation opens the appointment after the clinic moved it; the "moved" message
    carries the same link."""
    from sciatica_care.scheduling import booking, outbox

    appointment = booked(desk, django_capture_on_commit_callbacks)
    with time_machine.travel(NOW, tick=False):
        outbox.dispatch()
        (first,) = mail.outbox
        url = LINK.search(first.body).group(0)
        with django_capture_on_commit_callbacks(execute=True):
            booking.move(appointment, start=START + dt.timedelta(days=1), by=desk["reception"])
        outbox.dispatch()
        moved = [m for m in mail.outbox if "has moved" in m.subject]
        assert moved
        assert url in moved[0].body
        page = Client().get(urlsplit(url).path)
    assert page.status_code == 200
    assert "Thursday 7 January 2027 at 10:00" in page.content.decode()
    from sciatica_care.scheduling.models import Message

    assert not Message.objects.filter(appointment=appointment, kind="staff_moved").exists()  # the clinic moved it


def test_links_go_only_with_appointments_that_may_change_and_have_a_contact(
        desk: dict[str, Any], patient: Any, django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling import booking, manage_link

    appointment = booked(desk, django_capture_on_commit_callbacks)
    assert manage_link.url(appointment).startswith("http")
    with time_machine.travel(NOW, tick=False):
        booking.cancel(appointment, by=desk["reception"], reason="patient phoned")
    assert manage_link.url(appointment) == ""
    call = booked(desk, django_capture_on_commit_callbacks, kind="consultation_call", patient=None,
                  prospect_name="Bo Lee", start=START + dt.timedelta(days=1))
    assert manage_link.url(call) == ""
    call.prospect_email = "bo@example.org"
    assert manage_link.url(call).startswith("http")


def test_reminders_carry_the_link(desk: dict[str, Any], patient: Any,
                                  django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling.models import Message

    appointment = booked(desk, django_capture_on_commit_callbacks)
    reminders = Message.objects.filter(appointment=appointment, kind="reminder")
    assert reminders.exists()
    # text messages stay short (no link); an email reminder carries it
    patient.phone = ""
    patient.save()
    from sciatica_care.scheduling import appointment_reminders

    (first, *_) = appointment_reminders.outgoing(fresh(appointment), NOW)
    assert LINK.search(first.body)


# Cancelling.

def test_cancelling_early_is_a_plain_cancellation(desk: dict[str, Any], patient: Any,
                                                  django_capture_on_commit_callbacks: Any) -> None:
    """Days ahead: cancelled (not late), the staff told, audited with no actor, via the link."""
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import Message

    appointment = booked(desk, django_capture_on_commit_callbacks)
    url = link_of(appointment)
    client = Client()
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"{url}cancel/").content.decode()
        assert "late cancellation" not in page.split("<form")[0].split("</dl>")[1]
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(f"{url}cancel/", {"version": appointment.version, "reason": "away that week"})
    assert r.status_code == 200
    assert "Your appointment is cancelled." in r.content.decode()
    assert fresh(appointment).status == "cancelled"
    assert appointment.cancelled_by_id is None
    assert appointment.cancel_reason == "away that week"
    event = AuditEvent.objects.get(action="self_cancel_appointment", object_id=appointment.pk)
    assert event.actor_id is None
    assert event.detail["via"] == "manage link"
    staff = Message.objects.filter(appointment=appointment, kind="staff_cancelled")
    assert {m.to_address for m in staff} == {"dr@clinic.example.org", "desk@clinic.example.org"}


def test_cancelling_late_warns_first_and_is_recorded_late(desk: dict[str, Any], patient: Any,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    appointment = booked(desk, django_capture_on_commit_callbacks)
    url = link_of(appointment)
    client = Client()
    with time_machine.travel(LATE, tick=False):
        page = client.get(f"{url}cancel/").content.decode()
        assert "This is a late cancellation" in page
        assert "020 7946 0000" in page
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(f"{url}cancel/", {"version": appointment.version, "warned": "late"})
    assert r.status_code == 200
    assert "recorded as a late cancellation" in r.content.decode()
    assert fresh(appointment).status == "late_cancelled"


def test_a_late_cancellation_the_page_did_not_warn_of_is_asked_again(desk: dict[str, Any], patient: Any,
                                                                     django_capture_on_commit_callbacks: Any) -> None:
    """The page was opened before the window began and sent inside it: nothing is cancelled, the warning shown."""
    appointment = booked(desk, django_capture_on_commit_callbacks)
    url = link_of(appointment)
    with time_machine.travel(LATE, tick=False):
        r = Client().post(f"{url}cancel/", {"version": appointment.version})
    assert r.status_code == 409
    assert "This is a late cancellation" in r.content.decode()
    assert fresh(appointment).status == "booked"


def test_a_request_awaiting_approval_can_be_cancelled_and_never_late(desk: dict[str, Any], patient: Any,
                                                                     django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling.models import Appointment

    appointment = booked(desk, django_capture_on_commit_callbacks)
    Appointment.objects.filter(pk=appointment.pk).update(status="requested")
    url = link_of(fresh(appointment))
    with time_machine.travel(LATE, tick=False):
        move = Client().get(f"{url}reschedule/").content.decode()
        assert "not confirmed it yet" in move
        r = Client().post(f"{url}cancel/", {"version": appointment.version})
    assert r.status_code == 200
    assert fresh(appointment).status == "cancelled"


def test_a_cancelled_or_past_appointment_says_so(desk: dict[str, Any], patient: Any,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    appointment = booked(desk, django_capture_on_commit_callbacks)
    url = link_of(appointment)
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        page = Client().get(url).content.decode()
        assert "in the past" in page
        r = Client().post(f"{url}cancel/", {"version": appointment.version})
        assert "in the past" in r.content.decode()
    assert fresh(appointment).status == "booked"
    with time_machine.travel(NOW, tick=False):
        Client().post(f"{url}cancel/", {"version": appointment.version})
        page = Client().get(url).content.decode()
    assert "This appointment is cancelled" in page


def test_a_cancellation_sent_twice_cancels_once(desk: dict[str, Any], patient: Any,
                                                django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent

    appointment = booked(desk, django_capture_on_commit_callbacks)
    url = link_of(appointment)
    form = {"version": appointment.version, "reason": "first"}
    with time_machine.travel(NOW, tick=False):
        assert Client().post(f"{url}cancel/", form).status_code == 200
        again = Client().post(f"{url}cancel/", {**form, "reason": "second"})
    assert again.status_code == 200  # shown as it is now: cancelled, nothing more to do
    assert "This appointment is cancelled" in again.content.decode()
    assert fresh(appointment).cancel_reason == "first"
    assert AuditEvent.objects.filter(action="cancel_appointment", object_id=appointment.pk).count() == 1


# Rescheduling.

def test_rescheduling_inside_the_window_is_refused_with_the_clinics_phone(
        desk: dict[str, Any], patient: Any, django_capture_on_commit_callbacks: Any) -> None:
    appointment = booked(desk, django_capture_on_commit_callbacks)
    url = link_of(appointment)
    with time_machine.travel(NOW, tick=False):
        slot = slot_near(desk, appointment, dt.date(2027, 1, 11))
    with time_machine.travel(LATE, tick=False):
        page = Client().get(f"{url}reschedule/").content.decode()
        assert "please call the clinic on 020 7946 0000" in page
        assert 'name="start"' not in page
        Client().post(f"{url}reschedule/", {"version": appointment.version, "start": slot})
    assert fresh(appointment).start == START


def test_rescheduling_to_a_free_time_moves_it_and_remakes_the_reminders(
        desk: dict[str, Any], patient: Any, django_capture_on_commit_callbacks: Any) -> None:
    """The free times are the real ones; the move is the booking service's (policy applied); the old reminders
    are skipped, new ones queued, the patient and the staff told; audited via the link."""
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import Message

    appointment = booked(desk, django_capture_on_commit_callbacks)
    url = link_of(appointment)
    with time_machine.travel(NOW, tick=False):
        page = Client().get(f"{url}reschedule/?day=2027-01-11").content.decode()
        assert "Monday 11 January" in page
        slot = re.search(r'name="start" value="([^"]+)"', page).group(1)
        with django_capture_on_commit_callbacks(execute=True):
            r = Client().post(f"{url}reschedule/?day=2027-01-11", {"version": appointment.version, "start": slot})
    assert r.status_code == 200, r.content.decode()
    assert "Your appointment has moved to Monday 11 January 2027 at 09:00" in r.content.decode()
    assert fresh(appointment).start == dt.datetime(2027, 1, 11, 9, tzinfo=LONDON)
    reminders = Message.objects.filter(appointment=appointment, kind="reminder")
    assert {m.status for m in reminders if m.about_start == START} == {"skipped"}
    assert {m.due_at for m in reminders if m.about_start == appointment.start} == {
        appointment.start - dt.timedelta(hours=48), appointment.start - dt.timedelta(hours=2)}
    assert Message.objects.filter(appointment=appointment, kind="moved").exists()
    staff = Message.objects.filter(appointment=appointment, kind="staff_moved")
    assert {m.to_address for m in staff} == {"dr@clinic.example.org", "desk@clinic.example.org"}
    event = AuditEvent.objects.get(action="self_move_appointment", object_id=appointment.pk)
    assert event.actor_id is None
    assert event.detail["via"] == "manage link"


def test_the_staff_email_about_the_patients_own_move_gives_the_old_time_and_the_new(
        desk: dict[str, Any], patient: Any, django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling.models import Message

    appointment = booked(desk, django_capture_on_commit_callbacks)
    url = link_of(appointment)
    with time_machine.travel(NOW, tick=False):
        page = Client().get(f"{url}reschedule/?day=2027-01-11").content.decode()
        slot = re.search(r'name="start" value="([^"]+)"', page).group(1)
        with django_capture_on_commit_callbacks(execute=True):
            Client().post(f"{url}reschedule/?day=2027-01-11", {"version": appointment.version, "start": slot})
    staff = list(Message.objects.filter(appointment=appointment, kind="staff_moved"))
    assert len(staff) == 2
    for message in staff:
        assert "  Was: Wednesday 6 January 2027 at 10:00\n  Now: Monday 11 January 2027 at 09:00\n" in message.body
        assert patient.last_name not in message.body


def test_a_time_taken_meanwhile_is_said_kindly_and_the_times_shown_again(
        desk: dict[str, Any], patient: Any, django_capture_on_commit_callbacks: Any) -> None:
    appointment = booked(desk, django_capture_on_commit_callbacks)
    url = link_of(appointment)
    with time_machine.travel(NOW, tick=False):
        slot = slot_near(desk, appointment, dt.date(2027, 1, 11))
        book(desk, start=dt.datetime(2027, 1, 11, 9, tzinfo=LONDON), patient=desk["patient"])
        r = Client().post(f"{url}reschedule/?day=2027-01-11", {"version": appointment.version, "start": slot})
    assert r.status_code == 409
    body = r.content.decode()
    assert "that time has just been taken" in body
    assert 'name="start"' in body
    assert slot not in body
    assert fresh(appointment).start == START


def test_a_time_that_breaks_the_clinics_notice_is_refused(desk: dict[str, Any], patient: Any,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    """A crafted time an hour away (the clinic needs twelve hours' notice) is not one of the free times: refused."""
    from sciatica_care.scheduling import self_service

    appointment = booked(desk, django_capture_on_commit_callbacks, start=START + dt.timedelta(days=7))
    soon = dt.datetime(2027, 1, 4, 10, tzinfo=LONDON)  # Monday, within working hours
    with time_machine.travel(soon - dt.timedelta(hours=1), tick=False):
        value = f"{desk['practitioner'].pk}@{soon.astimezone(dt.UTC):%Y-%m-%dT%H:%MZ}"
        with pytest.raises(self_service.SlotTaken):
            self_service.move(appointment, slot=value, via="manage link")
        r = Client().post(f"{link_of(appointment)}reschedule/", {"version": appointment.version, "start": value})
    assert r.status_code == 409
    assert fresh(appointment).start == START + dt.timedelta(days=7)


def test_a_move_sent_twice_moves_once(desk: dict[str, Any], patient: Any,
                                      django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent

    appointment = booked(desk, django_capture_on_commit_callbacks)
    url = link_of(appointment)
    with time_machine.travel(NOW, tick=False):
        from sciatica_care.scheduling import self_service

        slots = self_service.free_slots(appointment, day=dt.date(2027, 1, 11))
        first, second = (self_service.slot_value(s) for s in slots[:2])
        assert Client().post(f"{url}reschedule/?day=2027-01-11",
                             {"version": appointment.version, "start": first}).status_code == 200
        again = Client().post(f"{url}reschedule/?day=2027-01-11", {"version": appointment.version, "start": second})
    assert again.status_code in (400, 409)
    assert fresh(appointment).start == dt.datetime(2027, 1, 11, 9, tzinfo=LONDON)
    assert AuditEvent.objects.filter(action="move_appointment", object_id=appointment.pk).count() == 1


# The throttle.

def test_guessing_links_is_throttled_per_address(desk: dict[str, Any], patient: Any, settings: Any,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    """After the limit of unknown tokens from one address every link is refused there (a valid one too: 429);
    another address is unaffected; the questionnaire links' count is apart."""
    from sciatica_care.clinic import throttle

    settings.QUESTIONNAIRE_LINK_FAILURE_LIMIT = 3
    appointment = booked(desk, django_capture_on_commit_callbacks)
    url = link_of(appointment)
    with time_machine.travel(NOW, tick=False):
        client = Client(REMOTE_ADDR="203.0.113.9")
        for n in range(3):
            assert client.get(f"/book/manage/{n}-{'x' * 32}/").status_code == 404
        assert client.get(url).status_code == 429
        assert Client(REMOTE_ADDR="203.0.113.10").get(url).status_code == 200
    assert not throttle.link_locked("203.0.113.9")


# The forms, fuzzed.

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.fixed_dictionaries({}, optional={"reason": TEXT, "version": TEXT | st.integers().map(str),
                                                "start": TEXT, "warned": TEXT, "day": TEXT, "anyone": TEXT}),
       page=st.sampled_from(["cancel/", "reschedule/", "reschedule/?day=2027-13-45", "reschedule/?day=9999-12-31",
                             "reschedule/?day=0001-01-01&anyone=on", ""]))
def test_the_forms_never_fail_and_name_the_field(desk: dict[str, Any], patient: Any, form: dict[str, str],
                                                 page: str, django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling.models import Appointment

    appointment = Appointment.objects.filter(patient=patient).first() or booked(
        desk, django_capture_on_commit_callbacks)
    with time_machine.travel(NOW, tick=False):
        r = Client().post(f"{link_of(appointment)}{page}", form)
    assert r.status_code < 500
    if r.status_code == 400:
        body = r.content.decode()
        assert any(name in body for name in ("Reason", "New time", "out of date", "From")), body


def test_a_requests_message_carries_the_link_that_cancels_it(desk: dict[str, Any], patient: Any,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    """An online request awaiting approval: "we have your request" carries the link; it cancels (never late)."""
    from sciatica_care.scheduling.models import Message

    desk["rules"].approve_new_patients = True
    desk["rules"].save()
    request = booked(desk, django_capture_on_commit_callbacks, kind="initial_assessment", patient=None, by=None,
                     via="online", prospect_name="Bo Lee", prospect_email="bo@example.org")
    assert request.status == "requested"
    body = Message.objects.get(appointment=request, kind="request_received").body
    url = urlsplit(LINK.search(body).group(0)).path
    with time_machine.travel(NOW, tick=False):
        assert Client().post(f"{url}cancel/", {"version": request.version}).status_code == 200
    assert fresh(request).status == "cancelled"



# The front desk stops the link.

def stop_form_token(client: Client, appointment: Any) -> str:
    """The one-time token of the "Stop the patient's link" form on the appointment's page."""
    html = client.get(reverse("scheduling:appointment", args=[appointment.pk])).content.decode()
    found = re.search(r'action="[^"]*/stop-link/".*?name="submission_token" value="([^"]+)"', html, re.S)
    assert found, "no stop-link form on the appointment's page"
    return found.group(1)


def stop(client: Client, appointment: Any) -> Any:
    return client.post(reverse("scheduling:appointment_stop_link", args=[appointment.pk]),
                       {"submission_token": stop_form_token(client, appointment)})


def test_reception_stops_the_link_and_waiting_messages_carry_the_new_one(
        desk: dict[str, Any], patient: Any, login: Any, django_capture_on_commit_callbacks: Any) -> None:
    """The patient says someone else has their email: reception stops the link. The old one opens the unknown-link
    page; the reminders (and the confirmation, with its calendar file) still waiting in the outbox carry the new
    link, not the dead one; the next message made carries it too; audited."""
    import icalendar

    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling import booking, manage_link
    from sciatica_care.scheduling.models import Message

    patient.phone = ""  # reminders by email, with the link
    patient.save()
    appointment = booked(desk, django_capture_on_commit_callbacks)
    old = manage_link.token(appointment)
    waiting = Message.objects.filter(appointment=appointment, status="queued")
    assert {m.kind for m in waiting} == {"confirmation", "reminder"}
    assert all(old in m.body for m in waiting)

    r = stop(login(desk["reception"]), appointment)
    assert r.status_code == 302
    new = manage_link.token(fresh(appointment))
    assert new != old
    assert manage_link.read(old) is None
    with time_machine.travel(NOW, tick=False):
        gone = Client().get(f"/book/manage/{old}/")
        assert gone.status_code == 404
        assert b"This link cannot be used" in gone.content
        assert Client().get(f"/book/manage/{new}/").status_code == 200
    for m in waiting.all():
        assert old not in m.body, m.kind
        assert new in m.body, m.kind
        for a in m.attachments:
            assert old not in a["text"].replace("\r\n ", "")
    calendar = waiting.get(kind="confirmation").attachments[0]["text"]
    (event,) = icalendar.Calendar.from_ical(calendar).walk("VEVENT")
    assert new in str(event["url"])
    assert new in str(event["description"])
    event = AuditEvent.objects.get(action="manage_link_stopped", object_id=appointment.pk)
    assert event.actor_id == desk["reception"].pk
    assert event.patient_id == patient.pk

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        booking.move(fresh(appointment), start=START + dt.timedelta(days=5), by=desk["reception"],
                     apply_policy=False, override_reason="test")
    moved = Message.objects.get(appointment=appointment, kind="moved")
    assert new in moved.body
    assert old not in moved.body


def test_a_message_already_sent_is_left_as_it_was(desk: dict[str, Any], patient: Any, login: Any,
                                                  django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling import manage_link, outbox
    from sciatica_care.scheduling.models import Message

    patient.phone = ""
    patient.save()
    appointment = booked(desk, django_capture_on_commit_callbacks)
    old = manage_link.token(appointment)
    with time_machine.travel(NOW, tick=False):
        outbox.dispatch()
    sent = Message.objects.get(appointment=appointment, kind="confirmation")
    assert sent.status == "sent"
    assert stop(login(desk["reception"]), appointment).status_code == 302
    sent.refresh_from_db()
    assert old in sent.body


def test_no_link_sent_no_button_and_nothing_to_stop(desk: dict[str, Any], login: Any,
                                                    django_capture_on_commit_callbacks: Any) -> None:
    """A patient with no email or phone gets no link: the page offers no "Stop", and a POST says so."""
    from sciatica_care.clinic.models import AuditEvent

    appointment = booked(desk, django_capture_on_commit_callbacks)
    assert fresh(appointment).manage_digest == ""
    client = login(desk["reception"])
    assert "stop-link" not in client.get(reverse("scheduling:appointment", args=[appointment.pk])).content.decode()
    r = client.post(reverse("scheduling:appointment_stop_link", args=[appointment.pk]), follow=True)
    assert "there is none to stop" in r.content.decode()
    assert fresh(appointment).manage_digest == ""
    assert not AuditEvent.objects.filter(action="manage_link_stopped").exists()


@pytest.mark.parametrize("role", ["practitioner", "clinic_admin"])
def test_the_practitioner_and_the_admin_may_stop_it_too(desk: dict[str, Any], patient: Any, login: Any, role: str,
                                                        world: dict[str, Any],
                                                        django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling import manage_link

    appointment = booked(desk, django_capture_on_commit_callbacks)
    old = manage_link.token(appointment)
    assert stop(login(world["a"][role]), appointment).status_code == 302
    assert manage_link.read(old) is None


def test_only_those_who_may_act_on_the_appointment_stop_its_link(
        desk: dict[str, Any], patient: Any, login: Any, world: dict[str, Any], make_staff: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    """A colleague practitioner where the clinic keeps colleagues' appointments apart (403), another clinic's
    reception (404), a GET (405): the link still works."""
    from sciatica_care.clinic.models import AuditEvent, Role
    from sciatica_care.scheduling import manage_link

    appointment = booked(desk, django_capture_on_commit_callbacks)
    old = manage_link.token(appointment)
    url = reverse("scheduling:appointment_stop_link", args=[appointment.pk])
    desk["rules"].practitioners_see_colleagues = False
    desk["rules"].save()
    colleague = make_staff(desk["clinic"], Role.PRACTITIONER, "prac_a2")
    assert login(colleague).post(url).status_code == 403
    assert login(world["b"]["reception"]).post(url).status_code == 404
    assert login(desk["reception"]).get(url).status_code == 405
    assert manage_link.read(old).pk == appointment.pk
    assert not AuditEvent.objects.filter(action="manage_link_stopped").exists()


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.from_regex(r"\A[0-9a-z]{1,20}-[A-Za-z0-9_-]{28,36}\Z") | TEXT)
@example("z" * 12 + "-" + "a" * 32)
@example("z" * 13 + "-" + "a" * 32)
def test_no_token_makes_the_lookup_fail(db: Any, value: str) -> None:
    """Any text, an id too long for the database among them, is read as no appointment, never an error."""
    from sciatica_care.scheduling import manage_link

    assert manage_link.read(value) is None
