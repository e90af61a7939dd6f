"""The clinic admin's audit-log viewer: own clinic only, filters, paging, CSV export of the filtered rows (itself
audited), formulas defused."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import AuditEvent

pytestmark = pytest.mark.django_db


def _csv(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_log_shows_only_the_admins_clinic(world: dict[str, Any], login: Any) -> None:
    a, b = world["a"], world["b"]
    audit.record(b["practitioner"], "read", b["patient"], purpose="marker-b")
    audit.record(a["practitioner"], "read", a["patient"], purpose="marker-a")
    client = login(a["clinic_admin"])
    body = client.get(reverse("clinic:audit_log")).content.decode()
    assert "marker-a" in body
    assert "marker-b" not in body
    rows = _csv(client.get(reverse("clinic:audit_export")))
    assert rows
    assert all(r["actor"] in {"prac_a", "admin_a", "recep_a", ""} for r in rows)
    assert not any("marker-b" in r["detail"] for r in rows)
    # Filtering by another clinic's staff member or patient finds nothing of theirs.
    other = client.get(reverse("clinic:audit_export"), {"patient": b["patient"].pk})
    assert _csv(other) == []
    assert client.get(reverse("clinic:audit_log"), {"actor": b["practitioner"].pk}).status_code == 422


def test_filters_by_who_action_patient_record_and_dates(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    client = login(a["clinic_admin"])
    url = reverse("clinic:audit_export")
    rows = _csv(client.get(url, {"actor": a["practitioner"].pk, "action": "create"}))
    assert rows
    assert {r["actor"] for r in rows} == {"prac_a"}
    assert {r["action"] for r in rows} == {"create"}
    rows = _csv(client.get(url, {"patient": a["patient"].pk}))
    assert rows
    assert {r["patient_id"] for r in rows} == {str(a["patient"].pk)}
    rows = _csv(client.get(url, {"object_type": "Visit", "object_id": a["visit"].pk}))
    assert rows
    assert {(r["object_type"], r["object_id"]) for r in rows} == {("Visit", str(a["visit"].pk))}
    today = timezone.localdate()
    assert _csv(client.get(url, {"date_from": (today + dt.timedelta(days=1)).isoformat()})) == []
    assert _csv(client.get(url, {"date_to": (today - dt.timedelta(days=1)).isoformat()})) == []
    assert _csv(client.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    bad = client.get(url, {"date_from": today.isoformat(), "date_to": (today - dt.timedelta(days=2)).isoformat()})
    assert bad.status_code == 422


def test_viewing_and_exporting_are_audited_with_their_filters(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    client = login(a["clinic_admin"])
    client.get(reverse("clinic:audit_log"), {"action": "create"})
    response = client.get(reverse("clinic:audit_export"), {"action": "create"})
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    n = len(_csv(response))
    read = AuditEvent.objects.get(action="read", object_type="AuditEvent", actor=a["clinic_admin"])
    assert read.detail["filters"] == {"action": "create"}
    export = AuditEvent.objects.get(action="export_audit", actor=a["clinic_admin"])
    assert (export.detail["filters"], export.detail["rows"], export.clinic_id_at_time) == (
        {"action": "create"}, n, a["clinic"].pk)


def test_paging(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    for i in range(60):
        audit.record(a["practitioner"], "read", a["patient"], purpose=f"page-test-{i}")
    client = login(a["clinic_admin"])
    first = client.get(reverse("clinic:audit_log"), {"patient": a["patient"].pk}).content.decode()
    assert "page-test-59" in first
    assert "page-test-0<" not in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("clinic:audit_log"), {"patient": a["patient"].pk, "page": 2}).content.decode()
    assert "page-test-0<" in second
    assert "Page 2 of 2" in second


def test_csv_cells_cannot_run_as_formulas(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    audit.record(a["practitioner"], "read", object_type="=HYPERLINK(\"http://x\")", object_id=1)
    rows = _csv(login(a["clinic_admin"]).get(reverse("clinic:audit_export")))
    cell = next(r["object_type"] for r in rows if "HYPERLINK" in r["object_type"])
    assert cell.startswith("'=")
