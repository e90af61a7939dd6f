"""The outbox: a message is queued once per dedupe key and sent exactly once, in-process (locmem email and SMS).

The real worker killed mid-batch is in test_scheduling_worker_crash.py."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 1, 4, 8, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _locmem_sms(sms_outbox: list[Any]) -> None:
    """Text messages in memory for every test here."""


def outgoing(clinic: Any, **values: Any) -> Any:
    from sciatica_care.scheduling.outbox import Outgoing

    fields = {"clinic_id": clinic.pk, "channel": "email", "to": "ann@example.org", "body": "Hello",
              "subject": "Hi", "dedupe_key": f"test:{uuid.uuid4().hex}", "kind": "test", "topic": "appointments"}
    return Outgoing(**(fields | values))


def queue(clinic: Any, **values: Any) -> Any:
    from sciatica_care.scheduling import outbox

    return outbox.queue(outgoing(clinic, **values))


def dispatch(**kw: Any) -> Any:
    from sciatica_care.scheduling import outbox

    return outbox.dispatch(**kw)


def status(message: Any) -> str:
    message.refresh_from_db()
    return str(message.status)


def test_queue_is_idempotent_on_the_dedupe_key(world: dict[str, Any]) -> None:
    """A second queue() with the same key returns the first row, unchanged, and stores nothing new."""
    from sciatica_care.scheduling.models import Message

    clinic = world["a"]["clinic"]
    first = queue(clinic, dedupe_key="appt:1:booked:v1", body="first")
    again = queue(clinic, dedupe_key="appt:1:booked:v1", body="second")
    assert again.pk == first.pk
    assert Message.objects.filter(dedupe_key="appt:1:booked:v1").count() == 1
    assert Message.objects.get(pk=first.pk).body == "first"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.lists(st.text(alphabet="abc:1", min_size=1, max_size=5), min_size=1, max_size=12),
       address=st.text(max_size=40))
def test_any_run_of_queues_stores_one_row_per_key(world: dict[str, Any], keys: list[str], address: str) -> None:
    """Whatever the keys (repeated or not) and the address (good, bad or empty), one row a distinct key, and a
    message with an unusable address is stored skipped, never sent."""
    from sciatica_care.scheduling.models import Message

    clinic = world["a"]["clinic"]
    prefix = uuid.uuid4().hex
    for key in keys:
        queue(clinic, dedupe_key=f"{prefix}{key}", to=address)
    rows = Message.objects.filter(dedupe_key__startswith=prefix)
    assert sorted(rows.values_list("dedupe_key", flat=True)) == sorted({f"{prefix}{k}" for k in keys})
    assert all(m.status in ("queued", "skipped") and (m.status == "queued") == (not m.skip_reason) for m in rows)


@pytest.mark.parametrize(("channel", "to", "reason"), [
    ("email", "", "no_address"), ("email", "not an address", "bad_address"), ("sms", "", "no_address"),
    ("sms", "call me", "bad_address"), ("sms", "12", "bad_address"),
])
def test_an_unusable_address_is_recorded_as_skipped(world: dict[str, Any], channel: str, to: str,
                                                    reason: str) -> None:
    """A message that cannot be sent is kept, skipped, with the reason — the staff see the patient was not told."""
    m = queue(world["a"]["clinic"], channel=channel, to=to)
    assert (m.status, m.skip_reason) == ("skipped", reason)


def test_dispatch_sends_what_is_due_once_and_audits_each(world: dict[str, Any], sms_outbox: list[Any]) -> None:
    """Due messages go out once each (email and SMS), are marked sent, and their batch is audited (which messages,
    to which patients); later ones wait."""
    from sciatica_care.clinic.models import AuditEvent

    clinic = world["a"]["clinic"]
    patient = world["a"]["patient"]
    with time_machine.travel(NOW, tick=False):
        emails = [queue(clinic, patient_id=patient.pk) for _ in range(3)]
        text = queue(clinic, channel="sms", to="+44 7700 900123", body="Reminder")
        later = queue(clinic, due_at=NOW + dt.timedelta(hours=1))
        report = dispatch()
        assert (report.sent, report.skipped, report.failed) == (4, 0, 0)
        assert dispatch().handled == 0
    assert len(mail.outbox) == 3
    assert [(m.to, m.body) for m in sms_outbox] == [("+447700900123", "Reminder")]
    assert [status(m) for m in [*emails, text, later]] == ["sent"] * 4 + ["queued"]
    (event,) = AuditEvent.objects.filter(action="send_messages")
    assert sorted(event.detail["messages"]) == sorted(m.pk for m in [*emails, text])
    assert event.detail["ids"] == [patient.pk]
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        assert dispatch().sent == 1
    assert status(later) == "sent"


def test_the_email_is_named_by_its_dedupe_key_and_carries_its_attachment(world: dict[str, Any]) -> None:
    """Every attempt at one message has the same Message-ID (from the dedupe key), the unsubscribe headers and the
    attached calendar file."""
    from sciatica_care.scheduling.delivery import message_id
    from sciatica_care.scheduling.outbox import Attachment

    m = queue(world["a"]["clinic"], dedupe_key="appt:7:booked:v1", unsubscribe_url="http://x/unsub/abc/",
              attachments=(Attachment("appointment-7.ics", "text/calendar; charset=utf-8", "BEGIN:VCALENDAR"),))
    dispatch()
    (email,) = mail.outbox
    assert email.extra_headers["Message-ID"] == message_id(m)
    assert m.reference in email.extra_headers["Message-ID"]
    assert email.extra_headers["List-Unsubscribe"] == "<http://x/unsub/abc/>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.attachments[0][0] == "appointment-7.ics"
    m.refresh_from_db()
    assert m.provider_id == message_id(m)


def test_a_failed_send_is_tried_again_later_then_given_up(world: dict[str, Any], settings: Any) -> None:
    """A provider that is down: the message waits and is tried again (in doubt: it may have arrived); after the last
    attempt it is marked failed, and that is audited."""
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling import outbox

    settings.SCIATICA_CARE_SMS_BACKEND = "outbox_test_backends.DownSms"
    with time_machine.travel(NOW, tick=False) as clock:
        m = queue(world["a"]["clinic"], channel="sms", to="07700900123")
        assert dispatch().retried == 1
        m.refresh_from_db()
        assert (m.status, m.in_doubt, m.attempts, m.last_error) == ("queued", True, 1, "ConnectionRefusedError")
        assert m.due_at == NOW + outbox.BACKOFF[0]
        for _ in range(outbox.MAX_ATTEMPTS - 1):
            clock.move_to(due_of(m))
            dispatch()
    assert status(m) == "failed"
    assert AuditEvent.objects.filter(action="message_failed", object_id=m.pk).count() == 1


def due_of(m: Any) -> dt.datetime:
    m.refresh_from_db()
    return m.due_at  # type: ignore[no-any-return]


def test_a_refused_message_fails_at_once(world: dict[str, Any], settings: Any) -> None:
    """A provider that refuses the number for good: failed after one attempt, not retried."""
    settings.SCIATICA_CARE_SMS_BACKEND = "outbox_test_backends.RefusingSms"
    m = queue(world["a"]["clinic"], channel="sms", to="07700900123")
    assert dispatch().failed == 1
    m.refresh_from_db()
    assert (m.status, m.attempts, m.last_error) == ("failed", 1, "SmsRefused")


def claim(size: int = 100, when: dt.datetime | None = None) -> Any:
    """What a worker holds after claiming a batch — and then dying before sending anything more."""
    from sciatica_care.scheduling.outbox import _Batch

    return _Batch(size, when or dt.datetime.now(dt.UTC))


def test_a_dead_workers_claim_comes_back_with_only_its_first_message_in_doubt(world: dict[str, Any],
                                                                              settings: Any) -> None:
    """After the lease, a dead worker's messages go back to the queue. With a provider that cannot tell what it
    holds (here the console), each outcome was committed before the next send, so only the first unrecorded message
    can have reached it: only that one is in doubt, and the others' unspent attempt is not counted."""
    from sciatica_care.scheduling import outbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    clinic = world["a"]["clinic"]
    with time_machine.travel(NOW, tick=False):
        messages = [queue(clinic) for _ in range(4)]
        held = claim()
        assert [status(m) for m in messages] == ["sending"] * 4
        assert outbox.recover() == 0  # the lease still runs
    with time_machine.travel(NOW + dt.timedelta(seconds=settings.SCIATICA_CARE_OUTBOX_LEASE_SECONDS + 1), tick=False):
        assert outbox.recover() == 4
    rows = [(m.status, m.in_doubt, m.attempts, m.claim) for m in (m.__class__.objects.get(pk=m.pk) for m in messages)]
    assert rows == [("queued", True, 1, ""), *[("queued", False, 0, "")] * 3]
    assert held.messages[0].pk == messages[0].pk


