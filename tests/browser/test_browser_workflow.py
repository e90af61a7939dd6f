"""A practitioner's day in the browser: log in, new patient, intake, plan, chart a visit, timeline, log out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_steps import log_in, open_new_intake
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def new_patient_with_intake(page: Any, *, pregnant: bool = False) -> None:
    open_new_intake(page, sex="female")
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


@pytest.fixture
def some_patients(practitioner: Any) -> None:
    """A few patients already on the list, so that its picture shows one."""
    import datetime as dt

    from sciatica_care.clinic import records

    for i, (first, last) in enumerate([("Olivia", "Patel"), ("James", "Evans"), ("Amelia", "Nowak"),
                                       ("Noah", "Hughes"), ("Isla", "Kowalski"), ("Oliver", "Ahmed")]):
        records.create_patient(practitioner, first_name=first, last_name=last, phone=f"07700 900{i:03d}",
                               date_of_birth=dt.date(1960 + 5 * i, 1 + i, 3 + 4 * i), consent_treatment=True)


@pytest.mark.usefixtures("some_patients")
def test_whole_course(page: Any, practitioner: Any, shots: Path) -> None:
    """Log in → new patient → intake with live preview → plan → chart a visit with ODI → timeline → log out."""
    log_in(page, "dr.lin")
    page.screenshot(path=str(shots / "patients.png"))
    new_patient_with_intake(page)
    page.evaluate("window.scrollTo(0, 0)")  # the picture shows the form from its top, red flags first
    page.screenshot(path=str(shots / "intake.png"), full_page=False)
    page.click("button:has-text('Save intake and plan')")
    expect(page.locator("h1")).to_contain_text("Plan 1")
    expect(page.locator(".guideline")).to_be_visible()
    points = page.locator("table.plan-points").first
    expect(points.locator("th")).to_contain_text(["Point", "Side", "Where to needle", "Depth", "Why"])
    expect(points.locator("td.depth").first).to_contain_text("cun")
    expect(points.locator("td.where").first).not_to_be_empty()
    # The page runs long; the picture shows it down to the first points with their locations and depths.
    rows = points.locator("tbody tr")
    last = rows.nth(min(2, rows.count() - 1)).bounding_box()
    page.screenshot(path=str(shots / "plan.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": 1280, "height": last["y"] + last["height"] + 1})
    page.emulate_media(media="print")  # printable: no navigation or buttons, the point table with its locations
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.get_by_role("link", name="Chart a session")).to_be_hidden()
    expect(points.locator("td.where").first).to_be_visible()
    page.emulate_media(media="screen")
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
    page.click(".timeline a:has-text('Session')")
    page.click("text=Edit notes")
    page.fill("textarea[name=assessment]", "Responding: leg pain down 2 points.")
    page.click("button:has-text('Save notes')")
    expect(page.locator(".messages")).to_contain_text("Notes saved")
    expect(page.locator("main")).to_contain_text("Notes amended 1 time")
    expect(page.locator("main")).to_contain_text("Responding: leg pain down 2 points.")
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
    expect(page.locator(".stop")).to_contain_text("emergency department")
    expect(page.locator(".stop")).not_to_contain_text("treatment may go ahead")
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
    page.fill("textarea[name=subjective]", "Asked for the override point")
    page.click("button:has-text('Save session')")
    expect(page.locator("[role=alert]").first).to_contain_text("give the reason")
    # Nothing ticked or typed is lost: only the missing reason is left to give.
    expect(page.locator("input[name=red_flags_rechecked]")).to_be_checked()
    expect(page.locator(f"#override-{code} input[type=checkbox]")).to_be_checked()
    expect(page.locator("textarea[name=subjective]")).to_have_value("Asked for the override point")
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


def test_swagger_ui_works_under_the_csp(page: Any, practitioner: Any) -> None:
    """/api/docs renders Swagger UI from the app's own files under the strict policy, and "Try it out" with a
    token reaches the API: no CSP violation, no relaxed policy for that path."""
    from sciatica_care.clinic import api_tokens

    _, token = api_tokens.issue(practitioner, "swagger")
    response = page.goto("/api/docs")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    expect(page.locator(".opblock-summary").first).to_be_visible()
    assert page.locator(".opblock").count() >= 10
    page.click("button.authorize")
    page.locator(".modal-ux input").first.fill(token)
    page.locator(".modal-ux button.authorize").click()
    page.locator(".modal-ux button.btn-done").click()
    page.locator(".opblock-get .opblock-summary-path", has_text="/api/patients").first.click()
    page.click("button.try-out__btn")
    page.click("button.execute")
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("200")
    assert page.csp_violations == []
