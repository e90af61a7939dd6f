"""Trigger analysis: within one person's diary, how pain differs on days with and without each factor.

For every factor × outcome (leg pain; back pain when the diary records it) × lag (0 = the same day, 1 = the next
day; facts.md §14 [Hols]) the analysis pairs each exposure day D with the outcome on day D + lag. A pair is made
only when both dates are in the diary and both values were recorded, so a gap in the dates never pairs two days
that are not consecutive.

- Effect: mean pain on the days with the factor − mean pain on the days without (for lag 1, the outcome day
  after each exposure day). Points on the 0–10 scale; positive means more pain.
- Interval and test: Welch's t (unequal variances), 95 % two-sided, computed exactly (see tdist.py).
- Autocorrelation: pain today resembles pain yesterday, and exposures cluster (a working week of sitting). Two
  such series look associated more often than independent days would, so the standard error is widened by
  Bartlett's variance inflation for a regression on two AR(1) series, (1 + r_x·r_y) / (1 − r_x·r_y), where r_x
  is the lag-1 autocorrelation of the exposure (0/1) and r_y that of the pain, each estimated once over the
  whole diary's consecutive recorded days (one estimate per series rather than per comparison: less noisy) and
  corrected for its small-sample bias; the degrees of freedom shrink by the same factor. It only ever widens
  (r_x·r_y is clipped to 0 … 0.8). This is deterministic and cheap,
  where a block bootstrap over 80 comparisons would cost far more than the 50 ms the portal allows; a diary
  simulated with autocorrelated pain and clustered exposures checks it (tests/journal).
- Correction for testing many factors: Benjamini–Hochberg at a false discovery rate of 5 % across every
  factor × outcome × lag compared in the diary (those with enough data). Why not Holm: a two-year diary compares
  about 80 things, and Holm's family-wise control would hide a real one-point trigger; BH keeps the expected
  share of false findings among those reported at 5 %, and on a diary where nothing is associated (every
  hypothesis true) that is exactly the chance of reporting anything at all — the per-diary false-positive rate
  the tests check across 200 noise diaries. Our tests are positively dependent (leg and back pain; lag 0 and 1),
  the case BH is proven for (Benjamini & Yekutieli 2001, PRDS).
- Finding: `trigger` (effect > 0, BH-significant), `relief` (effect < 0, BH-significant), `no_clear_effect`, or
  `not_enough_data` (diary shorter than MIN_DIARY_DAYS, or fewer than MIN_DAYS_EACH paired days with or without
  the factor — factors.py says why). The 95 % interval is the unadjusted one; the finding is the adjusted verdict,
  so an interval can miss 0 while the finding says no clear effect (the text then says chance is not ruled out).

Every result is an association in this person's diary, never a cause: pain can drive the exposure too (less
walking on bad days, a tablet taken because the pain is high), and the text says so.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Literal

import msgspec
from msgspec import Struct

from .diary import DiaryEntry, validate_diary
from .factors import (
    ACTIVITY_PREFIX,
    FDR_LEVEL,
    LAGS,
    MEDICATION_PREFIX,
    MIN_DAYS_EACH,
    MIN_DIARY_DAYS,
    NUMERIC_FACTORS,
    listed_phrases,
)
from .findings_text import sentence
from .tdist import quantile_975, two_sided_p

Finding = Literal["trigger", "relief", "no_clear_effect", "not_enough_data"]
Outcome = Literal["leg_nrs", "back_nrs"]
MAX_AUTOCORRELATION_PRODUCT = 0.8


class FactorResult(Struct, frozen=True):
    """One factor × outcome × lag: the difference in mean pain, its interval, the days behind it, the verdict."""

    factor: str
    outcome: Outcome
    lag_days: int
    effect: float | None
    ci95: tuple[float, float] | None
    n_with: int
    n_without: int
    finding: Finding
    text: str


class DiaryAnalysis(Struct, frozen=True):
    """The whole answer: how many days the diary holds and one result per factor × outcome × lag."""

    days: int
    factors: tuple[FactorResult, ...]

    def to_json(self) -> dict[str, object]:
        built: dict[str, object] = msgspec.json.decode(msgspec.json.encode(self))
        return built


class _Exposure(Struct, frozen=True):
    id: str
    same_day: str
    next_day: str
    flags: tuple[bool | None, ...]  # one per diary entry; None = not recorded that day
    kind: Literal["numeric", "activity", "medication"]


class _Test(Struct):
    effect: float
    se: float
    df: float
    p: float


def analyse_diary(doc: object) -> DiaryAnalysis:
    """Validate a diary document (a list of daily entries) and analyse it; InputRefused lists every problem."""
    return analyse_entries(validate_diary(doc))


def analyse_entries(entries: Sequence[DiaryEntry]) -> DiaryAnalysis:
    """Analyse validated entries (any order; dates unique)."""
    entries = sorted(entries, key=lambda e: e.date)
    ordinals = [e.date.toordinal() for e in entries]
    position = {o: i for i, o in enumerate(ordinals)}
    outcomes: list[tuple[Outcome, list[float | None]]] = [("leg_nrs", [float(e.leg_nrs) for e in entries])]
    if any(e.back_nrs is not None for e in entries):
        outcomes.append(("back_nrs", [None if e.back_nrs is None else float(e.back_nrs) for e in entries]))
    # For each outcome and lag, the pain on day D + lag beside day D (None when that day is not in the diary or its
    # pain was not recorded): a gap in the dates never pairs two days that are not consecutive.
    aligned: dict[tuple[Outcome, int], list[float | None]] = {}
    for outcome, pain in outcomes:
        for lag in LAGS:
            later = [position.get(o + lag) for o in ordinals]
            aligned[outcome, lag] = [None if j is None else pain[j] for j in later]
    enough_days = len(entries) >= MIN_DIARY_DAYS

    pain_autocorrelation = {outcome: lag1_autocorrelation(pain, ordinals) for outcome, pain in outcomes}

    planned: list[tuple[_Exposure, Outcome, int, int, int, _Test | None]] = []
    for exposure in _exposures(entries):
        r_x: float | None = None
        for outcome, _ in outcomes:
            for lag in LAGS:
                ys = aligned[outcome, lag]
                with_ = [y for f, y in zip(exposure.flags, ys, strict=True) if f and y is not None]
                without = [y for f, y in zip(exposure.flags, ys, strict=True) if f is False and y is not None]
                n_with, n_without = len(with_), len(without)
                test = None
                if enough_days and n_with >= MIN_DAYS_EACH and n_without >= MIN_DAYS_EACH:
                    if r_x is None:
                        r_x = lag1_autocorrelation([None if f is None else float(f) for f in exposure.flags], ordinals)
                    test = _welch(with_, without, inflation(r_x, pain_autocorrelation[outcome]))
                planned.append((exposure, outcome, lag, n_with, n_without, test))

    adjusted = _benjamini_hochberg([t.p for *_, t in planned if t is not None])
    results: list[FactorResult] = []
    tested = iter(adjusted)
    for exposure, outcome, lag, n_with, n_without, test in planned:
        effect: float | None = None
        ci: tuple[float, float] | None = None
        finding: Finding = "not_enough_data"
        if test is not None:
            q = next(tested)
            half = quantile_975(test.df) * test.se
            effect = test.effect
            ci = (test.effect - half, test.effect + half)
            finding = "no_clear_effect"
            if q <= FDR_LEVEL and test.effect != 0:
                finding = "trigger" if test.effect > 0 else "relief"
        phrase = exposure.same_day if lag == 0 else exposure.next_day
        text = sentence(phrase, outcome, lag, effect, ci, n_with, n_without, finding, len(entries),
                        exposure.kind == "medication")
        results.append(FactorResult(
            factor=exposure.id, outcome=outcome, lag_days=lag,
            effect=None if effect is None else round(effect, 2),
            ci95=None if ci is None else (round(ci[0], 2), round(ci[1], 2)),
            n_with=n_with, n_without=n_without, finding=finding, text=text,
        ))
    return DiaryAnalysis(days=len(entries), factors=tuple(results))


def _exposures(entries: Sequence[DiaryEntry]) -> list[_Exposure]:
    found: list[_Exposure] = []
    for factor in NUMERIC_FACTORS:
        values = [getattr(e, factor.field) for e in entries]
        flags = tuple(None if v is None else factor.exposed(v) for v in values)
        found.append(_Exposure(factor.id, factor.same_day, factor.next_day, flags, "numeric"))
    for kind, prefix in (("activity", ACTIVITY_PREFIX), ("medication", MEDICATION_PREFIX)):
        lists = [e.activities if kind == "activity" else e.medications for e in entries]
        for name in sorted({n for names in lists if names for n in names}):
            flags = tuple(None if names is None else name in names for names in lists)
            same_day, next_day = listed_phrases(kind, name)  # type: ignore[arg-type]
            found.append(_Exposure(prefix + name, same_day, next_day, flags, kind))  # type: ignore[arg-type]
    return found


def _welch(with_: Sequence[float], without: Sequence[float], widen: float) -> _Test:
    """Welch's t for the difference in means, its standard error and degrees of freedom widened by `widen`."""
    n1, n0 = len(with_), len(without)
    m1, m0 = sum(with_) / n1, sum(without) / n0
    v1 = max(0.0, sum(map(operator.mul, with_, with_)) - n1 * m1 * m1) / (n1 - 1) / n1
    v0 = max(0.0, sum(map(operator.mul, without, without)) - n0 * m0 * m0) / (n0 - 1) / n0
    effect = m1 - m0
    variance = v1 + v0
    if variance <= 0:
        return _Test(effect, 0.0, float(n1 + n0 - 2), 0.0 if effect != 0 else 1.0)
    df = variance * variance / ((v1 * v1 / (n1 - 1) if v1 else 0.0) + (v0 * v0 / (n0 - 1) if v0 else 0.0))
    se = math.sqrt(variance * widen)
    df = max(1.0, df / widen)
    return _Test(effect, se, df, two_sided_p(effect / se, df))


