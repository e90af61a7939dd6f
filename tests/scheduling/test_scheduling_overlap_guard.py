"""No double booking in the database itself: whatever writes the appointment table (not only the booking
service), a practitioner or a room never holds two overlapping live appointments — an exclusion constraint on
PostgreSQL, triggers on SQLite (migration 0002)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

pytestmark = pytest.mark.django_db

T = dt.datetime(2027, 1, 4, 10, tzinfo=dt.UTC)


def raw(desk: dict[str, Any], start: dt.datetime, minutes: int = 60, **kw: Any) -> Any:
    """An appointment written straight through the ORM, past the booking service's own check."""
    from sciatica_care.scheduling.models import Appointment

    kw.setdefault("practitioner", desk["practitioner"])
    kw.setdefault("room", desk["rooms"][0])
    end = start + dt.timedelta(minutes=minutes)
    return Appointment.objects.create(clinic=desk["clinic"], patient=desk["patient"],
                                      service=desk["services"]["massage"], location=desk["location"],
                                      start=start, end=end, blocked_from=start, blocked_until=end, **kw)


def test_the_database_refuses_a_practitioner_two_overlapping_appointments(desk: dict[str, Any]) -> None:
    """An overlapping insert for the same practitioner (another room) fails, naming the practitioner's guard."""
    raw(desk, T)
    with pytest.raises(IntegrityError, match="appt_no_overlap_practitioner"), transaction.atomic():
        raw(desk, T + dt.timedelta(minutes=30), room=desk["rooms"][1])


def test_the_database_refuses_a_room_two_overlapping_appointments(desk: dict[str, Any], make_staff: Any) -> None:
    """An overlapping insert for the same room (another practitioner) fails, naming the room's guard."""
    raw(desk, T)
    with pytest.raises(IntegrityError, match="appt_no_overlap_room"), transaction.atomic():
        raw(desk, T + dt.timedelta(minutes=30), practitioner=make_staff(desk["clinic"]))


def test_the_database_refuses_an_update_into_an_overlap(desk: dict[str, Any]) -> None:
    """Moving an appointment onto another by an UPDATE fails too."""
    from sciatica_care.scheduling.models import Appointment

    raw(desk, T)
    later = raw(desk, T + dt.timedelta(hours=2))
    with pytest.raises(IntegrityError, match="appt_no_overlap_"), transaction.atomic():
        Appointment.objects.filter(pk=later.pk).update(blocked_from=T + dt.timedelta(minutes=30))


def test_the_database_allows_back_to_back_and_cancelled(desk: dict[str, Any]) -> None:
    """Half-open intervals: one ending as the next begins is fine; a cancelled one holds nothing."""
    first = raw(desk, T)
    raw(desk, T + dt.timedelta(hours=1))
    first.status = "cancelled"
    first.save()
    raw(desk, T - dt.timedelta(minutes=30), room=desk["rooms"][1])


def test_the_guards_exist_after_every_migration() -> None:
    """The guards are in the migrated schema (on SQLite a table rebuild by a later migration would drop them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'x' AND conrelid = "
                           "'scheduling_appointment'::regclass")
            names = {row[0] for row in cursor.fetchall()}
            assert names == {"appt_no_overlap_practitioner", "appt_no_overlap_room"}
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = 'scheduling_appointment'")
            names = {row[0] for row in cursor.fetchall()}
            assert names == {f"appt_no_overlap_{w}_{e}" for w in ("practitioner", "room")
                             for e in ("insert", "update")}
