"""Where a course of treatment stands, from its outcome scores, and what to consider next.

Status of one measure against its baseline (Ostelo 2008 via `change`):
- `responder`: important improvement at the latest two measurements in a row;
- `improving`: important improvement at the latest measurement (the MCID in points or ≥ 30% of baseline);
- `worse`: important worsening at the latest measurement;
- `stable`: neither.
Measurements keyed by date may come in any order; several on one date count as one, at the worst (highest)
score of that day, so the status never depends on how same-day entries happen to be ordered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sciatica_care.errors import InputRefused, Problem, join_path
from sciatica_care.outcomes._checks import (
    as_number,
    check_date,
    check_score,
    check_visit_dates,
    day_in_words,
    describe,
    find_instrument,
    is_int,
)
from sciatica_care.outcomes.change import Change, change
from sciatica_care.outcomes.instruments import Instrument

Status = Literal["responder", "improving", "worse", "stable"]
AdviceLevel = Literal["alert", "suggestion"]

RESPONDER_CONSECUTIVE = 2
REVIEW_AFTER_SESSIONS = 4
REFER_AFTER_SESSIONS = 6
TAPER_FROM_WEEK = 6
TAPER_AFTER_STABLE_VISITS = 2


@dataclass(frozen=True, slots=True)
class CourseStatus:
    """`status` compares the latest score with baseline. `improved_streak` counts the latest measurements in a
    row that show important improvement; `responder` is true when that streak has reached two (and `status` is
    then `responder`)."""

    instrument: str
    status: Status
    responder: bool
    improved_streak: int
    latest: Change


@dataclass(frozen=True, slots=True)
class Advice:
    """One suggestion (or, for safety, an alert) for the practitioner, in our words, with its rule's sources."""

    id: str
    text: str
    sources: tuple[str, ...]
    level: AdviceLevel = "suggestion"


def course_status(
    instrument: str, baseline: float, measurements: Sequence[tuple[int, float]]
) -> CourseStatus:
    """Status of a course on one instrument from its baseline and its (session_number, score) measurements,
    ordered by session (each session number once)."""
    problems: list[Problem] = []
    found = _check_baseline(instrument, baseline, problems)
    if _check_list(measurements, "session_number", problems):
        _check_sessions(found, measurements, problems)
    if problems:
        raise InputRefused(problems)
    return _status(instrument, baseline, [value for _, value in measurements])


def course_status_by_date(
    instrument: str, baseline: float, measurements: Sequence[tuple[date, float]]
) -> CourseStatus:
    """Status of a course on one instrument from its baseline and its (date, score) measurements, in any order.
    Measurements that share a date count once, at that day's worst score."""
    problems: list[Problem] = []
    found = _check_baseline(instrument, baseline, problems)
    by_day: dict[date, float] = {}
    if _check_list(measurements, "date", problems):
        for index, pair in enumerate(measurements):
            path = join_path("measurements", index)
            if (both := _as_pair(pair, "date", path, problems)) is None:
                continue
            day = check_date(both[0], join_path(path, 0), problems)
            value = None if found is None else check_score(found, both[1], join_path(path, 1), problems)
            if day is not None and value is not None:
                by_day[day] = max(value, by_day.get(day, value))
    if problems:
        raise InputRefused(problems)
    return _status(instrument, baseline, [by_day[day] for day in sorted(by_day)])


def _status(instrument: str, baseline: float, values: list[float]) -> CourseStatus:
    changes = [change(instrument, baseline, value) for value in values]
    streak = 0
    for each in reversed(changes):
        if not each.important_improvement:
            break
        streak += 1
    latest = changes[-1]
    responder = streak >= RESPONDER_CONSECUTIVE
    status: Status = (
        "responder"
        if responder
        else "improving"
        if latest.important_improvement
        else "worse"
        if latest.important_worsening
        else "stable"
    )
    return CourseStatus(instrument, status, responder, streak, latest)


def _check_baseline(instrument: str, baseline: float, problems: list[Problem]) -> Instrument | None:
    found = find_instrument(instrument, problems)
    if found is not None:
        check_score(found, baseline, "baseline", problems)
    return found


def _check_list(measurements: object, key: str, problems: list[Problem]) -> bool:
    if isinstance(measurements, list | tuple) and measurements:
        return True
    problems.append(Problem("measurements", f"must be a non-empty list of [{key}, score] pairs"))
    return False


def _as_pair(pair: object, key: str, path: str, problems: list[Problem]) -> tuple[object, object] | None:
    if isinstance(pair, list | tuple) and len(pair) == 2:
        return pair[0], pair[1]
    problems.append(Problem(path, f"must be a [{key}, score] pair, got {describe(pair)}"))
    return None


def _check_sessions(
    instrument: Instrument | None, measurements: Sequence[object], problems: list[Problem]
) -> None:
    previous: int | None = None
    for index, pair in enumerate(measurements):
        path = join_path("measurements", index)
        if (both := _as_pair(pair, "session_number", path, problems)) is None:
            continue
        session, value = both
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


def course_review(
    visit_dates: Sequence[date],
    planned: date,
    statuses: Sequence[CourseStatus],
    last_red_flag_check: date | None,
) -> list[Advice]:
    """Advice before the visit on `planned`, from the dates of the sessions done so far (any order), the status
    of each outcome measure (see `course_status_by_date`) and the date red flags were last asked about.

    The course counts as improved when at least one measure shows important improvement and none shows
    important worsening; its improvement has held for as many visits as the longest streak among the measures.
    Weeks run from the first session to the planned visit. A red-flag screen older than the planned visit, or
    none at all, raises an alert first: red flags are asked again at every visit (facts §2)."""
    problems: list[Problem] = []
    day = check_date(planned, "planned", problems)
    days = check_visit_dates(visit_dates, day, problems)
    if not isinstance(statuses, list | tuple) or not all(isinstance(s, CourseStatus) for s in statuses):
        problems.append(Problem("statuses", "must be a list of course statuses"))
    checked_on = None
    if last_red_flag_check is not None:
        checked_on = check_date(last_red_flag_check, "last_red_flag_check", problems)
    if problems or day is None:
        raise InputRefused(problems)
    advice: list[Advice] = []
    if checked_on is None or checked_on < day:
        advice.append(_red_flag_recheck(checked_on, day))
    worse = any(s.status == "worse" for s in statuses)
    improved = not worse and any(s.latest.important_improvement for s in statuses)
    held = max((s.improved_streak for s in statuses), default=0) if improved else 0
    weeks = (day - min(days)).days / 7 if days else 0.0
    return [*advice, *course_advice(len(days), improved, weeks, held)]


def _red_flag_recheck(last: date | None, planned: date) -> Advice:
    when = "has not been recorded for this course" if last is None else f"was last done on {day_in_words(last)}"
    return Advice(
        "red_flag_recheck_overdue",
        f"Ask the red-flag questions again before treating on {day_in_words(planned)}: the screen {when}. "
        "Signs of cauda equina compression, cancer, infection or fracture can appear part-way through a course.",
        ("nice-cks-red-flags", "bmj-bp-ces", "nhs-lothian-refhelp"),
        "alert",
    )


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
