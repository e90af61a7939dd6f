"""The per-episode facts the clinic dashboard aggregates: the one module that writes `EpisodeOutcome`.

One row per episode (created with the episode), updated by `records` in the same transaction as each write, with
work bounded by what the write adds (one visit, its scores), never a re-read of the course:

- top cause and phase: the first plan's assessment (at intake);
- STarT Back group: the latest STarT Back score (by when it was recorded);
- protocol: electroacupuncture used in any visit; massage in any visit; sessions; the lead practitioner (the
  practitioner of the first session by date);
- leg and back NRS and the ODI: baseline (first) and latest score (None until there is a second), scores in
  the order (day, recorded, id), a score's day being its visit's;
- responder: leg NRS or ODI reached `responder` with the measurements in the order recorded (important
  improvement at the latest two measurements, each counting even when two fall on one day, as the episode page
  reads them); None until one of them is evaluable (a baseline and a later measurement);
- sessions to response: sessions dated up to the day the first of them became a responder;
- the traditional category on the ODI, shown only beside the responder rate.

How it stays O(new): the row's `state` keeps, per measure, the baseline, the last score and its order key, the
last two measurements (all that the responder rule reads) and the day the measure
first became a responder, which later scores cannot move. A score that sorts before the last one (a session
charted back-dated among later ones) rebuilds the row from the course (`rebuild`, the same fold over every record);
so does a discharge, when the course's figures become final. `definition` is the rule written the plain way,
over the whole course (what the tests compare the incremental row with).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from sciatica_care.clinic.clinical import INSTRUMENTS, course_status_in_order, traditional_category
from sciatica_care.clinic.models import Episode, EpisodeOutcome, OutcomeScore, PlanRevision, Visit

RESPONSE_MEASURES = ("nrs_leg", "odi")
COLUMN_OF = {"nrs_leg": "leg_nrs", "nrs_back": "back_nrs", "odi": "odi"}
TAIL = 2  # outcomes.course.RESPONDER_CONSECUTIVE: the responder rule reads the latest two measurements
SCORE_COLUMNS = ("id", "measure", "instrument", "result", "recorded_at", "visit__date")


@dataclass(frozen=True)
class NewScore:
    """What the fold reads of a score."""

    id: int
    measure: str
    instrument: str
    result: dict[str, Any]
    recorded_at: dt.datetime
    day: dt.date


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _day_of(visit_day: Any, recorded_at: dt.datetime) -> dt.date:
    """A score counts on its visit's day if it was charted with one, else on the day it was recorded."""
    if visit_day is None:
        return timezone.localdate(recorded_at)
    return visit_day if isinstance(visit_day, dt.date) else dt.date.fromisoformat(str(visit_day))


def score_of(score: OutcomeScore, visit_day: Any = None) -> NewScore:
    if visit_day is None and score.visit_id is not None:
        visit_day = score.visit.date if score.visit is not None else None
    return NewScore(score.id, score.measure or score.instrument, score.instrument, score.result, score.recorded_at,
                    _day_of(visit_day, score.recorded_at))


