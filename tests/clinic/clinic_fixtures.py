"""Fixtures shared by the clinic and browser tests (imported by their conftests)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from intakes import base_intake, example  # noqa: F401 - the tests import them from here

PASSWORD = "correct-horse-battery-9"  # noqa: S105 - test data


@pytest.fixture(scope="session", autouse=True)
def audit_triggers_lifted_for_flush() -> Iterator[None]:
    """On SQLite, Django's test `flush` (after a transactional or live-server test) empties tables with DELETE,
    which the audit table's append-only triggers refuse. Lift them for the flush only: drop, delete, re-create,
    in the flush's own transaction. (PostgreSQL flushes with TRUNCATE, which the row triggers do not see.)"""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    DatabaseOperations = type(connection.ops)
    original = DatabaseOperations.sql_flush
    if getattr(original, "lifts_audit_triggers", False):  # both conftests import this fixture: wrap once
        yield
        return

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements: list[str] = original(self, style, tables, **kwargs)
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                           ["clinic_auditevent"])
            triggers = cursor.fetchall()
        return [*(f'DROP TRIGGER "{name}";' for name, _ in triggers), *statements,
                *(f"{sql};" for _, sql in triggers)]

    sql_flush.lifts_audit_triggers = True  # type: ignore[attr-defined]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    """Argon2 is the clinic's hasher (tested in test_clinic_views); tests make many users, so hash fast here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def second_factor_off(request: Any, settings: Any) -> None:
    """Tests that are not about signing in use `force_login` for clinic admins; the second-factor step (always on
    in a deployment) is tested in test_clinic_authn*.py, which keep it on (marker `second_factor`)."""
    if request.node.get_closest_marker("second_factor") is None:
        settings.SCIATICA_CARE_SECOND_FACTOR = False


@pytest.fixture(autouse=True)
def clear_cache() -> None:
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:  # the database cache is emptied with the test's transaction
        if "DatabaseCache" not in settings.CACHES[alias]["BACKEND"]:
            caches[alias].clear()


@pytest.fixture
def make_staff(db: Any) -> Any:
    from sciatica_care.clinic.models import Role, Staff

    def make(clinic: Any, role: str = Role.PRACTITIONER, username: str | None = None) -> Staff:
        username = username or f"{role}-{clinic.pk}-{Staff.objects.count()}"
        return Staff.objects.create_user(username=username, password=PASSWORD, clinic=clinic, role=role,
                                         first_name=username.title(), is_staff=role == Role.CLINIC_ADMIN)

    return make


@pytest.fixture
def world(db: Any, make_staff: Any) -> dict[str, Any]:
    """Two clinics, each with a practitioner, an admin, a receptionist, a patient with an episode, plan, visit."""
    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Role

    out: dict[str, Any] = {}
    for key in ("a", "b"):
        clinic = Clinic.objects.create(name=f"Clinic {key.upper()}")
        prac = make_staff(clinic, Role.PRACTITIONER, f"prac_{key}")
        admin = make_staff(clinic, Role.CLINIC_ADMIN, f"admin_{key}")
        recep = make_staff(clinic, Role.RECEPTION, f"recep_{key}")
        patient = records.create_patient(prac, first_name="Ann", last_name=f"Smith{key}",
                                         date_of_birth=dt.date(1980, 5, 1), sex="female", consent_treatment=True)
        episode = records.open_episode(prac, patient)
        plan = records.record_intake(prac, episode, base_intake())
        visit = records.chart_visit(prac, episode, plan, {"red_flags_rechecked": True,
                                                          "points": [{"code": "GB30", "side": "left"}],
                                                          "subjective": "better", "leg_nrs": 5})
        out[key] = {"clinic": clinic, "practitioner": prac, "clinic_admin": admin, "reception": recep,
                    "patient": patient, "episode": episode, "plan": plan, "visit": visit}
    return out


@pytest.fixture
def login(client: Any) -> Any:
    def do(user: Any) -> Any:
        client.force_login(user)
        return client

    return do


ADMIN_PATH = "q7Zr2xKp9vLw4NbT8cYh3Fs"  # an unguessable path, as an operator would configure it


@pytest.fixture
def django_admin_on() -> Iterator[str]:
    """Django's admin served at ADMIN_PATH (as with SCIATICA_CARE_ADMIN_PATH set); yields its URL prefix."""
    import importlib

    from django.test import override_settings
    from django.urls import clear_url_caches

    from sciatica_care.site import urls

    with override_settings(SCIATICA_CARE_ADMIN_PATH=ADMIN_PATH):
        importlib.reload(urls)
        clear_url_caches()
        yield f"/{ADMIN_PATH}/"
    importlib.reload(urls)
    clear_url_caches()


def an_appointment(a: dict[str, Any]) -> Any:
    """An appointment of a clinic's patient (`world[...]`) with its practitioner, at a location, in 2030."""
    from sciatica_care.scheduling.models import Appointment, Location, Service

    location = Location.objects.create(clinic=a["clinic"], name=f"High Street {Location.objects.count()}")
    service = Service.objects.create(clinic=a["clinic"], name=f"Massage {Service.objects.count()}", kind="massage",
                                     duration_minutes=45)
    start = dt.datetime(2030, 1, 7, 10, tzinfo=dt.UTC)
    end = start + dt.timedelta(minutes=45)
    return Appointment.objects.create(clinic=a["clinic"], patient=a["patient"], practitioner=a["practitioner"],
                                      service=service, location=location, start=start, end=end, blocked_from=start,
                                      blocked_until=end)


@contextlib.contextmanager
def fresh_postgres_database(env: dict[str, str], prefix: str) -> Iterator[dict[str, str]]:
    """`env` with DATABASE_URL pointing at a new PostgreSQL database (dropped afterwards) when the tests run on
    PostgreSQL; `env` unchanged on SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield env
        return
    import psycopg

    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**env, "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name}
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
