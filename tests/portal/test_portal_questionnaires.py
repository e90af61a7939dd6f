"""Questionnaires the clinic sent, filled in inside the portal: the clinic's own forms and scoring, stored once,
shown to the practitioner as filled in by the patient."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sciatica_care.clinic import records
from sciatica_care.clinic.models import AuditEvent, OutcomeScore

pytestmark = pytest.mark.django_db


def _link(world: dict[str, Any]) -> Any:
    link, _ = records.create_questionnaire_link(world["a"]["practitioner"], world["a"]["episode"], "odi")
    return link


def test_a_questionnaire_sent_by_the_clinic_is_on_today_and_filled_in_the_portal(
        world: dict[str, Any], patient_client: Client, accounts_ab: dict[str, Any]) -> None:
    """Listed on Today; answered in the portal; scored by the clinic's scorer, source "portal", audited."""
    link = _link(world)
    url = reverse("portal:questionnaire", args=[link.pk])
    assert url in patient_client.get(reverse("portal:home")).content.decode()
    r = patient_client.post(url, {f"odi_{k}": "2" for k in range(10)})
    assert r.status_code == 200
    assert "Thank you" in r.content.decode()
    score = OutcomeScore.objects.get(source="portal")
    assert score.result["score"] == 40
    assert AuditEvent.objects.filter(action="patient_completed", actor=accounts_ab["a"]).exists()
    assert patient_client.get(url).status_code == 404  # used: gone from the list
    episode_page = Client()
    episode_page.force_login(world["a"]["practitioner"])
    assert "patient, in the portal" in episode_page.get(reverse("clinic:episode", args=[world["a"]["episode"].pk])
                                                        ).content.decode()


def test_unanswered_or_impossible_answers_are_refused_by_name(world: dict[str, Any], patient_client: Client) -> None:
    link = _link(world)
    url = reverse("portal:questionnaire", args=[link.pk])
    assert patient_client.post(url, {}).status_code == 422
    r = patient_client.post(url, {"odi_0": "9"})
    assert r.status_code == 422
    assert "odi_0" in r.content.decode()
    assert not OutcomeScore.objects.filter(source="portal").exists()
