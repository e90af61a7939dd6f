"""A patient's own appointment in a phone's browser (360 px): the link from their confirmation opens it, the page
warns that cancelling now is late, and the cancellation is recorded late; the portal's reschedule and cancel pages
too. axe-core (WCAG 2.1 AA) on each page, no Content-Security-Policy violation, nothing wider than the phone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_check import assert_accessible
from playwright.sync_api import expect

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(chromium: Any, live_server: Any) -> Any:
    from csp_watch import watched_page

    context = chromium.new_context(base_url=live_server.url, viewport=PHONE, device_scale_factor=2,
                                   is_mobile=True, has_touch=True)
    yield watched_page(context)
    context.close()


@pytest.fixture
def clinic(db: Any, make_staff: Any, settings: Any) -> dict[str, Any]:
    """Riverside: a practitioner working every day, a location with a phone number, a follow-up service, and Bea,
    a patient with an email address. The notice task runs at once."""
    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Role
    from sciatica_care.scheduling.models import BookingRules, Location, Service, ServiceKind, Shift

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    riverside = Clinic.objects.create(name="Riverside")
    prac = make_staff(riverside, Role.PRACTITIONER, "dr.lin")
    location = Location.objects.create(clinic=riverside, name="High Street", time_zone="Europe/London",
                                       phone="020 7946 0000")
    service = Service.objects.create(clinic=riverside, name="Follow-up acupuncture", duration_minutes=45,
                                     kind=ServiceKind.FOLLOW_UP_ACUPUNCTURE, room_needed=False)
    for day in range(7):
        Shift.objects.create(practitioner=prac, location=location, weekday=day, start_time=dt.time(0),
                             end_time=dt.time(23, 45))
    BookingRules.objects.create(clinic=riverside, late_cancel_hours=24)
    bea = records.create_patient(prac, first_name="Bea", last_name="Jones", date_of_birth=dt.date(1985, 4, 2),
                                 email="bea@example.org", consent_treatment=True)
    return {"clinic": riverside, "practitioner": prac, "location": location, "service": service, "patient": bea}


def _book(clinic: dict[str, Any], start: dt.datetime) -> Any:
    from sciatica_care.scheduling import booking

    return booking.book(clinic=clinic["clinic"], practitioner=clinic["practitioner"], service=clinic["service"],
                        location=clinic["location"], start=start.replace(second=0, microsecond=0),
                        by=clinic["practitioner"], patient=clinic["patient"], apply_policy=False,
                        override_reason="booked at the desk")


def fits_the_phone(page: Any) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


def test_the_confirmations_link_cancels_late_with_a_warning(phone: Any, clinic: dict[str, Any], shots: Any) -> None:
    from django.utils import timezone

    from sciatica_care.scheduling.models import Message

    appointment = _book(clinic, timezone.now() + dt.timedelta(hours=6))
    confirmation = Message.objects.get(appointment=appointment, kind="confirmation")
    url = re.search(r"https?://\S+/book/manage/\S+/", confirmation.body).group(0)  # type: ignore[union-attr]
    phone.goto(urlsplit(url).path)
    expect(phone.locator("h1")).to_have_text("Your appointment at Riverside")
    expect(phone.locator("main")).to_contain_text("Follow-up acupuncture")
    expect(phone.locator("main")).to_contain_text("please call the clinic on 020 7946 0000")
    assert_accessible(phone, "the appointment by its link")
    fits_the_phone(phone)
    phone.click("text=Cancel this appointment")
    expect(phone.locator("#late-warning")).to_contain_text("This is a late cancellation")
    assert_accessible(phone, "the late cancellation's warning")
    fits_the_phone(phone)
    phone.screenshot(path=str(shots / "manage-cancel-late.png"), full_page=True)
    phone.click("button:has-text('Yes, cancel late')")
    expect(phone.locator("#outcome")).to_contain_text("recorded as a late cancellation")
    assert_accessible(phone, "the cancellation done")
    appointment.refresh_from_db()
    assert appointment.status == "late_cancelled"
    assert phone.csp_violations == []


def test_the_portals_reschedule_and_cancel_pages_at_phone_size(phone: Any, clinic: dict[str, Any],
                                                               shots: Any) -> None:
    from clinic_fixtures import PASSWORD
    from django.utils import timezone

    from sciatica_care.portal import accounts

    invitation = accounts.invite(clinic["patient"], by=clinic["practitioner"])
    accounts.accept(invitation.link.rstrip("/").rsplit("/", 1)[1], PASSWORD)
    appointment = _book(clinic, (timezone.now() + dt.timedelta(days=4)).replace(hour=10, minute=0))
    phone.goto("/portal/sign-in/?with=password")
    phone.fill("#email", "bea@example.org")
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    expect(phone.locator("h1")).to_have_text("Hello, Bea")
    assert_accessible(phone, "the portal's home with an appointment")
    phone.click(f"a[href='/portal/appointments/{appointment.pk}/reschedule/']")
    expect(phone.locator("h1")).to_have_text("Reschedule your appointment")
    assert_accessible(phone, "the portal's reschedule page")
    fits_the_phone(phone)
    phone.locator("#slots").scroll_into_view_if_needed()
    phone.screenshot(path=str(shots / "portal-reschedule.png"))
    phone.click("button:has-text('Move my appointment')")  # nothing chosen: the problem named
    expect(phone.locator("#problems")).to_contain_text("New time")
    assert_accessible(phone, "the reschedule page refused")
    phone.goto(f"/portal/appointments/{appointment.pk}/cancel/")
    assert_accessible(phone, "the portal's cancel page")
    fits_the_phone(phone)
    assert phone.csp_violations == []
