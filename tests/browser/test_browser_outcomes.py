"""A patient fills in an ODI by a one-time link; the practitioner sees the new point on the progress chart; the
link does not work a second time."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def course(make_staff: Any) -> dict[str, Any]:
    from clinic_fixtures import base_intake

    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Role

    prac = make_staff(Clinic.objects.create(name="Riverside"), Role.PRACTITIONER, "dr.lin")
    patient = records.create_patient(prac, first_name="Bea", last_name="Jones", date_of_birth=dt.date(1990, 2, 3),
                                     sex="female", consent_treatment=True)
    episode = records.open_episode(prac, patient)
    plan = records.record_intake(prac, episode, base_intake())
    start = dt.datetime.now(tz=dt.UTC).date() - dt.timedelta(weeks=3)
    for i, (leg, back, odi) in enumerate([(7, 4, 3), (6, 4, None), (5, 3, None)]):
        records.chart_visit(prac, episode, plan, {"red_flags_rechecked": True, "date": start + dt.timedelta(weeks=i),
                                                  "leg_nrs": leg, "back_nrs": back,
                                                  "points": [{"code": "GB30", "side": "left"},
                                                             {"code": "BL40", "side": "left"}],
                                                  "ea_pairs": [["GB30", "BL40"]], "ea_frequency_hz": "2/100",
                                                  "ea_minutes": 20, "massage_done": ["tuina"] if i else []},
                            questionnaires={"odi": [odi] * 10} if odi is not None else None)
    return {"practitioner": prac, "episode": episode}


def _questionnaires(n: int, i: int) -> dict[str, list[int]] | None:
    """Baseline ODI and STarT Back at the first session, the ODI again at the fifth."""
    if i == 0:
        band = [0] * 9 if n % 2 else [1] * 8 + [4]
        return {"odi": [4] * 10, "startback": band}
    if i == 4:
        return {"odi": [[0, 4, 2, 1][n]] * 10}
    return None


def _odi_points(page: Any, episode_pk: int) -> int:
    svg = page.request.get(f"/episodes/{episode_pk}/progress.svg").text()
    group = re.search(r'<g id="odi-points">(.*?)</g>\s*</g>', svg, re.S)
    assert group, svg[:500]
    return group.group(1).count("<use ")


def test_patient_fills_odi_by_link_and_practitioner_sees_it(page: Any, chromium: Any, live_server: Any,
                                                            course: dict[str, Any], shots: Path) -> None:
    from clinic_fixtures import PASSWORD

    from sciatica_care.clinic.models import OutcomeScore

    episode = course["episode"]
    page.goto("/login/")
    page.fill("input[name=username]", "dr.lin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/episodes/{episode.pk}/")
    expect(page.locator("#progress")).to_contain_text("Leg pain (NRS)")
    assert _odi_points(page, episode.pk) == 1
    page.select_option("select[name=measure]", "odi")
    page.click("button:has-text('Create one-time link')")
    link = page.locator("#one-time-link").input_value()
    assert "/q/" in link

    # The patient, on their own phone: no account, no session.
    patient_context = chromium.new_context(viewport={"width": 420, "height": 900})
    phone = patient_context.new_page()
    phone.goto(link)
    expect(phone.locator("h1")).to_contain_text("Oswestry")
    for k in range(10):
        phone.select_option(f"select[name=odi_{k}]", "1")
    phone.click("button:has-text('Send my answers')")
    expect(phone.locator("h1")).to_have_text("Thank you")
    phone.goto(link)
    expect(phone.locator("h1")).to_have_text("This link cannot be used")
    expect(phone.locator("[role=alert]")).to_contain_text("already been filled in")
    patient_context.close()
    assert OutcomeScore.objects.filter(episode=episode, instrument="odi").count() == 2

    # The practitioner sees the new point.
    page.goto(f"/episodes/{episode.pk}/")
    odi_row = page.locator("tr[data-measure=odi]")
    expect(odi_row).to_contain_text("patient, by link")
    expect(odi_row).to_contain_text("20")
    assert _odi_points(page, episode.pk) == 2
    chart = page.locator("img.progress-chart")
    expect(chart).to_be_visible()
    page.wait_for_function("document.querySelector('img.progress-chart').naturalWidth > 0")
    assert page.csp_violations == []
    page.locator("#progress").screenshot(path=str(shots / "progress.png"))


def test_dashboard_and_discharge_pages(page: Any, course: dict[str, Any], shots: Path) -> None:
    """The clinic dashboard and an episode's discharge summary, as the practitioner sees them."""
    from clinic_fixtures import PASSWORD, base_intake

    from sciatica_care.clinic import records

    prac = course["practitioner"]
    patient = course["episode"].patient
    start = dt.datetime.now(tz=dt.UTC).date() - dt.timedelta(weeks=10)
    for n, legs in enumerate([(8, 6, 4, 3, 2), (7, 7, 6, 7, 7), (9, 6, 4, 4, 3), (6, 5, 3, 2, 2)]):
        episode = records.open_episode(prac, patient, f"Sciatica {n + 2}")
        plan = records.record_intake(prac, episode, base_intake(episode={
            "side": "left", "duration_weeks": 3 if n % 2 else 10, "onset": "sudden", "after_lifting": True}))
        for i, leg in enumerate(legs):
            records.chart_visit(prac, episode, plan, {
                "red_flags_rechecked": True, "date": start + dt.timedelta(weeks=2 * i), "leg_nrs": leg,
                "back_nrs": 3, "ea_pairs": [["GB30", "BL40"]] if n % 2 == 0 else []},
                questionnaires=_questionnaires(n, i))
    page.goto("/login/")
    page.fill("input[name=username]", "dr.lin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=Dashboard")
    expect(page.locator("#responders")).to_contain_text("responders")
    expect(page.locator("#categories")).to_contain_text("markedly improved")
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    page.goto(f"/episodes/{course['episode'].pk}/")
    page.click("text=Discharge summary")
    expect(page.locator("#discharge h1")).to_have_text("Discharge summary")
    expect(page.locator("#discharge")).to_contain_text("Leg pain (NRS)")
    page.locator("#discharge").screenshot(path=str(shots / "discharge.png"))
    page.click("button:has-text('Discharge and close the course')")
    expect(page.locator(".messages")).to_contain_text("Course discharged")
    expect(page.locator("main")).to_contain_text("Closed")
    expect(page.locator("main a:has-text('Chart a session')")).to_have_count(0)
    page.goto(f"/episodes/{course['episode'].pk}/visits/new/")
    expect(page.locator("main")).to_contain_text("closed")
    assert page.csp_violations == []


def test_clinic_admin_changes_the_outcome_settings(page: Any, make_staff: Any, shots: Path) -> None:
    """A clinic admin switches the clinic to the RMDQ every 3rd session; the change is saved and audited."""
    from browser_steps import log_in

    from sciatica_care.clinic.models import AuditEvent, Clinic, Role

    clinic = Clinic.objects.create(name="Riverside")
    make_staff(clinic, Role.CLINIC_ADMIN, "admin.rao")
    log_in(page, "admin.rao")
    page.click("nav >> text=Clinic settings")
    expect(page.locator("h1")).to_have_text("Clinic settings")
    page.select_option("#id_disability_instrument", "rmdq")
    page.fill("#id_questionnaire_every_n_visits", "3")
    page.screenshot(path=str(shots / "settings.png"), full_page=True)
    page.click("button:has-text('Save settings')")
    expect(page.locator(".messages")).to_be_visible()
    clinic.refresh_from_db()
    assert (clinic.disability_instrument, clinic.questionnaire_every_n_visits) == ("rmdq", 3)
    assert AuditEvent.objects.filter(action="update", object_type="Clinic", object_id=clinic.pk).exists()
    assert page.csp_violations == []
