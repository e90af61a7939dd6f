"""API tokens (issue 11): expiry, read or read-write scope enforced on every write operation, minted by their owner
only, every use audited with the token's id."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from sciatica_care.api.rest import api
from sciatica_care.clinic import api_tokens
from sciatica_care.clinic.models import ApiToken, AuditEvent, Episode, Intake, OutcomeScore, Patient, Visit
from sciatica_care.errors import InputRefused


def write_operations() -> list[tuple[str, str]]:
    """Every operation of the API that is not a read (method, path template), found from the API itself: an
    operation added later is covered without changing this test."""
    found = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                found += [(m, prefix + path) for m in op.methods if m not in ("GET", "HEAD", "OPTIONS")]
    return found


def _url(template: str, world: dict[str, Any]) -> str:
    a = world["a"]
    ids = {"patients": a["patient"].pk, "episodes": a["episode"].pk, "visits": a["visit"].pk}
    first = template.strip("/").split("/")[0]
    return "/api" + template.replace("{pk}", str(ids.get(first, 1)))


def _counts() -> tuple[int, ...]:
    return (Patient.objects.count(), Episode.objects.count(), Intake.objects.count(), Visit.objects.count(),
            OutcomeScore.objects.count())


def test_the_api_has_write_operations_to_check() -> None:
    ops = write_operations()
    assert ("POST", "/patients") in ops
    assert ("PATCH", "/visits/{pk}") in ops
    assert len(ops) >= 6


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "template"), write_operations())
def test_a_read_token_is_refused_every_write(world: dict[str, Any], client: Any, method: str,
                                              template: str) -> None:
    """A read-only token gets 403 on each write operation, nothing is written, and the refusal is audited with the
    token's id; the same request with a read-write token gets past the token check."""
    owner = world["a"]["practitioner"]
    read, read_token = api_tokens.issue(owner, "reader", scope="read")
    _, rw_token = api_tokens.issue(owner, "writer", scope="read_write")
    before = _counts()
    url = _url(template, world)
    r = client.generic(method, url, "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {read_token}")
    assert r.status_code == 403, (method, url, r.content)
    assert "read-only" in r.json()["errors"][0]["message"]
    assert _counts() == before
    denied = AuditEvent.objects.get(action="denied_scope")
    assert (denied.object_id, denied.detail["api_token"], denied.detail["method"]) == (read.pk, read.pk, method)
    r = client.generic(method, url, "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {rw_token}")
    assert r.status_code not in (401, 403), (method, url, r.content)


@pytest.mark.django_db
def test_a_read_token_reads(world: dict[str, Any], client: Any) -> None:
    _, token = api_tokens.issue(world["a"]["practitioner"], "reader")  # read-only unless asked
    assert ApiToken.objects.get().scope == "read"
    r = client.get("/api/patients", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200


@pytest.mark.django_db
def test_a_token_expires(world: dict[str, Any], client: Any) -> None:
    """90 days unless chosen; past its expiry the token is a 401, like a revoked one."""
    row, token = api_tokens.issue(world["a"]["practitioner"], "x")
    assert abs(row.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    assert client.get("/api/patients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/patients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert api_tokens.authenticate(token) is None


@pytest.mark.django_db
def test_the_clinic_maximum_bounds_a_tokens_life(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    a["clinic"].api_token_max_days = 30
    a["clinic"].save()
    prac = a["practitioner"]
    prac.refresh_from_db()
    with pytest.raises(InputRefused) as refused:
        api_tokens.issue(prac, "long", days=31)
    assert refused.value.problems[0].path == "days"
    row, _ = api_tokens.issue(prac, "default")  # the default is the maximum when the maximum is lower
    assert row.expires_at - row.created_at == dt.timedelta(days=30)
    r = login(prac).post(reverse("clinic:my_tokens"), {"name": "x", "days": 31, "scope": "read"})
    assert r.status_code == 422
    assert "at most 30 days" in r.content.decode()
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db
def test_every_use_is_audited_with_the_tokens_id(world: dict[str, Any], client: Any, login: Any) -> None:
    """Each API request writes an `api_token_use` event naming the token, and every event the request writes
    (the patient read here) carries the token's id; a page request afterwards does not."""
    a = world["a"]
    row, token = api_tokens.issue(a["practitioner"], "x")
    client.get(f"/api/patients/{a['patient'].pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    use = AuditEvent.objects.get(action="api_token_use")
    assert (use.actor, use.object_type, use.object_id, use.detail["path"]) == (
        a["practitioner"], "ApiToken", row.pk, f"/api/patients/{a['patient'].pk}")
    read = AuditEvent.objects.get(action="read", patient_id=a["patient"].pk)
    assert read.detail["api_token"] == row.pk
    login(a["practitioner"]).get(reverse("clinic:patient_detail", args=[a["patient"].pk]))
    page_read = AuditEvent.objects.filter(action="read", patient_id=a["patient"].pk).order_by("-id").first()
    assert page_read is not None
    assert "api_token" not in page_read.detail


@pytest.mark.django_db
def test_the_admin_lists_every_token_and_staff_see_their_own(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    mine, _ = api_tokens.issue(a["practitioner"], "prac-laptop")
    theirs, _ = api_tokens.issue(a["reception"], "front-desk")
    api_tokens.issue(world["b"]["practitioner"], "other-clinic")
    admin_page = login(a["clinic_admin"]).get(reverse("clinic:tokens")).content.decode()
    assert "prac-laptop" in admin_page
    assert "front-desk" in admin_page
    assert "other-clinic" not in admin_page
    client = login(a["practitioner"])
    own_page = client.get(reverse("clinic:my_tokens")).content.decode()
    assert "prac-laptop" in own_page
    assert "front-desk" not in own_page
    # The owner revokes their own; someone else's (not an admin) is refused.
    assert client.post(reverse("clinic:token_revoke", args=[theirs.pk])).status_code == 403
    assert client.post(reverse("clinic:token_revoke", args=[mine.pk])).status_code == 302
    assert ApiToken.objects.get(pk=mine.pk).revoked
    assert not ApiToken.objects.get(pk=theirs.pk).revoked


@pytest.mark.django_db
def test_a_token_made_on_the_page_has_the_chosen_scope_and_life(world: dict[str, Any], login: Any) -> None:
    client = login(world["a"]["reception"])
    r = client.post(reverse("clinic:my_tokens"), {"name": "desk", "days": 7, "scope": "read"})
    assert r.status_code == 200
    token = re.search(r'<code id="new-token">([^<]+)</code>', r.content.decode()).group(1)  # type: ignore[union-attr]
    row = ApiToken.objects.get()
    assert (row.staff, row.scope, row.expires_at - row.created_at) == (world["a"]["reception"], "read",
                                                                      dt.timedelta(days=7))
    event = AuditEvent.objects.get(action="issue_api_token")
    assert (event.actor, event.detail["scope"], event.detail["days"]) == (world["a"]["reception"], "read", 7)
    assert token not in str(event.detail)
