"""The shape of the clinical knowledge: one frozen dataclass per kind of record in `data/*.yaml`.

These classes are the schema. The runtime loader converts YAML into them with msgspec (fast enough for a cold
CLI start); the validator checks the same classes with pydantic, which reports every error with its path, and
then checks what no type can say: references between files, duplicate ids and rules that can never fire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Channel = Literal[
    "bladder", "gallbladder", "stomach", "spleen", "liver", "kidney", "governor",
    "large_intestine", "small_intestine", "lung", "heart", "san_jiao", "extra", "tung",
]
Region = Literal[
    "lumbar", "sacral", "gluteal", "thigh", "knee", "leg", "ankle", "foot", "hand", "forearm", "shoulder",
]
Role = Literal["local", "distal", "systemic", "balance"]
SideRule = Literal["affected", "opposite", "both", "midline"]
Level = Literal["emergency", "urgent", "routine"]
FlagGroup = Literal["cauda_equina", "cancer", "infection", "fracture", "other"]
Modality = Literal["acupuncture", "electroacupuncture", "massage", "cupping", "acupressure", "dry_needling"]
Thermal = Literal["ice", "heat", "ice_then_heat", "none"]
View = Literal["back", "front", "lateral", "medial", "hand_dorsal", "foot_dorsal"]
Scalar = str | bool | int | float


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A work that a clinical assertion rests on."""

    id: str
    title: str
    citation: str
    kind: Literal["guideline", "review", "trial", "textbook", "standard", "seed", "manual", "contract", "other"]
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """A test over the facts of a case; leaves name a fact, branches combine conditions.

    A leaf names `fact` (an intake path such as `pain.areas`, or a derived fact such as `assessment.phase`)
    and one test: `equals`, `any_of` (a list fact shares a value, or a scalar fact is one of them), `all_of`
    (a list fact holds them all), `at_least` (≥), `above` (>), `at_most` (≤), `below` (<) for numbers, or
    `recorded` (present or absent).
    A branch is `all`, `any` or `none_of` (none of these holds).
    """

    fact: str | None = None
    equals: Scalar | None = None
    any_of: tuple[Scalar, ...] | None = None
    all_of: tuple[Scalar, ...] | None = None
    at_least: float | None = None
    above: float | None = None
    at_most: float | None = None
    below: float | None = None
    recorded: bool | None = None
    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None
    none_of: tuple[Condition, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Offset:
    """Proportional (B-cun) offsets from a landmark, in the body's own directions."""

    up: float = 0.0
    down: float = 0.0
    lateral: float = 0.0
    medial: float = 0.0
    anterior: float = 0.0
    posterior: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    """Where a point is drawn: a landmark, optionally a fraction of the way to a second one, then cun offsets."""

    view: View
    landmark: str
    toward: str | None = None
    fraction: float | None = None
    offset: Offset = field(default_factory=Offset)


@dataclass(frozen=True, slots=True, kw_only=True)
class Depth:
    """Usual needling depth in cun, with the angle and what to watch for."""

    min_cun: float
    max_cun: float
    angle: Literal["perpendicular", "oblique", "transverse"] = "perpendicular"
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SelfPressure:
    """How a patient can press this point at home, in plain words."""

    how: str
    tool: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    """An acupuncture point the protocols use or the rules may choose.

    Only ASHI has no placement: it lies wherever palpation finds the tender spot.
    """

    code: str
    aliases: tuple[str, ...] = ()
    pinyin: str
    english: str
    channel: Channel
    region: Region
    areas: tuple[str, ...] = ()
    location: str
    location_status: Literal["who_2008", "chinese_standard", "tung", "derived", "unverified"]
    placement: Placement | None
    depth: Depth
    avoid: tuple[str, ...] = ()
    actions: tuple[str, ...]
    cautions: tuple[str, ...] = ()
    forbidden_in_pregnancy: bool = False
    self_pressure: SelfPressure | None = None
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Landmark:
    """An anatomical landmark that point placements and body figures share."""

    id: str
    name: str
    description: str
    views: tuple[View, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RedFlag:
    """A screening question answered "yes", with what it means and what to do."""

    id: str
    group: FlagGroup
    level: Level
    question: str
    practitioner_advice: str
    patient_text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DerivedFlag:
    """A red flag the engine raises from other answers (for example sudden pain in both legs)."""

    id: str
    flag: str
    when: Condition
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalation:
    """A combination of findings that raises the triage level above what its flags give alone."""

    id: str
    when: Condition
    level: Level
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TriageAdvice:
    """What to tell the practitioner at each triage level."""

    level: Level
    advice: str
    patient_text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Triage:
    flags: tuple[RedFlag, ...]
    derived: tuple[DerivedFlag, ...]
    escalations: tuple[Escalation, ...]
    advice: tuple[TriageAdvice, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """Evidence for or against something: when it holds, `weight` is added (log-odds, or points)."""

    id: str
    when: Condition
    weight: float
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Cause:
    """A likely cause of sciatica; its likelihood is the logistic of `prior` plus the weights that fired."""

    id: str
    name: str
    description: str
    prior: float
    findings: tuple[Finding, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RootSigns:
    """The findings that point at one nerve root; it is named when their weights reach the threshold."""

    root: Literal["L4", "L5", "S1"]
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelMap:
    """Which pain areas lie on a channel's course in the leg and back, with how strongly each one counts."""

    channel: Channel
    name: str
    areas: dict[str, float]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Pattern:
    """A TCM pattern with the signs that support it; named when their weights reach `threshold`."""

    id: str
    name: str
    principle: str
    threshold: float
    signs: tuple[Finding, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    roots: tuple[RootSigns, ...]
    root_threshold: float
    channels: tuple[ChannelMap, ...]
    channel_threshold: float
    causes: tuple[Cause, ...]
    patterns: tuple[Pattern, ...]
    phases: tuple[PhaseBand, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseBand:
    """The first band whose `when` holds names the phase of the episode."""

    phase: Literal["acute", "subacute", "chronic"]
    when: Condition
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PointChoice:
    code: str
    role: Role


@dataclass(frozen=True, slots=True, kw_only=True)
class PointRule:
    """When `when` holds, choose these points on the side `side` says (relative to the pain)."""

    id: str
    when: Condition
    points: tuple[PointChoice, ...]
    side: SideRule
    priority: int
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PairRule:
    """Electroacupuncture pairs to connect when `when` holds and both points are planned on one side."""

    id: str
    when: Condition
    pairs: tuple[tuple[str, str], ...]
    priority: int
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FrequencyRule:
    id: str
    when: Condition
    frequency_hz: str
    minutes: int
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class MassageTechnique:
    id: str
    name: str
    description: str
    targets: tuple[str, ...]
    when: Condition
    acute: Literal["ok", "gentle", "avoid"]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Cupping:
    description: str
    sites: tuple[str, ...]
    when: Condition
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Protocol:
    """What the protocol would choose, before any safety rule: points, pairs, frequencies, hands-on work."""

    max_points: int
    point_rules: tuple[PointRule, ...]
    pair_rules: tuple[PairRule, ...]
    max_pairs: int
    frequency_rules: tuple[FrequencyRule, ...]
    massage: tuple[MassageTechnique, ...]
    massage_frequency: str
    cupping: Cupping


@dataclass(frozen=True, slots=True, kw_only=True)
class Exercise:
    id: str
    name: str
    instructions: str
    dosage: str
    when: Condition
    avoid_when: Condition | None = None
    avoid_reason: str | None = None
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Ergonomic:
    id: str
    name: str
    advice: str
    when: Condition
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ThermalRule:
    """The first thermal rule whose `when` holds decides between ice, heat, both or neither."""

    id: str
    when: Condition
    thermal: Thermal
    advice: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AcupressureDose:
    hold_minutes: tuple[int, int]
    times_per_day: tuple[int, int]
    how: str
    max_points: int
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SelfCare:
    exercises: tuple[Exercise, ...]
    ergonomics: tuple[Ergonomic, ...]
    thermal_rules: tuple[ThermalRule, ...]
    acupressure: AcupressureDose


@dataclass(frozen=True, slots=True, kw_only=True)
class Exclusion:
    """Which points a safety rule removes: by code, by body region, by channel; on which side of the body."""

    codes: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()
    forbidden_in_pregnancy: bool = False
    side: Literal["any", "affected"] = "any"


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyRule:
    """A contraindication or caution, applied after planning; it may exclude, disallow and warn.

    `no_pairs_in_areas_of` names a fact listing pain-area ids (such as `examination.sensory_loss`): no
    electroacupuncture pair may use a point lying in one of those areas.
    """

    id: str
    when: Condition
    exclude: Exclusion | None = None
    disallow: tuple[Modality, ...] = ()
    no_pairs_in_areas_of: str | None = None
    massage_cautions: tuple[str, ...] = ()
    warning_id: str | None = None
    warning: str | None = None
    reason: str
    evidence: str | None = None
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseBand:
    id: str
    when: Condition
    sessions_per_week: int
    course_sessions: tuple[int, int]
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CoursePhase:
    weeks: str
    goal: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    bands: tuple[CourseBand, ...]
    review_after_sessions: int
    refer_after_sessions: int
    taper: str
    retention_minutes: tuple[int, int]
    phases: tuple[CoursePhase, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceStatement:
    id: str
    text: str
    grade: Literal["high", "moderate", "low", "very_low"]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Guideline:
    """What the guideline says about the treatment we offer, stated on every plan."""

    id: str
    position: str
    recommends: tuple[str, ...]
    evidence_grade: Literal["high", "moderate", "low", "very_low"]
    consent_note: str
    statements: tuple[EvidenceStatement, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Knowledge:
    """Everything the engine knows, loaded once."""

    version: str
    sources: tuple[Source, ...]
    landmarks: tuple[Landmark, ...]
    points: tuple[Point, ...]
    triage: Triage
    assessment: Assessment
    protocol: Protocol
    self_care: SelfCare
    safety: tuple[SafetyRule, ...]
    schedule: Schedule
    guideline: Guideline
