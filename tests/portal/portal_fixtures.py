"""Patient accounts for the portal's tests (imported by tests/portal and tests/browser)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from clinic_fixtures import PASSWORD


def make_account(patient: Any, email: str | None = None, *, password: str | None = None) -> Any:
    """An active portal account for `patient` (as if the invitation had been taken up)."""
    from sciatica_care.clinic.models import Patient
    from sciatica_care.portal import accounts

    email = email or f"patient{patient.pk}@example.org"
    Patient.objects.filter(pk=patient.pk).update(email=email)
    patient.refresh_from_db()
    invitation = accounts.invite(patient, by=None)
    token = invitation.link.rstrip("/").rsplit("/", 1)[1]
    return accounts.accept(token, password)


@pytest.fixture
def accounts_ab(world: dict[str, Any]) -> dict[str, Any]:
    """Portal accounts for the patients of clinics A and B (password: PASSWORD)."""
    from django.core import mail

    made = {key: make_account(world[key]["patient"], password=PASSWORD) for key in ("a", "b")}
    mail.outbox.clear()  # the invitations
    return made


@pytest.fixture
def staff_emails(world: dict[str, Any]) -> dict[str, str]:
    """Email addresses for clinic A's staff (the clinic's alerts are emailed to its practitioners and admins)."""
    from sciatica_care.clinic.models import Staff

    emails = {}
    for role in ("practitioner", "clinic_admin", "reception"):
        user = world["a"][role]
        emails[role] = f"{user.username}@clinic-a.example.org"
        Staff.objects.filter(pk=user.pk).update(email=emails[role])
    return emails


@pytest.fixture
def patient_client(client: Any, accounts_ab: dict[str, Any]) -> Any:
    """The test client signed in as clinic A's patient."""
    client.force_login(accounts_ab["a"], backend="sciatica_care.portal.patient_auth.PatientBackend")
    return client


def entry(**fields: Any) -> dict[str, Any]:
    """A diary entry as the page's script sends it (today, leg pain 5), with `fields` changed."""
    from django.utils import timezone

    doc: dict[str, Any] = {"client_id": str(uuid.uuid4()), "date": timezone.localdate().isoformat(), "leg_nrs": 5,
                           "back_nrs": 3, "sleep_hours": 6.5, "sitting_hours": 7, "walking_minutes": 20,
                           "stress": 4, "activities": ["driving"], "medications": [], "flare_up": False,
                           "flare_trigger": "", "alarm_signs": []}
    doc.update(fields)
    return doc


def days_ago(n: int) -> str:
    from django.utils import timezone

    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


#: The backend a patient's session is restored by (tests sign in with `force_login(user, backend=PATIENT_BACKEND)`).
PATIENT_BACKEND = "sciatica_care.portal.patient_auth.PatientBackend"


@pytest.fixture
def account_for(db: Any) -> Any:
    """`account_for(patient)`: an active portal account for the patient (its invitation taken up); the user."""
    return make_account


@pytest.fixture
def patient_with(db: Any) -> Any:
    """`patient_with(intake, practitioner, first_name)`: a new patient of the practitioner's clinic with an open
    course planned (real engine) from `intake`; returns the plan revision."""
    from sciatica_care.clinic import records

    def make(intake: dict[str, Any], practitioner: Any, first_name: str = "Bea") -> Any:
        patient = records.create_patient(practitioner, first_name=first_name, last_name="Jones",
                                         date_of_birth=dt.date(1985, 3, 2), sex="female", consent_treatment=True)
        return records.record_intake(practitioner, records.open_episode(practitioner, patient), intake)

    return make


def _desk(world: dict[str, Any], key: str) -> dict[str, Any]:
    from sciatica_care.scheduling.models import Location, Service, ServiceKind, Shift

    a = world[key]
    location, _ = Location.objects.get_or_create(clinic=a["clinic"], name="High Street",
                                                 defaults={"time_zone": "Europe/London", "phone": "020 7946 0000"})
    service, _ = Service.objects.get_or_create(
        clinic=a["clinic"], name="Follow-up acupuncture",
        defaults={"kind": ServiceKind.FOLLOW_UP_ACUPUNCTURE, "duration_minutes": 45, "room_needed": False})
    for day in range(7):
        Shift.objects.get_or_create(practitioner=a["practitioner"], location=location, weekday=day,
                                    defaults={"start_time": dt.time(0), "end_time": dt.time(23, 45)})
    return {"location": location, "service": service}


def book_for(world: dict[str, Any], key: str, start: dt.datetime, patient: Any = None) -> Any:
    """An appointment for the patient of clinic `key` of `world` (or `patient`), its practitioner working every
    day at the clinic's location."""
    from sciatica_care.scheduling import booking

    a, desk = world[key], _desk(world, key)
    return booking.book(clinic=a["clinic"], practitioner=a["practitioner"], service=desk["service"],
                        location=desk["location"], start=start.replace(second=0, microsecond=0), by=a["reception"],
                        patient=patient or a["patient"], apply_policy=False, override_reason="test booking")


def days_ahead(n: int) -> dt.datetime:
    """10:00 UTC, `n` days from now."""
    from django.utils import timezone

    return (timezone.now() + dt.timedelta(days=n)).replace(hour=10, minute=0, second=0, microsecond=0)
