"""The letters as PDF, read back: every line of the letter is in the PDF's text (letterhead, recipient, date, Re:
line with the date of birth, timing, body, signature), each page carries its number, a referral for today or sooner
sits in a red box, any name prints, and every page renders with ink on it.

Pages are rendered with pypdfium2 (imported unconditionally: a missing renderer fails the suite)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import yaml

from sciatica_care.engine.plan import build_plan
from sciatica_care.reports.letter_content import (
    Course,
    Letter,
    PatientDetails,
    Recipient,
    ScoreChange,
    Sender,
    progress_letter,
    referral_letter,
)
from sciatica_care.reports.letter_pdf import letter_pdf
from sciatica_care.reports.pdf import DANGER_BG

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SENDER = Sender("Sam Hart", "BSc (Hons) Acupuncture", "BAcC 12345", "Riverside Clinic", "1 River St\nTown AB1 2CD",
                "01234 567890", "sam@example.org")
GP = Recipient("Dr A Patel", "High Street Surgery", "2 High St\nTown")
PATIENT = PatientDetails("Ann Lee", dt.date(1980, 5, 1), "3 Elm Rd\nTown")
DAY = dt.date(2026, 3, 4)


def referral(name: str, patient: PatientDetails = PATIENT) -> Letter:
    intake = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    return referral_letter(intake, build_plan(intake), date=DAY, sender=SENDER, recipient=GP, patient=patient)


def discharge(done: tuple[str, ...] = ("Acupuncture points (sessions): GB30 (6)",)) -> Letter:
    course = Course(dt.date(2026, 1, 5), 6, ended=dt.date(2026, 2, 20), closed=True, done=done,
                    measures=(ScoreChange("Leg pain (NRS)", 7, 2, -71.4, important_improvement=True, responder=True,
                                          rule="a change of at least 2 points or at least 30% of baseline counts"),),
                    advice=("Keep up the home programme: Daily walking",))
    return progress_letter(course, date=DAY, sender=SENDER, recipient=GP, patient=PATIENT)


def words(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (the PDF wraps lines where it must)."""
    return re.sub(r"\s+", " ", text.replace("\ufffe", "").replace("\x02", "")).strip()


def pdf_text(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def rendered(pdf: bytes, mode: str = "L") -> list[Any]:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].render(scale=0.5).to_pil().convert(mode) for i in range(len(doc))]


@pytest.mark.parametrize("letter", [referral("cauda-equina"), referral("foot-drop"), referral("s1-disc-acute"),
                                    discharge()], ids=["now", "same-day", "routine", "discharge"])
def test_every_line_of_the_letter_reads_back_from_the_pdf(letter: Letter) -> None:
    """The letterhead, recipient, date, Re: line, timing, every paragraph and item, and the signature."""
    text = words(" ".join(pdf_text(letter_pdf(letter))))
    for line in [*letter.sender.letterhead(), *letter.recipient.lines(), "4 Mar 2026", *letter.body()]:
        assert words(line) in text, line
    assert "Re: Ann Lee, born 1 May 1980" in text
    assert letter.title.upper() in text


def test_each_page_is_numbered_and_names_the_patient() -> None:
    """A letter long enough for several pages: every page's footer has "Page n of N" and the patient."""
    pdf = letter_pdf(discharge(tuple(f"Session {n}: acupuncture at GB30 and BL40, 20 minutes" for n in range(60))))
    pages = pdf_text(pdf)
    assert len(pages) >= 3
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in page
        assert "Discharge letter · Patient: Ann Lee, born 1 May 1980" in page


@pytest.mark.parametrize(("name", "red"), [("cauda-equina", True), ("dvt-same-day", True), ("s1-disc-acute", False)])
def test_a_referral_for_today_or_sooner_is_in_a_red_box(name: str, red: bool) -> None:
    """The timing of a same-day or emergency referral sits on the danger colour, high on page one."""
    page = rendered(letter_pdf(referral(name)), "RGB")[0]
    top = page.crop((0, 0, page.width, page.height // 2))
    tinted = sum(n for n, colour in top.getcolors(1 << 24)
                 if all(abs(a - b) <= 2 for a, b in zip(colour, DANGER_BG, strict=True)))
    assert (tinted > 2000) is red, tinted


def test_any_name_prints() -> None:
    """Accents, Polish and Chinese characters in the patient's name read back unchanged."""
    letter = referral("s1-disc-acute", PatientDetails("Zoë Łukasiewicz 王芳", dt.date(1979, 12, 31)))
    text = words(" ".join(pdf_text(letter_pdf(letter))))
    assert "Re: Zoë Łukasiewicz 王芳, born 31 Dec 1979" in text


def ink(image: Any) -> float:
    """The share of the page that is not white."""
    histogram = image.histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)


@pytest.mark.parametrize("letter", [referral("fever-weakness-emergency"), discharge()], ids=["referral", "discharge"])
def test_every_page_renders_with_ink(letter: Letter) -> None:
    """Clearly more ink than the footer alone on every page (the last may hold only the closing and signature)."""
    from sciatica_care.reports.pdf import Document

    footer_only = Document("Discharge letter · Patient: Ann Lee, born 1 May 1980 · Riverside Clinic · 4 Mar 2026")
    footer_only.add_page()
    (blank,) = rendered(bytes(footer_only.output()))
    for i, image in enumerate(rendered(letter_pdf(letter)), 1):
        assert ink(image) > ink(blank) + 0.002, f"page {i} is blank"


def test_a_letter_without_contact_details_still_lays_out() -> None:
    """No clinic address, no GP on record, no date of birth: the letter still prints, to "The patient's GP"."""
    intake = yaml.safe_load((EXAMPLES / "dvt-same-day.yaml").read_text())
    letter = referral_letter(intake, build_plan(intake), date=DAY, sender=Sender("Sam Hart"), recipient=Recipient(),
                             patient=PatientDetails("Ann Lee"))
    text = words(" ".join(pdf_text(letter_pdf(letter))))
    assert "The patient's GP" in text
    assert "Dear Doctor," in text
    assert "Re: Ann Lee" in text
