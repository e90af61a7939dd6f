"""The patient's progress in plain words: the clinic's scores (pain, ODI) and the diary's leg pain, each with the
band of the minimal important change (the clinic's own progress chart), and what the diary shows so far."""

from __future__ import annotations

import datetime as dt

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from sciatica_care.clinic import audit, episode_progress, figures
from sciatica_care.clinic.clinical import INSTRUMENTS, course_status_in_order
from sciatica_care.clinic.models import Patient
from sciatica_care.portal import journal_store, patient_record, progress_words
from sciatica_care.portal.access import patient_required
from sciatica_care.portal.diary_findings import findings
from sciatica_care.portal.models import JournalEntry

SCORE_MEASURES = ("nrs_leg", "nrs_back", "odi", "rmdq")
DIARY_DAYS = 90


def diary_series(patient: Patient, every_day: list[JournalEntry] | None = None,
                 today: dt.date | None = None) -> episode_progress.Series | None:
    """The diary's leg pain over the last `DIARY_DAYS` days as a progress series (the NRS's minimal important
    change, the status against the first day shown); `every_day`: the diary by day, when already read."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=DIARY_DAYS - 1)
    days = [d for d in (journal_store.days(patient, since=since) if every_day is None else every_day)
            if d.date >= since]
    if not days:
        return None
    nrs = INSTRUMENTS["nrs"]
    mic = nrs.minimal_important_change
    series = episode_progress.Series("diary_leg", "nrs", "Leg pain (your diary)",
                                     [episode_progress.Point(d.date, d.leg_nrs, "portal") for d in days],
                                     mcid=mic.points if mic else None, scale_high=nrs.score_high)
    if len(days) >= 2:
        series.status = course_status_in_order("nrs", days[0].leg_nrs, [d.leg_nrs for d in days[1:]])
    return series


def _course(patient: Patient) -> episode_progress.Progress | None:
    episode = patient_record.current_episode(patient)
    return episode_progress.episode_progress(episode) if episode is not None else None


@never_cache
@patient_required
def progress(request: HttpRequest) -> HttpResponse:
    patient = request.patient  # type: ignore[attr-defined]
    audit.record(request.user, "portal_view_progress", patient)  # type: ignore[arg-type]
    course = _course(patient)
    scores = course.chart_series(SCORE_MEASURES) if course is not None else []
    every_day = journal_store.days(patient)
    diary = diary_series(patient, every_day)
    lines = [line for s in [*scores, *([diary] if diary else [])] if (line := progress_words.line_for(s))]
    return render(request, "portal/progress.html", {
        "nav": "progress", "lines": lines, "has_scores": bool(scores), "has_diary": diary is not None,
        "findings": findings(patient, every_day), "version": sum(len(s.points) for s in scores),
        "diary_version": len(diary.points) if diary else 0})


# The SVG is shown as an image; matplotlib styles its shapes inline, which the SVG document itself needs.
@never_cache
@patient_required
@csp_replace({"style-src": [SELF, UNSAFE_INLINE]})
def scores_chart(request: HttpRequest) -> HttpResponse:
    patient = request.patient  # type: ignore[attr-defined]
    course = _course(patient)
    audit.record(request.user, "portal_view_progress", patient, purpose="scores_chart")  # type: ignore[arg-type]
    series = course.chart_series(SCORE_MEASURES) if course is not None else []
    return HttpResponse(figures.progress_chart_svg(series), content_type="image/svg+xml")


@never_cache
@patient_required
@csp_replace({"style-src": [SELF, UNSAFE_INLINE]})
def diary_chart(request: HttpRequest) -> HttpResponse:
    patient = request.patient  # type: ignore[attr-defined]
    audit.record(request.user, "portal_view_progress", patient, purpose="diary_chart")  # type: ignore[arg-type]
    series = diary_series(patient)
    return HttpResponse(figures.progress_chart_svg([series] if series else []), content_type="image/svg+xml")
