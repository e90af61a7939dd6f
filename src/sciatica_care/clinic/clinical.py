"""The one seam between the clinic (its records, pages, prints and the API) and the pure core: the engine, the
outcome scorer and rules, and the knowledge. Nothing else in `clinic/` or `api/` imports those packages (a test
walks every module's imports to hold that).

Typed values in and out: the engine's `Plan`, the scorer's `ScoreResult`, a `CourseStatus`, an `Advice`. Where the
core would refuse a calculation because the data do not allow it (one measurement, a baseline of zero, a band
that has no matched care), the seam answers `None`: "not evaluable" is a value here, not an exception to catch.
Bad input (an intake or answers the core refuses) is still `InputRefused`, naming every problem.

`plan_document` and `score_document` are the calls into the core as the contract's JSON; the typed functions are
built on them, so a test may stand a different engine in there and everything above still types and checks it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sciatica_care.engine import charting as _charting
from sciatica_care.engine.charting import ModalityVerdict, PointVerdict, Recheck
from sciatica_care.engine.plan_model import ExcludedPoint, Plan, PlanUnreadable, plan_from
from sciatica_care.errors import InputRefused, Problem
from sciatica_care.interop.billing_units import MAX_MINUTES, MAX_REINSERTIONS, DayBill, DayMinutes, MinutesError
from sciatica_care.interop.billing_units import day_bill as _day_bill
from sciatica_care.interop.diagnosis import Suggestion
from sciatica_care.interop.fhir import (
    ALL_TYPES as FHIR_TYPES,
)
from sciatica_care.interop.fhir import (
    CLINIC_TYPES as FHIR_CLINIC_TYPES,
)
from sciatica_care.interop.fhir import (
    PATIENT_TYPES as FHIR_PATIENT_TYPES,
)
from sciatica_care.interop.fhir import (
    AppointmentRow,
    ClinicRow,
    DocumentRow,
    EpisodeRow,
    PatientRecord,
    PatientRow,
    PlanRow,
    ScoreRow,
    ShiftRow,
    SiteRow,
    StaffRow,
    VisitRow,
)
from sciatica_care.interop.fhir import capability_statement as fhir_capability
from sciatica_care.interop.fhir import collection as fhir_collection
from sciatica_care.interop.fhir import outcome as fhir_outcome
from sciatica_care.interop.fhir import searchset as fhir_searchset
from sciatica_care.interop.fhir.people import identifiers as fhir_identifiers
from sciatica_care.interop.identifiers import normal_ein, npi_problem
from sciatica_care.interop.superbill import (
    Billing,
    Insured,
    Missing,
    Provider,
    Superbill,
    SuperbillRefused,
    VisitCharge,
    build_superbill,
    parse_fee,
)
from sciatica_care.journal import DiaryAnalysis, DiaryEntry, FactorResult, analyse_entries, validate_diary
from sciatica_care.journal.alarm_signs import ALARM_IDS, ALARM_QUESTIONS, AlarmQuestion, flags_reported
from sciatica_care.journal.diary import normalise_name
from sciatica_care.outcomes import (
    CATEGORY_DEFINITIONS,
    INSTRUMENTS,
    Advice,
    CourseStatus,
    Due,
    Instrument,
    Interval,
    MedicareEligibility,
    PayerCheck,
    ScoreResult,
    Wording,
    questionnaires_due,
    wilson_interval,
)
from sciatica_care.outcomes import course_review as _course_review
from sciatica_care.outcomes import course_status as _course_status_by_session
from sciatica_care.outcomes import course_status_by_date as _course_status_by_date
from sciatica_care.outcomes import matched_care as _matched_care
from sciatica_care.outcomes import medicare_check as _medicare_check
from sciatica_care.outcomes import traditional_category as _traditional_category
from sciatica_care.outcomes import wording_in_effect as _wording_in_effect
from sciatica_care.outcomes.stats import CATEGORY_NOTE

if TYPE_CHECKING:
    from sciatica_care.knowledge.model import Knowledge, Labels, Point, RedFlag
    from sciatica_care.reports.home_programme import Programme

__all__ = [
    "ALARM_IDS",
    "ALARM_QUESTIONS",
    "CATEGORY_DEFINITIONS",
    "CATEGORY_NOTE",
    "FHIR_CLINIC_TYPES",
    "FHIR_PATIENT_TYPES",
    "FHIR_TYPES",
    "INSTRUMENTS",
    "MAX_MINUTES",
    "MAX_REINSERTIONS",
    "Advice",
    "AlarmQuestion",
    "Billing",
    "ClinicRow",
    "CourseStatus",
    "DayBill",
    "DayMinutes",
    "DiagnosisChoice",
    "DiaryAlarm",
    "DiaryAnalysis",
    "DiaryEntry",
    "DocumentRow",
    "Due",
    "EpisodeRow",
    "ExcludedPoint",
    "FactorResult",
    "Instrument",
    "Insured",
    "Interval",
    "MedicareEligibility",
    "MinutesError",
    "Missing",
    "ModalityVerdict",
    "PatientRecord",
    "PatientRow",
    "PayerCheck",
    "Plan",
    "PlanRow",
    "PlanUnreadable",
    "PlannedIntake",
    "PointVerdict",
    "Provider",
    "Recheck",
    "ScoreResult",
    "ScoreRow",
    "StaffRow",
    "Suggestion",
    "Superbill",
    "SuperbillRefused",
    "VisitCharge",
    "VisitRow",
    "Wording",
    "analyse_diary_entries",
    "billed_cpt_codes",
    "build_superbill",
    "check_electroacupuncture",
    "check_points",
    "course_review",
    "course_status",
    "course_status_in_order",
    "day_bill",
    "diagnosis_choices",
    "diagnosis_entries",
    "diagnosis_problems",
    "diary_alarm",
    "display_name",
    "fhir_capability",
    "fhir_clinic_resources",
    "fhir_collection",
    "fhir_identifiers",
    "fhir_name",
    "fhir_outcome",
    "fhir_patient_resources",
    "fhir_searchset",
    "find_point",
    "home_programme",
    "intake_schema",
    "knowledge",
    "labels",
    "matched_care",
    "medicare_check",
    "normal_ein",
    "normalise_name",
    "npi_problem",
    "parse_fee",
    "plan_document",
    "plan_for",
    "questionnaires_due",
    "read_plan",
    "recheck",
    "recheck_questions",
    "red_flags",
    "score",
    "score_document",
    "site_bound_items",
    "suggest_diagnoses",
    "timing_no_slower",
    "traditional_category",
    "validate_diary_day",
    "wilson_interval",
    "wording_in_effect",
]


# --- the plan -------------------------------------------------------------------------------------------------

def timing_no_slower(timing: str | None, than: str | None) -> bool:
    """True when a referral timing (`see_within`) is at least as urgent as another (`none` when absent)."""
    from sciatica_care.knowledge.timing import is_slower

    return not is_slower(timing or "none", than or "none")


@dataclass(frozen=True, slots=True)
class PlannedIntake:
    """The engine's answer to one intake: the plan as the clinic stores it, and typed (None when the document is
    not a readable plan: such a plan is stored as given and never treated from)."""

    document: dict[str, Any]
    plan: Plan | None
    unreadable: str = ""  # why `plan` is None


def plan_document(intake: dict[str, Any]) -> dict[str, Any]:
    """The engine's plan for an intake as the contract's JSON; `InputRefused` on a bad intake."""
    from sciatica_care.engine.plan import plan_for as engine_plan_for

    return engine_plan_for(intake)


def plan_for(intake: dict[str, Any]) -> PlannedIntake:
    """The engine's plan for an intake, stored form and typed; `InputRefused` on a bad intake."""
    document = plan_document(intake)
    try:
        return PlannedIntake(document, plan_from(document))
    except PlanUnreadable as exc:
        return PlannedIntake(document, None, str(exc))


