"""Booking online while signed in to the patient portal: the clinic's own patient books for their record without a
code, audited in their account's name; a portal account of another clinic goes through the code like anyone, and
never books into its own record elsewhere; signing out from the booking page comes back to it."""

from __future__ import annotations

from typing import Any

import pytest
from online_booking_steps import MONDAY, PAGE, at, queued, time_fields

pytestmark = pytest.mark.django_db

START = at(MONDAY, 10)
BACKEND = "sciatica_care.portal.patient_auth.PatientBackend"


def account(patient: Any) -> Any:
    """An active portal account for `patient`, its invitation taken up."""
    from sciatica_care.portal import accounts

    invitation = accounts.invite(patient, by=None, send=False)
    return accounts.accept(invitation.link.rstrip("/").rsplit("/", 1)[1], None)


def signed_in(client: Any, patient: Any) -> Any:
    user = account(patient)
    client.force_login(user, backend=BACKEND)
    return user


def test_the_clinics_patient_books_without_a_code_for_their_own_record(
        online: dict[str, Any], client: Any, django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import Appointment, BookingCode

    user = signed_in(client, online["patient"])
    start_page = client.get(PAGE).content.decode()
    assert "Booking as <strong>Ann</strong>" in start_page
    assert "not you?" in start_page
    assert "sign out" in start_page
    fields = time_fields(online, START, "follow_up_acupuncture")  # a service for patients who have been before
    page = client.get(f"{PAGE}details/", fields).content.decode()
    assert "Book for Ann" in page
    assert "I've been here before" not in page
    assert "I'm new to the clinic" not in page
    assert 'name="who" value="account"' in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"{PAGE}details/", {**fields, "who": "account"})
    assert r.status_code == 302
    appt = Appointment.objects.get()
    assert (appt.patient, appt.booked_via, appt.booked_by, appt.prospect_name) == (online["patient"], "online",
                                                                                  None, "")
    assert not BookingCode.objects.exists()
    assert AuditEvent.objects.filter(action="online_booking_as_account", actor=user, object_id=appt.pk,
                                     patient_id=online["patient"].pk).exists()
    done = client.get(r["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="view_online_booking", actor=user, object_id=appt.pk).exists()
    assert "<h1>You're booked</h1>" in done
    assert 'href="/portal/#appointments"' in done
    assert queued(to_address="ann@example.org", kind="confirmation")


def test_a_patient_of_another_clinic_gets_the_code_like_anyone(online: dict[str, Any], world: dict[str, Any],
                                                              client: Any) -> None:
    from sciatica_care.clinic.models import Patient
    from sciatica_care.scheduling.models import Appointment

    other = world["b"]["patient"]
    Patient.objects.filter(pk=other.pk).update(first_name="Bea", email="bea@example.org")
    other.refresh_from_db()
    signed_in(client, other)
    fields = time_fields(online, START, "follow_up_acupuncture")
    page = client.get(f"{PAGE}details/", fields).content.decode()
    assert "Booking as" not in client.get(PAGE).content.decode()
    assert "Booking as" not in page
    assert "Book for Bea" not in page
    assert "I've been here before" in page
    assert "Send me a code" in page
    r = client.post(f"{PAGE}details/", {**fields, "who": "account"})
    assert r.status_code == 422
    assert 'data-field="who"' in r.content.decode()
    assert not Appointment.objects.exists()
    # The code goes only to a contact this clinic holds: Bea's email is not on its file, so nothing is sent.
    assert client.post(f"{PAGE}details/", {**fields, "who": "returning", "contact": "bea@example.org"}
                       ).status_code == 302
    assert not queued(to_address="bea@example.org")
    assert not Appointment.objects.filter(patient=other).exists()


def test_someone_not_signed_in_is_asked_who_they_are_as_before(online: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import Appointment

    fields = time_fields(online, START, "follow_up_acupuncture")
    page = client.get(f"{PAGE}details/", fields).content.decode()
    assert "Booking as" not in page
    assert "I've been here before" in page
    r = client.post(f"{PAGE}details/", {**fields, "who": "account"})
    assert r.status_code == 422
    assert 'data-field="who"' in r.content.decode()
    assert "not signed in" in r.content.decode()
    assert not Appointment.objects.exists()


def test_staff_signed_in_are_not_taken_for_a_patient(online: dict[str, Any], client: Any) -> None:
    client.force_login(online["reception"])
    page = client.get(f"{PAGE}details/", time_fields(online, START, "follow_up_acupuncture")).content.decode()
    assert "Booking as" not in page
    assert 'value="account"' not in page


def test_signing_out_from_the_booking_page_comes_back_to_it(online: dict[str, Any], client: Any) -> None:
    signed_in(client, online["patient"])
    r = client.post("/portal/sign-out/", {"next": PAGE})
    assert r.status_code == 302
    assert r["Location"] == PAGE
    assert "Booking as" not in client.get(PAGE).content.decode()
    signed_in(client, online["patient"])
    r = client.post("/portal/sign-out/", {"next": "https://elsewhere.example/book/x/"})
    assert r["Location"] == "/portal/sign-in/"


def test_a_signed_in_patient_has_a_daily_limit_of_online_bookings(online: dict[str, Any], client: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the day's limit the page refuses (429, naming the booking) and books nothing more."""
    from sciatica_care.scheduling.models import Appointment
    from sciatica_care.scheduling.online import booking_codes

    monkeypatch.setattr(booking_codes, "ACCOUNT_BOOKINGS_PER_DAY", 1)
    signed_in(client, online["patient"])
    first = client.post(f"{PAGE}details/", {**time_fields(online, START, "follow_up_acupuncture"), "who": "account"})
    assert first.status_code == 302
    again = client.post(f"{PAGE}details/", {**time_fields(online, at(MONDAY, 14), "follow_up_acupuncture"),
                                            "who": "account"})
    assert again.status_code == 429
    assert 'data-field="booking"' in again.content.decode()
    assert Appointment.objects.count() == 1
