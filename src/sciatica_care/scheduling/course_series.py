"""The course of treatment the plan calls for, laid out as dates: pure, over plain values (no clock, no database).

From the plan's schedule — sessions a week, the course length, the review point, whether it tapers — and the
patient's preferred weekdays and times, propose every session of the course:

- weeks 1 to 5 at the plan's sessions a week, on the preferred days (a day three days after a preferred one is
  added when there are fewer preferences than sessions a week);
- when the plan tapers, from week 6 on the sessions are spaced out, weekly and then fortnightly (the plan's taper:
  "from week 6 on, space sessions out (weekly, then fortnightly)"; the clinic's timeline, facts §5, seed-000:
  weeks 6+ maintain and taper). Of the sessions left at week 6, the first half (rounded up) are weekly and the
  rest fortnightly. A course that ends before week 6 does not taper;
- the review visit is the session after `review_after_sessions` (the plan's "review after 4": the fifth visit
  looks back on four treatments), marked so the calendar and the practitioner see it.

The taper is a proposal: the plan's own words make it depend on improvement held for two visits, which the
practitioner judges at the review; they adjust the proposal before it is booked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

#: The first week in which a tapering course is spaced out.
TAPER_FROM_WEEK = 6


class Preference(NamedTuple):
    """A weekday (0 = Monday) and a local time the patient can come."""

    weekday: int
    at: dt.time


class Proposed(NamedTuple):
    """One proposed session: its number in the course (from 1), local date and time, week of the course (from 1),
    whether it is the review visit, and whether it falls in the taper."""

    number: int
    day: dt.date
    at: dt.time
    week: int
    is_review: bool
    tapered: bool


def sessions_in_weeks(sessions: int, per_week: int, tapers: bool) -> list[int]:
    """How many sessions fall in each week of the course (index 0 = week 1), e.g. a weekly course of 12 that
    tapers: five weekly, then four weekly and three fortnightly (a week with none between)."""
    if sessions <= 0 or per_week <= 0:
        return []
    weeks: list[int] = []
    left = sessions
    while left > 0 and (not tapers or len(weeks) < TAPER_FROM_WEEK - 1):
        n = min(per_week, left)
        weeks.append(n)
        left -= n
    weekly = -(-left // 2)  # the first half, rounded up, weekly
    for _ in range(weekly):
        weeks.append(1)
    for _ in range(left - weekly):
        weeks += [0, 1]
    return weeks


def _days_of_week(preferences: Sequence[Preference], per_week: int) -> list[Preference]:
    """The preferred days to use in a week of `per_week` sessions, in weekday order."""
    chosen = list(dict.fromkeys(preferences))[:per_week]
    extra = 0
    while len(chosen) < per_week:
        base = chosen[extra % len(chosen)]
        candidate = Preference((base.weekday + 3 + extra // len(chosen)) % 7, base.at)
        if all(c.weekday != candidate.weekday for c in chosen):
            chosen.append(candidate)
        extra += 1
        if extra > 14:
            break
    return chosen


def propose(*, sessions: int, per_week: int, review_after: int, tapers: bool, first_day: dt.date,
            preferences: Sequence[Preference]) -> list[Proposed]:
    """The whole course from `first_day` (week 1 is the seven days from it), each session on a preferred day.
    Nothing when the plan books nothing (no sessions a week: a plan that is not for treatment)."""
    if sessions <= 0 or per_week <= 0 or not preferences:
        return []
    if any(not 0 <= p.weekday <= 6 for p in preferences):
        raise ValueError("a preferred weekday is 0 (Monday) to 6 (Sunday)")
    out: list[Proposed] = []
    for index, count in enumerate(sessions_in_weeks(sessions, per_week, tapers)):
        if count == 0:
            continue
        week_start = first_day + dt.timedelta(weeks=index)
        days = _days_of_week(preferences, count)
        dated = sorted((week_start + dt.timedelta(days=(p.weekday - week_start.weekday()) % 7), p.at)
                        for p in days)
        for day, at in dated:
            number = len(out) + 1
            out.append(Proposed(number, day, at, index + 1, review_after > 0 and number == review_after + 1,
                                tapers and index + 1 >= TAPER_FROM_WEEK))
    return out
