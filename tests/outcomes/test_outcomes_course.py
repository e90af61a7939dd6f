"""Course status over a series of visits (by session or by date), and the review / referral / taper / red-flag
advice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciatica_care.errors import InputRefused
from sciatica_care.outcomes import CourseStatus, course_advice, course_review, course_status, course_status_by_date


@pytest.mark.parametrize(
    ("measurements", "status"),
    [
        pytest.param([(1, 6)], "improving", id="one-visit-improved"),
        pytest.param([(1, 7)], "stable", id="one-visit-small-change"),
        pytest.param([(1, 10)], "worse", id="one-visit-worse"),
        pytest.param([(1, 4), (2, 5), (3, 8)], "stable", id="improvement-lost"),
        pytest.param([(1, 8), (3, 10)], "worse", id="latest-worse"),
        pytest.param([(2, 9), (4, 5)], "improving", id="latest-improved"),
        pytest.param([(1, 6), (2, 6)], "responder", id="two-in-a-row-exactly-mcid"),
        pytest.param([(1, 9), (2, 6), (3, 5)], "responder", id="responder-after-a-bad-start"),
        pytest.param([(1, 6), (2, 7)], "stable", id="responder-lost"),
        pytest.param([(1, 6), (2, 10)], "worse", id="improved-then-worse"),
    ],
)
def test_status_follows_the_latest_measurement(measurements: list[tuple[int, float]], status: str) -> None:
    """The status compares the latest score with baseline (NRS baseline 8); two improvements in a row make a
    responder."""
    assert course_status("nrs", 8, measurements).status == status


@pytest.mark.parametrize(
    ("measurements", "responder", "streak"),
    [
        pytest.param([(1, 6)], False, 1, id="one-improved"),
        pytest.param([(1, 6), (2, 5)], True, 2, id="two-in-a-row"),
        pytest.param([(1, 5), (2, 7), (3, 5)], False, 1, id="interrupted"),
        pytest.param([(1, 5), (2, 5), (3, 8)], False, 0, id="held-then-lost"),
        pytest.param([(1, 8), (2, 6), (3, 5), (4, 4)], True, 3, id="three-in-a-row"),
    ],
)
def test_responder_needs_two_consecutive_improvements(
    measurements: list[tuple[int, float]], responder: bool, streak: int
) -> None:
    """A responder has shown important improvement at the latest two measurements in a row."""
    result = course_status("nrs", 8, measurements)
    assert (result.responder, result.improved_streak) == (responder, streak)


def test_status_carries_the_latest_change() -> None:
    """The status carries the latest change, for display."""
    assert course_status("odi", 40.0, [(1, 30.0), (2, 28.0)]).latest.absolute == -12.0


@pytest.mark.parametrize(
    ("baseline", "measurements", "problems"),
    [
        pytest.param(
            8, [], [("measurements", "must be a non-empty list of [session_number, score] pairs")], id="empty"
        ),
        pytest.param(11, [(1, 3)], [("baseline", "must be an integer from 0 to 10, got 11")], id="baseline"),
        pytest.param(
            8, [(0, 3)], [("measurements[0][0]", "must be a session number from 1, got 0")], id="session-zero"
        ),
        pytest.param(
            8,
            [(2, 3), (2, 4)],
            [("measurements[1][0]", "must come after session 2, got 2")],
            id="session-repeated",
        ),
        pytest.param(
            8,
            [(1, 3), (2, 12)],
            [("measurements[1][1]", "must be an integer from 0 to 10, got 12")],
            id="score",
        ),
        pytest.param(
            8,
            [(1, 3), [3]],
            [("measurements[1]", "must be a [session_number, score] pair, got a list")],
            id="not-a-pair",
        ),
    ],
)
def test_status_refusals(baseline: object, measurements: object, problems: list[tuple[str, str]]) -> None:
    """Bad course data is refused with every problem at its path."""
    with pytest.raises(InputRefused) as refused:
        course_status("nrs", baseline, measurements)  # type: ignore[arg-type]
    assert [(p.path, p.message) for p in refused.value.problems] == problems


def test_status_unknown_instrument_still_checks_sessions() -> None:
    """An unknown instrument does not hide problems with the sessions."""
    with pytest.raises(InputRefused) as refused:
        course_status("vas", 8, [(3, 1), (1, 2)])
    assert [p.path for p in refused.value.problems] == ["instrument", "measurements[1][0]"]


@pytest.mark.parametrize(
    ("sessions", "improved", "weeks", "stable_visits", "advice"),
    [
        pytest.param(3, False, 2, 0, [], id="too-early-to-judge"),
        pytest.param(4, False, 2, 0, ["review_diagnosis_and_plan"], id="review-at-4"),
        pytest.param(5, False, 3, 0, ["review_diagnosis_and_plan"], id="review-at-5"),
        pytest.param(6, False, 3, 0, ["suggest_referral"], id="refer-at-6"),
        pytest.param(10, False, 6, 0, ["suggest_referral"], id="refer-later"),
        pytest.param(4, True, 3, 1, [], id="improved-no-review"),
        pytest.param(6, True, 6, 2, ["taper_frequency"], id="taper-at-week-6"),
        pytest.param(6, True, 5.9, 2, [], id="no-taper-before-week-6"),
        pytest.param(6, True, 8, 1, [], id="no-taper-after-one-stable-visit"),
        pytest.param(9, True, 10, 3, ["taper_frequency"], id="taper-later"),
    ],
)
def test_course_advice(
    sessions: int, improved: bool, weeks: float, stable_visits: int, advice: list[str]
) -> None:
    """Without improvement: review at 4 sessions, referral at 6; taper when it has held from week 6."""
    assert [a.id for a in course_advice(sessions, improved, weeks, stable_visits)] == advice


@pytest.mark.parametrize(
    ("args", "source"),
    [
        pytest.param((4, False, 2, 0), "seed-004", id="review"),
        pytest.param((6, False, 3, 0), "seed-004", id="referral"),
        pytest.param((6, True, 6, 2), "seed-000", id="taper"),
    ],
)
def test_advice_cites_its_seed(args: tuple[int, bool, float, int], source: str) -> None:
    """Each advice item cites the seed its timeline comes from, and Ostelo 2008 for 'important'."""
    [advice] = course_advice(*args)
    assert {source, "ostelo-2008"} <= set(advice.sources)


def test_advice_text_names_the_session_count() -> None:
    """The advice text says how many sessions have gone by."""
    [advice] = course_advice(5, False, 3, 0)
    assert "after 5 sessions" in advice.text


@pytest.mark.parametrize(
    ("args", "paths"),
    [
        pytest.param((-1, False, 2, 0), ["sessions_done"], id="negative-sessions"),
        pytest.param((4, "no", 2, 0), ["improved"], id="improved-not-bool"),
        pytest.param((4, False, float("nan"), 0), ["weeks_since_start"], id="weeks-nan"),
        pytest.param(
            (True, 1, -2, 1.5),
            ["sessions_done", "improved_stable_visits", "improved", "weeks_since_start"],
            id="all-at-once",
        ),
    ],
)
def test_advice_refusals(args: tuple[object, ...], paths: list[str]) -> None:
    """Bad advice arguments are refused, every one named."""
    with pytest.raises(InputRefused) as refused:
        course_advice(*args)  # type: ignore[arg-type]
    assert [p.path for p in refused.value.problems] == paths


@pytest.mark.parametrize(
    ("instrument", "baseline", "measurements", "status"),
    [
        pytest.param("odi", 40.0, [(1, 30.0), (2, 30.0)], "responder", id="odi-exactly-mcid-10-twice"),
        pytest.param("odi", 40.0, [(1, 30.1), (2, 30.1)], "stable", id="odi-9.9-points-24.75pct"),
        pytest.param("odi", 20.0, [(1, 14.0)], "improving", id="odi-exactly-30pct"),
        pytest.param("odi", 20.0, [(1, 14.1)], "stable", id="odi-29.5pct"),
        pytest.param("odi", 20.0, [(1, 26.0)], "worse", id="odi-worse-exactly-30pct"),
        pytest.param("nrs", 10, [(1, 7)], "improving", id="nrs-exactly-30pct"),
        pytest.param("nrs", 8, [(1, 7)], "stable", id="nrs-1-point-12pct"),
        pytest.param("rmdq", 20, [(1, 15), (3, 14)], "responder", id="rmdq-exactly-mcid-5"),
        pytest.param("sbi", 10, [(1, 7), (2, 7)], "responder", id="sbi-exactly-30pct-no-mcid"),
    ],
)
def test_status_boundaries(
    instrument: str, baseline: float, measurements: list[tuple[int, float]], status: str
) -> None:
    """Exactly the MCID or exactly 30% of baseline counts as important; just under does not."""
    assert course_status(instrument, baseline, measurements).status == status


D = date(2025, 3, 3)


def day(n: int) -> date:
    """The date `n` days after the first visit (day 0)."""
    return D + timedelta(days=n)


@pytest.mark.parametrize(
    ("measurements", "status", "streak"),
    [
        pytest.param([(day(0), 6)], "improving", 1, id="one"),
        pytest.param([(day(7), 5), (day(0), 6)], "responder", 2, id="any-order"),
        pytest.param([(day(0), 5), (day(7), 5), (day(7), 8)], "stable", 0, id="tie-counts-the-worst-of-the-day"),
        pytest.param([(day(0), 5), (day(7), 8), (day(7), 5)], "stable", 0, id="tie-other-order"),
        pytest.param([(day(0), 8), (day(0), 5), (day(7), 5)], "improving", 1, id="tie-earlier-worst-counts"),
        pytest.param([(day(3), 5), (day(3), 5)], "improving", 1, id="same-day-twice-is-one-visit"),
        pytest.param([(day(0), 5), (day(7), 10)], "worse", 0, id="latest-worse"),
    ],
)
def test_status_by_date(measurements: list[tuple[date, float]], status: str, streak: int) -> None:
    """Dated measurements are put in date order; several on one date count once, at that day's worst score."""
    result = course_status_by_date("nrs", 8, measurements)
    assert (result.status, result.improved_streak, result.responder) == (status, streak, status == "responder")


