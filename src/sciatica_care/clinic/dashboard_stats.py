"""The clinic's own evidence: responder rate (Wilson 95 % interval, n), median sessions to response, mean change in
leg NRS and ODI, overall and broken down by likely cause, phase at intake, STarT Back group and protocol features;
the traditional categories beside the responder analysis; the de-identified analysis table as CSV.

Everything is counted by the database over the per-episode rows `episode_outcomes` keeps (`EpisodeOutcome`), in
ONE query whatever the size of the clinic: a GROUP BY over the five dimensions, the ODI category, the responder flag
and the sessions to response, which the database answers from one index (`episode_outcome_dashboard_idx`,
migration 0008) in group order, with the number of episodes and the sums and counts of the leg NRS and ODI changes
per cell. No episode is loaded: Python only adds these cells up into the groups of each dimension (their number
is bounded by the combinations of values that occur, not by the number of episodes) and reads each median off
the count of responders at each number of sessions; `outcomes.stats` turns the counts into intervals.
`benchmarks/clinic_dashboard.py` times it against the same figures computed by hand-written SQL.
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
from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum

from sciatica_care.clinic.clinical import (
    CATEGORY_DEFINITIONS,
    CATEGORY_NOTE,
    Interval,
    display_name,
    wilson_interval,
)
from sciatica_care.clinic.models import EpisodeOutcome, Staff

LEG_CHANGE = ExpressionWrapper(F("latest_leg_nrs") - F("baseline_leg_nrs"), output_field=FloatField())
ODI_CHANGE = ExpressionWrapper(F("latest_odi") - F("baseline_odi"), output_field=FloatField())

# Per cell: how many episodes, and the sum and count of each change (a mean is sum / count, as AVG computes it).
CELL_AGGREGATES = {
    "n": Count("*"),  # COUNT(*): every column the query reads is in the index (migration 0008)
    "leg_sum": Sum(LEG_CHANGE, filter=Q(latest_leg_nrs__isnull=False)),
    "leg_n": Count(LEG_CHANGE, filter=Q(latest_leg_nrs__isnull=False)),
    "odi_sum": Sum(ODI_CHANGE, filter=Q(latest_odi__isnull=False)),
    "odi_n": Count(ODI_CHANGE, filter=Q(latest_odi__isnull=False)),
}

DIMENSIONS = (
    ("top_cause", "Likely cause (top at intake)"),
    ("phase_at_intake", "Phase at intake"),
    ("startback_band", "STarT Back group"),
    ("ea_used", "Electroacupuncture"),
    ("massage_used", "Massage"),
)
# The GROUP BY of the one query, in the order of the index that serves it (models.OUTCOME_INDEX).
CELL_KEYS = (*(d for d, _ in DIMENSIONS), "odi_category", "responder", "sessions_to_response")


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


def episodes(clinic_id: int, filters: Filters) -> QuerySet[EpisodeOutcome]:
    qs = EpisodeOutcome.objects.filter(clinic_id=clinic_id)
    if filters.date_from:
        qs = qs.filter(opened_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(opened_on__lte=filters.date_to)
    if filters.practitioner_id:
        qs = qs.filter(lead_practitioner_id=filters.practitioner_id)
    if filters.cause:
        qs = qs.filter(top_cause=filters.cause)
    return qs


@dataclass
class _Group:
    n: int = 0
    evaluable: int = 0
    responders: int = 0
    leg_sum: float = 0.0
    leg_n: int = 0
    odi_sum: float = 0.0
    odi_n: int = 0
    sessions: dict[int, int] = field(default_factory=dict)  # responders by sessions to response

    def values(self) -> dict[str, Any]:
        return {"n": self.n, "evaluable": self.evaluable, "responders": self.responders,
                "mean_leg_change": self.leg_sum / self.leg_n if self.leg_n else None,
                "mean_odi_change": self.odi_sum / self.odi_n if self.odi_n else None,
                "median": _median(sorted(self.sessions.items())) if self.sessions else None}


def groups(qs: QuerySet[EpisodeOutcome]) -> tuple[_Group, list[dict[Any, _Group]], dict[str, int]]:
    """The whole of `qs`, each dimension's groups (by value) and the episodes per ODI category, from one GROUP BY
    over CELL_KEYS: the database counts, Python adds up the cells (a few thousand for 100,000 episodes)."""
    overall = _Group()
    by_dimension: list[dict[Any, _Group]] = [{} for _ in DIMENSIONS]
    categories: dict[str, int] = {}
    cells = qs.order_by().values(*CELL_KEYS).annotate(**CELL_AGGREGATES).values_list(*CELL_KEYS, *CELL_AGGREGATES)
    for *keys, category, responder, sessions, n, leg_sum, leg_n, odi_sum, odi_n in cells:
        evaluable = n if responder is not None else 0
        responders = n if responder else 0
        counted = sessions if responder and sessions is not None else None
        for group in (overall, *(found.get(key) or found.setdefault(key, _Group())
                                 for found, key in zip(by_dimension, keys, strict=True))):
            group.n += n
            group.evaluable += evaluable
            group.responders += responders
            if leg_n:
                group.leg_sum += leg_sum
                group.leg_n += leg_n
            if odi_n:
                group.odi_sum += odi_sum
                group.odi_n += odi_n
            if counted is not None:
                group.sessions[counted] = group.sessions.get(counted, 0) + n
        if category:
            categories[category] = categories.get(category, 0) + n
    return overall, by_dimension, categories


def _median(counts: list[tuple[int, int]]) -> float:
    """The median of a distribution given as (value, how many) pairs in value order."""
    total = sum(c for _, c in counts)
    middle, seen = [], 0
    positions = sorted({(total + 1) // 2, (total + 2) // 2})  # 1-based: one for an odd total, two for an even
    for value, c in counts:
        seen += c
        while positions and positions[0] <= seen:
            middle.append(value)
            positions.pop(0)
    return sum(middle) / len(middle)


def _row(label: str, group: _Group) -> Row:
    values = group.values()
    n_eval, hits = values["evaluable"], values["responders"]
    return Row(label, values["n"], n_eval, hits, hits / n_eval if n_eval else None, wilson_interval(hits, n_eval),
               values["median"], values["mean_leg_change"], values["mean_odi_change"])


def _label(dimension: str, value: Any) -> str:
    if dimension in ("ea_used", "massage_used"):
        return "yes" if value else "no"
    if value in ("", None):
        return "not recorded"
    return display_name(str(value))


def compute(clinic_id: int, filters: Filters) -> Dashboard:
    overall, by_dimension, counts = groups(episodes(clinic_id, filters))
    breakdowns = []
    for (dimension, title), found in zip(DIMENSIONS, by_dimension, strict=True):
        # In value order (booleans: no, then yes).
        breakdowns.append((title, [_row(_label(dimension, value), found[value]) for value in sorted(found)]))
    categories = [(d.label, d.definition, counts.get(d.id, 0)) for d in CATEGORY_DEFINITIONS]
    return Dashboard(_row("All episodes", overall), breakdowns, categories, sum(counts.values()), filters=filters)


def causes(clinic_id: int) -> list[str]:
    return list(EpisodeOutcome.objects.filter(clinic_id=clinic_id).exclude(top_cause="").order_by("top_cause")
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
    """The de-identified analysis table: one row per episode, an opaque id, no names, contact details or dates.
    Only patients who consented to the use of their anonymised data are in it: one who declined (or was never
    asked) is left out (issue 11)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    consented = episodes(clinic_id, filters).filter(episode__patient__consent_data_use=True)
    rows = consented.order_by("episode_id").values_list("episode_id", *CSV_COLUMNS[1:])
    for row in rows.iterator():
        writer.writerow([opaque_id(row[0]), *("" if v is None else v for v in row[1:])])
    return out.getvalue()
