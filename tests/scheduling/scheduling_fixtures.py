"""A front desk for clinic A of the `world` fixture: one location in London with two rooms, the five kinds of
service, and the practitioner working Monday to Friday 09:00–17:00."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture
def desk(world: dict[str, Any]) -> dict[str, Any]:
    from sciatica_care.scheduling.models import BookingRules, Location, Room, Service, ServiceKind, Shift

    clinic = world["a"]["clinic"]
    prac = world["a"]["practitioner"]
    location = Location.objects.create(clinic=clinic, name="High Street", time_zone="Europe/London")
    rooms = [Room.objects.create(location=location, name=f"Room {n}") for n in (1, 2)]
    services = {
        ServiceKind.CONSULTATION_CALL: Service.objects.create(
            clinic=clinic, name="Free 15-minute consultation call", kind=ServiceKind.CONSULTATION_CALL,
            duration_minutes=15, room_needed=False, by_phone=True),
        ServiceKind.INITIAL_ASSESSMENT: Service.objects.create(
            clinic=clinic, name="Initial assessment and treatment", kind=ServiceKind.INITIAL_ASSESSMENT,
            duration_minutes=75, buffer_after_minutes=15, price=Decimal("85.00"), new_patients_allowed=True),
        ServiceKind.FOLLOW_UP_ACUPUNCTURE: Service.objects.create(
            clinic=clinic, name="Follow-up acupuncture", kind=ServiceKind.FOLLOW_UP_ACUPUNCTURE,
            duration_minutes=45, buffer_after_minutes=15, price=Decimal("60.00"), new_patients_allowed=False),
        ServiceKind.ELECTROACUPUNCTURE: Service.objects.create(
            clinic=clinic, name="Electroacupuncture", kind=ServiceKind.ELECTROACUPUNCTURE,
            duration_minutes=60, buffer_after_minutes=15, price=Decimal("70.00"), new_patients_allowed=False),
        ServiceKind.MASSAGE: Service.objects.create(
            clinic=clinic, name="Therapeutic massage", kind=ServiceKind.MASSAGE,
            duration_minutes=45, buffer_before_minutes=5, buffer_after_minutes=10, price=Decimal("55.00")),
    }
    shifts = [Shift.objects.create(practitioner=prac, location=location, weekday=day,
                                   start_time=dt.time(9), end_time=dt.time(17)) for day in range(5)]
    rules = BookingRules.objects.create(clinic=clinic, reminder_offsets_hours=[48, 2])
    return {"clinic": clinic, "practitioner": prac, "location": location, "rooms": rooms, "services": services,
            "shifts": shifts, "rules": rules}
