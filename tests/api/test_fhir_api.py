"""The FHIR API under /api/fhir/: token auth and audit as /api/, another clinic's record 404, reception refused
clinical resources, errors as OperationOutcome; read, search, $everything, Binary and the bulk $export."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from fhir_schema import schema_errors

from sciatica_care.api.rest import issue_token
from sciatica_care.clinic.models import AuditEvent, BulkExport, TokenScope
from sciatica_care.interop.fhir.validation import check

FHIR = "/api/fhir"


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings: Any) -> None:
    """The export's background task runs when it is queued (django-tasks' ImmediateBackend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def get(user: Any, path: str, scope: str = TokenScope.READ, **headers: str) -> Any:
    token = issue_token(user, scope=scope)
    return Client().get(f"{FHIR}{path}", HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def is_outcome(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["diagnostics"]
    return body


def test_metadata_is_a_capability_statement(db: Any) -> None:
    """`metadata` answers without a token (it holds no record), as FHIR JSON, and validates."""
    r = Client().get(f"{FHIR}/metadata")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/fhir+json")
    body = r.json()
    assert body["resourceType"] == "CapabilityStatement"
    assert body["fhirVersion"] == "4.0.1"
    check(body)
    assert schema_errors(body) == []


def test_without_a_token_it_is_401_as_an_operation_outcome(world: dict[str, Any]) -> None:
    """No token, or a wrong one: 401, an OperationOutcome naming the Authorization header."""
    body = is_outcome(Client().get(f"{FHIR}/Patient/{world['a']['patient'].pk}"), 401)
    assert body["issue"][0]["expression"] == ["Authorization"]
    is_outcome(Client().get(f"{FHIR}/Patient", HTTP_AUTHORIZATION="Bearer nope"), 401)


def test_read_is_audited_with_the_token(world: dict[str, Any]) -> None:
    """Reading an Encounter gives the resource, and the read is audited against the patient with the token."""
    a = world["a"]
    r = get(a["practitioner"], f"/Encounter/{a['visit'].pk}")
    assert r.status_code == 200
    assert r.json()["subject"] == {"reference": f"Patient/{a['patient'].pk}"}
    event = AuditEvent.objects.filter(action="read", patient_id=a["patient"].pk, actor=a["practitioner"]).latest("id")
    assert event.detail["via"] == "fhir"
    assert event.detail["resource"] == f"Encounter/{a['visit'].pk}"
    assert event.detail["api_token"]


@pytest.mark.parametrize("path", ["/Patient/{patient}", "/Encounter/{visit}", "/Observation/{score}",
                                  "/CarePlan/{plan}", "/Procedure/{visit}-acupuncture", "/Consent/{patient}-treatment",
                                  "/Patient/{patient}/$everything", "/Observation?patient={patient}",
                                  "/Binary/handout-{plan}"])
def test_another_clinics_record_is_404_and_audited(world: dict[str, Any], path: str) -> None:
    """Clinic B's records, asked for with clinic A's token: 404 (never 403), and the attempt audited."""
    b = world["b"]
    ids = {"patient": b["patient"].pk, "visit": b["visit"].pk, "plan": b["plan"].pk,
           "score": b["visit"].scores.first().pk}
    user = world["a"]["clinic_admin"]
    is_outcome(get(user, path.format(**ids)), 404)
    assert AuditEvent.objects.filter(action="denied_other_clinic", actor=user).exists()


@pytest.mark.parametrize("path", ["/Encounter/{visit}", "/Observation?patient={patient}",
                                  "/Patient/{patient}/$everything", "/Binary/handout-{plan}"])
def test_reception_is_refused_clinical_resources(world: dict[str, Any], path: str) -> None:
    """Reception: 403 on anything clinical, audited as a denied role."""
    a = world["a"]
    ids = {"patient": a["patient"].pk, "visit": a["visit"].pk, "plan": a["plan"].pk}
    is_outcome(get(a["reception"], path.format(**ids)), 403)
    assert AuditEvent.objects.filter(action="denied_role", actor=a["reception"]).exists()


def test_reception_reads_demographics(world: dict[str, Any]) -> None:
    """Reception reads the Patient and the clinic's practitioners (no clinical content)."""
    a = world["a"]
    assert get(a["reception"], f"/Patient/{a['patient'].pk}").status_code == 200
    assert get(a["reception"], "/Practitioner").json()["total"] >= 3


def test_search_by_patient_and_date(world: dict[str, Any]) -> None:
    """Observation?patient=… lists the patient's scores; a date range narrows them; the search is audited."""
    a = world["a"]
    visit = a["visit"]
    r = get(a["practitioner"], f"/Observation?patient=Patient/{a['patient'].pk}")
    body = r.json()
    assert body["resourceType"] == "Bundle"
    assert body["type"] == "searchset"
    assert body["total"] >= 1
    assert all(e["resource"]["resourceType"] == "Observation" for e in body["entry"])
    day = visit.scores.first().recorded_at.date()
    after = get(a["practitioner"], f"/Observation?patient={a['patient'].pk}&date=gt{day.isoformat()}").json()
    assert after["total"] == 0
    same = get(a["practitioner"], f"/Encounter?patient={a['patient'].pk}&date=ge{visit.date}&date=le{visit.date}")
    assert same.json()["total"] == 1
    assert AuditEvent.objects.filter(action="list", patient_id=a["patient"].pk, object_type="fhir:Observation").exists()


def test_search_by_id_and_paging(world: dict[str, Any]) -> None:
    """`_id` finds the resource; `_count` pages with a next link."""
    a = world["a"]
    r = get(a["practitioner"], f"/Encounter?_id={a['visit'].pk}").json()
    assert [e["resource"]["id"] for e in r["entry"]] == [str(a["visit"].pk)]
    page = get(a["practitioner"], "/Questionnaire?_count=2").json()
    assert len(page["entry"]) == 2
    assert page["total"] == 5
    assert any(link["relation"] == "next" and "_offset=2" in link["url"] for link in page["link"])


@pytest.mark.parametrize(("path", "field"), [("/Observation", "patient"), ("/Observation?patient=abc", "patient"),
                                             ("/Encounter?patient=1&date=yesterday", "date"),
                                             ("/Encounter?patient=1&date=2025-02-30", "date"),
                                             ("/Patient?_count=0", "_count"), ("/Patient?birthdate=x", "birthdate"),
                                             ("/Patient?date=2025-01-01", "date"), ("/Patient?_offset=-1", "_offset")])
def test_a_search_it_cannot_read_is_400_naming_the_parameter(world: dict[str, Any], path: str,
                                                              field: str) -> None:
    """A missing or malformed parameter: 400, an OperationOutcome naming it."""
    a = world["a"]
    body = is_outcome(get(a["practitioner"], path.replace("patient=1", f"patient={a['patient'].pk}")), 400)
    assert body["issue"][0]["expression"] == [field]


def test_an_unknown_type_or_id_is_404(world: dict[str, Any]) -> None:
    """A resource type the server does not have, or an id that names nothing: 404."""
    user = world["a"]["practitioner"]
    for path in ("/Medication/1", "/Encounter/999999", "/Procedure/1-knitting", "/Encounter/x1", "/Binary/other-1"):
        is_outcome(get(user, path), 404)


def test_everything_is_the_whole_record_and_audited(world: dict[str, Any]) -> None:
    """`$everything`: the patient's compartment plus the clinic's resources, each valid, the read audited."""
    a = world["a"]
    r = get(a["practitioner"], f"/Patient/{a['patient'].pk}/$everything")
    assert r.status_code == 200
    body = r.json()
    types = {e["resource"]["resourceType"] for e in body["entry"]}
    assert {"Patient", "Encounter", "Observation", "CarePlan", "Organization", "Practitioner"} <= types
    assert all(e["fullUrl"].startswith("http://testserver/api/fhir/") for e in body["entry"])
    for entry in body["entry"]:
        check(entry["resource"])
    assert AuditEvent.objects.filter(action="read", patient_id=a["patient"].pk,
                                     detail__operation="everything").exists()


def test_binary_serves_the_handout_pdf(world: dict[str, Any]) -> None:
    """The DocumentReference's address gives the PDF itself, audited as a read."""
    a = world["a"]
    ref = get(a["practitioner"], f"/DocumentReference/handout-{a['plan'].pk}").json()
    url = ref["content"][0]["attachment"]["url"]
    assert url == f"http://testserver/api/fhir/Binary/handout-{a['plan'].pk}"
    r = get(a["practitioner"], url.removeprefix("http://testserver/api/fhir"))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="read", patient_id=a["patient"].pk, detail__purpose="handout_pdf").exists()


# --- bulk export ------------------------------------------------------------------------------------------------

def kick_off(user: Any, path: str = "/$export", scope: str = TokenScope.READ) -> tuple[Any, str]:
    token = issue_token(user, scope=scope)
    r = Client().get(f"{FHIR}{path}", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_PREFER="respond-async",
                     HTTP_ACCEPT="application/fhir+json")
    return r, token


@pytest.mark.parametrize("path", ["/$export", "/Patient/$export"])
def test_export_runs_and_its_files_download(world: dict[str, Any], path: str) -> None:
    """Kick-off 202 with Content-Location; the status 200 with the manifest; each NDJSON file downloads with the
    same token, holds only this clinic's records, each line valid; every step audited."""
    admin = world["a"]["clinic_admin"]
    r, token = kick_off(admin, path)
    assert r.status_code == 202, r.content
    status_url = r["Content-Location"]
    assert status_url.startswith("http://testserver/api/fhir/bulkstatus/")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    done = Client().get(status_url, **auth)
    assert done.status_code == 200
    manifest = done.json()
    assert manifest["requiresAccessToken"] is True
    assert manifest["error"] == []
    by_type = {o["type"]: o for o in manifest["output"]}
    assert {"Patient", "Encounter", "Observation"} <= set(by_type)
    assert ("Organization" in by_type) == (path == "/$export" or True)
    other = str(world["b"]["patient"].pk)
    for out in manifest["output"]:
        f = Client().get(out["url"], **auth)
        assert f.status_code == 200
        assert f["Content-Type"] == "application/fhir+ndjson"
        lines = b"".join(f.streaming_content).decode().splitlines()
        assert len(lines) == out["count"]
        for line in lines:
            resource = json.loads(line)
            assert resource["resourceType"] == out["type"]
            check(resource)
            assert f"Patient/{other}\"" not in line
            assert not (out["type"] == "Patient" and resource["id"] == other)
    actions = list(AuditEvent.objects.filter(actor=admin, object_type="BulkExport").values_list("action", flat=True))
    assert {"export_bulk", "export_bulk_done", "export_bulk_download"} <= set(actions)
    assert actions.count("export_bulk_download") == len(manifest["output"])


def test_export_needs_prefer_respond_async(world: dict[str, Any]) -> None:
    """Without `Prefer: respond-async` the kick-off is refused (400) and nothing is queued."""
    body = is_outcome(get(world["a"]["clinic_admin"], "/$export"), 400)
    assert body["issue"][0]["expression"] == ["Prefer"]
    assert not BulkExport.objects.exists()


@pytest.mark.parametrize(("query", "field"), [("_type=Patient,Widget", "_type"), ("_outputFormat=text/csv",
                                                                                  "_outputFormat"),
                                              ("_since=yesterday", "_since"), ("_since=2025-01-01T00:00:00", "_since")])
def test_export_parameters_it_cannot_read_are_400(world: dict[str, Any], query: str, field: str) -> None:
    """An unknown type, output format or a `_since` without a zone: 400 naming the parameter."""
    r, _ = kick_off(world["a"]["clinic_admin"], f"/$export?{query}")
    assert is_outcome(r, 400)["issue"][0]["expression"] == [field]


def test_export_types_and_since(world: dict[str, Any]) -> None:
    """`_type` limits the files; `_since` in the future leaves only what carries no change time."""
    admin = world["a"]["clinic_admin"]
    r, token = kick_off(admin, "/$export?_type=Patient,Questionnaire&_since=2999-01-01T00:00:00Z")
    manifest = Client().get(r["Content-Location"], HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert {o["type"] for o in manifest["output"]} == {"Questionnaire"}


@pytest.mark.parametrize("role", ["practitioner", "reception"])
def test_only_a_clinic_admin_exports_the_clinic(world: dict[str, Any], role: str) -> None:
    """A practitioner or receptionist: 403, audited, nothing queued."""
    user = world["a"][role]
    r, _ = kick_off(user)
    is_outcome(r, 403)
    assert AuditEvent.objects.filter(action="denied_role", actor=user, detail__purpose="export_bulk").exists()
    assert not BulkExport.objects.exists()


def test_an_export_is_its_requesters_only(world: dict[str, Any], make_staff: Any) -> None:
    """Another admin of the clinic, or of another clinic: the status and files are 404."""
    r, _ = kick_off(world["a"]["clinic_admin"])
    path = r["Content-Location"].removeprefix("http://testserver/api/fhir")
    colleague = make_staff(world["a"]["clinic"], "clinic_admin")
    is_outcome(get(colleague, path), 404)
    is_outcome(get(world["b"]["clinic_admin"], path), 404)


def test_delete_cancels_and_removes_the_files(world: dict[str, Any]) -> None:
    """DELETE on the status address: 202, the files are gone, the status 404; audited. A read-only token may not."""
    from sciatica_care.clinic import fhir_bulk

    admin = world["a"]["clinic_admin"]
    r, token = kick_off(admin, scope=TokenScope.READ_WRITE)
    export = BulkExport.objects.get()
    folder = fhir_bulk.folder_of(export)
    assert folder.is_dir()
    read_only = issue_token(admin, scope=TokenScope.READ)
    is_outcome(Client().delete(r["Content-Location"], HTTP_AUTHORIZATION=f"Bearer {read_only}"), 403)
    gone = Client().delete(r["Content-Location"], HTTP_AUTHORIZATION=f"Bearer {token}")
    assert gone.status_code == 202
    assert not folder.exists()
    assert not BulkExport.objects.exists()
    is_outcome(Client().get(r["Content-Location"], HTTP_AUTHORIZATION=f"Bearer {token}"), 404)
    assert AuditEvent.objects.filter(action="export_bulk_cancel", actor=admin).exists()


def test_status_while_running_is_202_with_progress(world: dict[str, Any], settings: Any) -> None:
    """Queued (no worker yet): 202 with X-Progress; a second kick-off meanwhile is 429."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    admin = world["a"]["clinic_admin"]
    r, token = kick_off(admin)
    waiting = Client().get(r["Content-Location"], HTTP_AUTHORIZATION=f"Bearer {token}")
    assert waiting.status_code == 202
    assert waiting["X-Progress"].startswith("0%")
    is_outcome(kick_off(admin)[0], 429)


def test_an_expired_export_is_gone(world: dict[str, Any]) -> None:
    """After the keeping time the status is 404 and the files are deleted."""
    import datetime as dt

    from sciatica_care.clinic import fhir_bulk

    r, token = kick_off(world["a"]["clinic_admin"])
    export = BulkExport.objects.get()
    BulkExport.objects.filter(pk=export.pk).update(finished_at=export.finished_at - fhir_bulk.KEEP
                                                   - dt.timedelta(minutes=1))
    is_outcome(Client().get(r["Content-Location"], HTTP_AUTHORIZATION=f"Bearer {token}"), 404)
    assert not fhir_bulk.folder_of(export).exists()


def _appointment(w: dict[str, Any]) -> Any:
    import datetime as dt

    from django.utils import timezone

    from sciatica_care.scheduling.models import Appointment, Location, Service

    place = Location.objects.create(clinic=w["clinic"], name="Main")
    service = Service.objects.create(clinic=w["clinic"], name="Follow-up", kind="follow_up_acupuncture",
                                     duration_minutes=45)
    start = timezone.now().replace(microsecond=0)
    end = start + dt.timedelta(minutes=45)
    return Appointment.objects.create(clinic=w["clinic"], patient=w["patient"], practitioner=w["practitioner"],
                                      service=service, location=place, start=start, end=end, blocked_from=start,
                                      blocked_until=end)


def test_appointments_are_booking_records(world: dict[str, Any]) -> None:
    """Reception reads an Appointment and the busy Slot it holds; another clinic's appointment is 404."""
    a, b = world["a"], world["b"]
    mine, theirs = _appointment(a), _appointment(b)
    body = get(a["reception"], f"/Appointment/{mine.pk}").json()
    assert body["status"] == "booked"
    assert {"reference": f"Patient/{a['patient'].pk}"} in [
        p["actor"] for p in body["participant"]]
    assert get(a["reception"], f"/Slot/appointment-{mine.pk}").json()["status"] == "busy"
    is_outcome(get(a["reception"], f"/Appointment/{theirs.pk}"), 404)
    is_outcome(get(a["reception"], f"/Slot/appointment-{theirs.pk}"), 404)


def test_a_patients_portal_account_never_reaches_the_fhir_api(world: dict[str, Any]) -> None:
    """A patient's own sign-in is not staff: a token it somehow held is 401, and it is no Practitioner."""
    import datetime as dt

    from django.utils import timezone

    from sciatica_care.clinic import api_tokens
    from sciatica_care.clinic.models import ApiToken, Role, Staff

    a = world["a"]
    account = Staff.objects.create_user(username="ann.portal", password="x-long-password-1", clinic=a["clinic"],
                                        role=Role.PATIENT)
    ApiToken.objects.create(staff=account, name="leaked", digest=api_tokens.digest("leaked-token"),
                            expires_at=timezone.now() + dt.timedelta(days=1))
    for path in (f"/Patient/{a['patient'].pk}", f"/Patient/{a['patient'].pk}/$everything", "/Practitioner"):
        is_outcome(Client().get(f"{FHIR}{path}", HTTP_AUTHORIZATION="Bearer leaked-token"), 401)
    listed = get(a["clinic_admin"], "/Practitioner").json()
    assert str(account.pk) not in {e["resource"]["id"] for e in listed["entry"]}