def read_plan(document: object) -> Plan:
    """A stored plan, typed; `PlanUnreadable` (with what is wrong) when a safety field is missing or it is corrupt:
    such a plan is never read as allowing treatment."""
    return plan_from(document)  # type: ignore[arg-type]


def home_programme(intake: dict[str, Any], plan: Plan) -> Programme:
    """The patient's home programme from a readable plan (the content the handout prints): an empty programme
    when the plan is not for treatment; `UnsafeProgramme` (from reports.home_programme) when it would show a
    point forbidden in pregnancy to a patient who is or may be pregnant."""
    from sciatica_care.reports.home_programme import build_programme

    return build_programme(intake, plan, knowledge())


# --- the knowledge --------------------------------------------------------------------------------------------

def knowledge() -> Knowledge:
    """The packaged clinical knowledge (loaded once per process)."""
    from sciatica_care.knowledge.load import load_knowledge

    return load_knowledge()


def intake_schema() -> dict[str, Any]:
    """The intake contract's JSON Schema: the fields, choices and limits the clinic's forms are generated from."""
    from sciatica_care.contract import intake_schema as schema

    return schema()


def labels() -> Labels:
    """The words the forms use for the intake's fields and choices (knowledge `labels.yaml`)."""
    return knowledge().labels


def display_name(value: object, otherwise: str | None = None, *, record: bool = False) -> str:
    """What a person reads for an id a plan, a record or a filter carries: a choice's label from the labels file,
    else the knowledge's name for it (a safety rule and its warning, a red flag, an escalation, a cause, a pattern,
    a channel, a massage technique, an exercise, an everyday habit), else `otherwise` when given (free text stays
    as written), else the id in words; "" for None. No page shows a raw id. `record=True` when the value is known
    to name a knowledge record (an exercise, a technique, a rule): its name wins over an intake choice's label
    (the exercise `walking` is "Daily walking", the intake's `walking` eases the pain)."""
    from sciatica_care.reports.labels import humanise, name_of

    if value is None:
        return ""
    text = str(value)
    choice, named = labels().choices.get(text), name_of(text, knowledge())
    found = (named or choice) if record else (choice or named)
    if found is not None:
        return found
    return otherwise if otherwise is not None else humanise(text)


