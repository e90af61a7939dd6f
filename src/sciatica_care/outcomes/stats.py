"""Clinic statistics on numbers already aggregated (the dashboard counts in SQL and calls these).

- Responder rate with its Wilson 95% score interval and n.
- Median sessions to response, over the episodes that responded.
- The traditional categories of Chinese trials, beside (never instead of) the responder analysis. The seeds
  quote results in these categories (seed 001, Ji 2015) without defining them, so these are the project's
  operational definitions, by the reduction of one measure (NRS or ODI) from baseline:
    cured              reduction ≥ 90% (a score of 0 from any baseline above 0 is a 100% reduction)
    markedly improved  reduction ≥ 60% and < 90%
    improved           reduction ≥ 30% and < 60% (30% is the relative important change, Ostelo 2008)
    ineffective        reduction < 30%, no change or worse
  Total effective rate = (cured + markedly improved + improved) / n. A baseline of 0 leaves nothing to reduce:
  such an episode is not categorised and is left out of n.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist
from typing import Literal

from sciatica_care.errors import InputRefused, Problem, join_path
from sciatica_care.outcomes._checks import check_score, check_score_pair, describe, exact, find_instrument, is_int

Category = Literal["cured", "markedly_improved", "improved", "ineffective"]


@dataclass(frozen=True, slots=True)
class CategoryDefinition:
    """One traditional category: the smallest reduction from baseline (percent, inclusive) that reaches it."""

    id: Category
    label: str
    at_least_percent: int | None
    definition: str


CATEGORY_DEFINITIONS: tuple[CategoryDefinition, ...] = (
    CategoryDefinition("cured", "cured", 90, "score reduced by 90% or more from baseline (or to 0)"),
    CategoryDefinition("markedly_improved", "markedly improved", 60, "reduced by at least 60% but under 90%"),
    CategoryDefinition("improved", "improved", 30, "reduced by at least 30% but under 60%"),
    CategoryDefinition("ineffective", "ineffective", None, "reduced by under 30%, unchanged or worse"),
)
CATEGORY_NOTE = (
    "These categories are the project's operational definitions of the terms used in Chinese trials, shown only "
    "beside the responder analysis (minimal important change, Ostelo 2008), never instead of it. "
    "Total effective rate = (cured + markedly improved + improved) / n."
)
CATEGORY_SOURCES: tuple[str, ...] = ("ji-2015", "seed-001", "ostelo-2008")


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval for a proportion, both ends in 0..1."""

    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Proportion:
    """`successes` of `n`; `rate` and `interval` are None when n is 0 (undefined)."""

    successes: int
    n: int
    rate: float | None
    interval: Interval | None


@dataclass(frozen=True, slots=True)
class CategoryCounts:
    """How many episodes fall in each traditional category; `not_categorised` had a baseline of 0."""

    cured: int = 0
    markedly_improved: int = 0
    improved: int = 0
    ineffective: int = 0
    not_categorised: int = 0

    @property
    def n(self) -> int:
        return self.cured + self.markedly_improved + self.improved + self.ineffective

    @property
    def effective(self) -> int:
        return self.cured + self.markedly_improved + self.improved

    @property
    def total_effective_rate(self) -> float | None:
        """(cured + markedly improved + improved) / n, None when n is 0."""
        return None if self.n == 0 else self.effective / self.n


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval | None:
    """Wilson's score interval for `successes` out of `n` (None when n is 0: there is no proportion)."""
    problems = _check_counts(successes, n)
    if not isinstance(confidence, float) or not 0 < confidence < 1:
        problems.append(Problem("confidence", f"must be a number between 0 and 1, got {describe(confidence)}"))
    if problems:
        raise InputRefused(problems)
    if n == 0:
        return None
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    # The interval touches 0 (or 1) exactly when there are no successes (or no failures).
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(low, high)


def proportion(successes: int, n: int) -> Proportion:
    """A rate (the responder rate, say) with its Wilson 95% interval and n."""
    interval = wilson_interval(successes, n)
    return Proportion(successes, n, None if n == 0 else successes / n, interval)


def median_sessions_to_response(sessions: Sequence[int]) -> float | None:
    """The median number of sessions it took the responders to respond (None when nobody responded).
    Episodes that never responded are not in `sessions`; report this beside the responder rate and its n."""
    problems: list[Problem] = []
    if not isinstance(sessions, list | tuple):
        problems.append(Problem("sessions", f"must be a list of session counts, got {describe(sessions)}"))
    else:
        for index, value in enumerate(sessions):
            if not is_int(value) or value < 1:
                message = f"must be an integer from 1, got {describe(value)}"
                problems.append(Problem(join_path("sessions", index), message))
    if problems:
        raise InputRefused(problems)
    return float(statistics.median(sessions)) if sessions else None


def traditional_category(instrument: str, baseline: float, current: float) -> Category:
    """The traditional category for one episode on one measure (see the module's definitions); a baseline of
    0 is refused, since there is nothing to reduce."""
    problems: list[Problem] = []
    _, before, after = check_score_pair(instrument, baseline, current, problems)
    if before == 0:
        problems.append(Problem("baseline", "must be above 0: a score of 0 leaves nothing to reduce"))
    if before is None or after is None or problems:
        raise InputRefused(problems)
    return _category(exact(before), exact(after))


def category_counts(instrument: str, pairs: Iterable[tuple[float, float]]) -> CategoryCounts:
    """Count (baseline, latest) score pairs into the traditional categories; baselines of 0 go to
    `not_categorised`. Every bad pair is refused, each at its index."""
    problems: list[Problem] = []
    found = find_instrument(instrument, problems)
    if found is None:
        raise InputRefused(problems)
    counts = dict.fromkeys(("cured", "markedly_improved", "improved", "ineffective", "not_categorised"), 0)
    for index, pair in enumerate(pairs):
        path = join_path("pairs", index)
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            problems.append(Problem(path, f"must be a [baseline, current] pair, got {describe(pair)}"))
            continue
        before = check_score(found, pair[0], join_path(path, 0), problems)
        after = check_score(found, pair[1], join_path(path, 1), problems)
        if before is None or after is None:
            continue
        counts["not_categorised" if before == 0 else _category(exact(before), exact(after))] += 1
    if problems:
        raise InputRefused(problems)
    return CategoryCounts(**counts)


def _category(baseline: Fraction, current: Fraction) -> Category:
    reduction = (baseline - current) * 100 / baseline
    for definition in CATEGORY_DEFINITIONS:
        if definition.at_least_percent is None or reduction >= definition.at_least_percent:
            return definition.id
    raise AssertionError("the last category has no threshold")  # pragma: no cover


def _check_counts(successes: object, n: object) -> list[Problem]:
    problems: list[Problem] = []
    if not is_int(n) or n < 0:
        problems.append(Problem("n", f"must be an integer from 0, got {describe(n)}"))
    if not is_int(successes) or successes < 0:
        problems.append(Problem("successes", f"must be an integer from 0, got {describe(successes)}"))
    elif is_int(n) and successes > n:
        problems.append(Problem("successes", f"must not exceed n ({n}), got {successes}"))
    return problems
