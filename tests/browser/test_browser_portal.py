"""The patient's portal in a phone's browser (360 px): sign in by email code, the diary kept offline and sent once
when back online, the emergency message on reported cauda equina signs, the installable app (manifest, service
worker, the diary opening offline), and WCAG 2.1 AA (axe-core) on every portal page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_check import assert_accessible
from playwright.sync_api import expect

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(chromium: Any, live_server: Any) -> Any:
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE, device_scale_factor=2,
                                   is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def patient(db: Any, make_staff: Any) -> Any:
    """Bea, a patient of Riverside with a plan, a visit's scores, a questionnaire to fill in and a portal account
    (password: the test password); the clinic's practitioner and admin have email addresses for alerts."""
    import datetime as dt

    from clinic_fixtures import PASSWORD, base_intake
    from django.core import mail

    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Role, Staff
    from sciatica_care.portal import accounts

    clinic = Clinic.objects.create(name="Riverside")
    prac = make_staff(clinic, Role.PRACTITIONER, "dr.lin")
    admin = make_staff(clinic, Role.CLINIC_ADMIN, "admin")
    Staff.objects.filter(pk__in=[prac.pk, admin.pk]).update(email="team@riverside.example.org")
    bea = records.create_patient(prac, first_name="Bea", last_name="Jones", date_of_birth=dt.date(1985, 4, 2),
                                 email="bea@example.org", consent_treatment=True)
    episode = records.open_episode(prac, bea)
    plan = records.record_intake(prac, episode, base_intake())
    records.chart_visit(prac, episode, plan, {"red_flags_rechecked": True, "leg_nrs": 7, "back_nrs": 5})
    records.create_questionnaire_link(prac, episode, "odi")
    invitation = accounts.invite(bea, by=prac)
    accounts.accept(invitation.link.rstrip("/").rsplit("/", 1)[1], PASSWORD)
    mail.outbox.clear()
    return bea


def sign_in(page: Any, email: str = "bea@example.org") -> None:
    from clinic_fixtures import PASSWORD

    page.goto("/portal/sign-in/?with=password")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Hello, Bea")


def shoot(page: Any, path: Any) -> None:
    """A screenshot of the whole page as a phone of that height would show it (the section bar at its end)."""
    height = page.evaluate("document.scrollingElement.scrollHeight")
    page.set_viewport_size({"width": PHONE["width"], "height": height})
    page.screenshot(path=str(path))
    page.set_viewport_size(PHONE)


def fits_the_phone(page: Any) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


def test_sign_in_by_email_code(phone: Any, patient: Any, shots: Any) -> None:
    """Email, the code from the email, and the patient's own page."""
    from django.core import mail

    phone.goto("/portal/")
    expect(phone.locator("h1")).to_have_text("Sign in")
    phone.fill("#email", "bea@example.org")
    fits_the_phone(phone)
    shoot(phone, shots / "portal-signin.png")
    phone.click("button:has-text('Email me a code')")
    expect(phone.locator("h1")).to_have_text("Check your email")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    phone.fill("#code", code)
    phone.click("button:has-text('Sign in')")
    expect(phone.locator("h1")).to_have_text("Hello, Bea")
    expect(phone.locator(".portal-nav a[aria-current=page]")).to_have_text("Today")
    fits_the_phone(phone)
    shoot(phone, shots / "portal-home.png")


def _fill_diary(page: Any, leg: int = 6) -> None:
    page.click(f"#field-leg_nrs label.pick >> nth={leg}")
    page.click("#field-back_nrs label.pick >> nth=3")
    page.fill("#sleep_hours", "6.5")
    page.fill("#sitting_hours", "8")
    page.fill("#walking_minutes", "25")
    page.click("label.chip:has-text('Driving')")