# ------------------------------------------------------------------------------------------- the fold
class Fold:
    """The row's state and the steps that move it; `columns()` derives the dashboard's columns from it."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        state = state or {}
        self.first_visit: list[Any] | None = state.get("first_visit")  # [date, id, practitioner id]
        self.sessions: int = state.get("sessions", 0)
        self.ea_used: bool = state.get("ea_used", False)
        self.massage_used: bool = state.get("massage_used", False)
        self.startback: list[Any] | None = state.get("startback")  # [recorded stamp, id, band]
        self.measures: dict[str, dict[str, Any]] = state.get("measures", {})
        self.response_day: str | None = state.get("response_day")  # the earliest, over the evaluable measures
        self.upto_response: int = state.get("upto_response", 0)  # sessions dated up to response_day
        self.top_cause: str = state.get("top_cause", "")
        self.phase: str = state.get("phase", "")

    def state(self) -> dict[str, Any]:
        return {"first_visit": self.first_visit, "sessions": self.sessions, "ea_used": self.ea_used,
                "massage_used": self.massage_used, "startback": self.startback, "measures": self.measures,
                "response_day": self.response_day, "upto_response": self.upto_response,
                "top_cause": self.top_cause, "phase": self.phase}

    def first_plan(self, plan: PlanRevision | None) -> None:
        typed = plan.typed if plan is not None else None
        assessment = typed.assessment if typed is not None else None
        self.top_cause = assessment.causes[0].id[:60] if assessment is not None and assessment.causes else ""
        self.phase = assessment.phase[:20] if assessment is not None else ""

    def visit(self, visit_id: int, day: dt.date, practitioner_id: int, ea_pairs: Any, massage_done: Any) -> None:
        """One more session (in any order: only the first by (date, id) and the counts are kept)."""
        self.sessions += 1
        self.ea_used = self.ea_used or bool(ea_pairs)
        self.massage_used = self.massage_used or bool(massage_done)
        key = [day.isoformat(), visit_id]
        if self.first_visit is None or key < self.first_visit[:2]:
            self.first_visit = [*key, practitioner_id]
        if self.response_day is not None and day.isoformat() <= self.response_day:
            self.upto_response += 1

    def score(self, score: NewScore) -> bool:
        """Add one score that sorts after every score already folded (`appends` says so); False when the
        measure's state needs the course re-read (never for a score that appends)."""
        instrument = INSTRUMENTS.get(score.instrument)
        if instrument is None:
            return True
        if score.instrument == "startback":
            key = [_stamp(score.recorded_at), score.id]
            if self.startback is None or key > self.startback[:2]:
                self.startback = [*key, score.result.get("band") or ""]
        if score.measure not in COLUMN_OF:
            return True
        value = score.result["score"]
        key = [score.day.isoformat(), _stamp(score.recorded_at), score.id]
        m = self.measures.get(score.measure)
        if m is None:
            self.measures[score.measure] = {"instrument": score.instrument, "n": 1, "base": value, "last": value,
                                            "key": key, "tail": [], "valid": True, "response": None}
            return True
        if key < m["key"]:
            return False
        day = key[0]
        m["n"] += 1
        m["last"], m["key"] = value, key
        # A later score the rules refuse (a baseline at the floor, a value off the scale) makes the measure not
        # evaluable, as course_status over the whole series would say.
        if course_status_in_order(m["instrument"], m["base"], [value]) is None:
            m["valid"] = False
        tail = m["tail"]
        tail.append([day, value])
        del tail[:-TAIL]
        if score.measure in RESPONSE_MEASURES and m["response"] is None and m["valid"] and m["n"] >= 3:
            status = self._status(m)
            if status is not None and status.responder:
                m["response"] = day
        return True

    @staticmethod
    def _status(m: dict[str, Any]) -> Any:
        if m["n"] < 2 or not m["valid"]:
            return None
        return course_status_in_order(m["instrument"], m["base"], [v for _, v in m["tail"]])

    def response(self) -> str | None:
        days = [m["response"] for name, m in self.measures.items()
                if name in RESPONSE_MEASURES and m["response"] is not None and self._status(m) is not None]
        return min(days) if days else None

    def settle(self, sessions_up_to: Callable[[str], int]) -> None:
        """When the day of response moves (a measure first responds, or stops counting), count the sessions up to
        it (`sessions_up_to(day)`: one COUNT, once or twice in a course)."""
        day = self.response()
        if day != self.response_day:
            self.response_day = day
            self.upto_response = sessions_up_to(day) if day is not None else 0

    def columns(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "top_cause": self.top_cause, "phase_at_intake": self.phase,
            "startback_band": self.startback[2] if self.startback else "",
            "ea_used": self.ea_used, "massage_used": self.massage_used, "sessions": self.sessions,
            "lead_practitioner_id": self.first_visit[2] if self.first_visit else None,
        }
        for measure, column in COLUMN_OF.items():
            m = self.measures.get(measure)
            out[f"baseline_{column}"] = m["base"] if m else None
            out[f"latest_{column}"] = m["last"] if m and m["n"] >= 2 else None
        statuses = [s for name in RESPONSE_MEASURES if name in self.measures
                    and (s := self._status(self.measures[name])) is not None]
        out["responder"] = any(s.responder for s in statuses) if statuses else None
        out["sessions_to_response"] = max(1, self.upto_response) if self.response_day is not None else None
        odi = self.measures.get("odi")
        out["odi_category"] = ""
        if odi is not None and odi["n"] >= 2 and odi["base"]:
            out["odi_category"] = traditional_category("odi", odi["base"], odi["last"]) or ""
        return out


