"""The shape of the clinical knowledge: one frozen record type per kind of record in `data/*.yaml`.

These classes are the schema. They are msgspec Structs because defining and filling them is fast enough for a
cold CLI start; `validate.py` derives pydantic models from them to report every error with its path, then checks
what no type can say: references between files, duplicate ids and rules that can never fire.
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct, field

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
SeeWithin = Literal["now", "same_day", "two_weeks", "none"]
FlagGroup = Literal["cauda_equina", "cancer", "infection", "fracture", "other"]
Modality = Literal["acupuncture", "electroacupuncture", "massage", "cupping", "acupressure", "dry_needling"]
Thermal = Literal["ice", "heat", "ice_then_heat", "none"]
View = Literal["back", "front", "lateral", "medial", "hand_dorsal", "foot_dorsal"]
#: The body position an instruction puts the patient in (supine = lying on the back).
Position = Literal["seated", "standing", "supine", "prone", "side_lying", "hands_knees", "kneeling"]
SiteModality = Literal["needles", "electroacupuncture", "cupping", "heat", "massage", "deep_pressure"]
Scalar = str | bool | int | float


class Source(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A work that a clinical assertion rests on."""

    id: str
    title: str
    citation: str
    kind: Literal["guideline", "review", "trial", "textbook", "standard", "seed", "manual", "contract", "other"]
    url: str | None = None
    note: str | None = None


