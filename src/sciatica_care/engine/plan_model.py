"""The plan as typed records: the whole of what `plan_for` answers, one frozen Struct per part.

These classes are the plan's schema: `plan.schema.json` (in `contract/`) is generated from them
(`sciatica-care schema --write`, also run by `knowledge compile`), and every consumer (reports, clinic, API)
reads a `Plan`, never string keys.

Fields the contract names are required; the project's extras default to empty or None, so adding an optional
field is one line. The safety fields (`treatment_allowed`, `triage.level`, and `allowed` on each modality) are
required with no default: a plan without one cannot be decoded, so an absent safety field can never read as
"allowed" (a stored plan that fails to decode is shown as not for treatment).

The records hold only strings, numbers and lists of records, never a cycle, so they opt out of the cyclic
garbage collector (`gc=False`), which keeps building them cheap.
"""


import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct, field

from ..knowledge.model import Channel, FlagGroup, Level, Position, Role, SeeWithin, Thermal

Side = Literal["left", "right", "both", "midline"]
Phase = Literal["acute", "subacute", "chronic"]
Root = Literal["L4", "L5", "S1"]
Grade = Literal["high", "moderate", "low", "very_low"]

Strs = list[str]
Pair = Annotated[list[str], Meta(min_length=2, max_length=2)]
IntRange = Annotated[list[int], Meta(min_length=2, max_length=2)]
CunRange = Annotated[list[float], Meta(min_length=2, max_length=2)]


class _Record(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, gc=False):
    """Base of every plan record (each subclass repeats `frozen=True` so that type checkers see it too)."""


# ── triage ───────────────────────────────────────────────────────────────────────────────────────────────


#: A plan stored before the engine gave timings: its level read as its most urgent timing (fail towards sooner).
_LEVEL_TIMING: dict[str, SeeWithin] = {"emergency": "now", "urgent": "same_day", "routine": "none"}


class TriageFlag(_Record, frozen=True):
    """One red flag that fired, given on the intake or derived from other answers."""

    id: str
    derived: bool = False
    rule: str | None = None
    reason: str | None = None
    group: FlagGroup | None = None
    level: Level | None = None
    advice: str = ""
    patient_text: str = ""
    see_within: SeeWithin | None = None
    contact: str | None = None
    sources: Strs = []


class Escalation(_Record, frozen=True):
    """A finding or combination of findings that raised the triage level, how soon and whom to contact."""

    id: str
    level: Level
    reason: str = ""
    see_within: SeeWithin | None = None
    contact: str | None = None
    advice: str | None = None
    patient_text: str | None = None
    sources: Strs = []


class Triage(_Record, frozen=True):
    """`see_within` is the most urgent timing over every flag and finding (None only in a plan stored before the
    engine gave timings); `timing` and `patient_timing` say it in plain words."""

    level: Level
    red_flags: Strs
    advice: str
    patient_advice: str = ""
    see_within: SeeWithin | None = None
    timing: str = ""
    patient_timing: str = ""
    contact: str | None = None
    flags: list[TriageFlag] = []
    escalations: list[Escalation] = []
    sources: Strs = []

    @property
    def routine(self) -> bool:
        return self.level == "routine"

    @property
    def referral(self) -> SeeWithin:
        """The referral timing; for a plan stored without one, read from the level towards sooner."""
        return self.see_within or _LEVEL_TIMING[self.level]


# ── assessment ───────────────────────────────────────────────────────────────────────────────────────────


class Evidence(_Record, frozen=True):
    """A finding that counted, with its weight."""

    id: str
    weight: float
    reason: str = ""
    sources: Strs = []


class Cause(_Record, frozen=True):
    """`likelihood` is a relative weight in 0..1 (each cause weighed on its own findings), not a probability."""

    id: str
    likelihood: float
    reasons: Strs
    rank: int | None = None
    name: str = ""
    findings: list[Evidence] = []
    sources: Strs = []


class PatternDetail(_Record, frozen=True):
    id: str
    name: str = ""
    score: float = 0.0
    principle: str = ""
    signs: list[Evidence] = []
    sources: Strs = []


