"""Course status over a series of visits, and the review / referral / taper advice."""

from __future__ import annotations

import pytest

from sciatica_care.errors import InputRefused
from sciatica_care.outcomes import course_advice, course_status


@pytest.mark.parametrize(
    ("measurements", "status"),
    [
        pytest.param([(1, 6)], "improving", id="one-visit-improved"),
        pytest.param([(1, 7)], "stable", id="one-visit-small-change"),
        pytest.param([(1, 10)], "worse", id="one-visit-worse"),
        pytest.param([(1, 4), (2, 5), (3, 8)], "stable", id="improvement-lost"),
        pytest.param([(1, 8), (3, 10)], "worse", id="latest-worse"),
        pytest.param([(2, 9), (4, 5)], "improving", id="latest-improved"),
    ],
)
def test_status_follows_the_latest_measurement(measurements: list[tuple[int, float]], status: str) -> None:
    """The status compares the latest score with baseline (NRS baseline 8)."""
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
