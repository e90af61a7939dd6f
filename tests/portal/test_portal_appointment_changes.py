"""The patient reschedules or cancels their own coming appointments from the portal: the same rules and pages as the
link in their messages, only their own appointments (any other is 404, changing nothing), audited with their
account as the actor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from portal_fixtures import book_for, days_ahead

pytestmark = pytest.mark.django_db

BACKEND = "sciatica_care.portal.patient_auth.PatientBackend"


def test_each_coming_appointment_offers_reschedule_and_cancel(patient_client: Any, world: dict[str, Any]) -> None:
    appointment = book_for(world, "a", days_ahead(5))
    page = patient_client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:appointment_reschedule", args=[appointment.pk]) in page
    assert reverse("portal:appointment_cancel", args=[appointment.pk]) in page
    assert "call your clinic" not in page


def test_inside_the_late_window_reschedule_says_call_the_clinic(patient_client: Any, world: dict[str, Any]) -> None:
    appointment = book_for(world, "a", timezone.now() + dt.timedelta(hours=5))
    home = patient_client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:appointment_reschedule", args=[appointment.pk]) not in home
    assert "please call the clinic on 020 7946 0000" in home
    assert "late cancellation" in home
    page = patient_client.get(reverse("portal:appointment_reschedule", args=[appointment.pk])).content.decode()
    assert "please call the clinic on 020 7946 0000" in page
    assert 'name="start"' not in page


def test_the_patient_cancels_their_own_audited_as_their_account(patient_client: Any, world: dict[str, Any],
                                                                accounts_ab: dict[str, Any]) -> None:
    from sciatica_care.clinic.models import AuditEvent

    appointment = book_for(world, "a", days_ahead(5))
    url = reverse("portal:appointment_cancel", args=[appointment.pk])
    assert "Cancel my appointment" in patient_client.get(url).content.decode()
    r = patient_client.post(url, {"version": appointment.version, "reason": ""})
    assert r.status_code == 302
    assert r["Location"].endswith("#appointments")
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    event = AuditEvent.objects.get(action="self_cancel_appointment", object_id=appointment.pk)
    assert event.actor_id == accounts_ab["a"].pk
    assert event.detail["via"] == "portal"
    assert "Your appointment is cancelled." in patient_client.get(r["Location"]).content.decode()


def test_the_patient_reschedules_their_own_to_a_free_time(patient_client: Any, world: dict[str, Any]) -> None:
    import re

    appointment = book_for(world, "a", days_ahead(5))
    url = reverse("portal:appointment_reschedule", args=[appointment.pk])
    page = patient_client.get(url).content.decode()
    value = re.search(r'name="start" value="([^"]+)"', page).group(1)
    r = patient_client.post(url, {"version": appointment.version, "start": value})
    assert r.status_code == 302
    before = appointment.start
    appointment.refresh_from_db()
    assert appointment.start != before
    assert appointment.status == "booked"


@pytest.mark.parametrize("page", ["appointment_cancel", "appointment_reschedule"])
def test_another_patients_appointment_is_404_and_unchanged(world: dict[str, Any], accounts_ab: dict[str, Any],
                                                           page: str) -> None:
    """Another patient of the same clinic, and a patient of another clinic: 404 for GET and POST."""
    from sciatica_care.clinic import records

    neighbour = records.create_patient(world["a"]["practitioner"], first_name="Cy", last_name="Other",
                                       date_of_birth=dt.date(1970, 1, 1), consent_treatment=True)
    theirs = [book_for(world, "a", days_ahead(6), patient=neighbour), book_for(world, "b", days_ahead(6))]
    client = Client()
    client.force_login(accounts_ab["a"], backend=BACKEND)
    for appointment in theirs:
        url = reverse(f"portal:{page}", args=[appointment.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"version": appointment.version, "reason": "x"}).status_code == 404
        before = (appointment.status, appointment.start)
        appointment.refresh_from_db()
        assert (appointment.status, appointment.start) == before
