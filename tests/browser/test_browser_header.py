"""The header at phone width: one short row (the brand and a Menu button) whose links open below it, in the page's
flow, with the keyboard; at desktop width the links are a row with no Menu button."""

from __future__ import annotations

from typing import Any

import pytest
from browser_steps import log_in
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

#: The header at 375 px with its menu closed: one line (the brand and the Menu button), not the links.
MAX_CLOSED_HEADER_PX = 64


def test_at_375_px_the_header_is_one_row_and_the_menu_opens_with_the_keyboard(page: Any, practitioner: Any,
                                                                               shots: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, practitioner.username)
    header, menu = page.locator("header.top"), page.locator("header.top details.menu")
    assert header.bounding_box()["height"] <= MAX_CLOSED_HEADER_PX
    links = page.locator("header nav a")
    expect(links.first).to_be_hidden()
    heading_top = page.locator("main h1").bounding_box()["y"]

    for _ in range(6):  # Tab from the top of the page to the Menu button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    for name in ("Patients", "New patient", "Dashboard", "Clinic settings"):
        expect(page.locator("header nav").get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    # Nothing is drawn over the page: the open menu pushes the page down.
    assert page.locator("main h1").bounding_box()["y"] > heading_top
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Patients"
    page.screenshot(path=str(shots / "header-menu-375.png"))
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(links.first).to_be_hidden()
    assert header.bounding_box()["height"] <= MAX_CLOSED_HEADER_PX
    # No page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_at_1280_px_the_links_are_a_row_without_a_menu_button(page: Any, practitioner: Any) -> None:
    log_in(page, practitioner.username)
    expect(page.locator("header.top summary")).to_be_hidden()
    expect(page.locator("header nav").get_by_role("link", name="Patients")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert page.locator("header.top").bounding_box()["height"] <= MAX_CLOSED_HEADER_PX