class Assessment(_Record, frozen=True):
    causes: list[Cause]
    nerve_roots: list[Root]
    channels: list[Channel]
    phase: Phase
    tcm_patterns: Strs
    root_evidence: dict[str, list[Evidence]] = {}
    pattern_details: list[PatternDetail] = []
    weights_note: str = ""


# ── needling ─────────────────────────────────────────────────────────────────────────────────────────────


class PlannedPoint(_Record, frozen=True):
    """A point to needle, where and why."""

    code: str
    side: Side
    role: Role
    reason: str
    sources: Strs
    rule: str | None = None
    rules: Strs = []
    name: str = ""
    location: str = ""
    depth_cun: CunRange | None = None
    depth_reason: str | None = None
    cautions: Strs = []


class ExcludedPoint(_Record, frozen=True):
    """A point the protocol chose and a safety rule removed."""

    code: str
    rule: str
    reason: str
    side: Side | None = None
    sources: Strs = []


class Acupuncture(_Record, frozen=True):
    """`needles` counts needles (a point on both sides is 2), kept within `needle_cap` for this session."""

    points: list[PlannedPoint]
    excluded: list[ExcludedPoint]
    reasons: Strs = []
    needles: int = 0
    needle_cap: int | None = None
    needle_cap_reason: str | None = None


class DryNeedling(_Record, frozen=True):
    allowed: bool
    points: list[PlannedPoint] = []
    reasons: Strs = []
    needles: int = 0


def _no_dry_needling() -> DryNeedling:
    return DryNeedling(allowed=False, reasons=["Dry needling is not part of this plan."])


class PairDetail(_Record, frozen=True):
    points: Pair
    side: Side
    rule: str
    reason: str = ""
    sources: Strs = []


class Electroacupuncture(_Record, frozen=True):
    allowed: bool
    reasons: Strs
    pairs: list[Pair]
    frequency_hz: str | None
    minutes: int | None
    pair_details: list[PairDetail] = []
    frequency_reason: str | None = None
    rule: str | None = None
    sources: Strs = []


# ── hands-on ─────────────────────────────────────────────────────────────────────────────────────────────


class MassageDetail(_Record, frozen=True):
    id: str
    name: str
    gentle: bool
    description: str = ""
    targets: Strs = []
    sources: Strs = []


class Massage(_Record, frozen=True):
    allowed: bool
    techniques: Strs
    cautions: Strs
    reasons: Strs = []
    frequency: str | None = None
    details: list[MassageDetail] = []


class Cupping(_Record, frozen=True):
    allowed: bool
    reasons: Strs
    sites: Strs = []
    description: str | None = None
    sources: Strs = []


# ── home programme ───────────────────────────────────────────────────────────────────────────────────────


class ThermalAdvice(_Record, frozen=True):
    rule: str
    advice: str
    sources: Strs = []


class Adapted(_Record, frozen=True):
    """The safety rule that swapped an instruction for its other version (no lying on the back)."""

    rule: str
    reason: str


class Exercise(_Record, frozen=True):
    id: str
    name: str
    instructions: str = ""
    dosage: str = ""
    positions: list[Position] = []
    adapted: Adapted | None = None
    sources: Strs = []


class HeldExercise(_Record, frozen=True):
    """An exercise that suits the case but is held off for now, with the one reason that applies."""

    id: str
    name: str
    reason: str = ""
    rule: str | None = None
    sources: Strs = []


class Acupressure(_Record, frozen=True):
    code: str
    hold_minutes: IntRange
    times_per_day: IntRange
    side: Side | None = None
    how: str = ""
    tool: str | None = None
    positions: list[Position] = []
    adapted: Adapted | None = None
    rule: str | None = None
    sources: Strs = []


class Ergonomic(_Record, frozen=True):
    id: str
    name: str
    advice: str = ""
    sources: Strs = []


