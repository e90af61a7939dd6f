"""The staff calendar in the browser: reception's week, the day at phone width, booking from a free time, and a
course booked from the plan on the week view."""

from __future__ import annotations

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


def test_reception_sees_the_week(page: Any, clinic: dict[str, Any], shots: Path) -> None:
    log_in(page, "jo.front")
    page.click("header nav >> text=Calendar")
    page.wait_for_load_state()
    page.select_option("#cal-who", f"practitioner:{clinic['team']['dr.lin'].pk}")
    expect(page.locator("h1")).to_contain_text("Mei Lin")
    page.screenshot(path=str(shots / "calendar-week.png"), full_page=True)
    assert page.csp_violations == []


def test_debug(page: Any, clinic: dict[str, Any], shots: Path) -> None:
    log_in(page, "jo.front")
    lin = clinic["team"]["dr.lin"].pk
    loc = clinic["location"].pk
    today = clinic["today"]
    page.goto(f"/calendar/?who=location:{loc}&view=week")
    page.screenshot(path="/tmp/sc/loc-week.png", full_page=True)
    page.goto(f"/calendar/?who=location:{loc}&view=day&date={clinic['monday'].isoformat()}")
    page.screenshot(path="/tmp/sc/loc-day.png", full_page=True)
    page.goto(f"/calendar/?who=practitioner:{lin}&view=day&date={today.isoformat()}")
    page.wait_for_load_state()
    page.click(".appt >> nth=0")
    page.wait_for_timeout(500)
    page.screenshot(path="/tmp/sc/panel.png")
    page.keyboard.press("Escape")
    page.goto(f"/calendar/?who=practitioner:{lin}&view=week&date={(today + __import__('datetime').timedelta(days=7)).isoformat()}")
    page.wait_for_load_state()
    page.click(".free >> nth=5")
    page.wait_for_timeout(500)
    page.screenshot(path="/tmp/sc/book.png")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"/calendar/?who=practitioner:{lin}&view=day&date={clinic['monday'].isoformat()}")
    page.screenshot(path="/tmp/sc/day-375.png", full_page=True)
    page.goto(f"/calendar/?who=location:{loc}&view=week")
    page.screenshot(path="/tmp/sc/locweek-375.png", full_page=True)
    print("CSP", page.csp_violations)
