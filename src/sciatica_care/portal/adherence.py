"""Adherence to the home programme: storing what the patient marked done (and how it felt), and the summary over
the last weeks that the practitioner's episode page shows (`episode_adherence`).

The programme asks for the points once or twice a day and the exercises daily, so adherence is counted in days:
the days on which anything of the programme was marked done, out of the days in the window since the course
opened. What was done is counted as the patient reported it; nothing is inferred for a day with no report.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from sciatica_care.clinic import audit, clinical
from sciatica_care.clinic.models import Episode, Patient, PlanRevision, Staff
from sciatica_care.portal.models.adherence_record import AdherenceRecord, DoneKind, Felt

SESSION_NAME = "The whole programme"
#: The notes the summary carries (the latest first).
RECENT_NOTES = 5


def record_done(actor: Staff, patient: Patient, revision: PlanRevision, *, kind: str, item: str, felt: str,
                note: str = "", day: dt.date | None = None) -> AdherenceRecord:
    """Store one part of the programme as done (already checked against the patient's current programme by the
    form), audited with what was done and how it felt (the note's words are never copied into the audit)."""
    with transaction.atomic():
        done = AdherenceRecord.objects.create(
            clinic_id=patient.clinic_id, patient=patient, episode_id=revision.episode_id, plan=revision, kind=kind,
            item=item, felt=felt, note=note.strip(), day=day or timezone.localdate(), recorded_by=actor)
        audit.record(actor, "create", done, patient_id=patient.pk, kind=kind, item=item, felt=felt,
                     plan=revision.pk, note_given=bool(done.note))
    return done


# --- the summary for the practitioner ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeltCounts:
    better: int = 0
    same: int = 0
    worse: int = 0

    @property
    def total(self) -> int:
        return self.better + self.same + self.worse


@dataclass(frozen=True)
class WeekAdherence:
    """One week of the window (the last one ends today); `days` counts only the days since the course opened."""

    start: dt.date
    end: dt.date
    days: int
    days_done: int
    times_done: int
    felt: FeltCounts


@dataclass(frozen=True)
class ItemAdherence:
    kind: str
    item: str
    name: str
    times_done: int
    days_done: int
    last_done: dt.date
    felt: FeltCounts


@dataclass(frozen=True)
class PatientNote:
    day: dt.date
    name: str
    felt: str
    note: str


@dataclass(frozen=True)
class EpisodeAdherence:
    """The home programme as the patient reported it over the window `start`..`end` (inclusive)."""

    start: dt.date
    end: dt.date
    days: int
    days_done: int
    times_done: int
    weeks: tuple[WeekAdherence, ...]
    items: tuple[ItemAdherence, ...]
    felt: FeltCounts
    notes: tuple[PatientNote, ...]
    last_done: dt.date | None

    @property
    def share(self) -> float | None:
        """The share of days with anything done (None when the window has no day of the course)."""
        return self.days_done / self.days if self.days else None

    @property
    def reported(self) -> bool:
        return self.times_done > 0


def _felt(values: list[str]) -> FeltCounts:
    c = Counter(values)
    return FeltCounts(better=c[Felt.BETTER], same=c[Felt.SAME], worse=c[Felt.WORSE])


def item_name(kind: str, item: str) -> str:
    """What the practitioner reads for an item: the point's code and name, the exercise's name."""
    if kind == DoneKind.SESSION:
        return SESSION_NAME
    if kind == DoneKind.ACUPRESSURE:
        point = clinical.find_point(item)
        return f"{item} ({point.pinyin})" if point is not None else item
    return clinical.display_name(item, record=True)


def episode_adherence(episode: Episode, *, weeks: int = 4, today: dt.date | None = None) -> EpisodeAdherence:
    """The home-programme adherence of one course over the last `weeks` weeks up to `today` (its last week ends
    today): days with anything done out of the days since the course opened, week by week and item by item, how
    it felt, and the latest notes. The caller checks who may see it and audits the read."""
    end = today or timezone.localdate()
    start = end - dt.timedelta(days=7 * max(weeks, 1) - 1)
    rows = list(AdherenceRecord.objects.filter(episode=episode, day__gte=start, day__lte=end)
                .values_list("day", "kind", "item", "felt", "note").order_by("day", "recorded_at", "id"))
    # The course's days in the window: from its opening (or an earlier record, if its opening date was moved).
    first_day = max(start, min([episode.opened_on, *(r[0] for r in rows[:1])]))
    week_list: list[WeekAdherence] = []
    for w in range(max(weeks, 1)):
        w_start = start + dt.timedelta(days=7 * w)
        w_end = w_start + dt.timedelta(days=6)
        in_week = [r for r in rows if w_start <= r[0] <= w_end]
        days = max(0, (w_end - max(w_start, first_day)).days + 1)
        week_list.append(WeekAdherence(w_start, w_end, days, len({r[0] for r in in_week}), len(in_week),
                                       _felt([r[3] for r in in_week])))
    by_item: dict[tuple[str, str], list[tuple[dt.date, str]]] = {}
    for day, kind, item, felt, _ in rows:
        by_item.setdefault((kind, item), []).append((day, felt))
    order = {DoneKind.ACUPRESSURE: 0, DoneKind.EXERCISE: 1, DoneKind.SESSION: 2}
    items = tuple(
        ItemAdherence(kind, item, item_name(kind, item), len(done), len({d for d, _ in done}), max(d for d, _ in done),
                      _felt([f for _, f in done]))
        for (kind, item), done in sorted(by_item.items(), key=lambda kv: (order.get(kv[0][0], 3), kv[0][1])))
    notes = tuple(PatientNote(day, item_name(kind, item), felt, note)
                  for day, kind, item, felt, note in reversed(rows) if note)[:RECENT_NOTES]
    return EpisodeAdherence(
        start=start, end=end, days=max(0, (end - first_day).days + 1), days_done=len({r[0] for r in rows}),
        times_done=len(rows), weeks=tuple(week_list), items=items, felt=_felt([r[3] for r in rows]), notes=notes,
        last_done=rows[-1][0] if rows else None)
