"""Outcome questionnaires: scoring, minimal important change, course status and advice, the questionnaire
schedule, an optional payer rule, clinic statistics and questionnaire wording. Pure: no clock, and no I/O except
reading a wording file where a function says so."""

from sciatica_care.outcomes.change import Change, change
from sciatica_care.outcomes.course import (
    Advice,
    CourseStatus,
    course_advice,
    course_review,
    course_status,
    course_status_by_date,
)
from sciatica_care.outcomes.instruments import INSTRUMENTS, Instrument
from sciatica_care.outcomes.payer import MedicareEligibility, PayerCheck, medicare_check
from sciatica_care.outcomes.questionnaire_schedule import Due, matched_care, questionnaires_due
from sciatica_care.outcomes.scoring import ScoreResult, render_text, score
from sciatica_care.outcomes.stats import (
    CATEGORY_DEFINITIONS,
    CategoryCounts,
    Interval,
    Proportion,
    category_counts,
    median_sessions_to_response,
    proportion,
    traditional_category,
    wilson_interval,
)
from sciatica_care.outcomes.wording import Wording, default_wording, load_wording, parse_wording, wording_in_effect

__all__ = [
    "CATEGORY_DEFINITIONS",
    "INSTRUMENTS",
    "Advice",
    "CategoryCounts",
    "Change",
    "CourseStatus",
    "Due",
    "Instrument",
    "Interval",
    "MedicareEligibility",
    "PayerCheck",
    "Proportion",
    "ScoreResult",
    "Wording",
    "category_counts",
    "change",
    "course_advice",
    "course_review",
    "course_status",
    "course_status_by_date",
    "default_wording",
    "load_wording",
    "matched_care",
    "median_sessions_to_response",
    "medicare_check",
    "parse_wording",
    "proportion",
    "questionnaires_due",
    "render_text",
    "score",
    "traditional_category",
    "wilson_interval",
    "wording_in_effect",
]
