"""The waitlist in the browser: a patient's appointment is cancelled, the patient waiting opens the offer link from
the message queued for them on a phone (360 px) and takes the time; reception's calendar then shows the booking."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from axe_check import violations
from browser_steps import log_in
from calendar_clinic import LONDON, lived_in_clinic
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_patient_on_the_waitlist_takes_a_freed_time_from_the_offer_link(page: Any, make_staff: Any,
                                                                        settings: Any, shots: Path) -> None:
    from sciatica_care.clinic.models import Patient
    from sciatica_care.scheduling import booking, waitlist
    from sciatica_care.scheduling.models import Message

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    clinic = lived_in_clinic(make_staff, with_week=False)
    lin = clinic["team"]["dr.lin"]
    day = dt.datetime.now(LONDON).date() + dt.timedelta(days=2)
    while day.weekday() == 6:  # Dr Lin works Monday to Saturday
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(10), tzinfo=LONDON)
    leaving, waiting = clinic["patients"][1], clinic["patients"][2]
    Patient.objects.filter(pk=waiting.pk).update(email="waiting@example.org")
    appointment = booking.book(clinic=clinic["clinic"], practitioner=lin,
                               service=clinic["services"]["electroacupuncture"], location=clinic["location"],
                               start=start, patient=leaving, by=clinic["team"]["jo.front"])
    waitlist.join(clinic=clinic["clinic"], service=clinic["services"]["electroacupuncture"], earliest=day,
                  latest=day + dt.timedelta(days=7), patient=waiting, by=clinic["team"]["jo.front"])
    booking.cancel(appointment, by=None, reason="cannot come")

    offer = Message.objects.get(kind="waitlist_offer", to_address="waiting@example.org")
    link = re.search(r"/book/offer/[A-Za-z0-9_-]+/", offer.body)
    assert link, offer.body
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(link.group(0))
    expect(page.locator("h1")).to_contain_text("A time has come free")
    expect(page.locator("main")).to_contain_text("at 10:00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert violations(page) == []
    page.get_by_role("button", name="Book this time").click()
    expect(page.locator("h1")).to_have_text("You are booked")

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "jo.front")
    page.goto(f"/calendar/?who=practitioner:{lin.pk}&date={day}&view=day")
    expect(page.locator(".appt", has_text=f"{waiting.first_name} {waiting.last_name}").first).to_be_visible()
    waitlist.join(clinic=clinic["clinic"], service=clinic["services"]["electroacupuncture"], earliest=day,
                  latest=day + dt.timedelta(days=14), weekdays=[1, 3], patient=clinic["patients"][3],
                  practitioner=lin, by=clinic["team"]["jo.front"])
    waitlist.join(clinic=clinic["clinic"], service=clinic["services"]["electroacupuncture"], earliest=day,
                  latest=day + dt.timedelta(days=21), by=None, prospect_name="Robin Reed",
                  prospect_email="robin@example.org", prospect_phone="07700 900461")
    page.goto("/waitlist/?show=all")
    expect(page.locator("table.waitlist")).to_contain_text("Booked")
    expect(page.locator("details.wl-link summary")).to_contain_text("Link to a patient")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert violations(page) == []
    page.screenshot(path=str(shots / "waitlist.png"), full_page=True)
    page.locator("details.wl-link summary").click()
    page.fill("input[name=q][id^=link-q]", "zzz")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("details.wl-link[open]")).to_contain_text("No patient found")
    assert violations(page) == []
    assert page.csp_violations == []


def test_the_public_join_page_at_phone_width(page: Any, make_staff: Any, shots: Path) -> None:
    """Someone joins the waitlist from the clinic's public page on a phone; the desk sees them waiting."""
    from sciatica_care.scheduling.models import BookingRules, WaitlistEntry

    clinic = lived_in_clinic(make_staff, with_week=False)
    BookingRules.objects.filter(clinic=clinic["clinic"]).update(online_booking=True, public_slug="riverside")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/book/riverside/waitlist/")
    expect(page.locator("h1")).to_contain_text("Join the waitlist")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert violations(page) == []
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.locator("#errors")).to_contain_text("Choose the appointment you would like")
    expect(page.locator("#id_name")).to_have_attribute("aria-invalid", "true")
    assert violations(page) == []
    page.goto("/book/riverside/waitlist/")
    page.fill("#id_name", "Robin Reed")
    page.fill("#id_email", "robin@example.org")
    page.get_by_label("Therapeutic massage").check()
    page.get_by_label("Tuesday").check()
    page.screenshot(path=str(shots / "waitlist-join-360.png"), full_page=True)
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.locator("h1")).to_have_text("You're on the waitlist")
    expect(page.locator("main")).to_contain_text("Tuesday")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert violations(page) == []
    assert page.csp_violations == []
    entry = WaitlistEntry.objects.get()
    assert (entry.prospect_name, entry.weekdays, entry.patient_id) == ("Robin Reed", [1], None)
