"""A practitioner's day in the browser: log in, new patient, intake, plan, chart a visit, timeline, log out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def practitioner(make_staff: Any) -> Any:
    from sciatica_care.clinic.models import Clinic, Role

    return make_staff(Clinic.objects.create(name="Riverside"), Role.PRACTITIONER, "dr.lin")


def log_in(page: Any, username: str) -> None:
    from clinic_fixtures import PASSWORD

    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Patients")


def new_patient_with_intake(page: Any, *, pregnant: bool = False) -> None:
    page.click("text=New patient >> nth=-1")
    page.fill("#id_first_name", "Bea")
    page.fill("#id_last_name", "Jones")
    page.fill("#id_date_of_birth", "1990-02-03")
    page.select_option("#id_sex", "female")
    page.check("#id_consent_treatment")
    page.click("button:has-text('Save')")
    expect(page.locator("h1")).to_contain_text("Bea Jones")
    page.click("button:has-text('New episode')")
    expect(page.locator("h1")).to_contain_text("Intake")
    page.check("input[name=red_flags_screened]")
    if pregnant:
        page.check("input[name='patient.pregnant'][value=yes]")
        page.fill("input[name='patient.pregnancy_weeks']", "24")
    page.check("input[name='episode.side'][value=left]")
    page.fill("input[name='episode.duration_weeks']", "3")
    page.fill("input[name='pain.leg_nrs']", "7")
    page.check("input[name='pain.areas'][value=buttock]")
    page.check("input[name='pain.areas'][value=posterior_thigh]")
    page.check("input[name='medical__asked']")
    expect(page.locator("#plan-preview")).to_contain_text("Acupuncture")


def test_whole_course(page: Any, practitioner: Any, shots: Path) -> None:
    """Log in → new patient → intake with live preview → plan → chart a visit with ODI → timeline → log out."""
    log_in(page, "dr.lin")
    page.screenshot(path=str(shots / "patients.png"))
    new_patient_with_intake(page)
    page.screenshot(path=str(shots / "intake.png"), full_page=False)
    page.click("button:has-text('Save intake and plan')")
    expect(page.locator("h1")).to_contain_text("Plan 1")
    expect(page.locator(".guideline")).to_be_visible()
    page.screenshot(path=str(shots / "plan.png"), full_page=True)
    page.click("text=Chart a session")
    expect(page.locator("input[name=pt_code_0]")).to_have_count(1)
    page.check("input[name=red_flags_rechecked]")
    page.fill("input[name=leg_nrs]", "5")
    page.fill("textarea[name=subjective]", "Sitting is easier.")
    for k in range(10):
        page.select_option(f"select[name=odi_{k}]", "2")
    page.screenshot(path=str(shots / "chart.png"), full_page=True)
    page.click("button:has-text('Save session')")
    expect(page.locator(".messages")).to_contain_text("Session charted")
    expect(page.locator(".timeline")).to_contain_text("ODI 40.0")
    page.screenshot(path=str(shots / "timeline.png"), full_page=True)
    page.click("button:has-text('Log out')")
    expect(page.locator("h1")).to_have_text("Log in")
    assert page.csp_violations == []


def test_red_flag_on_recheck_stops_needling(page: Any, practitioner: Any, shots: Path) -> None:
    """Ticking a red flag on re-check stores no needling and shows the referral advice."""
    log_in(page, "dr.lin")
    new_patient_with_intake(page)
    page.click("button:has-text('Save intake and plan')")
    page.click("text=Chart a session")
    page.check("input[name=recheck_flags][value=bladder_dysfunction]")
    page.check("input[name=red_flags_rechecked]")
    page.click("button:has-text('Save session')")
    expect(page.locator(".stop")).to_contain_text("Needling stopped")
    expect(page.locator(".stop")).to_contain_text("same-day emergency")
    page.screenshot(path=str(shots / "red-flag-stop.png"), full_page=True)
    from sciatica_care.clinic.models import Visit

    assert Visit.objects.get().points == []


def test_excluded_point_override(page: Any, practitioner: Any) -> None:
    """A point the plan excluded (pregnancy) is refused without a reason and stored with one."""
    log_in(page, "dr.lin")
    new_patient_with_intake(page, pregnant=True)
    page.click("button:has-text('Save intake and plan')")
    page.click("text=Chart a session")
    row = page.locator(".override-row").first
    code = row.get_attribute("id").removeprefix("override-")
    page.check("input[name=red_flags_rechecked]")
    row.locator("input[type=checkbox]").check()
    page.click("button:has-text('Save session')")
    expect(page.locator("[role=alert]").first).to_contain_text("give the reason")
    page.check("input[name=red_flags_rechecked]")
    page.locator(f"#override-{code} input[type=checkbox]").check()
    page.fill(f"input[name=ex_reason_{code}]", "Obstetrician agreed")
    page.click("button:has-text('Save session')")
    expect(page.locator(".messages")).to_contain_text("Session charted")
    from sciatica_care.clinic.models import AuditEvent

    assert AuditEvent.objects.filter(action="override_excluded_point", detail__code=code).exists()


def test_script_in_note_stays_text(page: Any, practitioner: Any) -> None:
    """A note with <script> shows as text and runs nothing."""
    log_in(page, "dr.lin")
    new_patient_with_intake(page)
    page.click("button:has-text('Save intake and plan')")
    page.click("text=Chart a session")
    page.check("input[name=red_flags_rechecked]")
    page.fill("textarea[name=subjective]", "<script>window.pwned = 1</script>")
    page.click("button:has-text('Save session')")
    page.click(".timeline a:has-text('Session')")
    expect(page.locator("main")).to_contain_text("<script>window.pwned = 1</script>")
    assert page.evaluate("window.pwned === undefined")
