"""The front desk's records refuse what cannot be true, in the database itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

pytestmark = pytest.mark.django_db


def test_a_shift_must_end_after_it_starts(desk: dict[str, Any]) -> None:
    """A shift from 17:00 to 09:00 is refused by the database."""
    from sciatica_care.scheduling.models import Shift

    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.create(practitioner=desk["practitioner"], location=desk["location"], weekday=5,
                             start_time=dt.time(17), end_time=dt.time(9))


def test_an_appointment_needs_a_patient_or_a_prospect(desk: dict[str, Any]) -> None:
    """An appointment for nobody is refused by the database."""
    from sciatica_care.scheduling.models import Appointment

    start = dt.datetime(2027, 1, 4, 10, tzinfo=dt.UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(clinic=desk["clinic"], practitioner=desk["practitioner"],
                                   service=desk["services"]["massage"], location=desk["location"], start=start,
                                   end=start + dt.timedelta(minutes=45), blocked_from=start,
                                   blocked_until=start + dt.timedelta(minutes=55))


def test_a_location_time_zone_must_exist(desk: dict[str, Any]) -> None:
    """A location's time zone must be a real IANA name."""
    location = desk["location"]
    location.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError, match="time_zone"):
        location.full_clean()
