"""The home programme on a phone (360 px): the acupressure timer runs its hold, rest and next set (Playwright's
clock stands in for the minutes), "done" with how it felt is saved, the page fits the screen, and axe-core finds no
WCAG 2.1 AA violation in any of its states."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_check import assert_accessible
from csp_watch import watched_page
from playwright.sync_api import expect

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def patient_page(chromium: Any, live_server: Any, make_staff: Any) -> Any:
    """`patient_page(example_name)`: a phone-sized page signed in to the portal as a new patient whose open course
    is planned (real engine) from `examples/<example_name>.yaml`; the page has a fake clock installed."""
    from clinic_fixtures import base_intake, example
    from django.conf import settings
    from django.test import Client
    from portal_fixtures import PATIENT_BACKEND, make_account

    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Role

    contexts: list[Any] = []

    def open_for(example_name: str | None = None) -> Any:
        clinic = Clinic.objects.create(name="Riverside Clinic")
        prac = make_staff(clinic, Role.PRACTITIONER, f"dr.lin{Clinic.objects.count()}")
        patient = records.create_patient(prac, first_name="Bea", last_name="Jones",
                                         date_of_birth=dt.date(1984, 6, 2), sex="female", consent_treatment=True)
        intake = example(example_name) if example_name else base_intake()
        records.record_intake(prac, records.open_episode(prac, patient), intake)
        signed_in = Client()
        signed_in.force_login(make_account(patient), backend=PATIENT_BACKEND)
        context = chromium.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
        contexts.append(context)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": signed_in.cookies[settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
        page = watched_page(context)
        page.clock.install()
        return page

    yield open_for
    for c in contexts:
        c.close()


def stop_time(page: Any) -> None:
    """From here on the page's clock moves only when the test runs it (`page.clock.run_for`)."""
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)  # seconds since the epoch


def check_axe(page: Any, what: str, *, stopped: bool = False) -> None:
    """axe-core on the page as it is (axe waits on timers of its own, so a stopped clock runs while it checks; call
    it only while no timer of the page is counting)."""
    if stopped:
        page.clock.resume()
    assert_accessible(page, what)
    if stopped:
        stop_time(page)


def test_the_acupressure_timer_counts_the_hold_the_rest_and_the_next_set(patient_page: Any, shots: Any) -> None:
    """At 360 px: Start counts the point's hold on the right side, then a rest, then the left side, then Done;
    pause and resume keep the time; reset goes back; the live region says each change."""
    page = patient_page("pregnancy-third-trimester")
    page.goto("/portal/programme/")
    expect(page.locator("h1")).to_have_text("Your home programme")
    stop_time(page)
    page.screenshot(path=str(shots / "portal-home-top.png"))
    page.evaluate("document.getElementById('acupressure-lr3').scrollIntoView()")
    page.screenshot(path=str(shots / "portal-home-programme.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    timer = page.locator("#acupressure-lr3-timer")  # LR3 is pressed on both feet: two sets
    phase, time, sets = (timer.locator(s) for s in ("[data-timer-phase]", "[role=timer]", "[data-timer-set]"))
    live, start = timer.locator("[aria-live]"), timer.locator("[data-timer-start]")

    def shows(phase_word: str, set_words: str, said: str) -> None:
        expect(phase).to_have_text(phase_word)
        expect(sets).to_have_text(set_words)
        expect(live).to_have_text(said)

    expect(timer).to_be_visible()
    expect(phase).to_have_text("Ready")
    expect(time).to_have_text("1:00")
    check_axe(page, "the programme page", stopped=True)
    start.focus()
    page.keyboard.press("Enter")  # the keyboard starts it, as a tap would
    page.clock.run_for(100)
    shows("Press", "Set 1 of 2 · Right side", "Set 1 of 2. Press on your right side for 1 minute.")
    page.clock.run_for(29_900)
    expect(time).to_have_text("0:30")
    timer.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "portal-home-timer.png"))

    start.click()  # pause
    expect(start).to_have_text("Resume")
    expect(phase).to_have_text("Paused")
    check_axe(page, "a timer paused mid-hold", stopped=True)
    page.clock.run_for(20_000)
    expect(time).to_have_text("0:30")
    start.click()  # resume
    page.clock.run_for(30_500)
    shows("Rest", "Next: Left side", "Let go and rest for 15 seconds. Next: left side.")
    page.clock.run_for(15_000)
    shows("Press", "Set 2 of 2 · Left side", "Set 2 of 2. Press on your left side for 1 minute.")
    page.clock.run_for(60_500)
    expect(phase).to_have_text("Done")
    expect(live).to_contain_text("Done: LR3 (Taichong).")
    expect(start).to_have_text("Start")
    page.screenshot(path=str(shots / "portal-home-timer-done.png"))
    check_axe(page, "a timer done", stopped=True)

    timer.locator("[data-timer-reset]").click()
    expect(phase).to_have_text("Ready")
    expect(time).to_have_text("1:00")
    assert not page.csp_violations


