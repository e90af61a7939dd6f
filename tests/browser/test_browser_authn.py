"""Signing in with a password and a code from an authenticator app on a phone-sized screen (375 px): a clinic
admin's first sign-in sets up the second factor (QR code, key, recovery codes), the next asks for the code.
Pictures of the set-up and code pages at 375 and 1280 px."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.second_factor]


def _code(key_text: str, drift: int = 0) -> str:
    key = key_text.replace(" ", "")
    return str(totp(base64.b32decode(key + "=" * (-len(key) % 8)), drift=drift)).zfill(6)


def _password(page: Any, username: str) -> None:
    from clinic_fixtures import PASSWORD

    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_password_and_totp_at_375_px(page: Any, make_staff: Any, shots: Path) -> None:
    from sciatica_care.clinic.models import Clinic, Role, Staff

    clinic = Clinic.objects.create(name="Riverside")
    admin = make_staff(clinic, Role.CLINIC_ADMIN, "a.morgan")
    Staff.objects.filter(pk=admin.pk).update(first_name="Alex", last_name="Morgan")
    page.set_viewport_size({"width": 375, "height": 812})

    _password(page, "a.morgan")
    expect(page.locator("h1")).to_have_text("Set up your second factor")
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "second-factor-enrol-375.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(shots / "second-factor-enrol.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    key = page.locator(".otp-key").inner_text()
    page.fill("input[name=token]", _code(key))
    page.click("button:has-text('Confirm')")
    expect(page.locator("h1")).to_have_text("Second factor set up")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.click("text=I have kept them: continue")
    expect(page.locator("h1")).to_have_text("Patients")
    page.click("summary:has-text('Menu')")  # at phone width the header's links and Log out sit in the menu
    page.click("button:has-text('Log out')")

    _password(page, "a.morgan")
    expect(page.locator("h1")).to_have_text("Your code, please")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "second-factor-verify-375.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(shots / "second-factor-verify.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    page.fill("input[name=token]", _code(key, drift=1))  # the next step's code: the first one is spent
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Patients")
    assert not page.csp_violations, page.csp_violations