def red_flags() -> tuple[RedFlag, ...]:
    """The red flags in the order the screen asks them, each with its group and its question (`triage.yaml`)."""
    return knowledge().triage.flags


def site_bound_items() -> tuple[str, ...]:
    """The medical items whose place on the body the intake asks for, in the schema's order: every item a safety
    rule's `site` guards, and every item the labels give a site question."""
    k = knowledge()
    bound = {r.site.item for r in k.safety if r.site is not None} | set(k.labels.site_questions)
    medical: list[str] = intake_schema()["properties"]["medical"]["items"]["enum"]
    return tuple(m for m in medical if m in bound)


def find_point(code: str) -> Point | None:
    """The point a code or any of its aliases names (LI4, li4, LI-4 …), or None when no point has that name."""
    from sciatica_care.engine.rulebook import rulebook

    return rulebook().point(code)


# --- charting a session --------------------------------------------------------------------------------------

def check_points(intake: object, plan: Plan | None, points: Sequence[tuple[str, str]]) -> list[PointVerdict | None]:
    """The engine's verdict on each charted (code, side): canonical code, planned or not, and the rule that refuses
    it (excluded by the plan, or forbidden for this patient now); None for a code that names no point."""
    return _charting.check_points(intake, plan, points)


def check_electroacupuncture(plan: Plan | None) -> ModalityVerdict | None:
    """None when the plan allows e-stim; otherwise the rule and reasons that disallow it."""
    return _charting.check_electroacupuncture(plan)


def recheck(flags: Sequence[str]) -> Recheck:
    """The red-flag re-check at a visit: whether needling stops, and the referral advice with its timing."""
    return _charting.recheck(flags)


def recheck_questions() -> list[tuple[str, str, str]]:
    """(group, flag id, question) for each red flag the re-check asks, in the knowledge's order."""
    return _charting.recheck_questions()


# --- questionnaires and outcomes -----------------------------------------------------------------------------

def score_document(instrument: str, answers: list[Any]) -> dict[str, Any]:
    """The scorer's result as the contract's JSON; `InputRefused` on bad answers."""
    from sciatica_care.outcomes import score as outcomes_score

    return dict(outcomes_score(instrument, answers).to_json())


def score(instrument: str, answers: list[Any]) -> ScoreResult:
    """One questionnaire scored; `InputRefused` (every problem, with its path) on bad answers."""
    return ScoreResult(**score_document(instrument, answers))


def wording_in_effect(measure: str, folder: Path) -> Wording:
    """The words a questionnaire is asked in: the clinic's loaded wording in `folder`, else the project's own."""
    return _wording_in_effect(measure, folder)