def test_a_diary_entry_made_offline_is_sent_once_when_back_online(phone: Any, patient: Any, shots: Any) -> None:
    """Offline: kept on the phone and said so; back online: sent, stored once, listed."""
    from sciatica_care.portal.models import JournalEntry

    sign_in(phone)
    phone.goto("/portal/diary/")
    expect(phone.locator("h1")).to_have_text("Today's diary")
    fits_the_phone(phone)
    shoot(phone, shots / "portal-diary.png")
    phone.context.set_offline(True)
    _fill_diary(phone)
    phone.click("button:has-text(\"Save today's diary\")")
    expect(phone.locator("#sync-status")).to_contain_text("saved on this phone")
    phone.locator("#sync-status").scroll_into_view_if_needed()
    phone.screenshot(path=str(shots / "portal-diary-offline.png"), full_page=False)
    assert JournalEntry.objects.count() == 0
    queued = phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sciatica-care:diary-queue'))"
                            ".map(k => JSON.parse(localStorage.getItem(k)).length)")
    assert queued == [1]
    phone.context.set_offline(False)
    expect(phone.locator("#sync-status")).to_contain_text("Saved and sent", timeout=20000)
    row = JournalEntry.objects.get()
    assert (row.leg_nrs, row.sitting_hours, row.activities) == (6, 8.0, ["driving"])
    # The queue is empty: reloading sends nothing again.
    phone.reload()
    phone.wait_for_timeout(500)
    assert JournalEntry.objects.count() == 1


def test_reported_cauda_equina_signs_show_the_emergency_message(phone: Any, patient: Any, shots: Any) -> None:
    """Ticking a sign shows at once the triage knowledge's words (go to an emergency department now); saving
    alerts the clinic, and the page says so."""
    from sciatica_care.clinic.clinical import diary_alarm
    from sciatica_care.portal.models import ClinicAlert

    sign_in(phone)
    phone.goto("/portal/diary/")
    _fill_diary(phone, leg=8)
    emergency = phone.locator("#emergency")
    expect(emergency).to_be_hidden()
    phone.check("input[value=both_legs]")
    expect(emergency).to_be_visible()
    expect(emergency.locator("h2")).to_have_text(diary_alarm(["both_legs"]).headline)
    expect(emergency.locator("li[data-question=both_legs]")).to_be_visible()
    expect(emergency.locator("li[data-question=bladder_bowel] >> nth=0")).to_be_hidden()
    phone.click("button:has-text(\"Save today's diary\")")
    expect(phone.locator("#alert-state")).to_have_text("We have told your clinic.")
    assert ClinicAlert.objects.filter(patient=patient).count() == 1
    emergency.scroll_into_view_if_needed()
    phone.screenshot(path=str(shots / "portal-emergency.png"), full_page=False)