# ------------------------------------------------------------------------------------------- the writes
def opened(episode: Episode) -> None:
    """The new episode's row (records.open_episode, and any episode saved for the first time)."""
    EpisodeOutcome.objects.get_or_create(episode_id=episode.pk, defaults={
        "clinic_id": episode.clinic_id, "opened_on": episode.opened_on, "state": Fold().state()})


def intake_recorded(episode: Episode, revision: PlanRevision) -> None:
    """A plan was stored: the first plan gives the top cause and phase; a re-assessment changes nothing here."""
    if revision.number != 1:
        return
    row = _locked(episode)
    if row is None:
        return
    fold = Fold(row.state)
    fold.first_plan(revision)
    _save(row, fold)


def visit_charted(episode: Episode, visit: Visit, scores: Iterable[OutcomeScore]) -> None:
    """A session and the scores charted with it."""
    row = _locked(episode)
    if row is None:
        return
    fold = Fold(row.state)
    day = _day_of(visit.date, timezone.now())
    fold.visit(visit.pk, day, visit.practitioner_id, visit.ea_pairs, visit.massage_done)
    if not _scores(fold, [score_of(s, day) for s in scores]):
        rebuild(episode)
        return
    _settle(fold, episode)
    _save(row, fold)


def score_recorded(episode: Episode, score: OutcomeScore) -> None:
    """A score recorded on its own (the API, a patient's link or the tablet)."""
    row = _locked(episode)
    if row is None:
        return
    fold = Fold(row.state)
    if not _scores(fold, [score_of(score)]):
        rebuild(episode)
        return
    _settle(fold, episode)
    _save(row, fold)


def discharged(episode: Episode) -> None:
    """The course's figures are final: rebuilt once from its records (the same fold as the writes)."""
    rebuild(episode)


def _scores(fold: Fold, scores: list[NewScore]) -> bool:
    return all(fold.score(score) for score in sorted(scores, key=lambda s: (s.day, s.recorded_at, s.id)))


def _settle(fold: Fold, episode: Episode) -> None:
    fold.settle(lambda day: Visit.objects.filter(episode_id=episode.pk, date__lte=day).count())


def _locked(episode: Episode) -> EpisodeOutcome | None:
    """The episode's row, locked for the write's transaction (PostgreSQL; SQLite's writes are serialised);
    None after rebuilding a missing row from the records (which already counts this write)."""
    row = EpisodeOutcome.objects.select_for_update().filter(episode_id=episode.pk).first()
    if row is None:
        rebuild(episode)
    return row


def _save(row: EpisodeOutcome, fold: Fold) -> None:
    EpisodeOutcome.objects.filter(pk=row.pk).update(state=fold.state(), **fold.columns())


def rebuild(episode: Episode) -> EpisodeOutcome:
    """The row recomputed from the episode's first plan, visits and scores (the same fold as the writes)."""
    fresh = Episode.objects.only("id", "clinic_id", "opened_on").get(pk=episode.pk)
    fold = fold_course(fresh.pk)
    row, _ = EpisodeOutcome.objects.update_or_create(episode_id=fresh.pk, defaults={
        "clinic_id": fresh.clinic_id, "opened_on": fresh.opened_on, "state": fold.state(), **fold.columns()})
    return row


