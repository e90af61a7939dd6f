"""FHIR R4 resources built from the clinic's records as plain JSON values (dicts), one resource at a time.

Pure: no Django, no clock, no database, no files. The edge (clinic/fhir_records.py) reads the rows in bulk and
hands them in as the typed values of `rows`; tests check every resource against the FHIR models
(`validation.py`) and the official R4 JSON Schema.
"""

from sciatica_care.interop.fhir.booking_resources import AppointmentRow, ShiftRow, SiteRow
from sciatica_care.interop.fhir.bundles import collection, outcome, searchset
from sciatica_care.interop.fhir.capability import capability_statement
from sciatica_care.interop.fhir.compartment import (
    ALL_TYPES,
    CLINIC_TYPES,
    PATIENT_TYPES,
    clinic_resources,
    patient_resources,
)
from sciatica_care.interop.fhir.rows import (
    ClinicRow,
    DocumentRow,
    EpisodeRow,
    PatientRecord,
    PatientRow,
    PlanRow,
    ScoreRow,
    StaffRow,
    VisitRow,
)

__all__ = [
    "ALL_TYPES",
    "CLINIC_TYPES",
    "PATIENT_TYPES",
    "AppointmentRow",
    "ClinicRow",
    "DocumentRow",
    "EpisodeRow",
    "PatientRecord",
    "PatientRow",
    "PlanRow",
    "ScoreRow",
    "ShiftRow",
    "SiteRow",
    "StaffRow",
    "VisitRow",
    "capability_statement",
    "clinic_resources",
    "collection",
    "outcome",
    "patient_resources",
    "searchset",
]
