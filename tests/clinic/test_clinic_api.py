"""The JSON API: token auth, clinic scoping, intake → stored plan, JSON errors with field paths."""

from __future__ import annotations

import json
from typing import Any

import pytest
from clinic_fixtures import base_intake

from sciatica_care.api.rest import issue_token
from sciatica_care.clinic.models import AuditEvent, PlanRevision

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world: dict[str, Any], client: Any) -> Any:
    def call(method: str, path: str, user: Any = None, body: Any = None, token: str | None = None) -> Any:
        token = token or issue_token(user or world["a"]["practitioner"])
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(f"/api{path}", **kwargs)

    return call


def test_no_token_is_401_json(client: Any, world: dict[str, Any]) -> None:
    """Without a token the API answers 401 with a JSON error."""
    r = client.get("/api/patients")
    assert r.status_code == 401
    assert r.json()["errors"][0]["path"] == "Authorization"


def test_bad_token_is_401(api: Any) -> None:
    """A token that was never issued is refused."""
    assert api("get", "/patients", token="nope").status_code == 401


def test_patients_are_scoped_to_the_clinic(api: Any, world: dict[str, Any]) -> None:
    """The list shows own patients only; another clinic's patient is 404 and audited."""
    names = [p["last_name"] for p in api("get", "/patients").json()]
    assert names == ["Smitha"]
    r = api("get", f"/patients/{world['b']['patient'].pk}")
    assert r.status_code == 404
    assert r.json() == {"errors": [{"path": "", "message": "not found"}]}
    assert AuditEvent.objects.filter(action="denied_other_clinic").exists()


def test_post_intake_stores_plan(api: Any, world: dict[str, Any]) -> None:
    """POSTing an intake stores it and the engine's plan, and returns the plan."""
    r = api("post", f"/episodes/{world['a']['episode'].pk}/intakes", body=base_intake())
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == 2
    assert body["plan"]["treatment_allowed"] is True
    from sciatica_care.engine.plan import plan_for
    from sciatica_care.version import __version__

    assert body["plan"] == plan_for(base_intake())
    assert PlanRevision.objects.get(pk=body["id"]).engine_version == __version__


def test_refused_intake_gives_paths(api: Any, world: dict[str, Any]) -> None:
    """The engine's refusal comes back as 422 with each problem's path."""
    r = api("post", f"/episodes/{world['a']['episode'].pk}/intakes", body=base_intake(patient={"age": 10}))
    assert r.status_code == 422
    assert r.json()["errors"][0]["path"] == "patient.age"


def test_schema_errors_give_field_paths(api: Any) -> None:
    """A malformed patient is 422 with the path of the bad field."""
    r = api("post", "/patients", body={"first_name": "A", "last_name": "B", "date_of_birth": "not a date"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["path"] == "date_of_birth"


def test_patch_with_stale_version_conflicts(api: Any, world: dict[str, Any]) -> None:
    """A PATCH with an old version is 409 and changes nothing."""
    p = world["a"]["patient"]
    assert api("patch", f"/patients/{p.pk}", body={"version": p.version, "phone": "1"}).status_code == 200
    r = api("patch", f"/patients/{p.pk}", body={"version": p.version, "phone": "2"})
    assert r.status_code == 409
    assert r.json()["errors"][0]["path"] == "version"


def test_reception_cannot_read_clinical_data(api: Any, world: dict[str, Any]) -> None:
    """Reception's token lists patients but gets 403 on plans and visits."""
    recep = world["a"]["reception"]
    assert api("get", "/patients", user=recep).status_code == 200
    assert api("get", f"/episodes/{world['a']['episode'].pk}/plans", user=recep).status_code == 403


def test_scores_and_visits(api: Any, world: dict[str, Any]) -> None:
    """Scores are scored by the scorer and listed with the visits of the episode."""
    ep = world["a"]["episode"].pk
    r = api("post", f"/episodes/{ep}/scores", body={"instrument": "odi", "answers": [1] * 10})
    assert r.status_code == 201
    assert r.json()["result"]["score"] == 20.0
    bad = api("post", f"/episodes/{ep}/scores", body={"instrument": "odi", "answers": [9] * 10})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"].startswith("answers")
    assert len(api("get", f"/episodes/{ep}/visits").json()) == 1


def test_openapi_docs_are_served(client: Any, world: dict[str, Any]) -> None:
    """OpenAPI schema and docs are at /api/openapi.json and /api/docs."""
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/episodes/{pk}/intakes" in schema["paths"]


def test_patch_visit_notes_with_version(api: Any, world: dict[str, Any]) -> None:
    """PATCH /visits/{id} amends the notes with the version read; a stale version is 409 and changes nothing."""
    v = world["a"]["visit"]
    r = api("patch", f"/visits/{v.pk}", body={"version": 1, "assessment": "Improving"})
    assert r.status_code == 200, r.content
    assert (r.json()["assessment"], r.json()["version"]) == ("Improving", 2)
    stale = api("patch", f"/visits/{v.pk}", body={"version": 1, "assessment": "Worse"})
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["path"] == "version"
    assert api("get", f"/episodes/{world['a']['episode'].pk}/visits").json()[0]["assessment"] == "Improving"
    other = world["b"]["visit"]
    assert api("patch", f"/visits/{other.pk}", body={"version": 1, "assessment": "x"}).status_code == 404
    recep = world["a"]["reception"]
    assert api("patch", f"/visits/{v.pk}", user=recep, body={"version": 2, "assessment": "x"}).status_code == 403


def test_the_openapi_document_has_no_duplicate_keys(client: Any) -> None:
    """Every mapping in the published OpenAPI document has distinct keys (a "200" beside a 200 breaks Swagger UI)."""
    import json

    duplicates: list[list[str]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        if len(keys) != len(set(keys)):
            duplicates.append(keys)
        return dict(items)

    json.loads(client.get("/api/openapi.json").content, object_pairs_hook=pairs)
    assert duplicates == []
