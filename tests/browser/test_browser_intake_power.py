"""Intake 1.1 in the browser: MRC power grades in a few clicks (the foot-drop note shows as the grade is chosen)
and where an implanted device sits, then the plan shows what was recorded. Screenshots at 1280 px and 375 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_steps import log_in, open_new_intake
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def grade(page: Any, muscle: str, value: str) -> None:
    """Click a grade's button in the grid, as a practitioner does."""
    page.locator(f"label.grade:has(input[name='examination.power.{muscle}'][value='{value}'])").click()


def test_power_grades_and_a_device_site_reach_the_plan(page: Any, practitioner: Any, shots: Path,
                                                        tmp_path: Path) -> None:
    log_in(page, "dr.lin")
    open_new_intake(page, sex="male")
    page.check("input[name=red_flags_screened]")
    page.check("input[name='episode.side'][value=left]")
    page.fill("input[name='episode.duration_weeks']", "5")
    page.fill("input[name='pain.leg_nrs']", "6")
    for area in ("buttock", "posterior_thigh", "lateral_calf"):
        page.check(f"input[name='pain.areas'][value={area}]")

    foot = page.locator("#field-examination-power-ankle_dorsiflexion")
    expect(foot).to_contain_text("≤ 3/5 = acute foot drop")
    expect(foot.locator(".alert")).to_be_hidden()
    grade(page, "ankle_dorsiflexion", "3")
    expect(foot.locator(".alert")).to_be_visible()  # shown inline as soon as the grade is chosen
    expect(foot.locator(".alert")).to_contain_text("Acute foot drop recorded")
    grade(page, "great_toe_extension", "4")
    grade(page, "plantarflexion", "5")
    expect(page.locator("input[name='examination.power.hip_flexion'][value='']")).to_be_checked()

    site = page.locator("fieldset.site[data-item=pacemaker]")
    expect(site).to_be_hidden()  # asked only when the item is ticked
    page.check("input[name=medical][value=pacemaker]")
    expect(site).to_be_visible()
    expect(site).to_contain_text("Where are the generator and leads?")
    expect(site).to_contain_text("the plan then treats every site as possible")
    site.locator("input[value=lower_back]").check()
    site.locator("input[value=buttock]").check()
    site.locator("input[type=radio][value=left]").check()

    expect(page.locator("#plan-preview .recorded-findings")).to_contain_text("Ankle dorsiflexion 3/5 — acute foot drop")
    expect(page.locator("#plan-preview .recorded-findings")).to_contain_text("Lower back, Buttock (left)")
    power = page.locator(".field:has(.power-grid)")
    power.scroll_into_view_if_needed()
    power.screenshot(path=str(shots / "intake-power.png"))  # the one kept in docs; the others to look at
    page.locator("fieldset.group:has(input[name=medical])").screenshot(path=str(tmp_path / "intake-sites.png"))
    page.set_viewport_size({"width": 375, "height": 800})
    power.scroll_into_view_if_needed()
    power.screenshot(path=str(tmp_path / "intake-power-375.png"))
    page.locator("fieldset.group:has(input[name=medical])").screenshot(path=str(tmp_path / "intake-sites-375.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("button:has-text('Save intake and plan')")
    expect(page.locator("h1")).to_contain_text("Plan 1")
    recorded = page.locator("main .recorded-findings")
    page.screenshot(path=str(tmp_path / "plan.png"))
    expect(recorded).to_contain_text("Ankle dorsiflexion 3/5 — acute foot drop")
    expect(recorded).to_contain_text("Great toe extension 4/5")
    expect(recorded).to_contain_text("Pacemaker or implanted device: Lower back, Buttock (left)")
    assert not page.csp_violations

    from sciatica_care.clinic.models import PlanRevision

    data = PlanRevision.objects.get().intake.data
    assert data["examination"]["power"] == {"ankle_dorsiflexion": 3, "great_toe_extension": 4, "plantarflexion": 5}
    assert data["medical_sites"] == {"pacemaker": {"areas": ["lower_back", "buttock"], "side": "left"}}
