"""The typed values the FHIR builders are given: plain copies of the clinic's records (the edge reads them from
the database in bulk and hands them in), so that every builder is a pure function of its arguments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sciatica_care.engine.plan_model import Plan

#: What a person reads for an id the records carry (a point code, a technique, a red flag, a cause).
Names = Callable[[str], str]

#: Standard codings (`{system, code, display}`) known for one of our own codes, by our code: the procedures
#: (`acupuncture`, `electroacupuncture`, `massage`, `cupping`) and the measures.
ExtraCodes = Mapping[str, tuple[dict[str, Any], ...]]


@dataclass(frozen=True, slots=True)
class ClinicRow:
    id: int
    name: str
    identifiers: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class StaffRow:
    id: int
    clinic_id: int
    first_name: str
    last_name: str
    username: str
    email: str
    role: str
    active: bool
    identifiers: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class PatientRow:
    id: int
    clinic_id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    phone: str
    email: str
    address: str
    updated_at: dt.datetime
    consent_treatment: bool = False
    consent_treatment_at: dt.datetime | None = None
    consent_treatment_by: int | None = None
    consent_data_use: bool = False
    consent_data_use_at: dt.datetime | None = None
    anonymised: bool = False
    pseudonym: str = ""


@dataclass(frozen=True, slots=True)
class EpisodeRow:
    """A course of care, with what its diagnosis is made of: the diagnoses the practitioner confirmed (`diagnoses`:
    ids of the codes knowledge, primary first), else the likely cause the assessment ranked first."""

    id: int
    clinic_id: int
    patient_id: int
    title: str
    opened_on: dt.date
    closed_on: dt.date | None
    status: str
    side: str | None = None
    cause: str | None = None
    cause_name: str = ""
    diagnoses: tuple[str, ...] = ()
    lead_practitioner_id: int | None = None


@dataclass(frozen=True, slots=True)
class PlanRow:
    id: int
    clinic_id: int
    episode_id: int
    patient_id: int
    number: int
    created_at: dt.datetime
    created_by: int
    engine_version: str
    knowledge_version: str
    reason: str
    plan: Plan | None
    problem: str = ""
    previous_id: int | None = None
    latest: bool = True
    episode_open: bool = True


@dataclass(frozen=True, slots=True)
class VisitRow:
    id: int
    clinic_id: int
    episode_id: int
    patient_id: int
    plan_id: int | None
    date: dt.date
    practitioner_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = 1
    points: tuple[tuple[str, str], ...] = ()
    unplanned_points: tuple[tuple[str, str], ...] = ()
    overrides: tuple[tuple[str, str], ...] = ()
    ea_pairs: tuple[tuple[str, ...], ...] = ()
    ea_frequency_hz: str = ""
    ea_minutes: int | None = None
    massage_done: tuple[str, ...] = ()
    cupping_done: bool = False
    needling_stopped: bool = False
    red_flags_rechecked: bool = False
    red_flags_found: tuple[str, ...] = ()
    red_flag_advice: str = ""
    adverse_events: str = ""
    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan_notes: str = ""
    #: Face-to-face minutes by our procedure code (`acupuncture`, `electroacupuncture`, `massage`), as charted.
    minutes: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ScoreRow:
    id: int
    clinic_id: int
    episode_id: int
    patient_id: int
    visit_id: int | None
    instrument: str
    measure: str
    source: str
    answers: tuple[int | None, ...]
    score: int | float | None
    band: str | None
    recorded_at: dt.datetime
    recorded_by: int
    subscale: int | None = None


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """A PDF the clinic gives out (a plan's home programme, a course's discharge summary), by reference: where
    it is fetched, and its SHA-1 and size when the bytes are at hand."""

    id: str
    kind: str
    title: str
    patient_id: int
    created: dt.datetime | dt.date
    url: str
    author_id: int | None = None
    related: tuple[tuple[str, object], ...] = ()
    current: bool = True
    sha1: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """Everything one patient's FHIR resources are built from."""

    patient: PatientRow
    episodes: tuple[EpisodeRow, ...] = ()
    plans: tuple[PlanRow, ...] = ()
    visits: tuple[VisitRow, ...] = ()
    scores: tuple[ScoreRow, ...] = ()
    documents: tuple[DocumentRow, ...] = ()
    appointments: tuple[Any, ...] = ()  # booking_resources.AppointmentRow
    extra: Mapping[str, Any] = field(default_factory=dict)