def fold_course(episode_id: int) -> Fold:
    fold = Fold()
    fold.first_plan(PlanRevision.objects.filter(episode_id=episode_id, number=1).first())
    for vid, day, practitioner_id, ea_pairs, massage in (
            Visit.objects.filter(episode_id=episode_id).order_by("date", "id")
            .values_list("id", "date", "practitioner_id", "ea_pairs", "massage_done")):
        fold.visit(vid, day, practitioner_id, ea_pairs, massage)
    rows = OutcomeScore.objects.filter(episode_id=episode_id).values_list(*SCORE_COLUMNS)
    scores = [NewScore(i, measure or instrument, instrument, result, at, _day_of(visit_day, at))
              for i, measure, instrument, result, at, visit_day in rows]
    _scores(fold, scores)
    _settle(fold, Episode(pk=episode_id))
    return fold


def fill_missing(batch: int = 1000) -> int:
    """Create the rows of the episodes that have none (episodes bulk-created without the signal, as the benchmark
    generator makes them), a thousand at a time, reading each batch's visits and scores in one query each;
    returns how many."""
    missing = list(Episode.objects.filter(outcome__isnull=True).order_by("id").values_list("id", flat=True))
    for start in range(0, len(missing), batch):
        ids = missing[start:start + batch]
        folds = {eid: Fold() for eid in ids}
        dates: dict[int, list[str]] = {eid: [] for eid in ids}
        for plan in PlanRevision.objects.filter(episode_id__in=ids, number=1).only("episode_id", "plan"):
            folds[plan.episode_id].first_plan(plan)
        for eid, vid, day, practitioner_id, ea_pairs, massage in (
                Visit.objects.filter(episode_id__in=ids).order_by("episode_id", "date", "id")
                .values_list("episode_id", "id", "date", "practitioner_id", "ea_pairs", "massage_done")):
            folds[eid].visit(vid, day, practitioner_id, ea_pairs, massage)
            dates[eid].append(day.isoformat())
        scores: dict[int, list[NewScore]] = {}
        for eid, *row in OutcomeScore.objects.filter(episode_id__in=ids).values_list("episode_id", *SCORE_COLUMNS):
            i, measure, instrument, result, at, visit_day = row
            scores.setdefault(eid, []).append(NewScore(i, measure or instrument, instrument, result, at,
                                                       _day_of(visit_day, at)))
        rows = []
        for eid, clinic_id, opened_on in Episode.objects.filter(id__in=ids).values_list("id", "clinic_id",
                                                                                         "opened_on"):
            fold = folds[eid]
            _scores(fold, scores.get(eid, []))
            fold.settle(lambda day, seen=dates[eid]: sum(d <= day for d in seen))  # type: ignore[misc]
            rows.append(EpisodeOutcome(episode_id=eid, clinic_id=clinic_id, opened_on=opened_on,
                                       state=fold.state(), **fold.columns()))
        EpisodeOutcome.objects.bulk_create(rows, batch_size=500)
    return len(missing)


def rebuild_all(episodes: Q | None = None) -> int:
    """Rebuild every episode's row (or those matching `episodes`); returns how many."""
    n = 0
    for episode in Episode.objects.filter(episodes or Q()).only("id").iterator():
        rebuild(episode)
        n += 1
    return n


# ------------------------------------------------------------------------------------------- the definition
def definition(episode: Episode) -> dict[str, Any]:
    """The columns computed the plain way from the whole course, through `episode_progress` (what the page shows):
    the reference the incremental row must equal (tests; not used by the writes)."""
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
    for measure, column in COLUMN_OF.items():
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


def columns_of(row: EpisodeOutcome) -> dict[str, Any]:
    """The row's dashboard columns, keyed as `definition` keys them."""
    return {name: getattr(row, name) for name in definition_keys()}


def definition_keys() -> tuple[str, ...]:
    return tuple(Fold().columns())