def course_status(instrument: str, baseline: float, later: Sequence[tuple[dt.date, float]]) -> CourseStatus | None:
    """The measure's status against its baseline, or None when it cannot be evaluated (nothing after baseline, or
    values the rules do not accept: a baseline at the floor, a value off the scale)."""
    if not later:
        return None
    try:
        return _course_status_by_date(instrument, baseline, list(later))
    except InputRefused:
        return None


def course_status_in_order(instrument: str, baseline: float, later: Sequence[float]) -> CourseStatus | None:
    """The measure's status against its baseline from the later measurements in the order they were recorded
    (each one counts, the last is the latest: 7 then 2 on one day is a fall to 2, not that day's worst), or None
    when it cannot be evaluated (as `course_status`)."""
    if not later:
        return None
    try:
        return _course_status_by_session(instrument, baseline, list(enumerate(later, start=1)))
    except InputRefused:
        return None


def traditional_category(instrument: str, baseline: float, current: float) -> str | None:
    """The traditional outcome category of a change, or None when it cannot be evaluated."""
    try:
        return str(_traditional_category(instrument, baseline, current))
    except InputRefused:
        return None


def course_review(visit_dates: list[dt.date], today: dt.date, statuses: list[CourseStatus],
                  last_red_flag_check: dt.date | None) -> list[Advice] | None:
    """The advice before the next visit (review, refer, taper, re-check red flags), or None when not evaluable."""
    try:
        return _course_review(visit_dates, today, statuses, last_red_flag_check)
    except InputRefused:
        return None


def matched_care(band: str | None) -> Advice | None:
    """The care STarT Back's risk group is matched to, or None without a (known) group."""
    if not band:
        return None
    try:
        return _matched_care(band)
    except InputRefused:
        return None


def medicare_check(dates: list[dt.date], day: dt.date, improving: bool,
                   eligibility: MedicareEligibility) -> PayerCheck | None:
    """The optional payer rule's check of a visit, or None when it cannot be evaluated."""
    try:
        return _medicare_check(dates, day, improving, eligibility)
    except InputRefused:
        return None


# --- FHIR R4 (interop/fhir) -------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def fhir_name(code: str) -> str:
    """What a person reads for an id a FHIR resource carries: a point's pinyin and English name, else the
    knowledge's or the labels' name for it."""
    point = find_point(code) if len(code) <= 8 else None
    if point is not None and point.code == code:
        return f"{point.pinyin} ({point.english})"
    return display_name(code, record=True)


def fhir_patient_resources(record: PatientRecord) -> Iterator[dict[str, Any]]:
    """Every FHIR resource of one patient's record, one at a time (see `interop.fhir.compartment`), with the
    standard codes of the codes knowledge."""
    from sciatica_care.interop.fhir import patient_resources

    return patient_resources(record, fhir_name)


def fhir_clinic_resources(clinics: Sequence[ClinicRow], staff: Sequence[StaffRow], sites: Sequence[SiteRow] = (),
                          shifts: Sequence[ShiftRow] = (), booked: Iterable[AppointmentRow] = ()
                          ) -> Iterator[dict[str, Any]]:
    """The clinic's own FHIR resources: organisation, places, staff, questionnaires, working hours, busy slots."""
    from sciatica_care.interop.fhir import clinic_resources

    return clinic_resources(clinics, staff, sites, shifts, booked)
# --- billing and codes (issue 14) -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DiagnosisChoice:
    """A diagnosis the practitioner may confirm: its knowledge id, ICD-10-CM code and title, and whether it may go
    on a bill (a verified code)."""

    id: str
    code: str
    display: str
    name: str
    billable: bool
    note: str


def diagnosis_choices() -> tuple[DiagnosisChoice, ...]:
    """Every diagnosis of the knowledge base, in its order."""
    from sciatica_care.knowledge.codes import code_for, usable_code
    from sciatica_care.knowledge.model import ICD10CM

    out = []
    for d in knowledge().codes.diagnoses:
        code = code_for(d.id, ICD10CM)
        if code is not None:
            out.append(DiagnosisChoice(d.id, code.code, code.display, d.name,
                                       usable_code(d.id, "bill", ICD10CM) is not None, d.note or ""))
    return tuple(out)