def test_the_portal_is_an_installable_app_whose_diary_opens_offline(phone: Any, patient: Any) -> None:
    """A manifest with icons, a service worker controlling /portal/, and the diary page opening without a network."""
    sign_in(phone)
    manifest = phone.evaluate("fetch('/portal/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/portal/"
    assert {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert phone.evaluate(f"fetch('{icon['src']}').then(r => r.status)") == 200
    phone.goto("/portal/diary/")
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()  # now controlled by the service worker, which keeps this copy
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("h1")).to_have_text("Today's diary")
    phone.context.set_offline(False)


def _diary_weeks(patient: Any) -> None:
    import datetime as dt
    import random
    import uuid

    from django.utils import timezone

    from sciatica_care.clinic.models import Staff
    from sciatica_care.portal.models import JournalEntry

    account = Staff.objects.get(patient_account__patient=patient)
    rng = random.Random(3)  # noqa: S311 - test data
    today = timezone.localdate()
    rows = []
    sat = [rng.choice([3, 5, 8, 9]) for _ in range(45)]
    for i in range(45):
        day = today - dt.timedelta(days=44 - i)
        pain = 6 - i * 0.06 + (2.2 if i and sat[i - 1] > 6 else 0) + rng.gauss(0, 0.6)
        rows.append(JournalEntry(clinic_id=patient.clinic_id, patient=patient, client_id=uuid.uuid4(), date=day,
                                 leg_nrs=max(0, min(10, round(pain))), back_nrs=3, sitting_hours=sat[i],
                                 sleep_hours=7, walking_minutes=rng.choice([10, 40]), recorded_by=account))
    JournalEntry.objects.bulk_create(rows)


#: Portal addresses that are not pages a patient reads, or that need a state set up below.
NOT_PAGES = {"diary_api": "JSON", "manifest": "JSON", "service_worker": "a script", "scores_chart": "an image",
             "diary_chart": "an image", "signout": "POST only", "signin_code": "after asking a code (below)",
             "signin_second_factor": "after a password, with an authenticator", "welcome": "an invitation link",
             "questionnaire": "one sent by the clinic (below)",
             "programme_done": "POST only (its refused form is checked in test_browser_programme.py)"}


def portal_pages() -> list[str]:
    """Every page of the portal, read from its URLconf (a page added later is checked too)."""
    from django.urls import reverse

    from sciatica_care.portal.urls import urlpatterns

    return [reverse(f"portal:{p.name}") for p in urlpatterns
            if p.name not in NOT_PAGES and not p.pattern.converters]


def test_every_portal_page_passes_axe_at_phone_size(phone: Any, patient: Any, shots: Any) -> None:
    """axe-core (WCAG 2.1 A and AA) finds nothing on any portal page, signed out and signed in, including the
    diary with its emergency message shown and a refused form; each page fits 360 px."""
    from sciatica_care.clinic.models import QuestionnaireLink

    for url in ("/portal/sign-in/", "/portal/sign-in/?with=password", "/portal/offline/"):
        phone.goto(url)
        assert_accessible(phone, url)
        fits_the_phone(phone)
    phone.goto("/portal/sign-in/")
    phone.fill("#email", "bea@example.org")
    phone.click("button[type=submit]")
    assert_accessible(phone, "the code page")
    _diary_weeks(patient)
    sign_in(phone)
    pages = portal_pages()
    assert {"/portal/", "/portal/diary/", "/portal/progress/", "/portal/settings/"} <= set(pages)
    for url in pages:
        phone.goto(url)
        assert_accessible(phone, url)
        fits_the_phone(phone)
    phone.goto("/portal/progress/")
    shoot(phone, shots / "portal-progress.png")
    phone.goto("/portal/settings/")
    shoot(phone, shots / "portal-settings.png")
    link = QuestionnaireLink.objects.get(episode__patient=patient)
    phone.goto(f"/portal/questionnaires/{link.pk}/")
    assert_accessible(phone, "questionnaire")
    fits_the_phone(phone)
    phone.goto("/portal/diary/")
    phone.check("input[value=bladder_bowel]")
    assert_accessible(phone, "the diary with the emergency message")
    phone.goto("/portal/diary/")
    # The plain form refused (script-free path): the problems listed and beside their fields.
    phone.evaluate("""() => { const f = document.getElementById('diary-form');
        const clone = f.cloneNode(true); f.replaceWith(clone);
        clone.querySelector('#sitting_hours').value = 'lots'; clone.submit(); }""")
    expect(phone.locator("#problems")).to_be_visible()
    assert_accessible(phone, "the refused diary form")
    fits_the_phone(phone)


def test_the_practitioner_sees_the_alert_and_the_diary(page: Any, patient: Any, shots: Any) -> None:
    """At the desk (1280 px): the diary's emergency alert on the patient list and the patient's page, marked
    handled with a note; the diary, adherence and findings on the episode page."""
    import json

    from browser_steps import log_in
    from django.test import Client

    from sciatica_care.clinic.models import Episode, Staff

    _diary_weeks(patient)
    bea = Client()
    bea.force_login(Staff.objects.get(patient_account__patient=patient),
                    backend="sciatica_care.portal.patient_auth.PatientBackend")
    from django.utils import timezone
    sent = bea.post("/portal/api/diary/", json.dumps({"client_id": "5b0f5a3e-1d2c-4b7a-9e61-3f0c2a9d8e11",
                                                      "date": timezone.localdate().isoformat(), "leg_nrs": 8,
                                                      "alarm_signs": ["bladder_bowel"]}),
                    content_type="application/json")
    assert sent.status_code == 201, sent.content
    log_in(page, "dr.lin")
    expect(page.locator("#portal-alerts")).to_contain_text("reported emergency signs in their diary")
    page.click("#portal-alerts a")
    alert = page.locator(".portal-alert")
    expect(alert).to_contain_text("Bladder dysfunction")
    page.screenshot(path=str(shots / "portal-staff-alert.png"), full_page=False)
    page.fill(".portal-alert input[name=note]", "Phoned: on her way to A&E")
    page.click(".portal-alert button:has-text('Mark handled')")
    expect(page.locator(".portal-alert")).to_have_count(0)
    page.goto(f"/episodes/{Episode.objects.get(patient=patient).pk}/")
    panel = page.locator("#patient-side")
    expect(panel).to_contain_text("Diary, last 4 weeks")
    expect(panel.locator(".findings li").first).to_contain_text("On days after you sat more than 6 hours")
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(shots / "portal-staff-episode.png"))
