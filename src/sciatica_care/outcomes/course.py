"""Where a course of treatment stands, from its outcome scores, and what to consider next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sciatica_care.errors import InputRefused, Problem, join_path
from sciatica_care.outcomes._checks import as_number, check_score, describe, find_instrument, is_int
from sciatica_care.outcomes.change import Change, change
from sciatica_care.outcomes.instruments import Instrument

Status = Literal["improving", "worse", "stable"]

RESPONDER_CONSECUTIVE = 2
REVIEW_AFTER_SESSIONS = 4
REFER_AFTER_SESSIONS = 6
TAPER_FROM_WEEK = 6
TAPER_AFTER_STABLE_VISITS = 2


@dataclass(frozen=True, slots=True)
class CourseStatus:
    """`status` compares the latest score with baseline. `improved_streak` counts the latest measurements in a
    row that show important improvement; `responder` is true when that streak has reached two."""

    instrument: str
    status: Status
    responder: bool
    improved_streak: int
    latest: Change


@dataclass(frozen=True, slots=True)
class Advice:
    """One suggestion for the practitioner, in our words, with the sources behind its rule."""

    id: str
    text: str
    sources: tuple[str, ...]


def course_status(
    instrument: str, baseline: float, measurements: Sequence[tuple[int, float]]
) -> CourseStatus:
    """Status of a course on one instrument from its baseline and its (session_number, score) measurements,
    ordered by session."""
    problems: list[Problem] = []
    found = find_instrument(instrument, problems)
    if found is not None:
        check_score(found, baseline, "baseline", problems)
    if not isinstance(measurements, list | tuple) or not measurements:
        problems.append(Problem("measurements", "must be a non-empty list of [session_number, score] pairs"))
    else:
        _check_measurements(found, measurements, problems)
    if problems:
        raise InputRefused(problems)
    changes = [change(instrument, baseline, value) for _, value in measurements]
    streak = 0
    for each in reversed(changes):
        if not each.important_improvement:
            break
        streak += 1
    latest = changes[-1]
    status: Status = (
        "improving" if latest.important_improvement else "worse" if latest.important_worsening else "stable"
    )
    return CourseStatus(instrument, status, streak >= RESPONDER_CONSECUTIVE, streak, latest)


def _check_measurements(
    instrument: Instrument | None, measurements: Sequence[object], problems: list[Problem]
) -> None:
    previous: int | None = None
    for index, pair in enumerate(measurements):
        path = join_path("measurements", index)
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            problems.append(Problem(path, f"must be a [session_number, score] pair, got {describe(pair)}"))
            continue
        session, value = pair
        if not is_int(session) or session < 1:
            problems.append(
                Problem(join_path(path, 0), f"must be a session number from 1, got {describe(session)}")
            )
        elif previous is not None and session <= previous:
            problems.append(Problem(join_path(path, 0), f"must come after session {previous}, got {session}"))
        else:
            previous = session
        if instrument is not None:
            check_score(instrument, value, join_path(path, 1), problems)


def course_advice(
    sessions_done: int, improved: bool, weeks_since_start: float, improved_stable_visits: int
) -> list[Advice]:
    """What to consider now: review or referral when there is no important improvement, tapering when an
    improvement has held. `improved` is whether the latest score shows important improvement on baseline."""
    _check_advice_inputs(sessions_done, improved, weeks_since_start, improved_stable_visits)
    if not improved:
        if sessions_done >= REFER_AFTER_SESSIONS:
            return [_refer(sessions_done)]
        if sessions_done >= REVIEW_AFTER_SESSIONS:
            return [_review(sessions_done)]
        return []
    if improved_stable_visits >= TAPER_AFTER_STABLE_VISITS and weeks_since_start >= TAPER_FROM_WEEK:
        return [_taper(improved_stable_visits)]
    return []


def _review(sessions: int) -> Advice:
    return Advice(
        "review_diagnosis_and_plan",
        f"No important improvement after {sessions} sessions: check the diagnosis again and revise the plan "
        "before going on with the course.",
        ("contract-v1", "seed-004", "ostelo-2008"),
    )


def _refer(sessions: int) -> Advice:
    return Advice(
        "suggest_referral",
        f"Still no important improvement after {sessions} sessions: suggest referral for a medical opinion "
        "rather than carrying on unchanged (a usual course is 8–10 sessions).",
        ("seed-004", "ostelo-2008"),
    )


def _taper(visits: int) -> Advice:
    return Advice(
        "taper_frequency",
        f"The improvement has held for {visits} visits in a row and the course is at week {TAPER_FROM_WEEK} "
        "or later: suggest spacing the sessions further apart while the home programme carries on.",
        ("seed-000", "ostelo-2008"),
    )


def _check_advice_inputs(
    sessions_done: object, improved: object, weeks_since_start: object, improved_stable_visits: object
) -> None:
    problems: list[Problem] = []
    for path, value in (("sessions_done", sessions_done), ("improved_stable_visits", improved_stable_visits)):
        if not is_int(value) or value < 0:
            problems.append(Problem(path, f"must be an integer from 0, got {describe(value)}"))
    if not isinstance(improved, bool):
        problems.append(Problem("improved", f"must be true or false, got {describe(improved)}"))
    weeks = as_number(weeks_since_start)
    if weeks is None or weeks < 0:
        problems.append(
            Problem("weeks_since_start", f"must be a number from 0, got {describe(weeks_since_start)}")
        )
    if problems:
        raise InputRefused(problems)
