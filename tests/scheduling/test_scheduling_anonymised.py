"""Anonymising a patient clears what the front desk keeps of who they are, in the same transaction: the messages'
addresses and wording (a queued one is never sent), the notes on their appointments, their opt-outs' addresses and
their waitlist place. The appointments themselves stay with the clinical record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

SOON = dt.datetime(2031, 3, 3, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _locmem_sms(sms_outbox: list[Any]) -> None:
    """Text messages in memory."""


def _queue(clinic: Any, patient: Any, key: str) -> Any:
    from sciatica_care.scheduling import outbox
    from sciatica_care.scheduling.outbox import Attachment, Outgoing

    return outbox.queue(Outgoing(clinic_id=clinic.pk, channel="email", to=patient.email or "ann@example.org",
                                 body=f"Dear {patient.first_name}, see you soon", subject="Your appointment",
                                 dedupe_key=key, kind="confirmation", topic="appointments", patient_id=patient.pk,
                                 attachments=(Attachment("a.ics", "text/calendar", "SUMMARY:Visit"),)))


def test_anonymising_clears_the_front_desks_copy_of_the_patient(desk: dict[str, Any],
                                                                 world: dict[str, Any]) -> None:
    from sciatica_care.clinic import anonymise
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling import booking, outbox
    from sciatica_care.scheduling.anonymised import CLEARED_BODY
    from sciatica_care.scheduling.models import Message, OptOut, WaitlistEntry

    patient, clinic = desk["patient"], desk["clinic"]
    appointment = booking.book(clinic=clinic, practitioner=desk["practitioner"],
                               service=desk["services"]["massage"], location=desk["location"], start=SOON,
                               by=desk["reception"], patient=patient, front_desk_note="Ring Ann's daughter first",
                               now=SOON - dt.timedelta(days=3))
    sent = _queue(clinic, patient, "anon:sent")
    outbox.dispatch()
    assert len(mail.outbox) == 1
    queued = _queue(clinic, patient, "anon:queued")
    OptOut.objects.create(clinic=clinic, patient=patient, address="ann@example.org", channel="sms",
                          topic="reminders", via="staff")
    entry = WaitlistEntry.objects.create(clinic=clinic, patient=patient, service=desk["services"]["massage"],
                                         earliest=SOON.date(), latest=SOON.date())
    patient.refresh_from_db()

    anonymise.anonymise(world["a"]["clinic_admin"], patient, patient.version, legal_reason="Erasure requested "
                        "under the law, confirmed by the data protection officer")

    for message in Message.objects.filter(pk__in=[sent.pk, queued.pk]):
        assert (message.to_address, message.subject, message.body, message.attachments) == ("", "", CLEARED_BODY,
                                                                                           [])
    assert Message.objects.get(pk=queued.pk).status == "skipped"
    assert Message.objects.get(pk=queued.pk).skip_reason == "anonymised"
    assert Message.objects.get(pk=sent.pk).status == "sent"
    outbox.dispatch()
    assert len(mail.outbox) == 1, "a message queued before anonymising is never sent"
    appointment.refresh_from_db()
    assert appointment.front_desk_note == ""
    assert appointment.patient_id == patient.pk
    assert OptOut.objects.get(patient=patient).address == ""
    entry.refresh_from_db()
    assert entry.status == "withdrawn"
    event = AuditEvent.objects.filter(action="anonymise").latest("pk")
    assert event.detail["messages_cleared"] == 2
    assert event.detail["messages_not_sent"] == 1
    assert event.detail["appointment_notes_cleared"] == 1
    assert event.detail["waitlist_withdrawn"] == 1


def test_a_failed_clearing_leaves_the_patient_as_they_were(desk: dict[str, Any], world: dict[str, Any],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """One transaction: if the front desk cannot clear its copy, the patient is not anonymised either."""
    from sciatica_care.clinic import anonymise
    from sciatica_care.scheduling import anonymised

    patient = desk["patient"]
    _queue(desk["clinic"], patient, "anon:kept")

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(anonymised.Message.objects, "filter", broken)
    with pytest.raises(RuntimeError):
        anonymise.anonymise(world["a"]["clinic_admin"], patient, patient.version,
                            legal_reason="Erasure requested under the law, confirmed by the officer")
    patient.refresh_from_db()
    assert patient.anonymised_at is None
    assert patient.first_name != "Anonymised"
