"""Progress in plain words for the patient: each score now against where they started, and whether the change is
big enough to count as a real change (the minimal important change of the outcome rules), never more than that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: What each measure is called for a patient, and what a point of it is.
PATIENT_NAMES = {"nrs_leg": ("Leg pain", "point"), "nrs_back": ("Back pain", "point"),
                 "odi": ("Everyday activities (ODI)", "point"), "rmdq": ("Everyday activities (RMDQ)", "point"),
                 "sbi": ("Sciatica symptoms (SBI)", "point"), "diary_leg": ("Leg pain in your diary", "point")}


@dataclass(frozen=True)
class Line:
    measure: str
    title: str
    text: str
    tone: str  # better | worse | same | start


def _points(n: float, unit: str) -> str:
    value = f"{abs(n):g}"
    return f"{value} {unit}{'' if abs(n) == 1 else 's'}"


def line_for(series: Any) -> Line | None:
    """One sentence for a series of `episode_progress` (or the diary's): None for STarT Back (a risk group, not a
    score that should fall)."""
    if series.measure == "startback" or not series.points:
        return None
    title, unit = PATIENT_NAMES.get(series.measure, (series.name, "point"))
    first = series.points[0]
    if len(series.points) == 1 or series.status is None:
        return Line(series.measure, title, f"{first.value:g} at the start. We will show the change once there "
                    "is a second score.", "start")
    change = series.status.latest
    rule = f"({change.rule_text})"
    start = f"{change.baseline:g} at the start, {change.current:g} now (lower is better): "
    if change.important_improvement:
        return Line(series.measure, title, f"{start}{_points(change.absolute, unit)} better. That is big enough to "
                    f"count as a real change {rule}.", "better")
    if change.important_worsening:
        return Line(series.measure, title, f"{start}{_points(change.absolute, unit)} worse. That is big enough to "
                    f"count as a real change for the worse {rule}: tell your practitioner.", "worse")
    moved = "no change" if change.absolute == 0 else (
        f"{_points(change.absolute, unit)} {'better' if change.absolute < 0 else 'worse'}")
    return Line(series.measure, title, f"{start}{moved}. Not yet big enough to count as a real change {rule}: it "
                "could be the usual ups and downs.", "same")