def test_with_a_provider_that_can_tell_a_dead_claim_is_all_in_doubt(world: dict[str, Any], settings: Any) -> None:
    """With providers that can tell (locmem), outcomes were committed in groups, so every unrecorded message of a
    dead claim is in doubt — each is looked up before it is sent. A text message (an SMS provider that cannot tell)
    ends the doubt: what comes after it in the batch was certainly not sent."""
    from sciatica_care.scheduling import outbox

    settings.SCIATICA_CARE_SMS_BACKEND = "console"
    clinic = world["a"]["clinic"]
    with time_machine.travel(NOW, tick=False):
        messages = [queue(clinic), queue(clinic), queue(clinic, channel="sms", to="07700900123"), queue(clinic)]
        claim()
    with time_machine.travel(NOW + dt.timedelta(seconds=settings.SCIATICA_CARE_OUTBOX_LEASE_SECONDS + 1), tick=False):
        assert outbox.recover() == 4
    assert [m.__class__.objects.get(pk=m.pk).in_doubt for m in messages] == [True, True, True, False]


def test_an_in_doubt_message_the_provider_already_has_is_not_sent_again(world: dict[str, Any],
                                                                        settings: Any) -> None:
    """The worker died after the provider accepted its first message and before recording it: the next worker
    asks the provider (here locmem, which can tell) and records it sent without sending it again."""
    from sciatica_care.scheduling.delivery import Courier

    clinic = world["a"]["clinic"]
    with time_machine.travel(NOW, tick=False):
        messages = [queue(clinic, to=f"p{n}@example.org") for n in range(3)]
        held = claim()
        Courier().send(held.messages[0])  # accepted by the provider; then the worker is killed
    with time_machine.travel(NOW + dt.timedelta(seconds=settings.SCIATICA_CARE_OUTBOX_LEASE_SECONDS + 1), tick=False):
        report = dispatch()
    assert (report.recovered, report.sent) == (3, 3)
    assert sorted(e.to[0] for e in mail.outbox) == ["p0@example.org", "p1@example.org", "p2@example.org"]
    assert [status(m) for m in messages] == ["sent"] * 3
    assert not any(m.__class__.objects.get(pk=m.pk).possible_duplicate for m in messages)