def suggest_diagnoses(intake: dict[str, Any] | None, plan: Plan | None) -> Suggestion:
    """The ICD-10-CM diagnoses suggested for a course from its intake (side, back pain, claudication) and its
    plan's assessment (the top cause and the nerve roots); with neither, sciatica with the side unrecorded."""
    from sciatica_care.interop.diagnosis import suggest_diagnoses as suggest
    from sciatica_care.knowledge.facts import intake_facts

    assessment = plan.assessment if plan is not None else None
    cause = assessment.causes[0].id if assessment is not None and assessment.causes else None
    roots = tuple(assessment.nerve_roots) if assessment is not None else ()
    episode = (intake or {}).get("episode") or {}
    side = episode.get("side") if episode.get("side") in ("left", "right", "both") else None
    return suggest(cause, side, roots, intake_facts(intake) if intake else {})


def diagnosis_problems(ids: Sequence[str]) -> list[str]:
    """Why these diagnoses cannot be confirmed together (unknown, repeated, excluded together), or []."""
    from sciatica_care.interop.diagnosis import combination_problems

    return combination_problems(ids)


def diagnosis_entries(ids: Sequence[str]) -> list[dict[str, str]]:
    """The confirmed diagnoses as the episode stores them: id, ICD-10-CM code and title (known ids only)."""
    by_id = {c.id: c for c in diagnosis_choices()}
    return [{"id": i, "code": by_id[i].code, "display": by_id[i].display} for i in ids if i in by_id]


def day_bill(minutes: DayMinutes) -> DayBill:
    """The CPT lines of one day's minutes (raises MinutesError naming the field at fault)."""
    return _day_bill(minutes)


def billed_cpt_codes() -> list[tuple[str, str]]:
    """(CPT code, display) of every procedure a superbill may bill, for the clinic's fee schedule."""
    from sciatica_care.knowledge.codes import usable_code
    from sciatica_care.knowledge.model import CPT

    out = []
    for p in knowledge().codes.procedures:
        code = usable_code(p.id, "bill", CPT)
        if code is not None:
            out.append((code.code, code.display))
    return out
# --- the patient's diary -----------------------------------------------------------------------------------------

def validate_diary_day(doc: object) -> DiaryEntry:
    """One day of the diary validated by the journal's own rules; `InputRefused` naming each field (`leg_nrs`,
    `activities[2]`) when it is refused."""
    try:
        (entry,) = validate_diary([doc])
    except InputRefused as refused:
        raise InputRefused([Problem(_day_path(p.path), p.message) for p in refused.problems]) from None
    return entry


def _day_path(path: str) -> str:
    """`[0].leg_nrs` → `leg_nrs`; the day itself (`[0]`) → `(entry)`."""
    rest = path.removeprefix("[0]").removeprefix(".")
    return rest or "(entry)"


def analyse_diary_entries(entries: Sequence[DiaryEntry]) -> DiaryAnalysis:
    """The journal's trigger analysis of validated days (dates unique): associations with intervals, never causes."""
    return analyse_entries(entries)


@dataclass(frozen=True)
class DiaryAlarm:
    """What the diary says when a patient reports an emergency sign: the timing's words for "now", then each
    reported red flag's own words for the patient (triage knowledge), with their sources."""

    headline: str
    signs: tuple[tuple[str, str], ...]  # (red flag name, what the patient reads)
    flags: tuple[str, ...]
    sources: tuple[str, ...]


def diary_alarm(ticked: Sequence[str]) -> DiaryAlarm | None:
    """The emergency advice for the diary's ticked alarm questions (`ALARM_QUESTIONS`), or None when none."""
    flag_ids = flags_reported(ticked)
    if not flag_ids:
        return None
    triage = knowledge().triage
    by_id = {f.id: f for f in triage.flags}
    flags = [by_id[f] for f in flag_ids]
    urgency = next(t for t in triage.timing if t.see_within == "now")
    sources: list[str] = list(urgency.sources)
    for flag in flags:
        sources.extend(s for s in flag.sources if s not in sources)
    return DiaryAlarm(headline=urgency.patient, signs=tuple((f.name, f.patient_text) for f in flags),
                      flags=flag_ids, sources=tuple(sources))
