"""The clinic's own evidence: responder rate (Wilson 95 % interval, n), median sessions to response, mean change in
leg NRS and ODI, overall and broken down by likely cause, phase at intake, STarT Back group and protocol features;
the traditional categories beside the responder analysis; the de-identified analysis table as CSV.

Everything is counted by the database (ORM `aggregate`/`annotate` over the per-episode columns `summary.py`
keeps); the medians are read by ordering and slicing (one or two rows per median), never by loading episodes.
`outcomes.stats` turns the counts into intervals.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Q, QuerySet

from sciatica_care.clinic.models import Episode, Staff
from sciatica_care.outcomes import CATEGORY_DEFINITIONS, Interval, wilson_interval
from sciatica_care.outcomes.stats import CATEGORY_NOTE

LEG_CHANGE = ExpressionWrapper(F("latest_leg_nrs") - F("baseline_leg_nrs"), output_field=FloatField())
ODI_CHANGE = ExpressionWrapper(F("latest_odi") - F("baseline_odi"), output_field=FloatField())

AGGREGATES = {
    "n": Count("id"),
    "evaluable": Count("id", filter=Q(responder__isnull=False)),
    "responders": Count("id", filter=Q(responder=True)),
    "mean_leg_change": Avg(LEG_CHANGE, filter=Q(latest_leg_nrs__isnull=False)),
    "mean_odi_change": Avg(ODI_CHANGE, filter=Q(latest_odi__isnull=False)),
}

DIMENSIONS = (
    ("top_cause", "Likely cause (top at intake)"),
    ("phase_at_intake", "Phase at intake"),
    ("startback_band", "STarT Back group"),
    ("ea_used", "Electroacupuncture"),
    ("massage_used", "Massage"),
)


@dataclass
class Row:
    label: str
    n: int
    evaluable: int
    responders: int
    rate: float | None
    interval: Interval | None
    median_sessions: float | None
    mean_leg_change: float | None
    mean_odi_change: float | None


@dataclass
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    practitioner_id: int | None = None
    cause: str = ""


@dataclass
class Dashboard:
    overall: Row
    breakdowns: list[tuple[str, list[Row]]]
    categories: list[tuple[str, str, int]]
    categorised: int
    category_note: str = CATEGORY_NOTE
    filters: Filters = field(default_factory=Filters)


def episodes(clinic_id: int, filters: Filters) -> QuerySet[Episode]:
    qs = Episode.objects.filter(clinic_id=clinic_id)
    if filters.date_from:
        qs = qs.filter(opened_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(opened_on__lte=filters.date_to)
    if filters.practitioner_id:
        qs = qs.filter(lead_practitioner_id=filters.practitioner_id)
    if filters.cause:
        qs = qs.filter(top_cause=filters.cause)
    return qs


def median_sessions(qs: QuerySet[Episode]) -> float | None:
    """The median sessions to response over the responders in `qs`: counted, then the middle one or two rows."""
    responders = qs.filter(responder=True, sessions_to_response__isnull=False)
    n = responders.count()
    if n == 0:
        return None
    middle = list(responders.order_by("sessions_to_response").values_list("sessions_to_response", flat=True)
                  [(n - 1) // 2: n // 2 + 1])
    return sum(middle) / len(middle)


def _row(label: str, values: dict[str, Any], median: float | None) -> Row:
    n_eval, hits = values["evaluable"], values["responders"]
    return Row(label, values["n"], n_eval, hits, hits / n_eval if n_eval else None, wilson_interval(hits, n_eval),
               median, values["mean_leg_change"], values["mean_odi_change"])


def _label(dimension: str, value: Any) -> str:
    if dimension in ("ea_used", "massage_used"):
        return "yes" if value else "no"
    if value in ("", None):
        return "not recorded"
    return str(value).replace("_", " ")


def compute(clinic_id: int, filters: Filters) -> Dashboard:
    qs = episodes(clinic_id, filters)
    overall = _row("All episodes", qs.aggregate(**AGGREGATES), median_sessions(qs))
    breakdowns = []
    for dimension, title in DIMENSIONS:
        rows = []
        for values in qs.order_by().values(dimension).annotate(**AGGREGATES).order_by(dimension):
            group = qs.filter(**{dimension: values[dimension]})
            rows.append(_row(_label(dimension, values[dimension]), values, median_sessions(group)))
        breakdowns.append((title, rows))
    counts = dict(qs.exclude(odi_category="").order_by().values_list("odi_category").annotate(n=Count("id")))
    categories = [(d.label, d.definition, counts.get(d.id, 0)) for d in CATEGORY_DEFINITIONS]
    return Dashboard(overall, breakdowns, categories, sum(counts.values()), filters=filters)


def causes(clinic_id: int) -> list[str]:
    return list(Episode.objects.filter(clinic_id=clinic_id).exclude(top_cause="").order_by("top_cause")
                .values_list("top_cause", flat=True).distinct())


def practitioners(clinic_id: int) -> QuerySet[Staff]:
    return Staff.objects.filter(clinic_id=clinic_id, role__in=("practitioner", "clinic_admin")).order_by("username")


def opaque_id(episode_id: int) -> str:
    """A stable, non-reversible reference for an episode in exported tables (HMAC of the id with the site key)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"episode:{episode_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


CSV_COLUMNS = ("episode", "top_cause", "phase_at_intake", "startback_band", "ea_used", "massage_used", "sessions",
               "baseline_leg_nrs", "latest_leg_nrs", "baseline_back_nrs", "latest_back_nrs", "baseline_odi",
               "latest_odi", "responder", "sessions_to_response", "odi_category")


def analysis_csv(clinic_id: int, filters: Filters) -> str:
    """The de-identified analysis table: one row per episode, an opaque id, no names, contact details or dates."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = episodes(clinic_id, filters).order_by("id").values_list("id", *CSV_COLUMNS[1:])
    for row in rows.iterator():
        writer.writerow([opaque_id(row[0]), *("" if v is None else v for v in row[1:])])
    return out.getvalue()
