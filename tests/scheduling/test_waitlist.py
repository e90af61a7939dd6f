"""The waitlist with the real booking service, its signal, the offer task (run at once here) and the outbox: a freed
time is offered in turn, each offer expiring; accepted, it books; never offered twice, never too late."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
BOOKED_AT = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)  # a Friday
START = dt.datetime(2027, 1, 6, 10, tzinfo=LONDON)  # the next Wednesday morning in London
LATE = dt.datetime(2027, 1, 5, 12, tzinfo=dt.UTC)  # the day before: inside the late-cancel window
LINK = re.compile(r"https?://\S+/book/offer/([A-Za-z0-9_-]+)/")
#: Words no message may carry (as in test_scheduling_notices.py).
CLINICAL = re.compile(r"red flag|sciatica|cauda|referr|diagnos|symptom|pain|numb|bladder|bowel|acupunct",
                      re.IGNORECASE)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any, sms_outbox: list[Any]) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def book(desk: dict[str, Any], start: dt.datetime = START, **kw: Any) -> Any:
    from sciatica_care.scheduling import booking

    kw.setdefault("by", desk["reception"])
    if "patient" not in kw and "prospect_name" not in kw:
        kw["prospect_name"] = "Bea Booked"
        kw["prospect_email"] = "bea@example.org"
    return booking.book(clinic=desk["clinic"], practitioner=kw.pop("practitioner", desk["practitioner"]),
                        service=desk["services"]["initial_assessment"], location=desk["location"], start=start,
                        **kw)


def wait(desk: dict[str, Any], name: str, *, at: dt.datetime, **kw: Any) -> Any:
    from sciatica_care.scheduling import waitlist

    kw.setdefault("earliest", dt.date(2027, 1, 4))
    kw.setdefault("latest", dt.date(2027, 1, 29))
    if "patient" not in kw:
        kw.setdefault("prospect_name", name)
        kw.setdefault("prospect_email", f"{name.split()[0].lower()}@example.org")
    return waitlist.join(clinic=desk["clinic"], service=kw.pop("service", desk["services"]["initial_assessment"]),
                         by=desk["reception"], now=at, **kw)


def offers_to(address: str) -> list[Any]:
    from sciatica_care.scheduling.models import Message

    return list(Message.objects.filter(kind="waitlist_offer", to_address=address).order_by("id"))


def token_of(message: Any) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def freed(desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Three people waiting (Cat first, then Dan, then Eve), and an appointment cancelled late by the patient."""
    from sciatica_care.scheduling import booking

    with time_machine.travel(BOOKED_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        cat = wait(desk, "Cat Early", at=BOOKED_AT + dt.timedelta(minutes=1))
        dan = wait(desk, "Dan Next", at=BOOKED_AT + dt.timedelta(minutes=2))
        eve = wait(desk, "Eve Last", at=BOOKED_AT + dt.timedelta(minutes=3))
    with time_machine.travel(LATE, tick=False), django_capture_on_commit_callbacks(execute=True):
        booking.cancel(appointment, by=None, reason="cannot come")
    return {"appointment": appointment, "cat": cat, "dan": dan, "eve": eve}


def test_a_late_cancellation_offers_the_time_to_the_first_waiting(desk: dict[str, Any], freed: dict[str, Any]) -> None:
    from sciatica_care.scheduling.models import AppointmentStatus, WaitlistStatus

    freed["appointment"].refresh_from_db()
    assert freed["appointment"].status == AppointmentStatus.LATE_CANCELLED
    (message,) = offers_to("cat@example.org")
    assert not offers_to("dan@example.org")
    assert not offers_to("eve@example.org")
    assert "Wednesday 6 January 2027 at 10:00" in message.body
    assert "14:00" in message.body  # held for the clinic's offer time
    assert not CLINICAL.search(message.body.replace("Initial assessment", "")), message.body
    freed["cat"].refresh_from_db()
    assert freed["cat"].status == WaitlistStatus.OFFERED
    assert freed["cat"].offer_expires_at == LATE + dt.timedelta(minutes=120)
    # the secret is in the message only: the database keeps its digest
    token = token_of(message)
    assert token not in freed["cat"].offer_digest
    assert len(freed["cat"].offer_digest) == 64


def test_an_expired_offer_goes_to_the_next_in_turn(desk: dict[str, Any], freed: dict[str, Any]) -> None:
    from sciatica_care.scheduling import waitlist
    from sciatica_care.scheduling.models import OfferOutcome, WaitlistOffer, WaitlistStatus

    assert waitlist.expire_due(LATE + dt.timedelta(minutes=119)) == 0
    assert not offers_to("dan@example.org")
    assert waitlist.expire_due(LATE + dt.timedelta(minutes=120)) == 1
    assert len(offers_to("dan@example.org")) == 1
    freed["cat"].refresh_from_db()
    assert freed["cat"].status == WaitlistStatus.WAITING
    assert list(WaitlistOffer.objects.values_list("entry__prospect_name", "outcome")) == [
        ("Cat Early", OfferOutcome.EXPIRED), ("Dan Next", OfferOutcome.OPEN)]
    # Cat's link now says it has passed; nothing is booked
    answer = waitlist.accept(token_of(offers_to("cat@example.org")[0]), now=LATE + dt.timedelta(minutes=121))
    assert answer.outcome == "answered"


def test_the_worker_job_is_idempotent(desk: dict[str, Any], freed: dict[str, Any]) -> None:
    """Run twice (two workers, or one restarted) it closes each offer once and offers the time once."""
    from sciatica_care.scheduling import waitlist
    from sciatica_care.scheduling.models import WaitlistOffer

    later = LATE + dt.timedelta(minutes=125)
    # a second worker read the same open offer before the first closed it: it loses
    seen_by_the_other = WaitlistOffer.objects.get(outcome="open")
    assert waitlist.expire_due(later) == 1
    assert waitlist._close(seen_by_the_other, "expired", later, only_expired=True) is False
    assert waitlist.expire_due(later) == 0
    assert waitlist.expire_due(later + dt.timedelta(seconds=1)) == 0
    assert len(offers_to("dan@example.org")) == 1
    assert not offers_to("eve@example.org")
    assert WaitlistOffer.objects.filter(outcome="open").count() == 1
    # the task for the same freed time run again (a worker restarted) offers nothing more
    a = freed["appointment"]
    assert waitlist.slot_freed(a.clinic_id, a.service_id, a.practitioner_id, a.location_id, a.start.isoformat(),
                               now=later) is None
    assert WaitlistOffer.objects.count() == 2


def test_a_declined_offer_goes_to_the_next_in_turn(desk: dict[str, Any], freed: dict[str, Any]) -> None:
    from sciatica_care.scheduling import waitlist

    with time_machine.travel(LATE + dt.timedelta(minutes=10), tick=False):
        assert waitlist.decline(token_of(offers_to("cat@example.org")[0])).outcome == "declined"
        assert len(offers_to("dan@example.org")) == 1
        assert waitlist.decline(token_of(offers_to("dan@example.org")[0])).outcome == "declined"
        assert len(offers_to("eve@example.org")) == 1
        assert waitlist.decline(token_of(offers_to("eve@example.org")[0])).outcome == "declined"
        # everyone has had it once: nobody is offered it again
        assert len(offers_to("cat@example.org")) == 1


def test_accepting_books_the_time_and_the_entry_is_booked(desk: dict[str, Any], freed: dict[str, Any],
                                                          django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling import waitlist
    from sciatica_care.scheduling.models import Appointment, BookedVia, Message, WaitlistStatus

    with time_machine.travel(LATE + dt.timedelta(minutes=30), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        answer = waitlist.accept(token_of(offers_to("cat@example.org")[0]))
    assert answer.outcome == "booked"
    booked = Appointment.objects.get(pk=answer.appointment.pk)
    assert (booked.start, booked.booked_via, booked.prospect_name, booked.booked_by) == (
        START, BookedVia.WAITLIST, "Cat Early", None)
    freed["cat"].refresh_from_db()
    assert (freed["cat"].status, freed["cat"].appointment_id) == (WaitlistStatus.BOOKED, booked.pk)
    assert Message.objects.filter(kind="confirmation", to_address="cat@example.org").exists()
    # the link answered once cannot book again
    again = waitlist.accept(token_of(offers_to("cat@example.org")[0]), now=LATE + dt.timedelta(minutes=31))
    assert again.outcome == "answered"
    assert Appointment.objects.filter(start=START, status="booked").count() == 1


def test_someone_new_taking_an_offer_waits_for_approval_when_the_clinic_approves_new_patients(
        desk: dict[str, Any], freed: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    """The clinic's approval rule holds for a new person's booking from the waitlist as for one made online; the
    practitioner is told there is a request to approve."""
    from sciatica_care.scheduling import waitlist
    from sciatica_care.scheduling.models import Appointment, AppointmentStatus, Message

    desk["rules"].approve_new_patients = True
    desk["rules"].save()
    with time_machine.travel(LATE + dt.timedelta(minutes=30), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        answer = waitlist.accept(token_of(offers_to("cat@example.org")[0]))
    booked = Appointment.objects.get(pk=answer.appointment.pk)
    assert booked.status == AppointmentStatus.REQUESTED
    assert Message.objects.filter(kind="request_received", to_address="cat@example.org").exists()
    told = Message.objects.get(kind="staff_requested", staff_id=desk["practitioner"].pk)
    assert "from the waitlist" in told.subject


def test_the_practitioner_is_told_of_a_booking_from_the_waitlist(desk: dict[str, Any], freed: dict[str, Any],
                                                                 django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling import waitlist
    from sciatica_care.scheduling.models import Message

    with time_machine.travel(LATE + dt.timedelta(minutes=30), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        waitlist.accept(token_of(offers_to("cat@example.org")[0]))
    told = Message.objects.get(kind="staff_booked", staff_id=desk["practitioner"].pk)
    assert told.subject.startswith("A booking from the waitlist")
    assert "Cat" not in told.body  # the patient is not named in email to staff


def test_accepting_after_expiry_is_refused_and_moves_on(desk: dict[str, Any], freed: dict[str, Any]) -> None:
    from sciatica_care.scheduling import waitlist
    from sciatica_care.scheduling.models import Appointment

    answer = waitlist.accept(token_of(offers_to("cat@example.org")[0]), now=LATE + dt.timedelta(minutes=121))
    assert answer.outcome == "expired"
    assert not Appointment.objects.filter(start=START, status="booked").exists()
    assert len(offers_to("dan@example.org")) == 1


def test_accepting_a_time_taken_meanwhile_is_refused(desk: dict[str, Any], freed: dict[str, Any]) -> None:
    from sciatica_care.scheduling import waitlist
    from sciatica_care.scheduling.models import Appointment, WaitlistStatus

    with time_machine.travel(LATE + dt.timedelta(minutes=5), tick=False):
        book(desk, prospect_name="Walk In", prospect_email="walk@example.org")
        answer = waitlist.accept(token_of(offers_to("cat@example.org")[0]))
    assert answer.outcome == "taken"
    assert Appointment.objects.filter(start=START, status="booked").count() == 1
    freed["cat"].refresh_from_db()
    assert freed["cat"].status == WaitlistStatus.WAITING


def test_an_unknown_token_is_unknown(desk: dict[str, Any], freed: dict[str, Any]) -> None:
    from sciatica_care.scheduling import waitlist

    assert waitlist.accept("not-a-token").outcome == "unknown"
    assert waitlist.decline("x" * 500).outcome == "unknown"


def test_only_matching_entries_are_offered(desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    """Another service, another practitioner, the wrong weekday or dates: passed over for the one that fits."""
    from sciatica_care.scheduling import booking

    other_prac = desk["practitioner"].__class__.objects.filter(clinic=desk["clinic"], role="clinic_admin").first()
    with time_machine.travel(BOOKED_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        wait(desk, "Wrong Service", at=BOOKED_AT, service=desk["services"]["massage"])
        wait(desk, "Wrong Prac", at=BOOKED_AT, practitioner=other_prac)
        wait(desk, "Wrong Day", at=BOOKED_AT, weekdays=[0, 1])
        wait(desk, "Wrong Dates", at=BOOKED_AT, earliest=dt.date(2027, 1, 7))
        wait(desk, "Right One", at=BOOKED_AT + dt.timedelta(minutes=5), weekdays=[2], practitioner=desk["practitioner"])
    with time_machine.travel(LATE, tick=False), django_capture_on_commit_callbacks(execute=True):
        booking.cancel(appointment, by=None, reason="cannot come")
    from sciatica_care.scheduling.models import Message

    assert list(Message.objects.filter(kind="waitlist_offer").values_list("to_address", flat=True)) == [
        "right@example.org"]


def test_a_moved_appointment_frees_its_old_time(desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import WaitlistOffer

    with time_machine.travel(BOOKED_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        wait(desk, "Cat Early", at=BOOKED_AT)
        with django_capture_on_commit_callbacks(execute=True):
            booking.move(appointment, start=START + dt.timedelta(days=1), by=desk["reception"])
    (offer,) = WaitlistOffer.objects.all()
    assert offer.start == START
    assert len(offers_to("cat@example.org")) == 1


@pytest.mark.parametrize("cancelled_at", [
    START - dt.timedelta(hours=11),  # inside the minimum notice
    START - dt.timedelta(hours=12, minutes=4),  # too little time left to answer
    START + dt.timedelta(hours=1),  # the time has passed
])
def test_no_offer_for_a_past_time_or_within_notice(desk: dict[str, Any], django_capture_on_commit_callbacks: Any,
                                                   cancelled_at: dt.datetime) -> None:
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import WaitlistOffer

    with time_machine.travel(BOOKED_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        wait(desk, "Cat Early", at=BOOKED_AT)
    with time_machine.travel(cancelled_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        booking.cancel(appointment, by=desk["reception"], reason="cannot come", by_clinic=True)
    assert not WaitlistOffer.objects.exists()


def test_an_offer_never_outlives_the_minimum_notice(desk: dict[str, Any],
                                                    django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import WaitlistOffer

    with time_machine.travel(BOOKED_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        wait(desk, "Cat Early", at=BOOKED_AT)
    at = START - dt.timedelta(hours=13)
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        booking.cancel(appointment, by=None, reason="cannot come")
    (offer,) = WaitlistOffer.objects.all()
    assert offer.expires_at == START - dt.timedelta(hours=12)


def test_withdrawing_an_offered_entry_passes_the_time_on(desk: dict[str, Any], freed: dict[str, Any]) -> None:
    from sciatica_care.scheduling import waitlist
    from sciatica_care.scheduling.models import WaitlistStatus

    with time_machine.travel(LATE + dt.timedelta(minutes=1), tick=False):
        assert waitlist.withdraw(freed["cat"], by=desk["reception"]) is True
        assert waitlist.withdraw(freed["cat"], by=desk["reception"]) is False
    freed["cat"].refresh_from_db()
    assert freed["cat"].status == WaitlistStatus.WITHDRAWN
    assert len(offers_to("dan@example.org")) == 1
    assert waitlist.accept(token_of(offers_to("cat@example.org")[0]),
                           now=LATE + dt.timedelta(minutes=2)).outcome == "answered"


def test_the_database_holds_one_open_offer_a_time(desk: dict[str, Any], freed: dict[str, Any]) -> None:
    """Should two workers both pass the check, the second offer of the same time cannot be stored."""
    from django.db import IntegrityError, transaction

    from sciatica_care.scheduling.models import WaitlistOffer

    first = WaitlistOffer.objects.get(outcome="open")
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistOffer.objects.create(entry=freed["dan"], clinic=first.clinic, service=first.service,
                                     practitioner=first.practitioner, location=first.location, start=first.start,
                                     expires_at=first.expires_at, digest="d" * 64)


def test_joining_refuses_bad_input_naming_the_field(desk: dict[str, Any]) -> None:
    from sciatica_care.errors import InputRefused
    from sciatica_care.scheduling import waitlist
    from sciatica_care.scheduling.models import WaitlistEntry

    with pytest.raises(InputRefused) as caught:
        waitlist.join(clinic=desk["clinic"], service=desk["services"]["massage"], earliest=dt.date(2027, 2, 1),
                      latest=dt.date(2027, 1, 1), by=None, prospect_name="", weekdays=[9],
                      now=BOOKED_AT)
    assert {p.path for p in caught.value.problems} == {"prospect_name", "prospect_email", "latest", "weekdays"}
    assert not WaitlistEntry.objects.exists()


def test_an_offer_by_text_message_says_nothing_clinical(desk: dict[str, Any], sms_outbox: list[Any],
                                                         django_capture_on_commit_callbacks: Any) -> None:
    """An offer names the time, the practitioner and the place (by email the service too): never the treatment, and
    by text message not even the service."""
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import Message

    with time_machine.travel(BOOKED_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        wait(desk, "Tex Phone", at=BOOKED_AT, prospect_email="", prospect_phone="07700 900456")
    with time_machine.travel(LATE, tick=False), django_capture_on_commit_callbacks(execute=True):
        booking.cancel(appointment, by=None, reason="cannot come")
    (text,) = Message.objects.filter(kind="waitlist_offer")
    assert text.channel == "sms"
    assert LINK.search(text.body)
    assert not CLINICAL.search(text.body), text.body
    assert "Initial assessment" not in text.body


def test_someone_who_cannot_be_told_is_passed_over(desk: dict[str, Any],
                                                   django_capture_on_commit_callbacks: Any) -> None:
    """A patient with no address (or who asked for no such messages) would hold the time unseen: the next in turn
    gets it at once."""
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import OfferOutcome, WaitlistOffer

    patient = desk["patient"]
    patient.email, patient.phone = "", ""
    patient.save()
    with time_machine.travel(BOOKED_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        wait(desk, "", at=BOOKED_AT, patient=patient)
        wait(desk, "Dan Next", at=BOOKED_AT + dt.timedelta(minutes=1))
    with time_machine.travel(LATE, tick=False), django_capture_on_commit_callbacks(execute=True):
        booking.cancel(appointment, by=None, reason="cannot come")
    assert list(WaitlistOffer.objects.order_by("id").values_list("entry__patient_id", "outcome")) == [
        (patient.pk, OfferOutcome.EXPIRED), (None, OfferOutcome.OPEN)]
    assert len(offers_to("dan@example.org")) == 1


def test_a_turn_broken_off_is_taken_up_by_the_worker(desk: dict[str, Any], freed: dict[str, Any]) -> None:
    """An offer closed, and the worker stopped before offering the next: its next run offers the time on."""
    from sciatica_care.scheduling import waitlist
    from sciatica_care.scheduling.models import OfferOutcome, WaitlistOffer

    at = LATE + dt.timedelta(minutes=10)
    offer = WaitlistOffer.objects.get(outcome=OfferOutcome.OPEN)
    assert waitlist._close(offer, OfferOutcome.DECLINED, at)  # as decline() does, without what follows
    assert not offers_to("dan@example.org")
    waitlist.expire_due(at)
    assert len(offers_to("dan@example.org")) == 1
    waitlist.expire_due(at)
    assert len(offers_to("dan@example.org")) == 1
    assert not offers_to("eve@example.org")


def test_a_service_for_existing_patients_goes_only_to_linked_entries(
        desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    """Someone who joined by name only (the public page) is not offered a follow-up until the staff link the entry
    to their patient record."""
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import WaitlistOffer

    follow_up = desk["services"]["follow_up_acupuncture"]
    patient = desk["patient"]
    patient.email = "ann@example.org"
    patient.save()
    with time_machine.travel(BOOKED_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = booking.book(clinic=desk["clinic"], practitioner=desk["practitioner"], service=follow_up,
                                       location=desk["location"], start=START, by=desk["reception"],
                                       patient=patient)
        wait(desk, "Pat Public", at=BOOKED_AT, service=follow_up)
        wait(desk, "", at=BOOKED_AT + dt.timedelta(minutes=1), service=follow_up, patient=patient)
    with time_machine.travel(LATE, tick=False), django_capture_on_commit_callbacks(execute=True):
        booking.cancel(appointment, by=None, reason="cannot come")
    (offer,) = WaitlistOffer.objects.all()
    assert offer.entry.patient == patient


def test_the_worker_runs_the_expiry_job() -> None:
    from django.conf import settings
    from django.utils.module_loading import import_string

    from sciatica_care.scheduling import waitlist

    path, every = settings.SCIATICA_CARE_WORKER_JOBS["waitlist offers"]
    assert import_string(path) is waitlist.expire_due
    assert every <= 60
