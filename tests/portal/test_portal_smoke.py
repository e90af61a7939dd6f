"""Every portal page answers the signed-in patient."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from portal_fixtures import entry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["home", "diary", "progress", "settings", "password", "second_factor", "handout"])
def test_pages_answer(patient_client: Any, name: str) -> None:
    """Each page of the portal is shown to its patient."""
    r = patient_client.get(reverse(f"portal:{name}"))
    assert r.status_code == 200, r.content.decode()[:3000]


def test_diary_round_trip(patient_client: Any) -> None:
    """An entry is stored and its chart is drawn."""
    r = patient_client.post(reverse("portal:diary_api"), json.dumps(entry()), content_type="application/json")
    assert r.status_code == 201, r.content
    assert patient_client.get(reverse("portal:progress")).status_code == 200
    assert patient_client.get(reverse("portal:diary_chart")).status_code == 200
    assert patient_client.get(reverse("portal:scores_chart")).status_code == 200
