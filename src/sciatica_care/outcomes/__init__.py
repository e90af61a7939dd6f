"""Outcome questionnaires: scoring, minimal important change and course status. Pure: no I/O, no clock."""

from sciatica_care.outcomes.change import Change, change
from sciatica_care.outcomes.course import Advice, CourseStatus, course_advice, course_status
from sciatica_care.outcomes.instruments import INSTRUMENTS, Instrument
from sciatica_care.outcomes.scoring import ScoreResult, render_text, score

__all__ = [
    "INSTRUMENTS",
    "Advice",
    "Change",
    "CourseStatus",
    "Instrument",
    "ScoreResult",
    "change",
    "course_advice",
    "course_status",
    "render_text",
    "score",
]
