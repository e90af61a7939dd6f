"""Fixtures for the portal's tests: a patient account for a patient, and a course whose plan is decided by the real
engine from one of the worked cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest


@pytest.fixture
def account_for(db: Any) -> Any:
    """`account_for(patient)`: a portal account (role patient) linked to the patient, in the patient's clinic."""
    from sciatica_care.clinic.models import Role, Staff
    from sciatica_care.portal.models import PatientAccount

    def make(patient: Any) -> Any:
        user = Staff.objects.create_user(username=f"patient-{patient.pk}-{Staff.objects.count()}",
                                         clinic=patient.clinic, role=Role.PATIENT, first_name=patient.first_name)
        PatientAccount.objects.create(user=user, patient=patient)
        return user

    return make


@pytest.fixture
def patient_with(db: Any) -> Any:
    """`patient_with(intake, clinic, practitioner)`: a new patient with an open course planned from `intake`;
    returns the plan revision."""
    from sciatica_care.clinic import records

    def make(intake: dict[str, Any], practitioner: Any, first_name: str = "Bea") -> Any:
        patient = records.create_patient(practitioner, first_name=first_name, last_name="Jones",
                                         date_of_birth=dt.date(1985, 3, 2), sex="female", consent_treatment=True)
        return records.record_intake(practitioner, records.open_episode(practitioner, patient), intake)

    return make
