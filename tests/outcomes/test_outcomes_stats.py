"""Clinic statistics: Wilson interval, median sessions to response, and the traditional categories."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciatica_care.errors import InputRefused
from sciatica_care.outcomes import (
    CATEGORY_DEFINITIONS,
    CategoryCounts,
    Interval,
    category_counts,
    change,
    median_sessions_to_response,
    proportion,
    traditional_category,
    wilson_interval,
)
from sciatica_care.outcomes.stats import CATEGORY_NOTE


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # By hand with z = 1.96: centre = (p + z²/2n)/(1 + z²/n), half = z/(1 + z²/n)·√(p(1−p)/n + z²/4n²).
        pytest.param(0, 10, 0.0, 0.2775, id="0-of-10"),
        pytest.param(10, 10, 0.7225, 1.0, id="10-of-10"),
        pytest.param(7, 20, 0.1812, 0.5671, id="7-of-20"),
        pytest.param(50, 100, 0.4038, 0.5962, id="50-of-100"),
        pytest.param(1, 1, 0.2065, 1.0, id="1-of-1"),
    ],
)
def test_wilson_interval_by_hand(successes: int, n: int, low: float, high: float) -> None:
    """The Wilson 95% interval matches hand-computed values to four decimals."""
    interval = wilson_interval(successes, n)
    assert interval is not None
    assert round(interval.low, 4) == low
    assert round(interval.high, 4) == high


def test_wilson_interval_touches_the_ends_exactly() -> None:
    """No successes gives a lower end of exactly 0; all successes an upper end of exactly 1."""
    assert wilson_interval(0, 10).low == 0.0  # type: ignore[union-attr]
    assert wilson_interval(10, 10).high == 1.0  # type: ignore[union-attr]


def test_wilson_interval_undefined_without_cases() -> None:
    """With n = 0 there is no proportion, so no interval."""
    assert wilson_interval(0, 0) is None


def test_wider_confidence_gives_a_wider_interval() -> None:
    """A 99% interval contains the 95% one."""
    narrow, wide = wilson_interval(7, 20), wilson_interval(7, 20, confidence=0.99)
    assert narrow is not None
    assert wide is not None
    assert wide.low < narrow.low
    assert narrow.high < wide.high


@pytest.mark.parametrize(
    ("args", "problems"),
    [
        pytest.param((11, 10), [("successes", "must not exceed n (10), got 11")], id="more-than-n"),
        pytest.param((-1, 10), [("successes", "must be an integer from 0, got -1")], id="negative"),
        pytest.param((1, True), [("n", "must be an integer from 0, got true")], id="bool"),
        pytest.param((1.0, 2), [("successes", "must be an integer from 0, got 1.0")], id="float"),
        pytest.param((1, 2, 1.0), [("confidence", "must be a number between 0 and 1, got 1.0")], id="confidence"),
    ],
)
def test_wilson_refusals(args: tuple[object, ...], problems: list[tuple[str, str]]) -> None:
    """Impossible counts are refused, each at its name."""
    with pytest.raises(InputRefused) as refused:
        wilson_interval(*args)  # type: ignore[arg-type]
    assert [(p.path, p.message) for p in refused.value.problems] == problems


def test_proportion() -> None:
    """A proportion carries its count, n, rate and interval; n = 0 leaves rate and interval undefined."""
    found = proportion(7, 20)
    assert (found.successes, found.n, found.rate, found.interval) == (7, 20, 0.35, wilson_interval(7, 20))
    empty = proportion(0, 0)
    assert (empty.rate, empty.interval) == (None, None)


@given(st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))).filter(lambda t: t[1] > 0))
def test_wilson_interval_properties(case: tuple[int, int]) -> None:
    """The interval lies in 0..1, holds the observed proportion, and mirrors when successes and failures swap."""
    successes, n = case
    interval = wilson_interval(successes, n)
    mirror = wilson_interval(n - successes, n)
    assert interval is not None
    assert mirror is not None
    assert 0 <= interval.low <= successes / n <= interval.high <= 1
    assert interval.low == pytest.approx(1 - mirror.high, abs=1e-12)
    assert interval.high == pytest.approx(1 - mirror.low, abs=1e-12)


@pytest.mark.parametrize(
    ("sessions", "median"),
    [
        pytest.param([], None, id="nobody-responded"),
        pytest.param([4], 4.0, id="one"),
        pytest.param([3, 5], 4.0, id="even-count-averages-the-middle-two"),
        pytest.param([8, 4, 6], 6.0, id="odd-count-any-order"),
        pytest.param([2, 3, 3, 10], 3.0, id="ties"),
    ],
)
def test_median_sessions_to_response(sessions: list[int], median: float | None) -> None:
    """The median over responders; None when nobody responded."""
    assert median_sessions_to_response(sessions) == median


@pytest.mark.parametrize(
    ("sessions", "paths"),
    [
        pytest.param([3, 0], ["sessions[1]"], id="zero"),
        pytest.param([True, 2.5], ["sessions[0]", "sessions[1]"], id="bool-and-float"),
        pytest.param("4", ["sessions"], id="not-a-list"),
    ],
)
def test_median_refusals(sessions: object, paths: list[str]) -> None:
    """Session counts must be whole numbers from 1; every bad one is named."""
    with pytest.raises(InputRefused) as refused:
        median_sessions_to_response(sessions)  # type: ignore[arg-type]
    assert [p.path for p in refused.value.problems] == paths


@pytest.mark.parametrize(
    ("instrument", "baseline", "current", "category"),
    [
        pytest.param("nrs", 10, 1, "cured", id="nrs-exactly-90pct"),
        pytest.param("nrs", 3, 0, "cured", id="nrs-to-zero"),
        pytest.param("nrs", 10, 2, "markedly_improved", id="nrs-80pct"),
        pytest.param("nrs", 10, 4, "markedly_improved", id="nrs-exactly-60pct"),
        pytest.param("nrs", 10, 5, "improved", id="nrs-50pct"),
        pytest.param("nrs", 10, 7, "improved", id="nrs-exactly-30pct"),
        pytest.param("nrs", 10, 8, "ineffective", id="nrs-20pct"),
        pytest.param("nrs", 6, 6, "ineffective", id="no-change"),
        pytest.param("nrs", 4, 7, "ineffective", id="worse"),
        pytest.param("odi", 50.0, 5.0, "cured", id="odi-exactly-90pct"),
        pytest.param("odi", 50.0, 5.2, "markedly_improved", id="odi-89.6pct"),
        pytest.param("odi", 50.0, 20.0, "markedly_improved", id="odi-exactly-60pct"),
        pytest.param("odi", 50.0, 20.2, "improved", id="odi-59.6pct"),
        pytest.param("odi", 50.0, 35.0, "improved", id="odi-exactly-30pct"),
        pytest.param("odi", 50.0, 35.2, "ineffective", id="odi-29.6pct"),
        pytest.param("odi", 7.0, 4.9, "improved", id="odi-exactly-30pct-float-trap"),
        pytest.param("odi", 7.0, 2.8, "markedly_improved", id="odi-exactly-60pct-float-trap"),
    ],
)
def test_traditional_category(instrument: str, baseline: float, current: float, category: str) -> None:
    """Cured ≥ 90%, markedly improved ≥ 60%, improved ≥ 30%, else ineffective; each limit inclusive and exact."""
    assert traditional_category(instrument, baseline, current) == category


@pytest.mark.parametrize(
    ("args", "problems"),
    [
        pytest.param(
            ("nrs", 0, 0),
            [("baseline", "must be above 0: a score of 0 leaves nothing to reduce")],
            id="baseline-zero",
        ),
        pytest.param(
            ("nrs", 11, -1),
            [
                ("baseline", "must be an integer from 0 to 10, got 11"),
                ("current", "must be an integer from 0 to 10, got -1"),
            ],
            id="out-of-range",
        ),
        pytest.param(("vas", 5, 2), [("instrument", 'unknown instrument "vas"; known: odi, rmdq, sbi, startback, nrs')],
                     id="unknown"),
    ],
)
def test_traditional_category_refusals(args: tuple[object, ...], problems: list[tuple[str, str]]) -> None:
    """A baseline of 0 cannot be reduced; scores must be possible on the instrument."""
    with pytest.raises(InputRefused) as refused:
        traditional_category(*args)  # type: ignore[arg-type]
    assert [(p.path, p.message) for p in refused.value.problems] == problems


def test_category_counts_on_a_hand_computed_cohort() -> None:
    """Six NRS episodes counted by hand: 1 cured, 1 markedly improved, 1 improved, 2 ineffective, 1 left out;
    total effective rate 3/5."""
    pairs = [(10, 0), (10, 3), (8, 5), (6, 6), (0, 0), (5, 7)]
    counts = category_counts("nrs", pairs)
    assert counts == CategoryCounts(cured=1, markedly_improved=1, improved=1, ineffective=2, not_categorised=1)
    assert (counts.n, counts.effective, counts.total_effective_rate) == (5, 3, 0.6)


def test_total_effective_rate_undefined_without_cases() -> None:
    """No categorised episode: no rate."""
    assert CategoryCounts(not_categorised=3).total_effective_rate is None


def test_category_counts_refusals() -> None:
    """Every bad pair is named at its index."""
    with pytest.raises(InputRefused) as refused:
        category_counts("nrs", [(5, 2), (5,), (12, 3)])  # type: ignore[list-item]
    assert [p.path for p in refused.value.problems] == ["pairs[1]", "pairs[2][0]"]


def test_category_definitions_are_written_down() -> None:
    """The four categories, their thresholds and the note that they sit beside the responder analysis."""
    assert [(d.id, d.at_least_percent) for d in CATEGORY_DEFINITIONS] == [
        ("cured", 90),
        ("markedly_improved", 60),
        ("improved", 30),
        ("ineffective", None),
    ]
    assert all(d.definition for d in CATEGORY_DEFINITIONS)
    assert "operational definitions" in CATEGORY_NOTE
    assert "beside the responder analysis" in CATEGORY_NOTE
    assert "(cured + markedly improved + improved) / n" in CATEGORY_NOTE


ORDER = ["ineffective", "improved", "markedly_improved", "cured"]


@given(st.integers(1, 10), st.integers(0, 10), st.integers(0, 10))
def test_category_is_monotone(baseline: int, current: int, other: int) -> None:
    """A lower (better) latest score never gives a worse category."""
    better, worse = sorted((current, other))
    assert ORDER.index(traditional_category("nrs", baseline, better)) >= ORDER.index(
        traditional_category("nrs", baseline, worse)
    )


@given(st.integers(1, 100), st.integers(0, 100))
def test_improved_or_better_is_the_30_percent_rule(baseline: int, current: int) -> None:
    """'Improved' or better is exactly an improvement of at least 30% of baseline (the relative MCID)."""
    category = traditional_category("odi", baseline, current)
    assert (category != "ineffective") is ((baseline - current) * 100 >= 30 * baseline)
    if (baseline - current) * 100 >= 30 * baseline:
        assert change("odi", baseline, current).important_improvement


def test_interval_is_frozen() -> None:
    """Results cannot be changed after the fact."""
    with pytest.raises(AttributeError):
        Interval(0.1, 0.2).low = 0.3  # type: ignore[misc]