class SelfCare(_Record, frozen=True):
    thermal: Thermal
    exercises: Strs
    acupressure: list[Acupressure]
    ergonomics: Strs
    thermal_advice: ThermalAdvice | None = None
    exercise_details: list[Exercise] = []
    exercises_to_hold_off: list[HeldExercise] = []
    ergonomic_details: list[Ergonomic] = []
    reasons: Strs = []


# ── course ───────────────────────────────────────────────────────────────────────────────────────────────


class CoursePhase(_Record, frozen=True):
    weeks: str
    goal: str
    sources: Strs = []


class Schedule(_Record, frozen=True):
    """The course; a plan whose treatment is withheld books nothing (0 a week, course [0, 0])."""

    sessions_per_week: int
    course_sessions: IntRange
    review_after_sessions: int
    phases: list[CoursePhase]
    refer_after_sessions: int | None = None
    retention_minutes: IntRange | None = None
    taper: str | None = None
    rule: str | None = None
    reasons: Strs = []
    sources: Strs = []


# ── the rest ─────────────────────────────────────────────────────────────────────────────────────────────


class WarningSign(_Record, frozen=True):
    """A sign the patient must act on, how soon, and whom to contact."""

    text: str
    see_within: SeeWithin
    contact: str


class PlanWarning(_Record, frozen=True):
    id: str
    text: str
    rule: str | None = None
    evidence: str | None = None
    signs: list[WarningSign] = []
    sources: Strs = []


class Statement(_Record, frozen=True):
    id: str
    text: str
    grade: Grade
    sources: Strs = []


class Guideline(_Record, frozen=True):
    id: str
    position: str
    recommends: Strs = []
    evidence_grade: Grade | None = None
    consent_note: str = ""
    planned_modalities: Strs = []
    statements: list[Statement] = []
    sources: Strs = []


class Plan(_Record, frozen=True):
    """The engine's answer for one intake (`plan --format json`)."""

    schema_version: str
    triage: Triage
    treatment_allowed: bool
    assessment: Assessment
    acupuncture: Acupuncture
    electroacupuncture: Electroacupuncture
    massage: Massage
    cupping: Cupping
    self_care: SelfCare
    schedule: Schedule
    warnings: list[PlanWarning]
    engine_version: str = ""
    knowledge_version: str = ""
    dry_needling: DryNeedling = field(default_factory=_no_dry_needling)
    guideline: Guideline | None = None


# ── conversion ───────────────────────────────────────────────────────────────────────────────────────────


#: What a consumer may be handed: the typed plan, its JSON text, or the decoded JSON (a stored plan).
PlanLike = Plan | Mapping[str, Any] | str | bytes


class PlanUnreadable(ValueError):
    """A plan that does not match the record (a missing safety field, a corrupt body): never treat from it."""


def plan_from(doc: PlanLike) -> Plan:
    """A `Plan` from its JSON (bytes or str) or from the decoded object; raises PlanUnreadable if it does not fit."""
    if isinstance(doc, Plan):
        return doc
    try:
        if isinstance(doc, (bytes, bytearray, memoryview, str)):
            return msgspec.json.decode(doc, type=Plan)
        return msgspec.convert(doc, Plan)
    except msgspec.ValidationError as exc:
        raise PlanUnreadable(f"the stored plan does not fit the plan record: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise PlanUnreadable(f"the stored plan is not valid JSON: {exc}") from exc


def plan_json(plan: Plan) -> dict[str, Any]:
    """The contract's JSON of a plan, as plain dicts and lists."""
    out: dict[str, Any] = msgspec.to_builtins(plan)
    return out


def generated_plan_schema() -> str:
    """The JSON Schema (draft 2020-12) of the plan, generated from these records, as the checked-in file's text."""
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Sciatica Care plan",
        "$comment": "Generated from src/sciatica_care/engine/plan_model.py by `sciatica-care schema --write`; "
                    "do not edit by hand.",
        **msgspec.json.schema(Plan),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_plan_schema() -> Path:
    """Rewrite the packaged `contract/plan.schema.json` from the records; returns its path."""
    from ..contract import PLAN_SCHEMA

    PLAN_SCHEMA.write_text(generated_plan_schema(), encoding="utf-8")
    return PLAN_SCHEMA
