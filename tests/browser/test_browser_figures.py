"""The body figures in the browser: drawing pain at intake (mouse, keyboard, the checkboxes as fallback), the
stored drawing shown again, and the plan's points on the figure with their details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_steps import log_in, open_new_intake
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def open_intake(page: Any) -> None:
    open_new_intake(page, sex="male")


def region(page: Any, area: str, side: str, nth: int = 0) -> Any:
    return page.locator(f'.pain-map .region[data-area="{area}"][data-side="{side}"]').nth(nth)


def fill_required(page: Any) -> None:
    page.check("input[name=red_flags_screened]")
    page.fill("input[name='episode.duration_weeks']", "3")
    page.fill("input[name='pain.leg_nrs']", "7")
    page.check("input[name='medical__asked']")


def test_drawing_pain_fills_the_areas_and_side(page: Any, practitioner: Any, shots: Path) -> None:
    """Click two regions of the left leg: their areas are ticked, the side is "left", the plan is stored with
    them; a keyboard toggle works; the stored intake is drawn again, filled."""
    log_in(page, "dr.lin")
    open_intake(page)
    fill_required(page)
    side = page.locator("input[name='episode.side']:checked")
    expect(side).to_have_count(0)

    region(page, "posterior_thigh", "left").click()
    region(page, "lateral_calf", "left").click()
    expect(region(page, "posterior_thigh", "left")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("input[name='pain.areas'][value=posterior_thigh]")).to_be_checked()
    expect(page.locator("input[name='pain.areas'][value=lateral_calf]")).to_be_checked()
    expect(page.locator("input[name='episode.side'][value=left]")).to_be_checked()
    expect(page.locator("[data-pain-summary]")).to_have_text("Left: back of the thigh, outer calf.")

    # Keyboard: Tab reaches a region, Enter marks it, Space clears it again.
    heel = region(page, "heel", "left")
    heel.focus()
    page.keyboard.press("Enter")
    expect(heel).to_have_attribute("aria-pressed", "true")
    expect(region(page, "heel", "left", 2)).to_have_attribute("aria-pressed", "true")  # every view of the heel
    expect(page.locator("input[name='pain.areas'][value=heel]")).to_be_checked()
    page.keyboard.press(" ")
    expect(heel).to_have_attribute("aria-pressed", "false")
    expect(page.locator("input[name='pain.areas'][value=heel]")).not_to_be_checked()

    # The checkboxes are the fallback: ticking one marks it on the chosen side.
    page.check("input[name='pain.areas'][value=buttock]")
    expect(region(page, "buttock", "left")).to_have_attribute("aria-pressed", "true")
    expect(region(page, "buttock", "right")).to_have_attribute("aria-pressed", "false")
    page.uncheck("input[name='pain.areas'][value=buttock]")
    expect(region(page, "buttock", "left")).to_have_attribute("aria-pressed", "false")

    expect(page.locator("#plan-preview")).to_contain_text("Acupuncture")
    page.mouse.move(0, 0)  # no region under the pointer (a hovered region is tinted)
    page.locator("#field-painareas").screenshot(path=str(shots / "pain-drawing.png"))
    page.click("button:has-text('Save intake and plan')")
    expect(page.locator("h1")).to_contain_text("Plan 1")

    from sciatica_care.clinic.models import Intake

    stored = Intake.objects.get().data
    assert stored["pain"]["areas"] == ["posterior_thigh", "lateral_calf"]
    assert stored["episode"]["side"] == "left"
    assert "drawing" not in stored["pain"]  # the drawing's own fields are never stored

    # Re-assess: the stored intake comes back drawn, on the left leg only.
    page.click("text=Timeline")
    page.click("text=Re-assess")
    expect(region(page, "posterior_thigh", "left")).to_have_attribute("aria-pressed", "true")
    expect(region(page, "lateral_calf", "left")).to_have_attribute("aria-pressed", "true")
    expect(region(page, "posterior_thigh", "right")).to_have_attribute("aria-pressed", "false")
    # Choosing "both" draws the areas on both legs; the drawing and the side stay one answer.
    page.check("input[name='episode.side'][value=both]")
    expect(region(page, "posterior_thigh", "right")).to_have_attribute("aria-pressed", "true")
    region(page, "posterior_thigh", "right").click()
    region(page, "lateral_calf", "right").click()
    expect(page.locator("input[name='episode.side'][value=left]")).to_be_checked()
    assert page.csp_violations == []


def test_pain_drawing_on_a_tablet(chromium: Any, live_server: Any, practitioner: Any) -> None:
    """On a touch screen the regions are tapped, and are large enough to hit (about a fingertip)."""
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 768, "height": 1024},
                                   has_touch=True, is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        log_in(page, "dr.lin")
        open_intake(page)
        fill_required(page)
        target = region(page, "knee_posterior", "right")
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        assert box["width"] >= 30
        assert box["height"] >= 30
        target.tap()
        expect(target).to_have_attribute("aria-pressed", "true")
        expect(page.locator("input[name='pain.areas'][value=knee_posterior]")).to_be_checked()
        expect(page.locator("input[name='episode.side'][value=right]")).to_be_checked()
        sizes = {(r.get_attribute("data-side"), r.get_attribute("data-area"), i): r.bounding_box() for i, r in
                 enumerate(page.locator(".pain-map .region").all())}
        smallest = min(min(b["width"], b["height"]) for b in sizes.values())
        assert smallest >= 20, "a region too small to tap"
    finally:
        context.close()


def test_plan_shows_the_points_on_the_figure(page: Any, practitioner: Any, shots: Path) -> None:
    """The plan page draws the planned points on the body; focusing one shows where, how deep and its cautions;
    the figure prints, the panel and the downloads do not."""
    log_in(page, "dr.lin")
    open_intake(page)
    fill_required(page)
    region(page, "buttock", "left").click()
    region(page, "posterior_thigh", "left").click()
    region(page, "posterior_calf", "left").click()
    page.click("button:has-text('Save intake and plan')")
    expect(page.locator("h1")).to_contain_text("Plan 1")
    figure = page.locator("[data-plan-figure] svg")
    expect(figure).to_be_visible()
    points = page.locator("[data-plan-figure] g.point")
    assert points.count() >= 3
    gb30 = page.locator('[data-plan-figure] g.point[data-code="GB30"][data-side="left"]')
    expect(gb30).to_have_count(1)
    expect(gb30).to_have_attribute("data-role", "local")
    details = page.locator("#point-details")
    gb30.focus()
    expect(details.locator("h3")).to_contain_text("GB30")
    expect(details).to_contain_text("Where")
    expect(details).to_contain_text("Depth")
    expect(details).to_contain_text("cun")
    expect(details).to_contain_text("sciatic")  # GB30's caution: the needle near the sciatic nerve
    box, card = gb30.bounding_box(), details.bounding_box()
    assert card["y"] <= box["y"] <= card["y"] + card["height"], "the details sit beside the point"
    assert card["x"] >= box["x"] + box["width"] or card["x"] + card["width"] <= box["x"], "not over the point"
    page.keyboard.press("Escape")
    expect(details).to_have_class("point-details idle")
    other = points.last
    other.hover()
    expect(details.locator("h3")).to_contain_text(other.get_attribute("data-code"))
    gb30.click()
    expect(details.locator("h3")).to_contain_text("GB30")
    page.locator(".plan-figure-section").screenshot(path=str(shots / "plan-figure.png"))
    page.emulate_media(media="print")
    expect(figure).to_be_visible()
    expect(details).to_be_hidden()
    expect(page.locator(".downloads")).to_be_hidden()
    page.emulate_media(media="screen")
    assert page.csp_violations == []


def test_handout_page_opens_under_the_csp(page: Any, practitioner: Any) -> None:
    """The handout web page, with its own style block, opens from the plan page without a CSP violation."""
    log_in(page, "dr.lin")
    open_intake(page)
    fill_required(page)
    region(page, "buttock", "right").click()
    page.click("button:has-text('Save intake and plan')")
    page.click("text=Home programme (web page)")
    expect(page.locator("h1")).to_contain_text("home programme")
    color = page.evaluate("getComputedStyle(document.querySelector('h1')).color")
    assert color == "rgb(29, 94, 120)"  # the handout's own style applied
    assert page.csp_violations == []
