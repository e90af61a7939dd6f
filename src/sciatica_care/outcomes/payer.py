"""An optional payer rule: US Medicare's cover of acupuncture for chronic low back pain (NCD 30.3.3, facts §8).

Our reading of the rule, which the clinic turns on or off:
- Eligible: low back pain for 12 weeks or more, nonspecific (no systemic cause found), not linked to surgery and
  not linked to pregnancy. Otherwise no visit is covered.
- The first 12 visits that fall within 90 days of the first visit are covered; the 90 days are the first visit's
  day and the 89 days after it, so the 91st day is already outside them.
- Any further visit (the 13th, or any visit from the 91st day) is covered only while the patient is improving;
  treatment should stop when they are not.
- At most 20 visits in any year: the planned visit and those in the 364 days before it.
The 90 days start at the earliest visit within that year, so the visit dates passed in are the patient's covered
acupuncture visits of the past year. Every count includes the planned visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sciatica_care.errors import InputRefused, Problem
from sciatica_care.outcomes._checks import as_number, check_date, check_visit_dates, day_in_words, describe

RULE_ID = "medicare-ncd-30-3-3"
SOURCES: tuple[str, ...] = ("medicare-ncd-30-3-3",)
MIN_WEEKS = 12
INITIAL_VISITS = 12
INITIAL_DAYS = 90
YEAR_DAYS = 365
MAX_PER_YEAR = 20

Reason = Literal[
    "pain_under_12_weeks",
    "not_nonspecific",
    "associated_with_surgery",
    "associated_with_pregnancy",
    "not_improving",
    "annual_limit",
]

_WHY: dict[Reason, str] = {
    "pain_under_12_weeks": "the low back pain has lasted less than 12 weeks",
    "not_nonspecific": "the low back pain has an identified specific cause",
    "associated_with_surgery": "the pain is linked to surgery",
    "associated_with_pregnancy": "the pain is linked to pregnancy",
    "not_improving": "beyond the first 12 visits in 90 days, visits are covered only while the patient improves",
    "annual_limit": f"at most {MAX_PER_YEAR} visits are covered in a year",
}


@dataclass(frozen=True, slots=True)
class MedicareEligibility:
    """The facts the rule turns on, as the practitioner records them."""

    pain_weeks: float
    nonspecific: bool
    associated_with_surgery: bool
    associated_with_pregnancy: bool


@dataclass(frozen=True, slots=True)
class PayerCheck:
    """Whether the planned visit would fall outside the rule, why, and where the patient stands.
    `visit_in_year` counts the planned visit; `visit_in_period` counts the visits within the first 90 days, the
    planned one included when it falls inside them; `day_of_period` is the planned visit's day (day 1 = the
    first visit's day); `remaining_in_year` is how many more the yearly limit would allow after it."""

    rule: str
    exceeds: bool
    reasons: tuple[Reason, ...]
    warning: str | None
    visit_in_year: int
    visit_in_period: int
    day_of_period: int
    remaining_in_year: int
    sources: tuple[str, ...]


def medicare_check(
    visit_dates: Sequence[date], planned: date, improving: bool, eligibility: MedicareEligibility
) -> PayerCheck:
    """Would a visit on `planned`, after the covered visits on `visit_dates` (any order, none after `planned`),
    exceed Medicare's rule for acupuncture in chronic low back pain? `improving` is whether the latest
    reassessment shows improvement."""
    day, days = _check_inputs(visit_dates, planned, improving, eligibility)
    year = [d for d in days if (day - d).days < YEAR_DAYS]
    start = min(year, default=day)
    period_end = start + timedelta(days=INITIAL_DAYS)
    visit_in_year = len(year) + 1
    visit_in_period = sum(d < period_end for d in year) + (day < period_end)
    reasons: list[Reason] = []
    if eligibility.pain_weeks < MIN_WEEKS:
        reasons.append("pain_under_12_weeks")
    if not eligibility.nonspecific:
        reasons.append("not_nonspecific")
    if eligibility.associated_with_surgery:
        reasons.append("associated_with_surgery")
    if eligibility.associated_with_pregnancy:
        reasons.append("associated_with_pregnancy")
    beyond_initial = day >= period_end or visit_in_period > INITIAL_VISITS
    if beyond_initial and not improving:
        reasons.append("not_improving")
    if visit_in_year > MAX_PER_YEAR:
        reasons.append("annual_limit")
    return PayerCheck(
        rule=RULE_ID,
        exceeds=bool(reasons),
        reasons=tuple(reasons),
        warning=_warning(day, visit_in_year, reasons) if reasons else None,
        visit_in_year=visit_in_year,
        visit_in_period=visit_in_period,
        day_of_period=(day - start).days + 1,
        remaining_in_year=max(0, MAX_PER_YEAR - visit_in_year),
        sources=SOURCES,
    )


def _warning(day: date, visit_in_year: int, reasons: list[Reason]) -> str:
    why = "; ".join(_WHY[reason] for reason in reasons)
    return (
        f"Medicare (NCD 30.3.3) would not cover the visit on {day_in_words(day)} "
        f"(visit {visit_in_year} in the past year): {why}. Tell the patient before treating."
    )


def _check_inputs(
    visit_dates: object, planned: object, improving: object, eligibility: object
) -> tuple[date, list[date]]:
    problems: list[Problem] = []
    day = check_date(planned, "planned", problems)
    days = check_visit_dates(visit_dates, day, problems)
    if not isinstance(improving, bool):
        problems.append(Problem("improving", f"must be true or false, got {describe(improving)}"))
    if not isinstance(eligibility, MedicareEligibility):
        problems.append(Problem("eligibility", f"must be a MedicareEligibility, got {describe(eligibility)}"))
    else:
        weeks = as_number(eligibility.pain_weeks)
        if weeks is None or weeks < 0:
            problems.append(
                Problem("eligibility.pain_weeks", f"must be a number from 0, got {describe(eligibility.pain_weeks)}")
            )
        for name in ("nonspecific", "associated_with_surgery", "associated_with_pregnancy"):
            value = getattr(eligibility, name)
            if not isinstance(value, bool):
                problems.append(Problem(f"eligibility.{name}", f"must be true or false, got {describe(value)}"))
    if problems or day is None:
        raise InputRefused(problems)
    return day, days
