"""A front desk for clinic A of the `world` fixture: one location in London with two rooms, the five kinds of
service, and the practitioner working Monday to Friday 09:00–17:00. Text messages in memory (`sms_outbox`); a
database for real worker processes (`worker_database`, `worker_env`: see worker_processes.py)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from clinic_fixtures import fresh_postgres_database

HERE = Path(__file__).resolve().parent


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
            "shifts": shifts, "rules": rules, "patient": world["a"]["patient"], "episode": world["a"]["episode"],
            "reception": world["a"]["reception"]}


@pytest.fixture
def sms_outbox(settings: Any) -> Any:
    """Text messages kept in memory (`sms.outbox`), emptied before and after the test."""
    from sciatica_care.scheduling import sms

    settings.SCIATICA_CARE_SMS_BACKEND = "locmem"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(scope="module")
def worker_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh SQLite folder or PostgreSQL database for this module's workers, migrated once; the logging
    providers; a short lease."""
    env = {k: v for k, v in os.environ.items() if k not in (
        "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SCIATICA_CARE_SECRET_KEY", "SCIATICA_CARE_DEBUG")}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(HERE.parents[1] / "src"), str(HERE), env.get("PYTHONPATH", "")]),
        "SCIATICA_CARE_ENV": "development", "SCIATICA_CARE_DATA_DIR": str(tmp_path_factory.mktemp("clinic")),
        "SCIATICA_CARE_OUTBOX_LEASE_SECONDS": "2",
        "SCIATICA_CARE_EMAIL_BACKEND": "outbox_test_backends.LoggingEmail",
        "SCIATICA_CARE_SMS_BACKEND": "outbox_test_backends.LoggingSms",
    })
    with fresh_postgres_database(env, "sc_outbox") as chosen:
        yield chosen


@pytest.fixture
def worker_env(worker_database: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """One test's workers: its own messages (a dedupe-key prefix) and its own delivery log."""
    return worker_database | {"OUTBOX_TEST_LOG": str(tmp_path / "deliveries.log"),
                       "OUTBOX_TEST_PREFIX": f"crash-{secrets.token_hex(4)}"}