def test_status_by_date_agrees_with_sessions() -> None:
    """Without ties, dated measurements give the same status as the same scores by session number."""
    scores = [7, 6, 5, 5]
    by_session = course_status("nrs", 8, list(enumerate(scores, start=1)))
    by_date = course_status_by_date("nrs", 8, [(day(7 * i), v) for i, v in enumerate(scores)])
    assert by_session == by_date


@pytest.mark.parametrize(
    ("measurements", "problems"),
    [
        pytest.param([], [("measurements", "must be a non-empty list of [date, score] pairs")], id="empty"),
        pytest.param(
            [(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), 5)],
            [("measurements[0][0]", "must be a date, got a datetime")],
            id="datetime",
        ),
        pytest.param([("2025-03-03", 5)], [("measurements[0][0]", 'must be a date, got "2025-03-03"')], id="string"),
        pytest.param(
            [(D, 5), (D, 11), [D]],
            [
                ("measurements[1][1]", "must be an integer from 0 to 10, got 11"),
                ("measurements[2]", "must be a [date, score] pair, got a list"),
            ],
            id="every-problem",
        ),
    ],
)
def test_status_by_date_refusals(measurements: object, problems: list[tuple[str, str]]) -> None:
    """Bad dated measurements are refused with every problem at its path."""
    with pytest.raises(InputRefused) as refused:
        course_status_by_date("nrs", 8, measurements)  # type: ignore[arg-type]
    assert [(p.path, p.message) for p in refused.value.problems] == problems