def lag1_autocorrelation(series: Sequence[float | None], ordinals: Sequence[int]) -> float:
    """The lag-1 autocorrelation of a daily series over its recorded consecutive days, corrected for its
    small-sample bias; 0 when there are fewer than 3 consecutive pairs or no variation."""
    known = [(o, v) for o, v in zip(ordinals, series, strict=True) if v is not None]
    n = len(known)
    if n < 4:
        return 0.0
    mean = sum(v for _, v in known) / n
    centred = [v - mean for _, v in known]
    squares = sum(c * c for c in centred)
    consecutive = [k for k in range(n - 1) if known[k + 1][0] == known[k][0] + 1]
    if len(consecutive) < 3 or squares == 0:
        return 0.0
    r = (n / len(consecutive)) * sum(centred[k] * centred[k + 1] for k in consecutive) / squares
    return _unbiased(r, n)


def inflation(r_x: float, r_y: float) -> float:
    """Bartlett's variance inflation for two AR(1) series, (1 + r_x·r_y) / (1 − r_x·r_y), never below 1."""
    product = min(max(r_x * r_y, 0.0), MAX_AUTOCORRELATION_PRODUCT)
    return (1 + product) / (1 - product)


def _unbiased(r: float, n: int) -> float:
    """The lag-1 autocorrelation estimate is biased towards 0 in short series, by about (1 + 3r)/n
    (Marriott & Pope 1954); add it back so that short diaries are not under-corrected."""
    return min(max(r + (1 + 3 * r) / n, -1.0), 1.0)


def _benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """BH-adjusted p values (q values), in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = running
    return adjusted
