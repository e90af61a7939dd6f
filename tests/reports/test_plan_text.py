"""The practitioner's text plan and one-page print state what the engine decided, honestly and first: a one-screen
summary led by the referral timing, cause weights as ranked weights (never percentages), the needle count and cap,
nothing slower than the plan's `see_within`, and no pregnancy text where pregnancy does not apply."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, get_args

import pypdfium2 as pdfium
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from sciatica_care.engine.plan import build_plan
from sciatica_care.engine.plan_model import Plan
from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.knowledge.model import Region
from sciatica_care.knowledge.timing import only_as_soon, slower_than
from sciatica_care.reports.body.figure import chart_svg
from sciatica_care.reports.labels import label
from sciatica_care.reports.plan_text import SUMMARY_LINES, WIDTH, render_plan, summary
from sciatica_care.reports.plan_words import HEADLINE, REGION_GROUP, WHEN, pregnancy_possible
from sciatica_care.reports.practitioner import practitioner_pdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from test_engine_properties import valid_intakes

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
VIGNETTES = sorted((REPO / ".." / "shared" / "vignettes").resolve().glob("cases*/*.json"))
K = load_knowledge()
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PRINT_PROPERTY = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _intakes() -> list[tuple[str, dict[str, Any]]]:
    found = [(p.name, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in EXAMPLES]
    for path in VIGNETTES:
        case = json.loads(path.read_text(encoding="utf-8"))
        if "intake" in case and case.get("expect", {}).get("exit_code", 0) == 0:
            found.append((path.name, case["intake"]))
    return found


INTAKES = _intakes()


def pdf_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def _flat(text: str) -> str:
    """Wrapped lines joined back into their sentences (a negation must not be cut from what it negates)."""
    return re.sub(r"\s*\n\s*", " ", text)


def test_there_are_examples_to_check() -> None:
    assert len(EXAMPLES) >= 10


def test_every_knowledge_region_has_a_summary_group() -> None:
    """The summary groups points by the knowledge's own `region` field: a new region needs a group."""
    assert set(REGION_GROUP) == set(get_args(Region))


@pytest.mark.parametrize(("name", "intake"), INTAKES, ids=[n for n, _ in INTAKES])
def test_the_summary_fits_one_screen_and_lists_every_point_with_its_side(name: str, intake: dict[str, Any]) -> None:
    """At most 40 lines of at most 100 columns, at the top of the text plan, led by the referral timing; every
    planned point's code with its side; the needle count and its cap."""
    plan = build_plan(intake)
    lines = summary(plan)
    assert len(lines) <= SUMMARY_LINES, "\n".join(lines)
    assert all(len(line) <= WIDTH for line in lines), [line for line in lines if len(line) > WIDTH]
    text = render_plan(plan)
    body = text.splitlines()
    assert body[2] == lines[0], "the summary comes first, under the title"
    assert lines[0].startswith(HEADLINE[plan.triage.see_within or "now"])
    shown = "\n".join(lines)
    for p in plan.acupuncture.points:
        assert f"{p.code} {p.side}" in shown, f"{p.code} {p.side} missing from the summary"
    if plan.treatment_allowed:
        assert f"{plan.acupuncture.needles} needle" in shown
        if plan.acupuncture.needle_cap is not None:
            assert f"of a cap of {plan.acupuncture.needle_cap}" in shown
        assert f"after {plan.schedule.review_after_sessions} sessions" in shown


@pytest.mark.parametrize("example", ["dvt-same-day", "cauda-equina", "fever-weakness-emergency"])
def test_a_withheld_plans_summary_is_the_timing_the_contact_and_the_reasons(example: str) -> None:
    plan = build_plan(yaml.safe_load((REPO / "examples" / f"{example}.yaml").read_text(encoding="utf-8")))
    assert not plan.treatment_allowed
    lines = summary(plan)
    assert lines[0].startswith(HEADLINE[plan.triage.see_within or "now"])
    assert "NO TREATMENT TODAY" in lines[0]
    assert lines[1].strip() == plan.triage.timing
    assert plan.triage.contact
    assert "Contact: " + plan.triage.contact[:30] in "\n".join(lines)
    shown = "\n".join(lines)
    for word in ("NEEDLES", "E-STIM", "MASSAGE", "HOME", "REVIEW"):
        assert word not in shown
    assert all(label(f.id) in shown for f in plan.triage.flags)
    assert all(label(e.id) in shown for e in plan.triage.escalations)


def test_a_same_day_referral_is_never_called_urgent() -> None:
    """NICE's "urgent" means within two weeks: the DVT plan (level urgent, see_within same_day) says "today"."""
    plan = build_plan(yaml.safe_load((REPO / "examples" / "dvt-same-day.yaml").read_text(encoding="utf-8")))
    assert plan.triage.see_within == "same_day"
    text = render_plan(plan)
    assert text.splitlines()[2].startswith("SEE A DOCTOR TODAY")
    assert not slower_than(_flat(text), "same_day")
    assert "TRIAGE: URGENT" not in text