def test_status_by_date_unknown_instrument_still_checks_dates() -> None:
    """An unknown instrument does not hide problems with the dates."""
    with pytest.raises(InputRefused) as refused:
        course_status_by_date("vas", 8, [(1, 5)])  # type: ignore[list-item]
    assert [p.path for p in refused.value.problems] == ["instrument", "measurements[0][0]"]


@st.composite
def dated_course(draw: st.DrawFn) -> tuple[int, list[tuple[date, int]]]:
    """A baseline and NRS measurements on a few dates, so that ties are common."""
    baseline = draw(st.integers(0, 10))
    days = st.integers(0, 5).map(lambda n: day(7 * n))
    return baseline, draw(st.lists(st.tuples(days, st.integers(0, 10)), min_size=1, max_size=12))


@given(dated_course(), st.randoms())
def test_status_is_invariant_to_visit_order(course: tuple[int, list[tuple[date, int]]], rng: Random) -> None:
    """Reordering the measurements, same-date ties included, never changes the status."""
    baseline, measurements = course
    shuffled = measurements.copy()
    rng.shuffle(shuffled)
    assert course_status_by_date("nrs", baseline, shuffled) == course_status_by_date("nrs", baseline, measurements)


@given(dated_course())
def test_status_by_date_is_consistent(course: tuple[int, list[tuple[date, int]]]) -> None:
    """A responder has a streak of two or more; the streak never exceeds the number of visit dates."""
    baseline, measurements = course
    result = course_status_by_date("nrs", baseline, measurements)
    assert result.responder is (result.status == "responder") is (result.improved_streak >= 2)
    assert result.improved_streak <= len({d for d, _ in measurements})
    assert (result.status in {"responder", "improving"}) is result.latest.important_improvement


def status(*scores: int, baseline: int = 8) -> CourseStatus:
    """The NRS status of weekly measurements."""
    return course_status_by_date("nrs", baseline, [(day(7 * i), v) for i, v in enumerate(scores)])


def visits(count: int, every: int = 7) -> list[date]:
    """`count` session dates, `every` days apart from day 0."""
    return [day(every * i) for i in range(count)]


