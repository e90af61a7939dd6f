"""A letter never understates how soon: for any intake the contract accepts (and any red flags found at later
sessions), the letter's timing is at least as urgent as the plan's `triage.see_within`, it is said first, no clause
of the letter states a slower timing, and a man's letter never mentions pregnancy. The same holds for the progress
letter written while the latest plan refers, and for every worked example."""

from __future__ import annotations

import datetime as dt
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciatica_care.engine.plan import build_plan
from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.knowledge.timing import SEE_WITHIN, clause_timings, is_slower, stated_timings
from sciatica_care.reports.letter_content import (
    Course,
    FlagsAtSession,
    Letter,
    PatientDetails,
    Recipient,
    ScoreChange,
    Sender,
    progress_letter,
    referral_letter,
)

ROOT = Path(__file__).resolve().parents[2]
INTAKES = runpy.run_path(str(ROOT / "tests" / "engine" / "test_engine_properties.py"))["valid_intakes"]()
FLAG_IDS = [f.id for f in load_knowledge().triage.flags]
DAY = dt.date(2026, 3, 4)
PEOPLE: dict[str, Any] = {"date": DAY, "sender": Sender("Sam Hart", clinic="Riverside Clinic", phone="01234 567890"),
                          "recipient": Recipient("Dr A Patel", "High Street Surgery"),
                          "patient": PatientDetails("Ann Lee", dt.date(1980, 5, 1))}
SESSIONS = st.lists(st.builds(FlagsAtSession, day=st.just(dt.date(2026, 2, 1)),
                              flags=st.lists(st.sampled_from(FLAG_IDS), min_size=1, max_size=3, unique=True)
                              .map(tuple), see_within=st.sampled_from(SEE_WITHIN)), max_size=2).map(tuple)
COURSE = Course(opened=dt.date(2026, 1, 5), sessions=4, latest=dt.date(2026, 2, 1),
                done=("Acupuncture points (sessions): GB30 (4)",),
                measures=(ScoreChange("Leg pain (NRS)", 7, 6, -14.3, rule="a change of at least 2 points or at least "
                                                                         "30% of baseline counts"),),
                advice=("No important improvement after 4 sessions: review the plan at the next visit.",
                        "Come back, or see a doctor, if the leg pain returns or gets worse."))


def slower_clauses(letter: Letter, than: str) -> list[tuple[str, str]]:
    return [(c, t) for c, t in clause_timings(letter.text()) if is_slower(t, than)]


def check(letter: Letter, plan_timing: str, intake: dict[str, Any]) -> None:
    assert not is_slower(letter.see_within, plan_timing), (letter.see_within, plan_timing)
    assert not slower_clauses(letter, letter.see_within), slower_clauses(letter, letter.see_within)
    if letter.refers:
        body = letter.body()
        assert body.index(letter.urgency) < body.index(letter.recipient.salutation())
    if (intake.get("patient") or {}).get("sex") == "male":
        assert "pregnan" not in letter.text().lower()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(INTAKES, SESSIONS)
def test_no_referral_letter_understates_the_timing(intake: dict[str, Any],
                                                   sessions: tuple[FlagsAtSession, ...]) -> None:
    """Generated intakes and later re-checks: never slower than the plan, timing first, nothing slower stated."""
    plan = build_plan(intake)
    letter = referral_letter(intake, plan, course=Course(dt.date(2026, 1, 5), 2, flags_at_sessions=sessions),
                             **PEOPLE)
    check(letter, plan.triage.referral, intake)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(INTAKES)
def test_the_history_and_examination_state_no_timing(intake: dict[str, Any]) -> None:
    """So the timing filter never cuts a finding from an urgent letter (a duration of "2 weeks" reads as a timing:
    it is said in days)."""
    letter = referral_letter(intake, build_plan(intake), **PEOPLE)
    for section in letter.sections:
        if section.heading in ("History", "Examination"):
            for item in section.items:
                assert not stated_timings(item), item


@pytest.mark.parametrize("weeks", [0.1, 0.5, 1, 2, 3, 12.5, 51.9, 52, 78, 104, 520, 999])
def test_no_duration_of_pain_reads_as_a_timing(weeks: float) -> None:
    """Every length of history, from a day to the longest the intake takes (999 weeks would read as the emergency
    number), is said without a word the timing filter takes for a referral timing."""
    from sciatica_care.reports.letter_content import _duration

    said = _duration(weeks)
    assert not stated_timings(f"Leg pain: left leg, for {said}"), said
    if weeks >= 52:
        assert "year" in said


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(INTAKES)
def test_no_progress_letter_understates_the_timing(intake: dict[str, Any]) -> None:
    """A progress letter written while the plan refers keeps to its timing too (its course advice included)."""
    plan = build_plan(intake)
    check(progress_letter(COURSE, plan=plan, **PEOPLE), plan.triage.referral, intake)


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_letter_keeps_to_its_timing(path: Path) -> None:
    """Every worked example: the referral and progress letters keep to the plan's timing."""
    intake = yaml.safe_load(path.read_text())
    plan = build_plan(intake)
    letter = referral_letter(intake, plan, **PEOPLE)
    assert letter.see_within == plan.triage.referral
    check(letter, plan.triage.referral, intake)
    check(progress_letter(COURSE, plan=plan, **PEOPLE), plan.triage.referral, intake)


def test_the_reader_would_catch_a_slower_sentence() -> None:
    """The check above means something: a letter for a same-day case that said "next appointment" fails it."""
    plan = build_plan(yaml.safe_load((ROOT / "examples" / "dvt-same-day.yaml").read_text()))
    course = Course(dt.date(2026, 1, 5), 1, done=("Review at the next appointment.",))
    letter = referral_letter({}, plan, course=course, **PEOPLE)
    assert "next appointment" not in letter.text()  # the filter took it out
    assert slower_clauses(referral_letter({}, plan, **PEOPLE), "same_day") == []
    raw = letter.text() + "Review at the next appointment.\n"
    assert [t for _, t in clause_timings(raw) if is_slower(t, "same_day")] == ["none"]