class Condition(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
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


class Caution(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A sentence that applies only to some patients: it is shown when `when` holds for the case.

    Pregnancy cautions test whether the patient could be pregnant; age-specific ones test `patient.age`. The
    validator refuses a sentence about pregnancy anywhere it would be shown to every patient.
    """

    text: str
    when: Condition


class Offset(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Proportional (B-cun) offsets from a landmark, in the body's own directions."""

    up: float = 0.0
    down: float = 0.0
    lateral: float = 0.0
    medial: float = 0.0
    anterior: float = 0.0
    posterior: float = 0.0


class Placement(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where a point is drawn: a landmark, optionally a fraction of the way to a second one, then cun offsets."""

    view: View
    landmark: str
    toward: str | None = None
    fraction: float | None = None
    offset: Offset = field(default_factory=Offset)


class Depth(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Usual needling depth in cun, with the angle and what to watch for."""

    min_cun: float
    max_cun: float
    angle: Literal["perpendicular", "oblique", "transverse"] = "perpendicular"
    note: str | None = None


class SelfPressure(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How a patient can press this point at home, in plain words; `notes` are added when they apply.

    `positions` names every body position the text of `how` mentions; when it includes `supine`,
    `how_no_supine` is the same instruction without lying on the back (for pregnancy after about 20 weeks).
    """

    how: str
    tool: str | None = None
    positions: tuple[Position, ...]
    how_no_supine: str | None = None
    notes: tuple[Caution, ...] = ()


class Point(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An acupuncture point the protocols use or the rules may choose.

    `cautions` apply to every patient; `cautions_if` only to those for whom their condition holds (a plan shows
    a pregnancy caution only when the patient could be pregnant).

    Only ASHI has no placement: it lies wherever palpation finds the tender spot. `confusable_with` lists points
    a patient pressing at home could not tell this one apart from (Ling Gu beside LI4); `over_large_vessel`
    marks a point lying over a large artery or vein (BL40 over the popliteal vessels).
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
    cautions_if: tuple[Caution, ...] = ()
    forbidden_in_pregnancy: bool = False
    confusable_with: tuple[str, ...] = ()
    over_large_vessel: bool = False
    self_pressure: SelfPressure | None = None
    sources: tuple[str, ...]


class Landmark(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An anatomical landmark that point placements and body figures share."""

    id: str
    name: str
    description: str
    views: tuple[View, ...]


class RedFlag(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A screening question answered "yes", with what it means and what to do."""

    id: str
    name: str  # what a person reads where the id would be: never the id itself
    group: FlagGroup
    level: Level
    see_within: SeeWithin
    contact: str
    question: str
    practitioner_advice: str
    patient_text: str
    sources: tuple[str, ...]


class DerivedFlag(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A red flag the engine raises from other answers (for example sudden pain in both legs)."""

    id: str
    flag: str
    when: Condition
    reason: str
    sources: tuple[str, ...]


class Escalation(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A finding, or a combination of findings, that needs a doctor by itself or sooner than its flags alone:
    it sets a triage level and a referral timing (`see_within`), with whom to contact."""

    id: str
    name: str  # what a person reads where the id would be: never the id itself
    when: Condition
    level: Level
    see_within: SeeWithin
    contact: str
    reason: str
    advice: str | None = None
    patient_text: str | None = None
    sources: tuple[str, ...]


class TriageAdvice(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The headline advice for a referral timing; an entry with a `level` applies only at that level, the entry
    without one to every other level."""

    see_within: SeeWithin
    level: Level | None = None
    advice: str
    patient_text: str
    sources: tuple[str, ...]


class TimingWords(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The plain words that state a referral timing first, for the practitioner and for the patient."""

    see_within: SeeWithin
    practitioner: str
    patient: str
    sources: tuple[str, ...]


class Triage(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    flags: tuple[RedFlag, ...]
    derived: tuple[DerivedFlag, ...]
    escalations: tuple[Escalation, ...]
    timing: tuple[TimingWords, ...]
    advice: tuple[TriageAdvice, ...]


class Finding(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Evidence for or against something: when it holds, `weight` is added (log-odds, or points)."""

    id: str
    when: Condition
    weight: float
    reason: str
    sources: tuple[str, ...]


class Cause(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A likely cause of sciatica; its likelihood is the logistic of `prior` plus the weights that fired.

    A cause with `applies_when` is weighed and listed only for patients it can apply to.
    """

    id: str
    name: str
    description: str
    prior: float
    findings: tuple[Finding, ...]
    applies_when: Condition | None = None
    sources: tuple[str, ...]


class RootSigns(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The findings that point at one nerve root; it is named when their weights reach the threshold."""

    root: Literal["L4", "L5", "S1"]
    findings: tuple[Finding, ...]


class ChannelMap(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which pain areas lie on a channel's course in the leg and back, with how strongly each one counts."""

    channel: Channel
    name: str
    areas: dict[str, float]
    sources: tuple[str, ...]


class Pattern(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A TCM pattern with the signs that support it; named when their weights reach `threshold`."""

    id: str
    name: str
    principle: str
    threshold: float
    signs: tuple[Finding, ...]
    sources: tuple[str, ...]


class Assessment(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    roots: tuple[RootSigns, ...]
    root_threshold: float
    channels: tuple[ChannelMap, ...]
    channel_threshold: float
    causes: tuple[Cause, ...]
    weights_note: str
    patterns: tuple[Pattern, ...]
    phases: tuple[PhaseBand, ...]


class PhaseBand(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The first band whose `when` holds names the phase of the episode."""

    phase: Literal["acute", "subacute", "chronic"]
    when: Condition
    sources: tuple[str, ...]


class PointChoice(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: str
    role: Role


class PointRule(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """When `when` holds, choose these points on the side `side` says (relative to the pain)."""

    id: str
    when: Condition
    points: tuple[PointChoice, ...]
    side: SideRule
    priority: int
    reason: str
    sources: tuple[str, ...]


class PairRule(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Electroacupuncture pairs to connect when `when` holds and both points are planned on one side."""

    id: str
    when: Condition
    pairs: tuple[tuple[str, str], ...]
    priority: int
    reason: str
    sources: tuple[str, ...]


class FrequencyRule(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    when: Condition
    frequency_hz: str
    minutes: int
    reason: str
    sources: tuple[str, ...]


class MassageTechnique(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    name: str
    description: str
    targets: tuple[str, ...]
    when: Condition
    acute: Literal["ok", "gentle", "avoid"]
    sources: tuple[str, ...]


class Cupping(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    description: str
    sites: tuple[str, ...]
    areas: tuple[str, ...]
    when: Condition
    sources: tuple[str, ...]


class NeedleCap(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The most needles one session may use (a point on both sides counts two); the first match wins."""

    id: str
    when: Condition
    needles: int
    reason: str
    sources: tuple[str, ...]


class Protocol(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the protocol would choose, before any safety rule: points, pairs, frequencies, hands-on work."""

    max_points: int
    needle_caps: tuple[NeedleCap, ...]
    point_rules: tuple[PointRule, ...]
    pair_rules: tuple[PairRule, ...]
    max_pairs: int
    frequency_rules: tuple[FrequencyRule, ...]
    massage: tuple[MassageTechnique, ...]
    massage_frequency: str
    cupping: Cupping


class Exercise(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A home exercise. It is held off when one of `hold_off` holds, and explained by the first that does;
    `notes` are added to the instructions for the patients they apply to. `positions` names every body position
    its instructions mention, and when that includes `supine`, `instructions_no_supine` is the version without
    lying on the back (or it is held off)."""

    id: str
    name: str
    instructions: str
    positions: tuple[Position, ...]
    instructions_no_supine: str | None = None
    notes: tuple[Caution, ...] = ()
    dosage: str
    when: Condition
    hold_off: tuple[Caution, ...] = ()
    sources: tuple[str, ...]


class Ergonomic(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    name: str
    advice: str
    notes: tuple[Caution, ...] = ()
    when: Condition
    sources: tuple[str, ...]


class ThermalRule(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The first thermal rule whose `when` holds decides between ice, heat, both or neither."""

    id: str
    when: Condition
    thermal: Thermal
    advice: str
    sources: tuple[str, ...]


class HeatFirst(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The warm-up before acupressure, given only when the plan's heat-or-ice choice includes heat;
    `flare_note` is added when the choice is cold for flare-ups and warmth for stiffness."""

    minutes: tuple[int, int]
    text: str
    flare_note: str
    sources: tuple[str, ...]


class AcupressureDose(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    hold_minutes: tuple[int, int]
    times_per_day: tuple[int, int]
    how: str
    max_points: int
    heat_first: HeatFirst
    sources: tuple[str, ...]


class SelfCare(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The home programme; `thermal_areas` are the pain areas where heat or ice packs go."""

    exercises: tuple[Exercise, ...]
    thermal_areas: tuple[str, ...]
    ergonomics: tuple[Ergonomic, ...]
    thermal_rules: tuple[ThermalRule, ...]
    acupressure: AcupressureDose


class Exclusion(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which points a safety rule removes: by code, by body region, by channel; on which side of the body."""

    codes: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()
    forbidden_in_pregnancy: bool = False
    confusable_with_forbidden: bool = False
    over_large_vessel: bool = False
    side: Literal["any", "affected"] = "any"


class WarningSign(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A sign the patient must act on, how soon, and whom to contact."""

    text: str
    see_within: SeeWithin
    contact: str


class SiteGuard(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Keeps treatment off where a site-bound medical item is (`medical_sites.<item>`).

    With the site recorded, `over_site` is barred where it overlaps the site (needles: points lying in its
    areas; cupping and heat: where their areas overlap; massage and deep pressure: a caution naming the areas).
    With the site not recorded every site is possible: `unrecorded` is held back, saying why.
    """

    item: str
    over_site: tuple[SiteModality, ...]
    unrecorded: tuple[SiteModality, ...] = ()
    unrecorded_reason: str | None = None


class SafetyRule(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A contraindication or caution, applied after planning; it may exclude, disallow and warn.

    `no_pairs_in_areas_of` names a fact listing pain-area ids (such as `examination.sensory_loss`): no
    electroacupuncture pair may use a point lying in one of those areas. `omit_techniques` leaves massage
    techniques out by id; `max_depth_cun` caps every needle's depth; `max_pairs` caps the electroacupuncture
    pairs (a pair on both sides counts two); `needle_cap` lowers the session's needle cap; `no_supine` swaps
    home instructions that lie on the back for their other version or holds them off; `site` keeps treatment
    off a site-bound item's recorded site; `signs` lists what the patient must act on, with whom to contact.
    """

    id: str
    name: str  # what a person reads where the id would be: never the id itself
    when: Condition
    exclude: Exclusion | None = None
    disallow: tuple[Modality, ...] = ()
    no_pairs_in_areas_of: str | None = None
    massage_cautions: tuple[str, ...] = ()
    omit_techniques: tuple[str, ...] = ()
    max_depth_cun: float | None = None
    max_pairs: int | None = None
    needle_cap: int | None = None
    no_supine: bool = False
    site: SiteGuard | None = None
    warning_id: str | None = None
    warning: str | None = None
    signs: tuple[WarningSign, ...] = ()
    reason: str
    evidence: str | None = None
    sources: tuple[str, ...]


class CourseBand(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    when: Condition
    sessions_per_week: int
    course_sessions: tuple[int, int]
    reason: str
    sources: tuple[str, ...]


class CoursePhase(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    weeks: str
    goal: str
    sources: tuple[str, ...]


class Schedule(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    bands: tuple[CourseBand, ...]
    review_after_sessions: int
    refer_after_sessions: int
    taper: str
    retention_minutes: tuple[int, int]
    phases: tuple[CoursePhase, ...]
    sources: tuple[str, ...]


class EvidenceStatement(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An evidence statement, worded at the strength of its evidence; stated only where `applies_when` holds."""

    id: str
    text: str
    grade: Literal["high", "moderate", "low", "very_low"]
    applies_when: Condition | None = None
    sources: tuple[str, ...]


class Guideline(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the guideline says about the treatment we offer, stated on every plan.

    `consent_note` holds one `{involves}`: the engine puts there the `consent_modalities` phrases of the
    modalities the plan actually includes (or `consent_nothing_planned`), so consent names only what is planned.
    """

    id: str
    position: str
    recommends: tuple[str, ...]
    evidence_grade: Literal["high", "moderate", "low", "very_low"]
    consent_note: str
    consent_modalities: dict[Modality, str]
    consent_nothing_planned: str
    statements: tuple[EvidenceStatement, ...]
    sources: tuple[str, ...]


class FieldLabel(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a form calls one intake field (by its contract path), with an optional line of help."""

    label: str
    help: str = ""


class AreaRegion(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Body areas grouped under one heading, so that a site is found at a glance."""

    title: str
    areas: tuple[str, ...]


class Labels(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The words the forms use for the intake contract's fields and choices (`labels.yaml`); the red-flag
    questions are the flags' own (`triage.yaml`)."""

    fields: dict[str, FieldLabel]
    choices: dict[str, str]
    flag_groups: dict[FlagGroup, str]
    site_questions: dict[str, str]
    area_regions: tuple[AreaRegion, ...]
    mrc_grades: dict[int, str]


ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
CPT = "http://www.ama-assn.org/go/cpt"
CodeSystem = Literal[
    "http://hl7.org/fhir/sid/icd-10-cm", "http://snomed.info/sct", "http://loinc.org",
    "http://www.ama-assn.org/go/cpt",
]
#: Where a code is needed: on a superbill (`bill`) or in an exported record (`export`). Both need a verified code.
CodeUse = Literal["bill", "export"]
DiagnosisSide = Literal["right", "left", "bilateral", "unspecified"]
SpineRegion = Literal["lumbar", "lumbosacral"]


class Code(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A standard code: `verified` only when the code itself is in the checked facts (the sources say where).

    `used_in` says where the product puts it; the validator refuses an unverified code there.
    """

    system: CodeSystem
    code: str
    display: str
    verified: bool
    used_in: tuple[CodeUse, ...] = ()
    note: str | None = None
    sources: tuple[str, ...]


class Diagnosis(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A diagnosis the practitioner may record, one member of a `family` told apart by side, spinal region and
    `when` (a condition over the intake, such as neurogenic claudication)."""

    id: str
    family: str
    name: str
    side: DiagnosisSide | None = None
    region: SpineRegion | None = None
    when: Condition | None = None
    codes: tuple[Code, ...]
    note: str | None = None
    sources: tuple[str, ...]


class CauseCoding(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which diagnosis family a likely cause suggests; none means the general sciatica family (`fallback`)."""

    cause: str
    family: str | None = None
    note: str
    sources: tuple[str, ...]


class FallbackCoding(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The family suggested when the cause has none or its family cannot be resolved (a disc without a level);
    `back_pain_family` instead when `back_pain` holds."""

    family: str
    back_pain_family: str
    back_pain: Condition
    note: str
    sources: tuple[str, ...]


ProcedureModality = Literal["acupuncture", "electroacupuncture", "massage", "manual_therapy", "cupping"]


class SameDayModifier(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A CPT modifier a line takes when it is billed on the same day as one of `with_modalities`."""

    modifier: str
    with_modalities: tuple[ProcedureModality, ...]
    note: str
    verified: bool
    sources: tuple[str, ...]


class Exclusion1(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Diagnosis families never recorded together with `family` (an ICD-10-CM Excludes1 note)."""

    family: str
    not_with: tuple[str, ...]
    note: str
    sources: tuple[str, ...]


class Procedure(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A procedure the clinic charts; `add_on` codes are billed only with their initial code; `uncoded` says why a
    procedure has no standard code."""

    id: str
    name: str
    modality: ProcedureModality
    add_on: bool = False
    codes: tuple[Code, ...] = ()
    uncoded: str | None = None
    same_day_modifier: SameDayModifier | None = None
    sources: tuple[str, ...]


class Measure(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An outcome measure (by its instrument id) and its codes; `uncoded` says why there is none."""

    id: str
    instrument: str
    name: str
    codes: tuple[Code, ...] = ()
    uncoded: str | None = None
    sources: tuple[str, ...]


class Codes(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Standard codes for every diagnosis, procedure and measure (`codes.yaml`), and how a cause is coded.

    `root_regions` names the spinal region a nerve root's disc usually lies in, for the disc codes.
    """

    diagnoses: tuple[Diagnosis, ...]
    excludes: tuple[Exclusion1, ...]
    causes: tuple[CauseCoding, ...]
    fallback: FallbackCoding
    root_regions: dict[Literal["L4", "L5", "S1"], SpineRegion]
    root_regions_note: str
    procedures: tuple[Procedure, ...]
    measures: tuple[Measure, ...]
    sources: tuple[str, ...]

    def groups(self) -> tuple[tuple[str, tuple[Concept, ...]], ...]:
        """The coded concepts by the field that lists them."""
        return (("diagnoses", self.diagnoses), ("procedures", self.procedures), ("measures", self.measures))


Concept = Diagnosis | Procedure | Measure


class Knowledge(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
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
    labels: Labels
    codes: Codes