@pytest.mark.parametrize(
    ("done", "planned", "statuses", "advice"),
    [
        pytest.param(3, day(21), [status(8)], [], id="too-early-to-judge"),
        pytest.param(4, day(28), [status(8, 7)], ["review_diagnosis_and_plan"], id="review-after-4"),
        pytest.param(5, day(35), [status(8, 7, 7)], ["review_diagnosis_and_plan"], id="review-after-5"),
        pytest.param(6, day(42), [status(8, 7)], ["suggest_referral"], id="refer-after-6"),
        pytest.param(4, day(28), [], ["review_diagnosis_and_plan"], id="nothing-measured-after-4"),
        pytest.param(4, day(28), [status(6)], [], id="improving-no-review"),
        pytest.param(
            4, day(28), [status(6), status(6, baseline=4)], ["review_diagnosis_and_plan"], id="one-better-one-worse"
        ),
        pytest.param(6, day(42), [status(6, 5)], ["taper_frequency"], id="taper-at-week-6"),
        pytest.param(6, day(41), [status(6, 5)], [], id="no-taper-a-day-before-week-6"),
        pytest.param(6, day(42), [status(7, 5)], [], id="no-taper-after-one-improved-visit"),
        pytest.param(6, day(42), [status(7, 5), status(6, 6, baseline=9)], ["taper_frequency"], id="taper-any-held"),
    ],
)
def test_course_review(done: int, planned: date, statuses: list[CourseStatus], advice: list[str]) -> None:
    """No improvement: review after 4 sessions, referral after 6; improvement held for 2 visits from week 6:
    taper. Red flags checked on the day, so no alert."""
    found = course_review(visits(done), planned, statuses, planned)
    assert [a.id for a in found] == advice


@pytest.mark.parametrize(
    ("last_check", "alert"),
    [
        pytest.param(None, True, id="never-checked"),
        pytest.param(day(27), True, id="checked-the-day-before"),
        pytest.param(day(0), True, id="checked-at-intake-only"),
        pytest.param(day(28), False, id="checked-on-the-day"),
        pytest.param(day(29), False, id="checked-after"),
    ],
)
def test_red_flag_recheck_alert(last_check: date | None, alert: bool) -> None:
    """A red-flag screen older than the planned visit, or none, raises an alert, listed first."""
    found = course_review(visits(4), day(28), [status(6)], last_check)
    assert [a.id for a in found] == (["red_flag_recheck_overdue"] if alert else [])
    assert all(a.level == "alert" for a in found)


def test_red_flag_alert_comes_before_other_advice() -> None:
    """The alert is listed before the review prompt, and says when red flags were last asked about."""
    found = course_review(visits(4), day(28), [status(8)], day(21))
    assert [(a.id, a.level) for a in found] == [
        ("red_flag_recheck_overdue", "alert"),
        ("review_diagnosis_and_plan", "suggestion"),
    ]
    assert "24 Mar 2025" in found[0].text  # the house date format
    assert "nice-cks-red-flags" in found[0].sources


def test_course_review_first_visit() -> None:
    """At the first visit (no sessions yet) only the red-flag screen can be due."""
    assert [a.id for a in course_review([], D, [], None)] == ["red_flag_recheck_overdue"]


@given(st.lists(st.integers(0, 60).map(day), max_size=10), st.randoms())
def test_course_review_ignores_visit_order(dates: list[date], rng: Random) -> None:
    """The order the session dates come in makes no difference."""
    shuffled = dates.copy()
    rng.shuffle(shuffled)
    statuses = [status(6, 5)]
    assert course_review(shuffled, day(60), statuses, day(59)) == course_review(dates, day(60), statuses, day(59))


@pytest.mark.parametrize(
    ("args", "problems"),
    [
        pytest.param(
            ([day(29)], day(28), [], day(28)),
            [("visit_dates[0]", "must not be after the planned visit 2025-03-31, got 2025-04-01")],
            id="visit-after-planned",
        ),
        pytest.param(
            ([D], "2025-03-31", [], None), [("planned", 'must be a date, got "2025-03-31"')], id="planned-string"
        ),
        pytest.param(
            ("2025-03-03", D, [], None), [("visit_dates", 'must be a list of dates, got "2025-03-03"')], id="not-list"
        ),
        pytest.param(([D], D, ["improving"], None), [("statuses", "must be a list of course statuses")], id="status"),
        pytest.param(
            ([D], D, [], datetime(2025, 3, 3, tzinfo=UTC)),
            [("last_red_flag_check", "must be a date, got a datetime")],
            id="check-datetime",
        ),
    ],
)
def test_course_review_refusals(args: tuple[object, ...], problems: list[tuple[str, str]]) -> None:
    """Bad review arguments are refused, every one named at its path."""
    with pytest.raises(InputRefused) as refused:
        course_review(*args)  # type: ignore[arg-type]
    assert [(p.path, p.message) for p in refused.value.problems] == problems
