"""The clinic's public booking page on a phone (360 px): someone new books the free consultation call, sees the
confirmation, and — once the outbox has sent it — has the confirmation email with a calendar file for that time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import icalendar
import pytest
from axe_check import assert_accessible
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic(make_staff: Any, settings: Any) -> dict[str, Any]:
    from sciatica_care.clinic.models import Clinic, Role, Staff
    from sciatica_care.scheduling.models import BookingRules, Location, Service, ServiceKind, Shift

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    clinic = Clinic.objects.create(name="Riverside Acupuncture")
    prac = make_staff(clinic, Role.PRACTITIONER, "dr.lin")
    Staff.objects.filter(pk=prac.pk).update(first_name="Mei", last_name="Lin", email="mei@clinic.example")
    location = Location.objects.create(clinic=clinic, name="Riverside", time_zone="Europe/London",
                                       address="12 Mill Lane")
    call = Service.objects.create(clinic=clinic, name="Free consultation call", kind=ServiceKind.CONSULTATION_CALL,
                                  duration_minutes=15, room_needed=False, by_phone=True)
    Service.objects.create(clinic=clinic, name="Initial assessment", kind=ServiceKind.INITIAL_ASSESSMENT,
                           duration_minutes=75, price=Decimal("85.00"))
    for day in range(7):
        Shift.objects.create(practitioner=prac, location=location, weekday=day, start_time=dt.time(9),
                             end_time=dt.time(17))
    BookingRules.objects.create(clinic=clinic, online_booking=True, public_slug="riverside",
                                front_desk_email="desk@clinic.example")
    return {"clinic": clinic, "call": call}


def test_someone_new_books_the_free_call_on_a_phone_and_gets_the_calendar_file(
        page: Any, clinic: dict[str, Any], shots: Path, mailoutbox: list[Any]) -> None:
    from sciatica_care.scheduling import outbox
    from sciatica_care.scheduling.models import Appointment

    page.set_viewport_size({"width": 360, "height": 780})
    page.goto("/book/riverside/")
    expect(page.locator("h1")).to_have_text("Book an appointment")
    page.get_by_label("Free consultation call").check()
    page.get_by_role("button", name="Show free times").first.click()
    expect(page.locator("#times")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "the free times")
    expect(page.get_by_role("link", name="No time that suits? Join the waitlist")).to_be_visible()
    page.evaluate("document.getElementById('times-section').scrollIntoView()")
    page.screenshot(path=str(shots / "online-booking-times-360.png"))
    page.locator(".ob-time").first.click()
    expect(page.locator("h1")).to_have_text("Your details")
    assert_accessible(page, "the details form")
    page.get_by_label("Your name").fill("Ben Jones")
    page.get_by_label("Email").first.fill("ben@example.org")
    page.get_by_role("button", name="Book this time").click()
    expect(page.locator("h1")).to_have_text("You're booked")
    expect(page.locator("main")).to_contain_text("A confirmation email with a calendar file (.ics) is on its way")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "the confirmation")
    page.screenshot(path=str(shots / "online-booking-360.png"), full_page=True)
    assert page.csp_violations == []

    appointment = Appointment.objects.get()
    assert (appointment.prospect_name, appointment.booked_via) == ("Ben Jones", "online")
    outbox.dispatch()
    sent = [m for m in mailoutbox if m.to == ["ben@example.org"]]
    assert len(sent) == 1
    files = [a for a in sent[0].attachments if a[0].endswith(".ics")]
    assert len(files) == 1
    calendar = icalendar.Calendar.from_ical(files[0][1])
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("DTSTART") == appointment.start
    assert {m.to[0] for m in mailoutbox} >= {"mei@clinic.example", "desk@clinic.example"}
