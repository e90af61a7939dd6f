"""The staff calendar in the browser: reception books a course from the plan on the week view (1280 px), books a
free time by clicking it, and works the day at phone width (375 px); pictures of the week, the day on a phone and
the course being booked."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from browser_steps import log_in
from calendar_clinic import lived_in_clinic
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic(make_staff: Any) -> dict[str, Any]:
    return lived_in_clinic(make_staff)


def open_week(page: Any, clinic: dict[str, Any], username: str = "dr.lin") -> None:
    page.click("header nav >> text=Calendar")
    page.wait_for_load_state()
    page.select_option("#cal-who", f"practitioner:{clinic['team'][username].pk}")
    expect(page.locator("h1")).to_contain_text("Mei Lin")


def test_reception_books_a_course_from_the_plan_on_the_week_view(page: Any, clinic: dict[str, Any],
                                                                 shots: Path) -> None:
    from sciatica_care.scheduling.models import Appointment

    log_in(page, "jo.front")
    open_week(page, clinic)
    if page.locator(".appt", has_text="Ann Smith").count() == 0:  # the week with her first session
        page.goto(f"/calendar/?who=practitioner:{clinic['team']['dr.lin'].pk}&date={clinic['monday']}")
    page.locator(".appt", has_text="Ann Smith").first.click()
    panel = page.locator("#panel")
    expect(panel.locator("h2")).to_have_text("Ann Smith")
    expect(panel).not_to_contain_text("GB30")
    panel.get_by_role("link", name="Book the course").click()
    expect(page.locator("h1")).to_have_text("Book the course · Ann Smith")
    # The patient can come on Tuesdays and Fridays at 11:00.
    for day in ("Mon", "Wed", "Thu", "Sat", "Sun"):
        box = page.locator(f".day-pick:has-text('{day}') input")
        if box.is_checked():
            page.locator(f".day-pick:has-text('{day}') span").click()
    for day in ("Tue", "Fri"):
        if not page.locator(f".day-pick:has-text('{day}') input").is_checked():
            page.locator(f".day-pick:has-text('{day}') span").click()
    page.fill("input[name=time]", "11:00")
    page.click("text=Propose the course again")
    rows = page.locator(".course-table tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator(".course-table")).to_contain_text("Review")
    expect(page.locator(".course-page")).to_contain_text("Session 1 is booked already")
    expect(page.locator("#session-1")).to_have_count(0)
    # Adjust: session 3 an hour later, session 7 left out.
    page.fill("input[name=time_3]", "12:00")
    page.uncheck("#book-7")
    page.screenshot(path=str(shots / "book-course.png"), full_page=True)
    ticked = page.locator(".course-table input[type=checkbox]:checked").count()
    page.click("text=Book the ticked sessions")
    expect(page.locator(".messages")).to_contain_text(f"Booked {ticked} sessions of the course for Ann Smith")
    booked = Appointment.objects.filter(episode=clinic["episode"], booked_via="course")
    assert booked.count() == ticked
    assert booked.filter(is_review=True).count() == 1
    assert not booked.filter(course_session=7).exists()
    third = booked.get(course_session=3)
    assert third.start.astimezone(dt.UTC).minute == 0
    # Back on the week view: the sessions are there, numbered, the review marked.
    expect(page.locator("h1")).to_contain_text("Mei Lin")
    expect(page.locator(".appt", has_text="Ann Smith").first.locator("a")).to_have_attribute(
        "aria-label", re.compile(r"Ann Smith, .*Session 1 of"))
    review = booked.get(is_review=True).start.date()
    page.goto(f"/calendar/?who=practitioner:{clinic['team']['dr.lin'].pk}&date={review}")
    page.wait_for_load_state()
    expect(page.locator(".appt .badge.review")).to_be_visible()
    page.screenshot(path=str(shots / "calendar-week.png"), full_page=True)
    assert page.csp_violations == []


def test_reception_books_a_free_time_by_clicking_it(page: Any, clinic: dict[str, Any]) -> None:
    from sciatica_care.scheduling.models import Appointment

    before = Appointment.objects.filter(patient__last_name="Hartley").count()
    log_in(page, "jo.front")
    next_week = clinic["today"] + dt.timedelta(days=7)
    page.goto(f"/calendar/?who=practitioner:{clinic['team']['dr.lin'].pk}&date={next_week}")
    page.wait_for_load_state()
    page.locator(".free").nth(4).click(force=True)
    panel = page.locator("#panel")
    expect(panel.locator("h2")).to_have_text("Book an appointment")
    panel.locator("#f-q").fill("Hartley")
    panel.get_by_label("Lucy Hartley").check()
    panel.locator("#f-service").select_option(label="Therapeutic massage · 45 min")
    expect(panel.locator(".slot-list")).to_be_visible()
    panel.locator(".slot-list span").first.click()
    panel.get_by_role("button", name="Book", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Booked: Lucy Hartley, Therapeutic massage")
    assert Appointment.objects.filter(patient__last_name="Hartley").count() == before + 1
    assert page.csp_violations == []


def test_the_day_view_works_at_phone_width(page: Any, clinic: dict[str, Any], shots: Path) -> None:
    """At 375 px the day is a list in time order; an appointment opens full-screen and is marked arrived."""
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, "jo.front")
    tuesday = clinic["monday"] + dt.timedelta(days=8)
    page.goto(f"/calendar/?who=practitioner:{clinic['team']['dr.lin'].pk}&view=day&date={tuesday}")
    page.wait_for_load_state()
    items = page.locator(".appts > li.appt")
    expect(items.first).to_be_visible()
    tops = [items.nth(i).bounding_box()["y"] for i in range(items.count())]
    assert tops == sorted(tops)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page.locator(".cal-axis")).to_be_hidden()
    page.screenshot(path=str(shots / "calendar-day-375.png"), full_page=True)
    items.first.click()
    panel = page.locator("#panel")
    expect(panel.locator("h2")).to_be_visible()
    assert panel.bounding_box()["width"] == 375
    page.keyboard.press("Escape")
    expect(panel).to_be_empty()
    assert page.csp_violations == []


def test_the_calendar_works_with_the_keyboard(page: Any, clinic: dict[str, Any]) -> None:
    """Tab reaches an appointment, Enter opens it with focus on its heading, Escape closes it and focus returns."""
    log_in(page, "jo.front")
    page.goto(f"/calendar/?who=practitioner:{clinic['team']['dr.lin'].pk}&date={clinic['monday']}")
    page.wait_for_load_state()
    first = page.locator(".appt a").first
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#panel h2")).to_be_focused()
    page.keyboard.press("Escape")
    expect(first).to_be_focused()
