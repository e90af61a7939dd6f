"""Letters to the patient's doctor, in the browser: a referral from a red flag found at intake (the button and banner
in red on the course page), previewed and downloaded as a PDF; the discharge letter of a finished course; both at
desktop width and at phone width (no page wider than the phone). Screenshots: docs/screenshots/letter-referral.png
and letter-progress.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from browser_steps import log_in
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def letters(make_staff: Any) -> dict[str, Any]:
    """Riverside clinic with its address; dr.lin with a signature; a referring course and a finished one."""
    from clinic_fixtures import base_intake

    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Episode, Role, Staff

    clinic = Clinic.objects.create(name="Riverside Acupuncture Clinic", address="14 Mill Lane\nBristol BS1 4AB",
                                   phone="0117 496 0123", email="desk@riverside.example")
    prac = make_staff(clinic, Role.PRACTITIONER, "dr.lin")
    Staff.objects.filter(pk=prac.pk).update(first_name="Mei", last_name="Lin", qualifications="BSc (Hons) "
                                            "Acupuncture, MBAcC", registration="British Acupuncture Council 012345")
    prac.refresh_from_db()
    patient = records.create_patient(prac, first_name="Bea", last_name="Jones", date_of_birth=dt.date(1968, 2, 3),
                                     sex="female", consent_treatment=True, address="7 Elm Road\nBristol BS6 2QT",
                                     gp_name="Dr Anil Patel", gp_practice="Redland Green Surgery",
                                     gp_address="1 Redland Green\nBristol BS6 7HF")
    referring = records.open_episode(prac, patient, "Sciatica — left leg weakness")
    examination = {**base_intake()["examination"], "power": {"ankle_dorsiflexion": 3, "great_toe_extension": 4}}
    records.record_intake(prac, referring, base_intake(age=58, examination=examination))
    start = dt.datetime.now(tz=dt.UTC).date() - dt.timedelta(weeks=6)
    finished = records.open_episode(prac, patient, "Sciatica 2025")
    Episode.objects.filter(pk=finished.pk).update(opened_on=start)
    plan = records.record_intake(prac, finished, base_intake(age=58))
    for i, leg in enumerate((7, 6, 4, 3, 2, 2)):
        records.chart_visit(prac, finished, plan, {
            "red_flags_rechecked": True, "date": start + dt.timedelta(weeks=i), "leg_nrs": leg, "back_nrs": 3,
            "points": [{"code": "GB30", "side": "left"}, {"code": "BL40", "side": "left"}],
            "ea_pairs": [["GB30", "BL40"]], "ea_frequency_hz": "2/100", "ea_minutes": 20},
            questionnaires={"odi": [3] * 10} if i == 0 else {"odi": [1] * 10} if i == 5 else None)
    finished.refresh_from_db()
    records.discharge_episode(prac, finished, finished.version, start + dt.timedelta(weeks=5))
    return {"referring": referring, "finished": finished}


@pytest.mark.parametrize("width", [1280, 375])
def test_a_referral_letter_from_the_course_page(page: Any, letters: dict[str, Any], shots: Path, width: int) -> None:
    """The red button leads to the letter: timing first in a red box, addressed and signed; the PDF downloads."""
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "dr.lin")
    page.goto(f"/episodes/{letters['referring'].pk}/")
    button = page.locator("a[data-letter=referral]")
    expect(button).to_have_class("button danger")
    expect(page.locator("main .stop").first).to_contain_text("Write the referral letter")
    button.click()
    letter = page.locator("article.letter")
    expect(letter.locator(".letter-urgency")).to_contain_text("Timing: TODAY")
    expect(letter.locator(".letter-to")).to_contain_text("Dr Anil Patel")
    expect(letter).to_contain_text("Acute foot drop — today")
    expect(letter).to_contain_text("Power (MRC 0–5): ankle dorsiflexion 3/5")
    expect(letter.locator(".letter-signature")).to_contain_text("British Acupuncture Council 012345")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.csp_violations == []
    if width == 1280:
        letter.screenshot(path=str(shots / "letter-referral.png"))
    with page.expect_download() as download:
        page.click("text=Download PDF")
    pdf = Path(download.value.path()).read_bytes()
    text = " ".join(pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range().split())
    assert "Re: Bea Jones, born 3 Feb 1968" in text
    assert "Timing: TODAY" in text


@pytest.mark.parametrize("width", [1280, 375])
def test_the_discharge_letter_of_a_finished_course(page: Any, letters: dict[str, Any], shots: Path,
                                                   width: int) -> None:
    """The discharge letter: scores against the minimal important change, the guideline, no practitioner's advice."""
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "dr.lin")
    page.goto(f"/episodes/{letters['finished'].pk}/")
    expect(page.locator("a[data-letter=referral]")).to_have_class("button")
    page.click("a[data-letter=progress]:has-text('Discharge letter')")
    letter = page.locator("article.letter")
    expect(letter.locator(".letter-kind")).to_have_text("Discharge letter")
    expect(letter).to_contain_text("Leg pain (NRS): 7 at the start, 2 at discharge")
    expect(letter).to_contain_text("an important improvement")
    expect(letter).to_contain_text("NICE guideline NG59")
    expect(letter).not_to_contain_text("suggest spacing the sessions")  # the practitioner's advice stays out
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 1280:
        letter.screenshot(path=str(shots / "letter-progress.png"))
