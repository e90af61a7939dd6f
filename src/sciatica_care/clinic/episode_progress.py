"""An episode's progress from its stored scores: the series per measure, ordered by day and, within a day, by when
each score was recorded; the status of each (`outcomes`' `course_status`, every measurement in that order), the
advice before the next visit (`course_review`), STarT Back's matched care and the optional payer-rule warning.
Pure reading: nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from sciatica_care.clinic.clinical import (
    INSTRUMENTS,
    Advice,
    CourseStatus,
    MedicareEligibility,
    course_review,
    course_status_in_order,
    matched_care,
    medicare_check,
)
from sciatica_care.clinic.models import Episode, OutcomeScore

MEASURE_NAMES = {"nrs_leg": "Leg pain (NRS)", "nrs_back": "Back pain (NRS)", "odi": "ODI", "rmdq": "RMDQ",
                 "sbi": "SBI", "startback": "STarT Back"}
STATUS_WORDS = {"responder": "responder", "improving": "improving", "stable": "stable", "worse": "worse"}
SOURCE_WORDS = {"staff": "", "tablet": "patient, on the tablet", "link": "patient, by link",
                "portal": "patient, in the portal"}


@dataclass
class Point:
    day: dt.date
    value: int | float  # as the scorer gave it: the status rules refuse 7.0 for an integer scale
    source: str
    at: dt.datetime | None = None  # when it was recorded: orders the scores of one day


@dataclass
class Series:
    measure: str
    instrument: str
    name: str
    points: list[Point]
    status: CourseStatus | None = None
    mcid: float | None = None
    scale_high: int = 10


@dataclass
class Progress:
    series: dict[str, Series] = field(default_factory=dict)
    advice: list[Advice] = field(default_factory=list)
    sessions: int = 0
    startback_band: str | None = None

    @property
    def matched_care(self) -> Advice | None:
        return _matched(self.startback_band)

    def chart_series(self, measures: tuple[str, ...]) -> list[Series]:
        return [self.series[m] for m in measures if m in self.series and self.series[m].points]


def _day(visit_day: dt.date | None, recorded_at: dt.datetime) -> dt.date:
    """A score counts on its visit's day if it was charted with one, else on the day it was recorded."""
    if visit_day is not None:
        return visit_day
    return timezone.localdate(recorded_at)


# What the progress reads of a score: only these columns (not the whole visit row with its JSON, as a
# select_related would fetch for every score).
SCORE_COLUMNS = ("measure", "instrument", "result", "source", "visit__date", "recorded_at")


def episode_progress(episode: Episode, today: dt.date | None = None) -> Progress:
    today = today or timezone.localdate()
    scores = OutcomeScore.objects.filter(episode=episode).order_by("recorded_at", "id").values_list(*SCORE_COLUMNS)
    visits = list(episode.visits.order_by("date", "id").values("date", "red_flags_rechecked"))
    out = Progress(sessions=len(visits))
    for measure_name, instrument_id, result, source, visit_day, recorded_at in scores:
        measure = measure_name or instrument_id
        instrument = INSTRUMENTS.get(instrument_id)
        if instrument is None:
            continue
        series = out.series.get(measure)
        if series is None:
            mic = instrument.minimal_important_change
            series = out.series[measure] = Series(measure, instrument_id, MEASURE_NAMES.get(measure, measure), [],
                                                  mcid=mic.points if mic else None,
                                                  scale_high=instrument.score_high)
        series.points.append(Point(_day(visit_day, recorded_at), result["score"], source, recorded_at))
        if instrument_id == "startback":
            out.startback_band = result.get("band")
    for series in out.series.values():
        series.points.sort(key=lambda p: p.day)  # stable: one day's scores stay in the order they were recorded
        if len(series.points) >= 2 and series.measure != "startback":
            baseline = series.points[0]
            later = [p.value for p in series.points[1:]]
            series.status = course_status_in_order(series.instrument, baseline.value, later)
    statuses = [s.status for m, s in out.series.items() if s.status is not None and m != "sbi"]
    checks = [v["date"] for v in visits if v["red_flags_rechecked"]]
    intake_at = episode.intakes.order_by("-recorded_at").values_list("recorded_at", flat=True).first()
    if intake_at is not None:
        checks.append(timezone.localdate(intake_at))
    out.advice = course_review([v["date"] for v in visits if v["date"] <= today], today, statuses,
                               max(checks) if checks else None) or []
    return out


def matched_care_for(episode: Episode) -> Advice | None:
    """The care STarT Back's latest risk group is matched to, if the episode has one: read from the episode's
    dashboard row (`EpisodeOutcome.startback_band`, kept current by `episode_outcomes` with every score); load it
    with `select_related("outcome")` to spare the query."""
    try:
        band = episode.outcome.startback_band
    except Episode.outcome.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None
    return _matched(band)


def _matched(band: str | None) -> Advice | None:
    return matched_care(band)


def _eligibility(episode: Episode) -> MedicareEligibility:
    """The rule's facts from the latest intake: pain duration and pregnancy as recorded; sciatica with an
    identified nerve-root cause is not `nonspecific` low back pain, so only an intake the plan calls non-specific
    counts as such; surgery as recorded in the medical history."""
    intake = episode.intakes.order_by("-recorded_at").first()
    data: dict[str, Any] = intake.data if intake is not None else {}
    weeks = float(data.get("episode", {}).get("duration_weeks") or 0)
    medical = set(data.get("medical", []))
    return MedicareEligibility(
        pain_weeks=weeks, nonspecific=True,
        associated_with_surgery=bool(medical & {"previous_spinal_surgery", "recent_spinal_surgery"}),
        associated_with_pregnancy=bool(data.get("patient", {}).get("pregnant")))


def payer_warning(episode: Episode, visit_number: int, day: dt.date | None = None) -> str | None:
    """The Medicare warning before charting a visit the rule would not cover (clinic setting, off by default)."""
    if not episode.clinic.payer_rule_warning:
        return None
    day = day or timezone.localdate()
    dates = [d for d in episode.visits.values_list("date", flat=True) if d <= day]
    progress = episode_progress(episode, day)
    improving = any(s.status is not None and s.status.latest.important_improvement
                    for s in progress.series.values())
    check = medicare_check(dates, day, improving, _eligibility(episode))
    return check.warning if check is not None else None
