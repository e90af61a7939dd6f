"""The course laid out as dates (pure): sessions a week, the taper from week 6, the review visit, the patient's
preferred days, and local dates across a clock change."""

from __future__ import annotations

import datetime as dt

import pytest

from sciatica_care.scheduling.course_series import Preference, propose, sessions_in_weeks

MON10 = Preference(0, dt.time(10))
THU17 = Preference(3, dt.time(17, 30))
START = dt.date(2027, 1, 4)  # a Monday


@pytest.mark.parametrize(("sessions", "per_week", "tapers", "weeks"), [
    (10, 2, True, [2, 2, 2, 2, 2]),                          # acute: the course ends before the taper
    (8, 2, True, [2, 2, 2, 2]),
    (12, 1, True, [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1]),  # chronic: 5 weekly, 4 weekly, 3 fortnightly
    (6, 1, True, [1, 1, 1, 1, 1, 1]),                        # one left at week 6: weekly
    (7, 1, True, [1, 1, 1, 1, 1, 1, 0, 1]),                  # two left: one weekly, one a fortnight later
    (12, 2, True, [2, 2, 2, 2, 2, 1, 0, 1]),                 # twice a week, then thinned
    (12, 1, False, [1] * 12),                                # no taper: weekly to the end
    (5, 2, False, [2, 2, 1]),
    (0, 2, True, []),                                        # a plan that books nothing
    (8, 0, True, []),
])
def test_sessions_in_each_week(sessions: int, per_week: int, tapers: bool, weeks: list[int]) -> None:
    """The sessions of each week of the course, the taper thinning the weeks from week 6."""
    assert sessions_in_weeks(sessions, per_week, tapers) == weeks
    assert sum(weeks) == max(sessions, 0) * (per_week > 0)


@pytest.mark.parametrize(("review_after", "review_number"), [(4, 5), (2, 3), (0, None), (12, None)])
def test_the_review_visit_is_the_one_after_the_review_point(review_after: int, review_number: int | None) -> None:
    """"Review after 4" marks the fifth visit; no review when the point is 0 or beyond the course."""
    course = propose(sessions=12, per_week=1, review_after=review_after, tapers=True, first_day=START,
                     preferences=[MON10])
    assert [v.number for v in course if v.is_review] == ([review_number] if review_number else [])


def test_a_weekly_course_is_on_the_preferred_day_and_time() -> None:
    """Every session on a Monday at 10:00, numbered in order, the taper's sessions marked."""
    course = propose(sessions=12, per_week=1, review_after=4, tapers=True, first_day=START, preferences=[MON10])
    assert [v.number for v in course] == list(range(1, 13))
    assert {(v.day.weekday(), v.at) for v in course} == {(0, dt.time(10))}
    assert [v.week for v in course] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 15]
    assert [v.tapered for v in course] == [False] * 5 + [True] * 7


def test_twice_a_week_uses_both_preferred_days() -> None:
    """Two a week on Monday 10:00 and Thursday 17:30, in date order."""
    course = propose(sessions=4, per_week=2, review_after=4, tapers=True, first_day=START,
                     preferences=[THU17, MON10])
    assert [(v.day, v.at) for v in course] == [
        (dt.date(2027, 1, 4), dt.time(10)), (dt.date(2027, 1, 7), dt.time(17, 30)),
        (dt.date(2027, 1, 11), dt.time(10)), (dt.date(2027, 1, 14), dt.time(17, 30))]


def test_one_preference_for_two_a_week_adds_a_day_three_days_on() -> None:
    """Monday only, twice a week: Monday and Thursday at the same time."""
    course = propose(sessions=2, per_week=2, review_after=4, tapers=True, first_day=START, preferences=[MON10])
    assert [v.day.weekday() for v in course] == [0, 3]


def test_the_first_week_starts_on_the_first_day() -> None:
    """Starting on a Wednesday with a Monday preference, the first session is the next Monday."""
    course = propose(sessions=2, per_week=1, review_after=4, tapers=True, first_day=dt.date(2027, 1, 6),
                     preferences=[MON10])
    assert [v.day for v in course] == [dt.date(2027, 1, 11), dt.date(2027, 1, 18)]


def test_local_times_stay_put_across_a_clock_change() -> None:
    """A Monday 10:00 course through the end of March keeps 10:00 (dates and local times; zones come later)."""
    course = propose(sessions=6, per_week=1, review_after=4, tapers=True, first_day=dt.date(2027, 3, 15),
                     preferences=[MON10])
    assert {v.at for v in course} == {dt.time(10)}
    assert dt.date(2027, 3, 29) in [v.day for v in course]


def test_a_bad_weekday_is_refused() -> None:
    """A weekday outside 0–6 is refused rather than guessed."""
    with pytest.raises(ValueError, match="weekday"):
        propose(sessions=2, per_week=1, review_after=4, tapers=True, first_day=START,
                preferences=[Preference(7, dt.time(10))])
