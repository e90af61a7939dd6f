"""The clinic admin sets up the diary in the browser (1280 px): from the menu to the setup, adds a service and a
Monday shift, and turns online booking on with the booking page's address; axe on the setup pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_check import assert_accessible
from browser_steps import log_in
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic(make_staff: Any) -> dict[str, Any]:
    from sciatica_care.clinic.models import Clinic, Role, Staff
    from sciatica_care.scheduling.models import Location, Room

    clinic = Clinic.objects.create(name="Riverside")
    admin = make_staff(clinic, Role.CLINIC_ADMIN, "a.morgan")
    prac = make_staff(clinic, Role.PRACTITIONER, "dr.lin")
    Staff.objects.filter(pk=prac.pk).update(first_name="Mei", last_name="Lin")
    location = Location.objects.create(clinic=clinic, name="High Street", time_zone="Europe/London")
    Room.objects.create(location=location, name="Room 1")
    return {"clinic": clinic, "admin": admin, "practitioner": prac, "location": location}


def test_an_admin_sets_up_a_service_and_a_shift_and_turns_on_online_booking(page: Any, clinic: dict[str, Any],
                                                                            shots: Path) -> None:
    from sciatica_care.scheduling.models import BookingRules, Service, Shift

    log_in(page, "a.morgan")
    page.click("header nav >> text=Front desk setup")
    expect(page.locator("h1")).to_have_text("Front desk setup")
    assert_accessible(page, "the front desk setup")

    page.click("main >> text=Services")
    page.fill("#id_name", "Follow-up acupuncture")
    page.select_option("#id_kind", "follow_up_acupuncture")
    page.fill("#id_duration_minutes", "45")
    page.fill("#id_buffer_after_minutes", "15")
    page.fill("#id_price", "60")
    page.click("button:has-text('Add service')")
    expect(page.locator(".messages")).to_contain_text("Follow-up acupuncture is added.")
    expect(page.locator("table.list")).to_contain_text("45 min")

    page.click(".setup-nav >> text=Working hours")
    page.select_option("#id_practitioner", str(clinic["practitioner"].pk))
    page.select_option("#id_location", str(clinic["location"].pk))
    page.select_option("#id_weekday", "0")
    page.fill("#id_start_time", "09:00")
    page.fill("#id_end_time", "13:00")
    page.click("button:has-text('Add shift')")
    expect(page.locator(".messages")).to_contain_text("Shift added: Mei Lin, Monday 09:00–13:00 at High Street.")
    expect(page.locator(f"#shifts-{clinic['practitioner'].pk}")).to_contain_text("09:00–13:00")
    assert_accessible(page, "the working hours")
    page.screenshot(path=str(shots / "front-desk-shifts.png"), full_page=True)

    page.click(".setup-nav >> text=Booking rules")
    page.check("#id_online_booking")
    page.click("button:has-text('Save booking rules')")
    expect(page.locator("#field-public_slug .error")).to_contain_text("Booking page address: give one")
    page.fill("#id_public_slug", "riverside")
    page.click("button:has-text('Save booking rules')")
    expect(page.locator(".messages")).to_contain_text("Booking rules saved.")
    expect(page.locator("#booking-address")).to_contain_text("/book/riverside/")

    assert Service.objects.filter(clinic=clinic["clinic"], duration_minutes=45, buffer_after_minutes=15).exists()
    assert Shift.objects.filter(practitioner=clinic["practitioner"], weekday=0).count() == 1
    rules = BookingRules.objects.get(clinic=clinic["clinic"])
    assert (rules.online_booking, rules.public_slug) == (True, "riverside")
    assert page.csp_violations == []