def test_an_in_doubt_message_the_provider_cannot_check_is_sent_again_and_marked(world: dict[str, Any],
                                                                                settings: Any) -> None:
    """A provider that cannot say (the console, SMTP): the in-doubt message is sent again with the same name and
    marked as a possible duplicate; the others of the dead claim are not."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    clinic = world["a"]["clinic"]
    with time_machine.travel(NOW, tick=False):
        messages = [queue(clinic) for _ in range(2)]
        claim()
    with time_machine.travel(NOW + dt.timedelta(seconds=settings.SCIATICA_CARE_OUTBOX_LEASE_SECONDS + 1), tick=False):
        assert dispatch().sent == 2
    flags = [m.__class__.objects.get(pk=m.pk).possible_duplicate for m in messages]
    assert flags == [True, False]


def test_a_stalled_worker_whose_claim_was_taken_over_sends_nothing_more(world: dict[str, Any],
                                                                        settings: Any) -> None:
    """A worker frozen past its lease: another has taken its messages and sent them; when it wakes it finds its
    claim gone before its next send, and stops — each message went out once."""
    from sciatica_care.scheduling.delivery import Courier
    from sciatica_care.scheduling.outbox import Report

    clinic = world["a"]["clinic"]
    with time_machine.travel(NOW, tick=False):
        messages = [queue(clinic) for _ in range(3)]
        stalled = claim()
    late = NOW + dt.timedelta(seconds=settings.SCIATICA_CARE_OUTBOX_LEASE_SECONDS + 1)
    with time_machine.travel(late, tick=False):
        assert dispatch().sent == 3
        report = Report()
        stalled.run(Courier(), report, lambda: False, lambda: late)
    assert report.handled == 0
    assert len(mail.outbox) == 3
    assert [status(m) for m in messages] == ["sent"] * 3


def test_stopping_gives_back_what_was_claimed_but_not_sent(world: dict[str, Any]) -> None:
    """A worker asked to stop finishes the message in hand and returns the rest of its batch to the queue at once
    (no lease to wait out, no attempt counted)."""
    from sciatica_care.scheduling.models import Message

    clinic = world["a"]["clinic"]
    for _ in range(5):
        queue(clinic)
    report = dispatch(stop=lambda: len(mail.outbox) >= 2)
    assert report.sent == 2
    counts = dict(Message.objects.values_list("status").annotate(n=Count("id")))
    assert counts == {"sent": 2, "queued": 3}
    assert set(Message.objects.filter(status="queued").values_list("attempts", "claim")) == {(0, "")}


def test_a_message_opted_out_after_it_was_queued_is_skipped(world: dict[str, Any]) -> None:
    """The patient opts out of reminders by text after one was queued: it is skipped, not sent."""
    from sciatica_care.scheduling.models import OptOut

    clinic, patient = world["a"]["clinic"], world["a"]["patient"]
    m = queue(clinic, channel="sms", to="07700900123", topic="reminders", patient_id=patient.pk)
    OptOut.objects.create(clinic=clinic, patient=patient, channel="sms", topic="reminders", via="test")
    assert dispatch().skipped == 1
    m.refresh_from_db()
    assert (m.status, m.skip_reason) == ("skipped", "opted_out")


def test_a_message_to_someone_opted_out_is_stored_skipped(world: dict[str, Any]) -> None:
    """Queued for an address that opted out (a prospective patient): recorded as skipped, never sent."""
    from sciatica_care.scheduling.models import OptOut

    clinic = world["a"]["clinic"]
    OptOut.objects.create(clinic=clinic, address="ann@example.org", channel="email", topic="reminders", via="test")
    m = queue(clinic, topic="reminders")
    assert (m.status, m.skip_reason) == ("skipped", "opted_out")
    assert queue(clinic, topic="appointments").status == "queued"
