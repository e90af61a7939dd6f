"""In the browser: the tablet hand-off locks the session (Back from the questionnaire shows the lock screen, not
the record), and a double-clicked save stores one intake and one patient."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_steps import log_in
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)



def test_back_from_the_tablet_questionnaire_shows_the_lock_screen(page: Any, course: dict[str, Any],
                                                                   shots: Path) -> None:
    from clinic_fixtures import PASSWORD

    episode = course["episode"]
    log_in(page, "dr.lin")
    page.goto(f"/episodes/{episode.pk}/")
    page.select_option("select[name=measure]", "odi")
    page.click("button:has-text('Hand the tablet to the patient')")
    expect(page.locator("h1")).to_contain_text("Oswestry")
    page.go_back()
    expect(page.locator("h1")).to_have_text("This tablet is locked")
    assert "Jones" not in page.content()
    page.go_back()
    expect(page.locator("h1")).to_have_text("This tablet is locked")
    page.goto(f"/patients/{course['patient'].pk}/")
    expect(page.locator("h1")).to_have_text("This tablet is locked")
    page.screenshot(path=str(shots / "kiosk-locked.png"))
    page.click("text=Go back to the questionnaire")
    expect(page.locator("h1")).to_contain_text("Oswestry")
    page.goto("/kiosk/")
    page.fill("input[name=password]", "not-the-password")
    page.click("button:has-text('Unlock')")
    expect(page.locator("[role=alert]")).to_contain_text("not right")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Unlock')")
    expect(page.locator("h1")).to_contain_text("Jones")
    assert page.csp_violations == []


SEND_TWICE = """selector => { const f = document.querySelector(selector);
    const send = () => fetch(f.action || location.href, {method: 'POST', body: new FormData(f)})
        .then(r => [r.status, new URL(r.url).pathname]);
    return send().then(a => send().then(b => [a, b])); }"""


def test_a_form_sent_twice_stores_one_patient_and_one_intake(page: Any, practitioner: Any) -> None:
    """The same form sent twice from the page (a double click the browser did not swallow, a resend; one after
    the other: the live server's in-memory SQLite cannot take two writers at once, see the concurrent test in
    tests/clinic/test_clinic_integrity.py): one patient, one course, one plan; both land on what was stored."""
    from sciatica_care.clinic.models import Episode, Patient, PlanRevision

    log_in(page, "dr.lin")
    page.goto("/patients/new/")
    page.fill("#id_first_name", "Cai")
    page.fill("#id_last_name", "Wong")
    page.fill("#id_date_of_birth", "1979-06-07")
    first, second = page.evaluate(SEND_TWICE, "form.form-grid")
    assert first == second
    assert Patient.objects.filter(last_name="Wong").count() == 1
    page.goto(first[1])
    expect(page.locator("h1")).to_contain_text("Cai Wong")
    page.click("button:has-text('New episode')")
    expect(page.locator("h1")).to_contain_text("Intake")
    page.check("input[name=red_flags_screened]")
    page.check("input[name='episode.side'][value=left]")
    page.fill("input[name='episode.duration_weeks']", "3")
    page.fill("input[name='pain.leg_nrs']", "7")
    page.check("input[name='pain.areas'][value=buttock]")
    page.check("input[name='medical__asked']")
    first, second = page.evaluate(SEND_TWICE, "#intake-form")
    assert first == second
    assert first[0] == 200
    assert first[1].startswith("/plans/")
    episodes = Episode.objects.filter(patient__last_name="Wong")
    assert episodes.count() == 1
    assert PlanRevision.objects.filter(episode__in=episodes).count() == 1
    page.reload()  # the form shown afresh (as after Back) says it was saved, with a link to what it stored
    expect(page.locator("[data-submitted-before]")).to_be_visible()
    page.click("[data-submitted-before] a")
    expect(page.locator("h1")).to_contain_text("Plan 1")
