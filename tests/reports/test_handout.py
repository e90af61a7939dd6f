"""The patient handout (HTML and PDF) and the practitioner print: content, rendering, and the pregnancy guarantee.

PDF pages are rendered to images with pypdfium2 (imported here unconditionally: a missing renderer fails the
suite, it is never skipped).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import escape
from importlib import resources
from typing import Any

import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciatica_care.knowledge.model import Knowledge
from sciatica_care.reports.handout import UnsafeHandout, build_handout, handout_html, handout_pdf
from sciatica_care.reports.practitioner import practitioner_pdf

SCHEMA = json.loads(resources.files("sciatica_care.contract").joinpath("intake.schema.json").read_text())["properties"]


def enum(*path: str) -> list[str]:
    node: Any = SCHEMA
    for step in path:
        node = node[step]
    return list(node["items"]["enum"] if "items" in node else node["enum"])


def pages(pdf: bytes, scale: float = 0.6) -> list[Any]:
    """The PDF's pages as PIL images."""
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].render(scale=scale).to_pil().convert("L") for i in range(len(doc))]


def pdf_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def inked(image: Any) -> float:
    """The share of the page that is not white."""
    histogram = image.histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)


def forbidden_words(knowledge: Knowledge) -> list[re.Pattern[str]]:
    """Patterns for every point forbidden in pregnancy: its code, aliases, pinyin and English name."""
    words = []
    for p in knowledge.points:
        if p.forbidden_in_pregnancy:
            for w in (p.code, *p.aliases, p.pinyin, p.english):
                words.append(re.compile(rf"(?<![\w.-]){re.escape(w)}(?![\w.-])", re.IGNORECASE))
    return words


# ------------------------------------------------------------------------------------------------ content


