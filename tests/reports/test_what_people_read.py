"""What a person reads in the prints: no raw knowledge ids, one date format, a letterhead, and any name printed
through the Unicode fonts (the fonts come from Debian packages listed in .ci/apt-packages)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import yaml

from sciatica_care.engine.plan import build_plan
from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.reports import pdf as P
from sciatica_care.reports.handout import handout_html, handout_pdf
from sciatica_care.reports.labels import label
from sciatica_care.reports.letterhead import Letterhead, format_date, format_datetime
from sciatica_care.reports.plan_text import render_plan
from sciatica_care.reports.practitioner import practitioner_pdf

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))
NAME = "李小龍 Zoë Ångström"
HEAD = Letterhead(patient=NAME, clinic="Riverside Clinic", practitioner="Dr Sam Hart", date=dt.date(2026, 12, 4))


def knowledge_ids() -> set[str]:
    """The ids a plan can carry that have a name to show instead: snake_case or kebab-case ones."""
    k = load_knowledge()
    ids = {r.id for r in k.safety} | {r.warning_id for r in k.safety if r.warning_id}
    ids |= {f.id for f in k.triage.flags} | {e.id for e in k.triage.escalations}
    ids |= {p.id for p in k.assessment.patterns} | {c.id for c in k.assessment.causes}
    return {i for i in ids if re.fullmatch(r"[a-z0-9]+(?:[_-][a-z0-9]+)+", i)}


def raw_ids(text: str) -> set[str]:
    return {i for i in knowledge_ids() if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)}


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    return " ".join(" ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))).split())


def _intake(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_text_plan_shows_names_not_ids(path: Path) -> None:
    shown = render_plan(build_plan(_intake(path)))
    assert raw_ids(shown) == set(), shown


@pytest.mark.parametrize("name", ["anticoagulated-older", "pregnancy-third-trimester", "cauda-equina",
                                  "piriformis-chronic"])
def test_the_practitioner_print_shows_names_not_ids(name: str) -> None:
    path = next(p for p in EXAMPLES if p.stem == name)
    shown = pdf_text(practitioner_pdf(build_plan(_intake(path))))
    assert raw_ids(shown) == set()


def test_the_id_check_would_catch_a_raw_id() -> None:
    assert raw_ids("x BL40 left — bleeding-risk: why") == {"bleeding-risk"}
    assert raw_ids("TCM qi_blood_stagnation") == {"qi_blood_stagnation"}
    assert label("bleeding-risk") == "Bleeding risk"
    assert label("motor-deficit") == "Muscle weakness"


def test_one_date_format() -> None:
    assert format_date(dt.date(2026, 12, 4)) == "4 Dec 2026"
    assert format_date(dt.datetime(2026, 1, 31, 9, 5, tzinfo=dt.UTC)) == "31 Jan 2026"
    assert format_datetime(dt.datetime(2026, 1, 31, 9, 5, tzinfo=dt.UTC)) == "31 Jan 2026, 09:05"
    assert format_date(None) == ""


def test_the_fonts_are_installed() -> None:
    """.ci/apt-packages installs them; without them names outside Latin-1 would print as '?'."""
    assert P.body_font() is not None
    assert P.cjk_font()
    assert P.FONT != "helvetica"


def test_a_handout_and_a_practitioner_print_carry_any_name() -> None:
    intake = _intake(next(p for p in EXAMPLES if p.stem == "s1-disc-acute"))
    plan = build_plan(intake)
    for data in (handout_pdf(intake, plan, letterhead=HEAD), practitioner_pdf(plan, letterhead=HEAD)):
        text = pdf_text(data)
        assert NAME in text
        for said in ("Riverside Clinic", "Dr Sam Hart", "4 Dec 2026"):
            assert said in text
    page = handout_html(intake, plan, letterhead=HEAD)
    assert NAME in page
    assert "4 Dec 2026" in page


def test_without_a_name_the_prints_stay_as_they_were() -> None:
    intake = _intake(next(p for p in EXAMPLES if p.stem == "s1-disc-acute"))
    assert "Patient:" not in pdf_text(practitioner_pdf(build_plan(intake)))
