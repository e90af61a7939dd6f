"""The appointment's iCalendar file: valid, in the location's time zone, updated in place, never clinical."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def appointment(desk: dict[str, Any]) -> Any:
    from sciatica_care.scheduling import booking

    desk["location"].address = "1 High Street\nLondon"
    desk["location"].phone = "020 7946 0000"
    desk["location"].save()
    return booking.book(clinic=desk["clinic"], practitioner=desk["practitioner"],
                        service=desk["services"]["electroacupuncture"], location=desk["location"],
                        start=dt.datetime(2027, 7, 5, 10, tzinfo=ZoneInfo("Europe/London")), patient=desk["patient"],
                        by=desk["reception"], now=dt.datetime(2027, 7, 1, tzinfo=dt.UTC))


def parsed(data: bytes) -> Any:
    cal = icalendar.Calendar.from_ical(data)
    return cal, next(iter(cal.walk("VEVENT")))


def test_the_event_is_at_the_local_time_with_its_zone(appointment: Any) -> None:
    """10:00 London summer time, with the Europe/London VTIMEZONE, and the end after the visit."""
    from sciatica_care.scheduling import ics

    cal, ev = parsed(ics.appointment_ics(appointment))
    start = ev.decoded("dtstart")
    assert (start.hour, str(start.tzinfo)) == (10, "Europe/London")
    assert ev.decoded("dtend") - start == dt.timedelta(minutes=60)
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    assert b"TZID=Europe/London" in ics.appointment_ics(appointment)


def test_a_moved_appointment_keeps_its_uid_and_raises_its_sequence(appointment: Any, desk: dict[str, Any]) -> None:
    """Calendars update the same event: same UID, higher SEQUENCE."""
    from sciatica_care.scheduling import booking, ics

    _, before = parsed(ics.appointment_ics(appointment))
    booking.move(appointment, start=dt.datetime(2027, 7, 6, 10, tzinfo=ZoneInfo("Europe/London")),
                 by=desk["reception"], now=dt.datetime(2027, 7, 1, tzinfo=dt.UTC))
    _, after = parsed(ics.appointment_ics(appointment))
    assert after["uid"] == before["uid"]
    assert after.decoded("sequence") > before.decoded("sequence")


def test_a_cancelled_appointment_is_a_cancelled_event(appointment: Any, desk: dict[str, Any]) -> None:
    """STATUS:CANCELLED once cancelled."""
    from sciatica_care.scheduling import booking, ics

    booking.cancel(appointment, by=desk["reception"], reason="patient phoned",
                   now=dt.datetime(2027, 7, 1, tzinfo=dt.UTC))
    assert parsed(ics.appointment_ics(appointment))[1]["status"] == "CANCELLED"


def test_the_patients_event_names_the_practitioner_and_the_clinic(appointment: Any) -> None:
    """The patient's file says what, with whom, where and how to change it."""
    from sciatica_care.scheduling import ics

    _, ev = parsed(ics.appointment_ics(appointment, manage_url="https://clinic.example/b/x"))
    assert "Clinic A" in ev["summary"]
    assert "1 High Street, London" in ev["location"]
    assert "020 7946 0000" in ev["description"]
    assert ev["url"] == "https://clinic.example/b/x"


def test_the_staff_feed_names_the_patient_by_first_name_and_initial_only(appointment: Any,
                                                                         desk: dict[str, Any]) -> None:
    """A feed leaves the clinic: first name and last initial, no surname, nothing clinical."""
    from sciatica_care.scheduling import ics

    data = ics.calendar([appointment], name="prac_a", audience="staff")
    _, ev = parsed(data)
    patient = desk["patient"]
    assert f"{patient.first_name} {patient.last_name[0]}." in ev["summary"]
    assert patient.last_name.encode() not in data
    assert b"better" not in data  # the world's charted visit's notes


def test_the_file_validates_as_a_calendar(appointment: Any) -> None:
    """The bytes parse back strictly, with PRODID, VERSION and exactly one event."""
    from sciatica_care.scheduling import ics

    cal, _ = parsed(ics.appointment_ics(appointment))
    assert cal["version"] == "2.0"
    assert cal["prodid"] == ics.PRODID
    assert len(cal.walk("VEVENT")) == 1
    assert not cal.errors
