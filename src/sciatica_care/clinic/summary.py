"""The per-episode facts the clinic dashboard aggregates, kept as columns on `Episode`.

`refresh(episode)` recomputes them from the episode's latest intake and plan, its visits and its scores; `records`
calls it in the same transaction as every write of those, so the dashboard never loops over visits: it is one
SQL aggregation over episodes.

- top cause and phase: the first plan's assessment (at intake);
- STarT Back group: the latest STarT Back score;
- protocol: electroacupuncture used in any visit; massage in any visit;
- leg and back NRS and the ODI: baseline (first) and latest follow-up score (None until there is a second);
- responder: leg NRS or ODI reached `responder` under `outcomes.course_status` (two measurements in a row,
  in the order recorded, with important improvement); None until one of them has a second measurement;
- sessions to response: sessions charted up to the day the first of them became a responder;
- the traditional category on the ODI (`outcomes.traditional_category`), shown only beside the responder rate.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sciatica_care.clinic.clinical import course_status_in_order, traditional_category
from sciatica_care.clinic.models import Episode, Visit

RESPONSE_MEASURES = ("nrs_leg", "odi")


def compute(episode: Episode) -> dict[str, Any]:
    from sciatica_care.clinic.episode_progress import episode_progress

    first_plan = episode.plans.order_by("number").first()
    typed = first_plan.typed if first_plan is not None else None
    assessment = typed.assessment if typed is not None else None
    visits = list(Visit.objects.filter(episode=episode).order_by("date", "id")
                  .values("date", "practitioner_id", "ea_pairs", "massage_done"))
    course = episode_progress(episode, today=dt.date.max)
    out: dict[str, Any] = {
        "top_cause": assessment.causes[0].id[:60] if assessment is not None and assessment.causes else "",
        "phase_at_intake": assessment.phase[:20] if assessment is not None else "",
        "startback_band": course.startback_band or "",
        "ea_used": any(v["ea_pairs"] for v in visits),
        "massage_used": any(v["massage_done"] for v in visits),
        "sessions": len(visits),
        "lead_practitioner_id": visits[0]["practitioner_id"] if visits else None,
    }
    for measure, column in (("nrs_leg", "leg_nrs"), ("nrs_back", "back_nrs"), ("odi", "odi")):
        series = course.series.get(measure)
        out[f"baseline_{column}"] = series.points[0].value if series else None
        out[f"latest_{column}"] = series.points[-1].value if series and len(series.points) >= 2 else None
    evaluable = [course.series[m] for m in RESPONSE_MEASURES if m in course.series
                 and course.series[m].status is not None]
    out["responder"] = any(s.status.responder for s in evaluable if s.status) if evaluable else None
    days = [v["date"] for v in visits]
    response_days = [d for s in evaluable if (d := _response_day(s.instrument, s.points)) is not None]
    out["sessions_to_response"] = (max(1, sum(d <= min(response_days) for d in days)) if response_days
                                   else None)
    out["odi_category"] = ""
    odi = course.series.get("odi")
    if odi is not None and len(odi.points) >= 2 and odi.points[0].value:
        out["odi_category"] = traditional_category("odi", odi.points[0].value, odi.points[-1].value) or ""
    return out


def _response_day(instrument: str, points: list[Any]) -> dt.date | None:
    """The day the measure first became a responder (the second of two improved measurements in a row)."""
    baseline = points[0].value
    for k in range(2, len(points)):
        status = course_status_in_order(instrument, baseline, [p.value for p in points[1:k + 1]])
        if status is None:
            return None
        if status.responder:
            return points[k].day
    return None


def refresh(episode: Episode) -> None:
    """Recompute the dashboard columns of one episode (call inside the write's transaction)."""
    Episode.objects.filter(pk=episode.pk).update(**compute(episode))


def refresh_all() -> int:
    """Backfill every episode (the migration that added the columns runs this); returns how many."""
    n = 0
    for episode in Episode.objects.all().iterator():
        refresh(episode)
        n += 1
    return n
