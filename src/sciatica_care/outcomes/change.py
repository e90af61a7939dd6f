"""Minimal important change between a baseline and a later score on the same instrument (Ostelo 2008).

Arithmetic is exact (fractions of the decimal values given), so a change of exactly the MCID or exactly 30% of
baseline counts as important whatever binary floats would make of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, TypedDict

from sciatica_care.errors import InputRefused, Problem
from sciatica_care.outcomes._checks import check_score_pair, exact
from sciatica_care.outcomes.instruments import IMPORTANT_PERCENT, IMPORTANT_PERCENT_SOURCES, Instrument

Rule = Literal["mcid_or_percent", "percent_only"]


class ChangeJson(TypedDict):
    instrument: str
    baseline: float
    current: float
    absolute: float
    percent: float | None
    important_improvement: bool
    important_worsening: bool
    rule: Rule
    rule_text: str
    sources: list[str]


@dataclass(frozen=True, slots=True)
class Change:
    """`absolute` is current − baseline, so negative is better (higher is worse on every instrument);
    `percent` is that change as a percentage of baseline, one decimal, None when baseline is 0."""

    instrument: str
    baseline: float
    current: float
    absolute: float
    percent: float | None
    important_improvement: bool
    important_worsening: bool
    rule: Rule
    rule_text: str
    sources: tuple[str, ...]

    def to_json(self) -> ChangeJson:
        return {
            "instrument": self.instrument,
            "baseline": self.baseline,
            "current": self.current,
            "absolute": self.absolute,
            "percent": self.percent,
            "important_improvement": self.important_improvement,
            "important_worsening": self.important_worsening,
            "rule": self.rule,
            "rule_text": self.rule_text,
            "sources": list(self.sources),
        }


def change(instrument: str, baseline: float, current: float) -> Change:
    """Compare `current` with `baseline` on `instrument`; raise InputRefused naming every bad argument."""
    problems: list[Problem] = []
    found, before, after = check_score_pair(instrument, baseline, current, problems)
    if before is None or after is None:
        raise InputRefused(problems)
    return _compare(found, before, after)


def _compare(instrument: Instrument, baseline: float, current: float) -> Change:
    before, after = exact(baseline), exact(current)
    mcid = instrument.minimal_important_change
    threshold = None if mcid is None else exact(mcid.points)
    absolute = after - before
    if mcid is None:
        rule: Rule = "percent_only"
        rule_text = (
            f"no minimal important change is stated for the {instrument.name}; "
            f"a change of at least {IMPORTANT_PERCENT}% of baseline counts"
        )
        sources = IMPORTANT_PERCENT_SOURCES
    else:
        rule = "mcid_or_percent"
        rule_text = (
            f"a change of at least {mcid.points} points or at least {IMPORTANT_PERCENT}% of baseline counts"
        )
        sources = tuple(dict.fromkeys(mcid.sources + IMPORTANT_PERCENT_SOURCES))
    return Change(
        instrument=instrument.id,
        baseline=baseline,
        current=current,
        absolute=_plain(absolute, baseline, current),
        percent=None if before == 0 else float(round(absolute * 100 / before, 1)),
        important_improvement=_important(-absolute, before, threshold),
        important_worsening=_important(absolute, before, threshold),
        rule=rule,
        rule_text=rule_text,
        sources=sources,
    )


def _important(gain: Fraction, baseline: Fraction, threshold: Fraction | None) -> bool:
    """`gain` is the change in the direction asked about; both limits are inclusive."""
    if gain <= 0:
        return False
    if threshold is not None and gain >= threshold:
        return True
    return baseline > 0 and gain * 100 >= IMPORTANT_PERCENT * baseline


def _plain(value: Fraction, *inputs: float) -> float:
    if all(isinstance(x, int) for x in inputs):
        return int(value)
    return float(value)
