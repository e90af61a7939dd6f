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
