"""No input to the home programme's "done" form gives a 5xx: hostile values in every field (and fields the form
does not have, and several values under one name). Every answer is a store (302) or a refusal that changes nothing:
409/422 naming a field of the form, or 400 for a forged one-time token. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from clinic_fixtures import example
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import example as hypothesis_example
from hypothesis import strategies as st
from portal_fixtures import PATIENT_BACKEND

from sciatica_care.portal.models import AdherenceRecord

pytestmark = pytest.mark.django_db

HOSTILE = [
    "²", "٣", "３", "-1", "0", "99999999999999999999999999", "9223372036854775808", "1e309", "NaN", " 7 ", "1.5",
    "\x00", "a\x00b", "\x01\x1f\x7f", "\u202e", "\ufeff", "\r\n", "😀" * 30, "名" * 600, "x" * 41, "y" * 5001,
    "<script>alert(1)</script>", "' OR 1=1 --", "", " ", "true", "null", "[]", "GB30", "LI4", "session",
    "acupressure", "exercise", "better", "worse", "same", "bird_dog",
]
FIELDS = ["plan", "kind", "item", "felt", "note"]
EXTRA = ["submission_token", "day", "patient", "episode", "recorded_by", "id"]
hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30), st.integers().map(str))


def _text(value: str) -> str:
    return value.encode("utf-8", "replace").decode("utf-8")


@pytest.fixture
def programme_client(client: Any, world: dict[str, Any], account_for: Any, patient_with: Any) -> tuple[Any, Any]:
    revision = patient_with(example("piriformis-chronic"), world["a"]["practitioner"])
    client.force_login(account_for(revision.episode.patient), backend=PATIENT_BACKEND)
    return client, revision


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.sampled_from(FIELDS + EXTRA),
                                  st.one_of(hostile, st.lists(hostile, min_size=2, max_size=3))),
                        min_size=1, max_size=5))
@hypothesis_example(changes=[(f, "\x00" + "z" * 5001) for f in FIELDS])
@hypothesis_example(changes=[(f, "²") for f in FIELDS])
@hypothesis_example(changes=[("plan", "2147483648"), ("kind", ["session", "exercise"])])
def test_no_done_post_gives_a_server_error(programme_client: tuple[Any, Any], changes: list[tuple[str, Any]]) -> None:
    """Hostile values: never a 5xx; a refusal names a field of the form and stores nothing."""
    client, revision = programme_client
    values: dict[str, Any] = {"plan": str(revision.pk), "kind": "acupressure", "item": "GB30", "felt": "better",
                              "note": ""}
    values.update({k: [_text(x) for x in v] if isinstance(v, list) else _text(v) for k, v in changes})
    before = AdherenceRecord.objects.count()
    try:
        with transaction.atomic():
            r = client.post(reverse("portal:programme_done"), values)
    except Exception as exc:  # the property under test: nothing escapes as a server error
        raise AssertionError(f"server error: {type(exc).__name__}: {exc}") from exc
    assert r.status_code in (302, 400, 409, 422), (r.status_code, values)
    if r.status_code == 302:
        assert AdherenceRecord.objects.count() == before + 1
        stored = AdherenceRecord.objects.latest("id")
        assert "\x00" not in stored.note
        assert len(stored.note) <= 500
        assert stored.item in {a.code for a in revision.typed.self_care.acupressure} | {
            e.id for e in revision.typed.self_care.exercise_details} | {""}
        stored.delete()
    else:
        assert AdherenceRecord.objects.count() == before
        body = r.content.decode()
        assert 'role="alert"' in body
        if r.status_code == 400:  # a one-time token that is not this form's (clinic/submission.py says so)
            assert "This form could not be checked" in body
        else:
            assert any(f"<strong>{f}</strong>:" in body for f in FIELDS), body[:500]