def test_the_handout_holds_the_home_programme(
        intake: Callable[..., dict[str, Any]], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """Acupressure (where, how long, how often), heat/ice, exercises with dosage, ergonomics, guideline."""
    doc = intake()
    plan = plan_of(doc)
    html = handout_html(doc, plan, knowledge)
    care = plan["self_care"]
    assert care["acupressure"]
    assert care["exercise_details"]
    for a in care["acupressure"]:
        assert a["code"] in html
        assert f"Hold for {a['hold_minutes'][0]} to {a['hold_minutes'][1]} minutes" in html
        assert f"{a['times_per_day'][0]} to {a['times_per_day'][1]} times a day" in html
    for e in care["exercise_details"]:
        assert escape(e["name"]) in html
        assert escape(e["dosage"]) in html
    for g in care["ergonomic_details"]:
        assert escape(g["name"]) in html
    assert escape(care["thermal_advice"]["advice"]) in html
    assert escape(plan["guideline"]["position"]) in html
    assert html.count("<svg") == len(care["acupressure"]) + len(care["exercise_details"]) + 1


def test_the_handout_lists_every_warning_sign_in_plain_words(
        intake: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """Every red flag's patient text is on the handout, the emergencies first."""
    html = handout_html(intake(), knowledge=knowledge)
    texts = [escape(f.patient_text) for f in knowledge.triage.flags]
    assert all(t in html for t in texts)
    emergency = [escape(f.patient_text) for f in knowledge.triage.flags if f.level == "emergency"]
    urgent = [escape(f.patient_text) for f in knowledge.triage.flags if f.level != "emergency"]
    assert max(html.index(t) for t in emergency) < min(html.index(t) for t in urgent)


def test_a_withheld_plan_gives_a_see_a_doctor_handout_without_a_programme(
        intake: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """With red flags the handout sends the patient to a doctor and holds no home programme."""
    doc = intake(red_flags=["saddle_anaesthesia"])
    h = build_handout(doc, knowledge=knowledge)
    assert h.withheld
    assert not h.programme.points
    assert not h.programme.exercises
    html = handout_html(doc, knowledge=knowledge)
    assert "Please see a doctor before any treatment" in html
    assert "home programme" not in html.lower()
    assert "Exercises" not in html


def test_the_handout_refuses_a_forbidden_point_for_a_pregnant_patient(
        pregnant_intake: dict[str, Any], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """Defence in depth: a plan that (wrongly) asks a pregnant patient to press LI4 yields no handout."""
    plan = plan_of(pregnant_intake)
    tampered = json.loads(json.dumps(plan))
    tampered["self_care"]["acupressure"].append({**tampered["self_care"]["acupressure"][0], "code": "LI4"})
    with pytest.raises(UnsafeHandout, match="LI4"):
        handout_html(pregnant_intake, tampered, knowledge)
    with pytest.raises(UnsafeHandout):
        handout_pdf(pregnant_intake, tampered, knowledge)


def test_pregnancy_not_recorded_is_treated_as_possible(
        intake: Callable[..., dict[str, Any]], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """A woman whose pregnancy status is not recorded gets the same guarantee (the plan shows the rule at work)."""
    doc = intake(patient={"sex": "female", "age": 30})
    plan = plan_of(doc)
    tampered = json.loads(json.dumps(plan))
    tampered["self_care"]["acupressure"].append({**tampered["self_care"]["acupressure"][0], "code": "SP6"})
    with pytest.raises(UnsafeHandout, match="SP6"):
        build_handout(doc, tampered, knowledge)


# ------------------------------------------------------------------------------------------------ rendering


def test_the_handout_pdf_renders_pages_that_are_not_blank(
        intake: Callable[..., dict[str, Any]], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """Every page of the handout PDF renders to an image with real content on it, pictures included."""
    doc = intake()
    pdf = handout_pdf(doc, plan_of(doc), knowledge)
    assert pdf.startswith(b"%PDF")
    images = pages(pdf)
    assert len(images) >= 2
    for i, image in enumerate(images, 1):
        assert inked(image) > 0.01, f"page {i} is blank"
    text = pdf_text(pdf)
    assert "Warning signs" in text
    assert "What the guideline says" in text


def test_the_practitioner_print_is_one_full_page(
        intake: Callable[..., dict[str, Any]], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """The practitioner print is exactly one landscape page holding the figure and the plan."""
    for doc in (intake(), intake(patient={"sex": "female", "pregnant": True}, medical=["anticoagulants"]),
                intake(red_flags=["fever"])):
        pdf = practitioner_pdf(plan_of(doc), knowledge)
        (image,) = pages(pdf)
        assert image.width > image.height
        assert inked(image) > 0.03
        assert "Triage" in pdf_text(pdf)


# ------------------------------------------------------------------------------------------------ pregnancy property

AREAS = enum("pain", "properties", "areas")
MODALITIES = enum("preferences", "properties", "modalities")
MEDICAL = [m for m in enum("medical") if m != "active_cancer"]

pregnant_intakes = st.fixed_dictionaries(
    {
        "schema_version": st.just("1"),
        "patient": st.fixed_dictionaries(
            {"age": st.integers(16, 50), "sex": st.just("female"), "pregnant": st.just(True)},
            optional={"pregnancy_weeks": st.integers(1, 42)}),
        "episode": st.fixed_dictionaries(
            {"side": st.sampled_from(["left", "right", "both"]), "duration_weeks": st.integers(0, 80)},
            optional={"onset": st.sampled_from(["sudden", "gradual"]), "after_lifting": st.booleans()}),
        "pain": st.fixed_dictionaries(
            {"leg_nrs": st.integers(0, 10), "areas": st.lists(st.sampled_from(AREAS), min_size=1, max_size=6,
                                                                unique=True)},
            optional={"qualities": st.lists(st.sampled_from(enum("pain", "properties", "qualities")), unique=True),
                      "worse_with": st.lists(st.sampled_from(enum("pain", "properties", "worse_with")),
                                             unique=True)}),
        "red_flags": st.just([]),
    },
    optional={
        "medical": st.lists(st.sampled_from(MEDICAL), max_size=3, unique=True),
        "examination": st.fixed_dictionaries({}, optional={
            "straight_leg_raise": st.sampled_from(["positive", "negative"]),
            "piriformis_tenderness": st.booleans(),
            "sensory_loss": st.lists(st.sampled_from(AREAS), max_size=3, unique=True)}),
        "preferences": st.fixed_dictionaries({"modalities": st.lists(st.sampled_from(MODALITIES), min_size=1,
                                                                     unique=True)}),
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=pregnant_intakes)
def test_a_pregnant_patients_handout_never_shows_a_forbidden_point(doc: dict[str, Any], knowledge: Knowledge) -> None:
    """For any pregnant intake, no point forbidden in pregnancy appears anywhere in the handout."""
    h = build_handout(doc, knowledge=knowledge)
    forbidden = {p.code for p in knowledge.points if p.forbidden_in_pregnancy}
    assert not {pt.code for pt in h.programme.points} & forbidden
    html = handout_html(doc, knowledge=knowledge)
    hits = [w.pattern for w in forbidden_words(knowledge) if w.search(html)]
    assert not hits, hits


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=pregnant_intakes)
def test_a_pregnant_patients_pdf_handout_never_shows_a_forbidden_point(doc: dict[str, Any],
                                                                       knowledge: Knowledge) -> None:
    """The same guarantee read back from the PDF's own text."""
    text = pdf_text(handout_pdf(doc, knowledge=knowledge))
    hits = [w.pattern for w in forbidden_words(knowledge) if w.search(text)]
    assert not hits, hits


# ------------------------------------------------------------------------------------------------ unreadable plans

#: A stored plan with a safety field missing, or a corrupt body: each must print as not for treatment.
def _broken_plans(plan: dict[str, Any]) -> list[Any]:
    no_allowed = {k: v for k, v in plan.items() if k != "treatment_allowed"}
    no_level = {**plan, "triage": {k: v for k, v in plan["triage"].items() if k != "level"}}
    no_massage_flag = {**plan, "massage": {k: v for k, v in plan["massage"].items() if k != "allowed"}}
    return [no_allowed, no_level, no_massage_flag, json.dumps(no_allowed), "{not json", b"\x00"]


def test_a_plan_missing_a_safety_field_prints_as_not_for_treatment(
        intake: Callable[..., dict[str, Any]], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """An absent `treatment_allowed` (or triage level, or a modality's `allowed`) or a corrupt stored plan never
    reads as allowed: the handout is the not-for-treatment sheet with no home programme, and the practitioner
    print says NOT FOR TREATMENT without any point."""
    doc = intake()
    plan = plan_of(doc)
    assert plan["treatment_allowed"] is True
    assert plan["self_care"]["acupressure"]
    for broken in _broken_plans(plan):
        h = build_handout(doc, broken, knowledge)
        assert h.withheld
        assert not h.programme.points
        assert not h.programme.exercises
        html = handout_html(doc, broken, knowledge)
        assert "could not read your treatment plan" in html
        assert "Press" not in html
        assert plan["self_care"]["acupressure"][0]["code"] not in html
        text = pdf_text(handout_pdf(doc, broken, knowledge))
        assert "Please see a doctor before any treatment" in text.replace("\n", " ").replace("\r", "")
        printed = pdf_text(practitioner_pdf(broken, knowledge))
        assert "NOT FOR TREATMENT" in printed
        assert not any(p["code"] in printed for p in plan["acupuncture"]["points"])