def test_a_longer_hold_from_the_plans_range_is_counted(patient_page: Any) -> None:
    """Choosing 3 minutes (the top of the plan's 1–3) makes the hold 3:00; starting another timer pauses this one."""
    page = patient_page("pregnancy-third-trimester")
    page.goto("/portal/programme/")
    stop_time(page)
    gb30 = page.locator("#acupressure-gb30-timer")
    gb30.locator("[data-timer-hold]").select_option(label="3 minutes")
    expect(gb30.locator("[role=timer]")).to_have_text("3:00")
    gb30.locator("[data-timer-start]").click()
    page.clock.run_for(120_000)
    expect(gb30.locator("[role=timer]")).to_have_text("1:00")
    page.locator("#acupressure-lr3-timer [data-timer-start]").click()
    expect(gb30.locator("[data-timer-phase]")).to_have_text("Paused")
    page.clock.run_for(60_500)
    expect(gb30.locator("[role=timer]")).to_have_text("1:00")


def test_marking_a_point_done_with_how_it_felt_is_saved(patient_page: Any, shots: Any) -> None:
    """The point's "done" form at 360 px: choosing how it felt and sending it stores one record, and the page says
    it was done today."""
    from sciatica_care.portal.models import AdherenceRecord

    page = patient_page("pregnancy-third-trimester")
    page.goto("/portal/programme/")
    form = page.locator("#acupressure-gb30 form.done-form")
    form.get_by_label("Better").check()
    form.locator("summary").click()
    form.locator("textarea").fill("Less ache in the buttock afterwards")
    form.get_by_role("button", name="Mark done").click()
    expect(page.locator(".messages")).to_contain_text("Saved")
    done = page.locator("#acupressure-gb30 .done-today")
    expect(done).to_contain_text("Done today (it felt: better)")
    done.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "portal-home-done.png"))
    check_axe(page, "the page after a done")
    record = AdherenceRecord.objects.get()
    assert (record.kind, record.item, record.felt, record.note) == (
        "acupressure", "GB30", "better", "Less ache in the buttock afterwards")
    assert not page.csp_violations


def test_a_done_sent_without_how_it_felt_is_refused_on_the_page(patient_page: Any, shots: Any) -> None:
    """The browser's own check set aside (as an old phone might): the page comes back with the problem named by
    its field, in an alert that takes the focus, and still passes axe."""
    page = patient_page("piriformis-chronic")
    page.goto("/portal/programme/")
    page.evaluate("document.querySelectorAll('input[name=felt]').forEach(i => i.required = false)")
    page.locator("#exercise-bird_dog form.done-form").get_by_role("button", name="Mark done").click()
    alert = page.locator("#refused")
    expect(alert).to_contain_text("felt: choose how it felt")
    expect(alert).to_be_focused()
    page.screenshot(path=str(shots / "portal-home-refused.png"))
    check_axe(page, "a refused done")
    assert not page.csp_violations


@pytest.mark.parametrize("case", ["cauda-equina", "piriformis-chronic"])
def test_the_page_fits_the_phone_and_passes_axe(patient_page: Any, shots: Any, case: str) -> None:
    """A plan not for treatment (only the advice to contact the clinic) and a heat plan (the warm-up with its own
    timer) both fit 360 px and pass axe."""
    page = patient_page(case)
    page.goto("/portal/programme/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check_axe(page, case)
    if case == "cauda-equina":
        expect(page.locator(".no-programme")).to_contain_text("Please contact Riverside Clinic")
        page.screenshot(path=str(shots / "portal-home-no-programme.png"))
    else:
        expect(page.locator("#warm-up-timer [role=timer]")).to_have_text("15:00")
        page.locator("#warm-up").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "portal-home-warm-up.png"))
    assert not page.csp_violations


def test_the_practitioner_sees_the_home_programme_done_on_the_episode_page(page: Any, practitioner: Any,
                                                                            shots: Any) -> None:
    """What the patient marked done, and how it felt, on the course's page at the desk (1280 px)."""
    from browser_steps import log_in
    from clinic_fixtures import example
    from django.utils import timezone
    from portal_fixtures import make_account

    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Episode
    from sciatica_care.portal.adherence import record_done

    patient = records.create_patient(practitioner, first_name="Bea", last_name="Jones",
                                     date_of_birth=dt.date(1984, 6, 2), sex="female", consent_treatment=True)
    revision = records.record_intake(practitioner, records.open_episode(practitioner, patient),
                                     example("piriformis-chronic"))
    today = timezone.localdate()
    Episode.objects.filter(pk=revision.episode_id).update(opened_on=today - dt.timedelta(days=12))
    account = make_account(patient)
    for days_ago, kind, item, felt, note in (
            (0, "acupressure", "GB30", "better", ""), (0, "exercise", "piriformis_stretch", "worse",
                                                        "Pulled behind the knee, stopped"),
            (1, "acupressure", "GB30", "same", ""), (1, "session", "", "better", ""),
            (3, "acupressure", "BL60", "better", ""), (9, "acupressure", "GB30", "better", "")):
        record_done(account, patient, revision, kind=kind, item=item, felt=felt, note=note,
                    day=today - dt.timedelta(days=days_ago))
    log_in(page, practitioner.username)
    page.goto(f"/episodes/{revision.episode_id}/")
    panel = page.locator("#patient-side")
    expect(panel).to_contain_text("Marked done on 4 of the 13 days of this course in the last 4 weeks (6 times")
    expect(panel.locator("[data-item='exercise:piriformis_stretch']")).to_contain_text("Piriformis")
    expect(panel).to_contain_text("Pulled behind the knee, stopped")
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(shots / "episode-home-programme.png"))
    assert not page.csp_violations
