"""The clinic admin in the browser: Staff from the header, invite a colleague (who sets a password and logs in),
change a practitioner's role; pictures of the staff page at desktop and phone widths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_steps import log_in
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic_team(make_staff: Any) -> Any:
    from sciatica_care.clinic.models import Clinic, Role, Staff

    clinic = Clinic.objects.create(name="Riverside")
    admin = make_staff(clinic, Role.CLINIC_ADMIN, "a.morgan")
    for username, first, last, role in (("dr.lin", "Mei", "Lin", Role.PRACTITIONER),
                                        ("dr.okafor", "Chidi", "Okafor", Role.PRACTITIONER),
                                        ("s.reyes", "Sam", "Reyes", Role.RECEPTION)):
        Staff.objects.filter(pk=make_staff(clinic, role, username).pk).update(first_name=first, last_name=last)
    Staff.objects.filter(pk=admin.pk).update(first_name="Alex", last_name="Morgan", is_staff=False)
    return admin


def test_admin_invites_a_colleague_and_changes_a_role(page: Any, chromium: Any, live_server: Any,
                                                      clinic_team: Any, shots: Path, tmp_path: Path) -> None:
    log_in(page, "a.morgan")
    page.click("header nav >> text=Staff")
    expect(page.locator("h1")).to_have_text("Staff")
    page.fill("#id_username", "j.park")
    page.fill("#id_first_name", "Jo")
    page.fill("#id_last_name", "Park")
    page.fill("#id_email", "jo.park@example.org")
    page.select_option("#id_role", "practitioner")
    page.click("button:has-text('Invite')")
    expect(page.locator(".messages")).to_contain_text("Jo Park is invited as Practitioner")
    link = page.locator("#invite-link").inner_text()
    expect(page.locator("table.staff")).to_contain_text("invited")

    # Change Dr Okafor to reception, from their page.
    page.click("table.staff >> text=Chidi Okafor")
    expect(page.locator("h1")).to_contain_text("Chidi Okafor")
    page.select_option("#id_role", "reception")
    page.click("button:has-text('Change role')")
    expect(page.locator(".messages")).to_contain_text("Chidi Okafor is now Reception")
    expect(page.locator("#current-role")).to_have_text("Reception")
    expect(page.locator("table.list")).to_contain_text("role: practitioner → reception")
    page.click("text=← Staff")
    expect(page.locator("#staff-" + str(_pk("dr.okafor")) + " td.role")).to_have_text("Reception")
    page.screenshot(path=str(shots / "staff.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    page.screenshot(path=str(tmp_path / "staff-375.png"), full_page=True)  # looked at, not kept
    page.set_viewport_size({"width": 1280, "height": 900})

    # The colleague opens the link, chooses a password and logs in.
    context = chromium.new_context(base_url=live_server.url)
    theirs = context.new_page()
    theirs.goto(link)
    expect(theirs.locator("h1")).to_have_text("Choose your password")
    theirs.fill("#id_new_password1", "lilac-tractor-harbour-71")
    theirs.fill("#id_new_password2", "lilac-tractor-harbour-71")
    theirs.click("button:has-text('Set my password')")
    expect(theirs.locator(".messages")).to_contain_text("Your password is set")
    theirs.fill("input[name=username]", "j.park")
    theirs.fill("input[name=password]", "lilac-tractor-harbour-71")
    theirs.click("button[type=submit]")
    expect(theirs.locator("h1")).to_have_text("Patients")
    expect(theirs.locator("header nav")).not_to_contain_text("Staff")
    context.close()
    assert page.csp_violations == []


def _pk(username: str) -> int:
    from sciatica_care.clinic.models import Staff

    return int(Staff.objects.get(username=username).pk)
