"""The portal lists the patient's own coming appointments, in the location's time, and nobody else's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _book(world: dict[str, Any], key: str, start: dt.datetime, *, is_review: bool = False) -> Any:
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import Location, Service, ServiceKind

    a = world[key]
    location, _ = Location.objects.get_or_create(clinic=a["clinic"], name="High Street",
                                                 defaults={"time_zone": "Europe/London"})
    service, _ = Service.objects.get_or_create(
        clinic=a["clinic"], name="Follow-up acupuncture",
        defaults={"kind": ServiceKind.FOLLOW_UP_ACUPUNCTURE, "duration_minutes": 45, "room_needed": False})
    return booking.book(clinic=a["clinic"], practitioner=a["practitioner"], service=service, location=location,
                        start=start, by=a["reception"], patient=a["patient"], is_review=is_review,
                        apply_policy=False, override_reason="test booking outside hours")


def test_the_patient_sees_their_next_appointments_in_local_time(patient_client: Any, world: dict[str, Any]) -> None:
    """A summer appointment at 09:30 UTC reads 10:30 (London time), with the review marked."""
    start = dt.datetime(dt.datetime.now(dt.UTC).year + 1, 7, 6, 9, 30, tzinfo=dt.UTC)
    _book(world, "a", start, is_review=True)
    page = patient_client.get(reverse("portal:home")).content.decode()
    assert "10:30 · Follow-up acupuncture" in page
    assert "review of your progress" in page


def test_cancelled_past_and_other_patients_appointments_are_not_listed(patient_client: Any,
                                                                       world: dict[str, Any]) -> None:
    """Only the signed-in patient's live future appointments are shown."""
    from sciatica_care.portal import patient_record
    from sciatica_care.scheduling import booking

    year = dt.datetime.now(dt.UTC).year + 1
    kept = _book(world, "a", dt.datetime(year, 3, 2, 10, tzinfo=dt.UTC))
    cancelled = _book(world, "a", dt.datetime(year, 3, 3, 10, tzinfo=dt.UTC))
    booking.cancel(cancelled, by=world["a"]["reception"], reason="patient phoned")
    _book(world, "b", dt.datetime(year, 3, 4, 10, tzinfo=dt.UTC))
    listed = patient_record.upcoming_appointments(world["a"]["patient"])
    assert [u.when for u in listed] == [kept.start]
