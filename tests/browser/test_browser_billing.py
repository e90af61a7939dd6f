"""The practitioner confirms the suggested diagnosis, charts face-to-face minutes and sees the CPT units; the
pages read at desktop and phone width (screenshots in docs/screenshots/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_steps import log_in
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)



@pytest.mark.parametrize("width", [1280, 375])
def test_confirm_the_diagnosis_and_chart_minutes(page: Any, practitioner: Any, course: dict[str, Any], shots: Path,
                                                 width: int) -> None:
    """Suggested M51.17 is confirmed from the course's page; 30 minutes of needling with a re-insertion chart as
    97810 and 97811."""
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, practitioner.username)
    episode = course["episode"]
    page.goto(f"/episodes/{episode.pk}/")
    expect(page.locator("#diagnosis")).to_contain_text("M51.17")
    page.locator("#diagnosis a.button").click()
    expect(page.locator("select[name=dx_A]")).to_have_value("disc_radiculopathy_lumbosacral")
    suffix = "" if width == 1280 else "-phone"
    page.screenshot(path=str(shots / f"diagnosis{suffix}.png"), full_page=True)
    page.get_by_role("button", name="Confirm diagnosis").click()
    expect(page.locator("#diagnosis [data-code='M51.17']")).to_be_visible()
    page.goto(f"/episodes/{episode.pk}/visits/new/")
    page.locator("input[name=red_flags_rechecked]").check()
    page.locator("input[name=minutes_acupuncture]").fill("30")
    page.locator("input[name=needle_reinsertions]").fill("1")
    page.locator("#minutes").screenshot(path=str(shots / f"chart-minutes{suffix}.png"))
    page.get_by_role("button", name="Save session").click()
    expect(page.locator("#diagnosis")).to_be_visible()  # back on the course's page
    from sciatica_care.clinic.models import Visit

    visit = Visit.objects.get(episode=episode)
    page.goto(f"/visits/{visit.pk}/")
    expect(page.locator("dd.cpt")).to_contain_text("97810 × 1")
    expect(page.locator("dd.cpt")).to_contain_text("97811 × 1")
