"""The diary's factors, their thresholds and the minimum data an answer needs — one table, read by the analysis
and by the sentences it writes.

Numeric fields are dichotomised at a stated threshold rather than fitted as a slope: a patient can act on "days
you sat more than 6 hours" but not on "per hour of sitting", and a dichotomy makes no assumption that the link is
a straight line. Why each threshold (facts.md §7 and §14; the thresholds themselves are *practice-based*):

| factor id             | field             | exposed when  | why this threshold                                  |
|-----------------------|-------------------|---------------|-----------------------------------------------------|
| sitting_over_6h       | sitting_hours     | > 6 h         | sitting tolerance is a common sciatica aggravator   |
|                       |                   |               | (§7); 6 h is most of a desk working day             |
| sleep_under_6h        | sleep_hours       | < 6 h         | under 6 h is the usual cut-off for short sleep      |
| poor_sleep_quality    | sleep_quality     | ≤ 3 of 10     | the bottom third of the 0 (worst)–10 (best) scale   |
| high_stress           | stress            | ≥ 7 of 10     | the top third of the 0–10 scale                     |
| walked_30min          | walking_minutes   | ≥ 30 min      | the daily walking dose of the home programme        |
| activity:<name>       | activities        | listed        | the patient's own list: present or absent           |
| medication:<name>     | medications       | listed        | present or absent                                   |

Scales: `leg_nrs`, `back_nrs` and `stress` are 0–10 with 10 the worst; `sleep_quality` is 0–10 with **10 the
best** night. Sleep recorded on day D is the night before D (the night the patient woke from), so "same day"
(lag 0) for a sleep factor means the day after that night.

Minimum data (facts.md §14: trigger studies follow people for about 90 days and look at today's exposure against
the next day's pain [Hols]; days comparable enough to contrast are rare [Houle]; the minimum itself is
*practice-based*):
- `MIN_DIARY_DAYS` = 14: two full weeks, so the weekday/weekend rhythm of sitting, walking and stress has shown
  itself at least twice before anything is said.
- `MIN_DAYS_EACH` = 5: at least 5 paired days with the factor and 5 without. Below that one unusual day moves a
  mean by a point or more and the t interval, on 3 or fewer degrees of freedom, is too wide to say anything.
- `EARLY_DAYS` = 90: the length of the studies above; a diary shorter than this is called "early" in the text.
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

MIN_DIARY_DAYS = 14
MIN_DAYS_EACH = 5
EARLY_DAYS = 90
#: The false discovery rate (Benjamini–Hochberg) across every factor × outcome × lag tested in one diary.
FDR_LEVEL = 0.05
LAGS: tuple[int, ...] = (0, 1)

Comparison = Literal[">", "<", ">=", "<="]
NumericField = Literal["sitting_hours", "sleep_hours", "sleep_quality", "stress", "walking_minutes"]


class NumericFactor(Struct, frozen=True):
    """A numeric diary field turned into a yes/no exposure: `field comparison threshold`."""

    id: str
    field: NumericField
    comparison: Comparison
    threshold: float
    same_day: str  # how a sentence about lag 0 opens: "On days you sat more than 6 hours"
    next_day: str  # … about lag 1, where the pain is the day after the exposure

    def exposed(self, value: float) -> bool:
        if self.comparison == ">":
            return value > self.threshold
        if self.comparison == "<":
            return value < self.threshold
        if self.comparison == ">=":
            return value >= self.threshold
        return value <= self.threshold


NUMERIC_FACTORS: tuple[NumericFactor, ...] = (
    NumericFactor("sitting_over_6h", "sitting_hours", ">", 6,
                  "On days you sat more than 6 hours", "On days after you sat more than 6 hours"),
    NumericFactor("sleep_under_6h", "sleep_hours", "<", 6,
                  "On days after a night of under 6 hours' sleep", "Two days after a night of under 6 hours' sleep"),
    NumericFactor("poor_sleep_quality", "sleep_quality", "<=", 3,
                  "On days after a poor night (sleep quality 3 or less of 10)",
                  "Two days after a poor night (sleep quality 3 or less of 10)"),
    NumericFactor("high_stress", "stress", ">=", 7,
                  "On days your stress was 7 or more of 10", "On days after your stress was 7 or more of 10"),
    NumericFactor("walked_30min", "walking_minutes", ">=", 30,
                  "On days you walked 30 minutes or more", "On days after you walked 30 minutes or more"),
)

ACTIVITY_PREFIX = "activity:"
MEDICATION_PREFIX = "medication:"


def listed_phrases(kind: Literal["activity", "medication"], name: str) -> tuple[str, str]:
    """The same-day and next-day openers for an activity or medication named by the patient."""
    if kind == "activity":
        return f"On days with “{name}”", f"On days after a day with “{name}”"
    return f"On days you took {name}", f"On days after you took {name}"
