"""No input gives the portal a 5xx: hostile values in the diary's JSON and form, and in every portal form; a
refusal names the field and stores nothing. Bounded, so it runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from portal_fixtures import entry

from sciatica_care.portal.models import ClinicAlert, JournalEntry, ReminderPreference

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TEXT = ["²", "٣", "３", "1e309", "NaN", "-1", "99999999999999999999", "2024-02-30", "\x00", "a\x00b", "\u202e",
        "😀" * 30, "x" * 5001, "<script>alert(1)</script>", "", " ", "true", "null", "[]", "7.5", "10", "0"]
JSON_VALUES: list[Any] = [*TEXT, 10**30, -(10**30), 2**63, -1, 0, 1.5, 11, True, False, None, [], {}, [1], ["a"],
                          {"a": 1}, [None], ["bladder_bowel"], ["x" * 90]]
hostile_json = st.one_of(st.sampled_from(JSON_VALUES), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
hostile_text = st.one_of(st.sampled_from(TEXT), st.text(max_size=30))
FIELDS = ["client_id", "date", "leg_nrs", "back_nrs", "sleep_hours", "sleep_quality", "sitting_hours",
          "walking_minutes", "stress", "activities", "medications", "flare_up", "flare_trigger", "alarm_signs",
          "made_at", "unknown"]


def stored() -> tuple[int, int]:
    return JournalEntry.objects.count(), ClinicAlert.objects.count()


def call(send: Any) -> Any:
    try:
        with transaction.atomic():
            return send()
    except Exception as exc:  # the property under test: nothing escapes as a server error
        raise AssertionError(f"server error: {type(exc).__name__}: {exc}") from exc


@given(changes=st.dictionaries(st.sampled_from(FIELDS), hostile_json, min_size=1, max_size=4))
@FUZZ
def test_no_diary_json_gives_a_server_error(patient_client: Client, changes: dict[str, Any]) -> None:
    """The diary's JSON endpoint: 201/200, or a 4xx whose errors name fields; a refusal stores nothing."""
    before = stored()
    doc = {**entry(), **changes}
    try:
        body = json.dumps(doc, allow_nan=True)
    except ValueError:
        return
    r = call(lambda: patient_client.post(reverse("portal:diary_api"), body, content_type="application/json"))
    assert r.status_code < 500
    if r.status_code >= 400:
        errors = r.json()["errors"]
        assert errors
        assert all(e["message"] for e in errors)
        assert stored() == before


@given(value=st.one_of(st.floats(), st.sampled_from([math.inf, -math.inf, math.nan])))
@FUZZ
def test_non_finite_numbers_are_refused_by_name(patient_client: Client, value: float) -> None:
    r = call(lambda: patient_client.post(reverse("portal:diary_api"), json.dumps(entry(sleep_hours=value)),
                                         content_type="application/json"))
    assert r.status_code in (201, 422)
    if r.status_code == 422:
        assert [e["path"] for e in r.json()["errors"]] == ["sleep_hours"]


FORM_NAMES = ["client_id", "date", "leg_nrs", "back_nrs", "sleep_hours", "sleep_quality", "sitting_hours",
              "walking_minutes", "stress", "activities", "activities_other", "medications", "medications_other",
              "flare_up", "flare_trigger", "alarm_signs"]


@given(changes=st.dictionaries(st.sampled_from(FORM_NAMES),
                               st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3)),
                               min_size=1, max_size=4))
@FUZZ
def test_no_diary_form_gives_a_server_error(patient_client: Client, changes: dict[str, Any]) -> None:
    """The plain form: no 5xx; a refusal (422) shows the error and stores nothing."""
    before = stored()
    data = {"client_id": entry()["client_id"], "date": entry()["date"], "leg_nrs": "5", **changes}
    data = {k: [x.encode("utf-8", "replace").decode() for x in v] if isinstance(v, list)
            else v.encode("utf-8", "replace").decode() for k, v in data.items()}
    r = call(lambda: patient_client.post(reverse("portal:diary"), data))
    assert r.status_code < 500
    if r.status_code == 422:
        assert 'class="error' in r.content.decode()
        assert stored() == before


SETTINGS_NAMES = ["diary_on", "diary_time", "programme_on", "programme_time", "time_zone", "version"]


@given(changes=st.dictionaries(st.sampled_from(SETTINGS_NAMES), hostile_text, min_size=1, max_size=4))
@FUZZ
def test_no_settings_form_gives_a_server_error(patient_client: Client, changes: dict[str, Any]) -> None:
    data = {"diary_time": "20:00", "programme_time": "09:00", "time_zone": "UTC", "version": "1", **changes}
    data = {k: v.encode("utf-8", "replace").decode() for k, v in data.items()}
    before = list(ReminderPreference.objects.values())
    r = call(lambda: patient_client.post(reverse("portal:settings"), data))
    assert r.status_code < 500
    if r.status_code >= 400:
        assert list(ReminderPreference.objects.values()) == before


@pytest.mark.parametrize("name", ["signin", "signin_code", "signin_second_factor", "password", "second_factor"])
@given(value=hostile_text)
@FUZZ
def test_no_sign_in_or_account_form_gives_a_server_error(patient_client: Client, name: str, value: str) -> None:
    value = value.encode("utf-8", "replace").decode()
    data = {"email": value, "code": value, "token": value, "password": value, "new_password1": value,
            "new_password2": value}
    r = call(lambda: patient_client.post(reverse(f"portal:{name}"), data))
    assert r.status_code < 500