def test_cause_weights_are_shown_as_ranked_weights_not_percentages() -> None:
    plan = build_plan(yaml.safe_load((REPO / "examples" / "s1-disc-acute.yaml").read_text(encoding="utf-8")))
    text = render_plan(plan)
    printed = pdf_text(practitioner_pdf(plan, K))
    top = plan.assessment.causes[0]
    assert f"1. {top.name} — weight {top.likelihood:.2f} of 1 (strongest weight)" in text
    assert "not probabilities" in text
    for out in (text, _flat(printed)):
        assert not re.search(r"\d\s?%", out.replace("100%", "")), "a cause weight printed as a percentage"
    assert "weight" in printed
    assert "ranked" in printed


def test_warning_signs_print_with_their_timing_and_contact() -> None:
    plan = build_plan(yaml.safe_load(
        (REPO / "examples" / "pregnancy-third-trimester.yaml").read_text(encoding="utf-8")))
    signs = [s for w in plan.warnings for s in w.signs]
    assert signs
    text = render_plan(plan)
    for s in signs:
        assert f"{s.text} → {WHEN[s.see_within]}: {s.contact}" in _flat(text), s.text


def test_capped_depths_show_their_reason() -> None:
    plan = build_plan(yaml.safe_load((REPO / "examples" / "anticoagulated-older.yaml").read_text(encoding="utf-8")))
    capped = [p for p in plan.acupuncture.points if p.depth_reason]
    assert capped
    text = render_plan(plan)
    assert all(p.depth_reason in _flat(text) for p in capped)


def test_only_as_soon_keeps_what_is_not_slower() -> None:
    text = ("A weakened immune system raises the risk of spinal infection. No treatment until a doctor has assessed "
            "the pain; urgent medical assessment, same day if there is fever.")
    kept = only_as_soon(text, "now")
    assert kept == ("A weakened immune system raises the risk of spinal infection. No treatment until a doctor has "
                    "assessed the pain.")
    assert only_as_soon(text, "none") == text


# ── only what applies ────────────────────────────────────────────────────────────────────────────────────


def test_a_mans_chart_tooltips_never_mention_pregnancy() -> None:
    """LI4 is forbidden in pregnancy; a man's plan that needles it shows no pregnancy line in its tooltip."""
    intake = {"schema_version": "1", "patient": {"age": 40, "sex": "male"},
              "episode": {"side": "left", "duration_weeks": 3},
              "pain": {"leg_nrs": 6, "areas": ["buttock", "posterior_thigh", "posterior_calf", "heel"]},
              "red_flags": [], "medical": [], "examination": {"sensory_loss": []}}
    plan = build_plan(intake)
    assert "LI4" in {p.code for p in plan.acupuncture.points}
    assert not pregnancy_possible(plan)
    assert "pregnan" not in chart_svg(plan, K).lower()


def test_a_pregnant_patients_chart_still_says_why_points_are_excluded() -> None:
    plan = build_plan(yaml.safe_load(
        (REPO / "examples" / "pregnancy-third-trimester.yaml").read_text(encoding="utf-8")))
    assert pregnancy_possible(plan)
    assert "pregnancy-forbidden-points" in chart_svg(plan, K)


def _check_outputs(plan: Plan, male: bool, print_too: bool = True) -> None:
    when = plan.triage.see_within or "now"
    text = render_plan(plan)
    printed = pdf_text(practitioner_pdf(plan, K)) if print_too else ""
    for name, out in (("text plan", text), ("practitioner print", printed)):
        slower = slower_than(_flat(out), when)
        assert not slower, f"the {name} states {slower}, slower than {when}"
    if male:
        svg = chart_svg(plan, K)
        for name, out in (("text plan", text), ("practitioner print", printed), ("chart", svg)):
            assert "pregnan" not in out.lower(), f"a man's {name} mentions pregnancy"


@PROPERTY
@given(intake=valid_intakes())
def test_no_text_plan_states_a_slower_timing_or_pregnancy_for_a_man(intake: dict[str, Any]) -> None:
    """For any intake: no clause of the text plan names a slower timing than the plan's `see_within`, and a man's
    text plan and chart never mention pregnancy."""
    plan = build_plan(intake)
    _check_outputs(plan, intake["patient"].get("sex") == "male", print_too=False)


@PRINT_PROPERTY
@given(intake=valid_intakes())
def test_no_practitioner_print_states_a_slower_timing_or_pregnancy_for_a_man(intake: dict[str, Any]) -> None:
    """The same for the one-page print (its PDF text, fewer examples: each is a rendered PDF)."""
    plan = build_plan(intake)
    _check_outputs(plan, intake["patient"].get("sex") == "male")


@pytest.mark.parametrize(("name", "intake"), INTAKES, ids=[n for n, _ in INTAKES])
def test_the_examples_state_no_slower_timing(name: str, intake: dict[str, Any]) -> None:
    plan = build_plan(intake)
    _check_outputs(plan, intake["patient"].get("sex") == "male")
