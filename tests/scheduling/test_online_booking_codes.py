"""Booking online as a patient who has been before: a one-time code to the contact on file. The right code books
for that patient; a wrong, expired or worn-out code books nothing; an unknown contact gets the very same answer and
no message; asking and guessing are throttled per address and per contact; forms fuzzed never fail."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from online_booking_steps import (
    MONDAY,
    PAGE,
    ask_for_code,
    at,
    code_sent_to,
    queued,
    time_fields,
)

pytestmark = pytest.mark.django_db

START = at(MONDAY, 10)


def _plain(content: bytes) -> str:
    """A page without its per-request secrets (the CSRF and one-time submission tokens)."""
    return re.sub(r'name="(csrfmiddlewaretoken|submission_token)" value="[^"]*"', r'name="\1"', content.decode())


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_right_code_books_for_the_patient_on_file(online: dict[str, Any], client: Any,
                                                      django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import Appointment, BookingCode

    r = ask_for_code(client, online, "  ANN@example.org ", START)
    assert r.status_code == 302
    assert r["Location"] == f"{PAGE}code/"
    page = client.get(f"{PAGE}code/").content.decode()
    assert "If we have you on file, we have sent a 6-digit code" in page
    code = code_sent_to("ann@example.org")
    row = BookingCode.objects.get()
    assert code not in (row.digest, row.contact_digest)
    assert "ann" not in row.contact_digest
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"{PAGE}code/", {"code": code})
    assert r.status_code == 302
    appt = Appointment.objects.get()
    assert (appt.patient, appt.booked_via, appt.status) == (online["patient"], "online", "booked")
    assert "<h1>You're booked</h1>" in client.get(r["Location"]).content.decode()
    assert queued(to_address="ann@example.org", kind="confirmation")
    assert AuditEvent.objects.filter(action="online_booking_code_right", actor__isnull=True,
                                     patient_id=online["patient"].pk, detail__via="online").exists()
    # Spent: the same code does not book again.
    assert client.post(f"{PAGE}code/", {"code": code}).status_code in (302, 422)
    assert Appointment.objects.count() == 1


def test_a_phone_number_on_file_gets_the_code_by_text_message(online: dict[str, Any], client: Any) -> None:
    ask_for_code(client, online, "07700-900-123", START)
    message = queued(kind="booking_code")[0]
    assert (message.channel, message.to_address, message.topic) == ("sms", "07700900123", "codes")
    assert re.search(r"\b\d{6}\b", message.body)


def test_a_code_is_sent_even_to_a_patient_who_stopped_appointment_messages(online: dict[str, Any],
                                                                            client: Any) -> None:
    from sciatica_care.scheduling.models import OptOut

    OptOut.objects.create(clinic=online["clinic"], patient=online["patient"], channel="email", topic="appointments")
    ask_for_code(client, online, "ann@example.org", START)
    assert queued(kind="booking_code")[0].status == "queued"


def test_a_wrong_code_books_nothing_and_names_the_code(online: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import Appointment, BookingCode

    ask_for_code(client, online, "ann@example.org", START)
    r = client.post(f"{PAGE}code/", {"code": _wrong(code_sent_to("ann@example.org"))})
    assert r.status_code == 422
    assert 'data-field="code"' in r.content.decode()
    assert BookingCode.objects.get().tries == 1
    assert not Appointment.objects.exists()


def test_an_expired_code_books_nothing(online: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import Appointment

    ask_for_code(client, online, "ann@example.org", START)
    code = code_sent_to("ann@example.org")
    online["clock"].shift(dt.timedelta(minutes=11))
    assert client.post(f"{PAGE}code/", {"code": code}).status_code == 422
    assert not Appointment.objects.exists()


def test_a_code_out_of_tries_stops_working(online: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import Appointment
    from sciatica_care.scheduling.online.booking_codes import CODE_TRIES

    ask_for_code(client, online, "ann@example.org", START)
    code = code_sent_to("ann@example.org")
    for _ in range(CODE_TRIES):
        assert client.post(f"{PAGE}code/", {"code": _wrong(code)}).status_code == 422
    assert client.post(f"{PAGE}code/", {"code": code}).status_code == 422
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("contact", ["nobody@example.org", "07700 900999", "shared@example.org"])
def test_an_unknown_or_shared_contact_gets_the_same_answer_and_no_message(online: dict[str, Any], client: Any,
                                                                          contact: str) -> None:
    from django.test import Client

    from sciatica_care.clinic import records

    for first in ("Dee", "Eve"):  # two patients share this address: neither is chosen
        records.create_patient(online["practitioner"], first_name=first, last_name="Shared",
                               date_of_birth=dt.date(1980, 1, 1), sex="female", consent_treatment=True,
                               email="shared@example.org")
    known, unknown = Client(), client
    answers = []
    for who, typed in ((known, "ann@example.org"), (unknown, contact)):
        asked = ask_for_code(who, online, typed, START)
        shown = who.get(f"{PAGE}code/")
        guessed = who.post(f"{PAGE}code/", {"code": "000000"})
        answers.append((asked.status_code, asked["Location"], asked.content, shown.status_code,
                         _plain(shown.content), guessed.status_code, _plain(guessed.content)))
    assert answers[0] == answers[1]
    assert [m.to_address for m in queued(kind="booking_code")] == ["ann@example.org"]


def test_asking_for_codes_is_throttled_per_contact_and_per_address(online: dict[str, Any], client: Any) -> None:
    from django.test import Client

    from sciatica_care.scheduling.online.booking_codes import REQUESTS_PER_ADDRESS, REQUESTS_PER_CONTACT

    for contact in ("ann@example.org", "nobody@example.org"):  # known or not, alike
        for _ in range(REQUESTS_PER_CONTACT):
            assert ask_for_code(Client(REMOTE_ADDR=f"10.0.0.{len(contact)}"), online, contact, START).status_code \
                == 302
        r = ask_for_code(Client(REMOTE_ADDR="10.0.1.1"), online, contact, START)
        assert r.status_code == 429
        assert 'data-field="contact"' in r.content.decode()
    assert len(queued(kind="booking_code")) == REQUESTS_PER_CONTACT
    for n in range(REQUESTS_PER_ADDRESS - 2 * REQUESTS_PER_CONTACT):
        assert ask_for_code(client, online, f"p{n}@example.org", START).status_code == 302
    for n in range(2 * REQUESTS_PER_CONTACT):
        ask_for_code(client, online, f"q{n}@example.org", START)
    assert ask_for_code(client, online, "fresh@example.org", START).status_code == 429


def test_guessing_codes_is_throttled_per_contact(online: dict[str, Any], client: Any, settings: Any,
                                                 monkeypatch: Any) -> None:
    from django.test import Client

    from sciatica_care.scheduling.models import Appointment
    from sciatica_care.scheduling.online import booking_codes

    ask_for_code(client, online, "ann@example.org", START)
    code = code_sent_to("ann@example.org")
    monkeypatch.setattr(booking_codes, "CODE_TRIES", 100)
    for n in range(booking_codes.GUESSES_PER_CONTACT):
        guesser = Client(REMOTE_ADDR=f"10.0.2.{n}")  # a new address each time, the same contact
        guesser.cookies = client.cookies
        assert guesser.post(f"{PAGE}code/", {"code": _wrong(code)}).status_code == 422
    r = client.post(f"{PAGE}code/", {"code": code})
    assert r.status_code == 429
    assert 'data-field="code"' in r.content.decode()
    assert not Appointment.objects.exists()


def test_an_existing_patient_may_ask_for_a_portal_invitation(online: dict[str, Any], client: Any,
                                                             mailoutbox: list[Any]) -> None:
    from sciatica_care.portal.accounts import account_of

    ask_for_code(client, online, "ann@example.org", START)
    r = client.post(f"{PAGE}code/", {"code": code_sent_to("ann@example.org"), "invite": "yes"})
    assert r.status_code == 302
    assert "invitation to the patient portal" in client.get(r["Location"]).content.decode()
    assert account_of(online["patient"]) is not None
    assert [m.to for m in mailoutbox] == [["ann@example.org"]]


def test_without_asking_no_portal_account_is_made(online: dict[str, Any], client: Any) -> None:
    from sciatica_care.portal.accounts import account_of

    ask_for_code(client, online, "ann@example.org", START)
    client.post(f"{PAGE}code/", {"code": code_sent_to("ann@example.org")})
    assert account_of(online["patient"]) is None


TEXT = st.text(max_size=60) | st.sampled_from(["", "any", "0", "-1", "99999999999999", "2027-01-04",
                                               "2027-01-04T10:00Z", "x@y", "\x00", "<script>", "²", "٣",
                                               "2024-02-30", "nan", "\x00" + "z" * 5001, "a@b.example\x00"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys((
    "service", "practitioner", "location", "start", "week", "who", "name", "email", "phone", "contact", "code"), TEXT)))
def test_fuzzed_forms_never_fail_and_name_the_field(online: dict[str, Any], client: Any,
                                                    data: dict[str, str]) -> None:
    for r in (client.get(PAGE, data), client.get(f"{PAGE}details/", data), client.post(f"{PAGE}details/", data),
              client.post(f"{PAGE}code/", data)):
        assert r.status_code < 500
        if r.status_code in (422, 429):
            assert 'data-field="' in r.content.decode()


def test_fuzzed_details_of_a_real_time_never_fail(online: dict[str, Any], client: Any) -> None:
    fields = time_fields(online, START)

    @settings(max_examples=30, deadline=None)
    @given(name=TEXT, email=TEXT, phone=TEXT, code=TEXT)
    def run(name: str, email: str, phone: str, code: str) -> None:
        asked = client.post(f"{PAGE}details/", {**fields, "who": "returning", "contact": email})
        guessed = client.post(f"{PAGE}code/", {"code": code})
        booked = client.post(f"{PAGE}details/", {**fields, "who": "new", "name": name, "email": email,
                                                 "phone": phone})
        for r in (asked, guessed, booked):
            assert r.status_code in (302, 409, 422, 429)
            if r.status_code in (422, 429):
                assert 'data-field="' in r.content.decode()

    run()
