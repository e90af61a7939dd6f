"""Steps the browser tests share."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def log_in(page: Any, username: str) -> None:
    """Log in through the login form and land on the patient list."""
    from clinic_fixtures import PASSWORD

    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Patients")


def open_new_intake(page: Any, *, sex: str) -> None:
    """Register the test patient Bea Jones from the patient list and open her first episode's intake form."""
    page.click("text=New patient >> nth=-1")
    page.fill("#id_first_name", "Bea")
    page.fill("#id_last_name", "Jones")
    page.fill("#id_date_of_birth", "1990-02-03")
    page.select_option("#id_sex", sex)
    page.check("#id_consent_treatment")
    page.click("button:has-text('Save')")
    expect(page.locator("h1")).to_contain_text("Bea Jones")
    page.click("button:has-text('New episode')")
    expect(page.locator("h1")).to_contain_text("Intake")
