"""The override flow in a browser: a point forbidden for a pregnant patient (never in her plan) is refused with the
rule named, a reason row appears for it, the reason is given, the session saves and the visit shows the override."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from browser_steps import log_in
from playwright.sync_api import expect

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _pregnant_course(practitioner: Any) -> Any:
    from sciatica_care.clinic import records

    patient = records.create_patient(practitioner, first_name="Mei", last_name="Okafor",
                                     date_of_birth=dt.date(1992, 4, 9), sex="female", consent_treatment=True)
    episode = records.open_episode(practitioner, patient)
    intake = yaml.safe_load((EXAMPLES / "pregnancy-third-trimester.yaml").read_text())
    records.record_intake(practitioner, episode, intake)
    return episode


def test_override_flow(page: Any, practitioner: Any, shots: Path, tmp_path: Path) -> None:
    episode = _pregnant_course(practitioner)
    log_in(page, "dr.lin")
    page.goto(f"/episodes/{episode.pk}/visits/new/")
    page.check("input[name=red_flags_rechecked]")
    page.fill("input[name=extra_points]", "sp-6 left")
    page.fill("textarea[name=subjective]", "Asked for SP6")
    page.click("button:has-text('Save session')")
    alert = page.locator("[role=alert]").first
    expect(alert).to_contain_text("SP6 left is forbidden for this patient now (pregnancy-forbidden-points)")
    expect(page.locator("#override-SP6")).to_contain_text("forbidden for this patient now")
    # Nothing typed is lost.
    expect(page.locator("input[name=extra_points]")).to_have_value("sp-6 left")
    expect(page.locator("textarea[name=subjective]")).to_have_value("Asked for SP6")
    for width, name in ((1280, "chart-override.png"), (375, "chart-override-375.png")):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#override-SP6").scroll_into_view_if_needed()
        page.locator("fieldset:has(#override-SP6)").screenshot(path=str(tmp_path / name))
        # Nothing wider than the screen at either width.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("input[name=ex_reason_SP6]", "Obstetrician agreed in writing")
    page.click("button:has-text('Save session')")
    expect(page.locator(".messages")).to_contain_text("Session charted")
    from sciatica_care.clinic.models import AuditEvent, Visit

    visit = Visit.objects.get(episode=episode)
    assert visit.overrides[0]["code"] == "SP6"
    assert AuditEvent.objects.filter(action="override_excluded_point", detail__code="SP6").exists()
    page.goto(f"/visits/{visit.pk}/")
    expect(page.locator(".overrides")).to_contain_text("SP6 left")
    expect(page.locator(".overrides")).to_contain_text("Reason given: Obstetrician agreed in writing")
    page.locator("section.card").screenshot(path=str(tmp_path / "visit-override.png"))
