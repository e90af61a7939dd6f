"""The handout says how soon first: the referral timing leads page one (HTML and PDF), the warning signs are
grouped by how soon to act (each flag's `see_within` in the knowledge), no sentence states a slower timing than
the plan's `triage.see_within`, a pregnant patient gets the pregnancy warning signs with the maternity contact,
and a man's sheet never mentions pregnancy."""

from __future__ import annotations

import importlib.util
import re
from html import unescape
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from sciatica_care.engine.plan import build_plan
from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.knowledge.timing import URGENCY, clause_timings, slower_than
from sciatica_care.reports.handout import (
    FIRST_TRIMESTER_NOTE,
    OTHER_CHANGES,
    build_handout,
    contact_for_patient,
    handout_html,
    handout_pdf,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _engine_properties() -> Any:
    spec = importlib.util.spec_from_file_location("engine_properties",
                                                  ROOT / "tests" / "engine" / "test_engine_properties.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


INTAKES = _engine_properties().valid_intakes()


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    return data


def visible_text(html: str) -> str:
    """What a reader sees: no styles, no figures, tags turned into line breaks."""
    html = re.sub(r"<(head|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s*\n\s*", "\n", re.sub(r"<[^>]+>", "\n", html)).strip())


def pdf_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def slower_clauses(text: str, see_within: str) -> list[tuple[str, str]]:
    return [(c, t) for c, t in clause_timings(text) if URGENCY[t] < URGENCY[see_within]]


@pytest.mark.parametrize("name", ["dvt-same-day", "fever-weakness-emergency"])
def test_the_timing_is_the_first_thing_on_the_sheet_for_an_urgent_case(name: str) -> None:
    intake = example(name)
    plan = build_plan(intake)
    assert plan.triage.see_within in ("now", "same_day")
    text = visible_text(handout_html(intake, plan))
    assert text.startswith(plan.triage.patient_timing), text[:200]
    assert not slower_than(text, plan.triage.see_within)
    first = pdf_text(handout_pdf(intake, plan)).strip()
    assert first.startswith(plan.triage.patient_timing), first[:200]
    # the page-one timing comes before the title and the home programme
    assert first.index(plan.triage.patient_timing) < first.index("Please see a doctor before any treatment")


def test_dvt_sheet_says_today_and_where_and_why() -> None:
    intake = example("dvt-same-day")
    h = build_handout(intake)
    assert h.timing == "See a doctor today."
    assert h.where
    assert "NHS 111" in h.where
    assert "patient" not in h.where
    assert any("blood clot" in f for f in h.findings)
    # the two-weeks group is slower than today: left out, and the patient told to mention any other change
    assert [g.see_within for g in h.sign_groups] == ["now", "same_day"]
    assert h.other_changes
    assert OTHER_CHANGES in visible_text(handout_html(intake))


def test_signs_are_grouped_by_how_soon_to_act_not_by_level() -> None:
    k = load_knowledge()
    h = build_handout(example("s1-disc-acute"))
    assert [g.see_within for g in h.sign_groups] == ["now", "same_day", "two_weeks"]
    by_text = {f.patient_text: f for f in k.triage.flags}
    for group in h.sign_groups:
        for sign in group.signs:
            assert by_text[sign].see_within == group.see_within
    same_day = next(g for g in h.sign_groups if g.see_within == "same_day")
    # fever and progressive weakness are "urgent" in level but need a doctor the same day
    assert by_text_id(k, "fever") in same_day.signs
    assert by_text_id(k, "progressive_weakness") in same_day.signs
    assert "today" in same_day.heading


def by_text_id(k: Any, flag: str) -> str:
    return next(f.patient_text for f in k.triage.flags if f.id == flag)


def test_pregnant_sheet_has_the_pregnancy_signs_with_maternity_contact_and_adapted_instructions() -> None:
    intake = example("pregnancy-third-trimester")
    plan = build_plan(intake)
    h = build_handout(intake, plan)
    headings = [g.heading for g in h.pregnancy_signs]
    assert headings[0].startswith("Call 999 now")
    assert any("maternity unit or midwife today" in x for x in headings)
    text = visible_text(handout_html(intake, plan))
    assert "The baby moving less than usual" in text
    assert "does not lie on your back" in text
    for e in plan.self_care.exercise_details:
        assert e.instructions in text
    assert "Lie face-up" not in text
    assert "lie face up" not in text.lower()
    pdf = pdf_text(handout_pdf(intake, plan))
    assert "maternity unit or midwife" in pdf


def test_first_trimester_note_only_when_the_plan_carries_it() -> None:
    intake = example("pregnancy-third-trimester")
    assert not build_handout(intake).programme.first_trimester
    early = {**intake, "patient": {**intake["patient"], "pregnancy_weeks": 9}}
    plan = build_plan(early)
    assert any(w.id == "pregnancy-first-trimester" for w in plan.warnings)
    assert FIRST_TRIMESTER_NOTE in visible_text(handout_html(early, plan))


def test_every_contact_in_the_knowledge_reads_to_the_patient_or_is_left_off() -> None:
    k = load_knowledge()
    contacts = {f.contact for f in k.triage.flags} | {e.contact for e in k.triage.escalations}
    for c in contacts:
        said = contact_for_patient(c)
        assert said is not None, c  # every contact the knowledge holds today can be said to the patient
        assert "patient" not in said.lower()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(INTAKES)
def test_no_sentence_states_a_slower_timing_and_a_man_hears_nothing_of_pregnancy(intake: dict[str, Any]) -> None:
    plan = build_plan(intake)
    text = visible_text(handout_html(intake, plan))
    see_within = plan.triage.see_within or "none"
    assert not slower_clauses(text, see_within), slower_clauses(text, see_within)
    if (intake.get("patient") or {}).get("sex") == "male":
        assert "pregnan" not in text.lower()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_sheet_keeps_to_the_plans_timing(path: Path) -> None:
    intake = yaml.safe_load(path.read_text())
    plan = build_plan(intake)
    text = visible_text(handout_html(intake, plan))
    assert not slower_clauses(text, plan.triage.see_within or "none")
    assert text.startswith(plan.triage.patient_timing)
    if intake["patient"].get("sex") == "male":
        assert "pregnan" not in text.lower()
