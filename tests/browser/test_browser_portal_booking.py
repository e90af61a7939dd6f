"""A patient signed in to the portal books on a phone (360 px): "Book an appointment" on the portal's first page,
the clinic's booking page naming them, no code asked, the appointment on their portal; axe-core on each page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from axe_check import assert_accessible
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bea(make_staff: Any, settings: Any) -> Any:
    """Bea, a patient of Riverside with a portal account; the clinic books online in euros."""
    from clinic_fixtures import PASSWORD
    from django.core import mail

    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Role, Staff
    from sciatica_care.portal import accounts
    from sciatica_care.scheduling.models import BookingRules, Location, Service, ServiceKind, Shift

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    clinic = Clinic.objects.create(name="Riverside Acupuncture", currency="EUR")
    prac = make_staff(clinic, Role.PRACTITIONER, "dr.lin")
    Staff.objects.filter(pk=prac.pk).update(first_name="Mei", last_name="Lin", email="mei@clinic.example")
    location = Location.objects.create(clinic=clinic, name="Riverside", time_zone="Europe/Dublin",
                                       address="12 Mill Lane")
    Service.objects.create(clinic=clinic, name="Follow-up acupuncture", kind=ServiceKind.FOLLOW_UP_ACUPUNCTURE,
                           duration_minutes=45, price=Decimal("60.00"), new_patients_allowed=False,
                           room_needed=False)
    for day in range(7):
        Shift.objects.create(practitioner=prac, location=location, weekday=day, start_time=dt.time(9),
                             end_time=dt.time(17))
    BookingRules.objects.create(clinic=clinic, online_booking=True, public_slug="riverside")
    patient = records.create_patient(prac, first_name="Bea", last_name="Jones", date_of_birth=dt.date(1985, 4, 2),
                                     email="bea@example.org", consent_treatment=True)
    invitation = accounts.invite(patient, by=prac)
    accounts.accept(invitation.link.rstrip("/").rsplit("/", 1)[1], PASSWORD)
    mail.outbox.clear()
    return patient


def test_a_signed_in_patient_books_from_the_portal_without_a_code(page: Any, bea: Any, shots: Path) -> None:
    from clinic_fixtures import PASSWORD

    from sciatica_care.scheduling.models import Appointment, BookingCode

    page.set_viewport_size({"width": 360, "height": 780})
    page.goto("/portal/sign-in/?with=password")
    page.fill("#email", "bea@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Hello, Bea")
    assert_accessible(page, "the portal with its booking link")
    page.get_by_role("link", name="Book an appointment").click()
    expect(page.locator("h1")).to_have_text("Book an appointment")
    expect(page.locator(".ob-as")).to_contain_text("Booking as Bea")
    expect(page.locator("main")).to_contain_text("45 minutes · €60.00")
    page.get_by_label("Follow-up acupuncture").check()
    page.get_by_role("button", name="Show free times").first.click()
    expect(page.locator("#times")).to_be_visible()
    page.locator(".ob-time").first.click()
    expect(page.locator("h1")).to_have_text("Your details")
    expect(page.locator("main")).to_contain_text("Book for Bea")
    expect(page.get_by_label("Email or phone")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "booking as the signed-in patient")
    page.screenshot(path=str(shots / "online-booking-signed-in-360.png"), full_page=True)
    page.get_by_role("button", name="Book this time").click()
    expect(page.locator("h1")).to_have_text("You're booked")
    assert_accessible(page, "the confirmation, signed in")
    page.get_by_role("link", name="Back to your patient portal").click()
    expect(page.locator("#appointments")).to_contain_text("Follow-up acupuncture with Mei Lin")
    assert page.csp_violations == []
    appointment = Appointment.objects.get()
    assert (appointment.patient_id, appointment.booked_via) == (bea.pk, "online")
    assert not BookingCode.objects.exists()
