"""Patients' rights: the whole-record export (JSON bundle and PDF), anonymising on request, and care-team access
with break-the-glass (permission matrix with the setting on and off)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import stat
from typing import Any

import pytest
from django.urls import reverse

from sciatica_care.clinic import anonymise, care_team, records, subject_access
from sciatica_care.clinic.models import AuditEvent, BreakGlass, Clinic, Patient, Role, Visit

pytestmark = pytest.mark.django_db

ROLES = ["practitioner", "clinic_admin", "reception"]


def _richer(world: dict[str, Any]) -> None:
    """A second session with an override note and a questionnaire score, for the round trip."""
    a = world["a"]
    records.chart_visit(a["practitioner"], a["episode"], a["plan"], {
        "red_flags_rechecked": True, "points": [{"code": "BL40", "side": "left"}], "subjective": "less pain",
        "leg_nrs": 3, "back_nrs": 2})
    records.record_score(a["practitioner"], a["episode"], "rmdq", [1] * 24)


# --- subject access ---------------------------------------------------------------------------------------------

def test_json_bundle_holds_every_session_and_score(world: dict[str, Any], login: Any) -> None:
    _richer(world)
    a = world["a"]
    response = login(a["clinic_admin"]).get(reverse("clinic:record_json", args=[a["patient"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert (data["format"], data["format_version"]) == (subject_access.FORMAT, subject_access.FORMAT_VERSION)
    assert data["patient"]["last_name"] == "Smitha"
    (course,) = data["courses"]
    visits = set(Visit.objects.filter(episode=a["episode"]).values_list("pk", flat=True))
    assert {s["id"] for s in course["sessions"]} == visits
    assert len(visits) == 2
    scores = set(a["episode"].scores.values_list("pk", flat=True))
    assert {s["id"] for s in course["scores"]} == scores
    assert scores
    assert course["intakes"][0]["data"]["pain"]["leg_nrs"] == 7
    assert course["plans"][0]["plan"] == a["plan"].plan
    assert course["sessions"][0]["points"] == [{"code": "GB30", "side": "left"}]
    # The access log inside names reads and this export; the other clinic's patient is nowhere.
    assert "export_record" in {e["action"] for e in data["access_log"]}
    assert "Smithb" not in response.content.decode()


def test_pdf_reads_back_with_every_session(world: dict[str, Any], login: Any) -> None:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    _richer(world)
    a = world["a"]
    response = login(a["practitioner"]).get(reverse("clinic:record_pdf", args=[a["patient"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = pdfium.PdfDocument(io.BytesIO(response.content))
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    pdf.close()
    for needle in ("Your health record", "Ann Smitha", "Session 1", "Session 2", "GB30", "BL40", "less pain",
                   "rmdq", "Who opened or changed your record", "exported the record"):
        assert needle in text, needle


EXPORTS = ["clinic:record_json", "clinic:record_pdf", "clinic:record_fhir"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", EXPORTS)
@pytest.mark.parametrize("whose", ["own", "other"])
def test_export_matrix(world: dict[str, Any], login: Any, role: str, page: str, whose: str) -> None:
    """Clinic admin and the treating practitioner export; reception 403; another clinic's patient 404; all audited."""
    user = world["a"][role]
    target = world["a" if whose == "own" else "b"]["patient"]
    response = login(user).get(reverse(page, args=[target.pk]))
    exported = AuditEvent.objects.filter(action="export_record", actor=user, patient_id=target.pk)
    if whose == "other":
        assert response.status_code == 404
        assert AuditEvent.objects.filter(action="denied_other_clinic", actor=user, object_id=target.pk).exists()
    elif role == "reception":
        assert response.status_code == 403
        assert AuditEvent.objects.filter(action="denied_role", actor=user).exists()
    else:
        assert response.status_code == 200
        assert exported.get().detail["via"] == "web"
        return
    assert not exported.exists()


def test_practitioner_not_treating_may_not_export(world: dict[str, Any], login: Any, make_staff: Any) -> None:
    other = make_staff(world["a"]["clinic"], Role.PRACTITIONER, "prac_a2")
    response = login(other).get(reverse("clinic:record_json", args=[world["a"]["patient"].pk]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="export_record", actor=other).exists()


def test_cli_export_writes_both_files_owner_only_and_audits(world: dict[str, Any], tmp_path: Any) -> None:
    from click.testing import CliRunner

    from sciatica_care.cli import export_commands

    patient = world["a"]["patient"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(export_commands, "_setup", lambda data_dir, **kw: tmp_path)
        result = CliRunner().invoke(export_commands.export, ["patient", str(patient.pk), "--out",
                                                             str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    json_file = tmp_path / "out" / f"patient-{patient.pk}-record.json"
    pdf_file = tmp_path / "out" / f"patient-{patient.pk}-record.pdf"
    assert json.loads(json_file.read_text())["patient"]["id"] == patient.pk
    assert pdf_file.read_bytes().startswith(b"%PDF")
    if os.name == "posix":
        assert stat.S_IMODE(json_file.stat().st_mode) == 0o600
    event = AuditEvent.objects.get(action="export_record", patient_id=patient.pk)
    assert (event.actor, event.detail["via"], event.clinic_id_at_time) == (None, "cli", patient.clinic_id)


# --- anonymise --------------------------------------------------------------------------------------------------

def _anon_post(client: Any, patient: Patient, **extra: str) -> Any:
    return client.post(reverse("clinic:patient_anonymise", args=[patient.pk]),
                       {"version": str(patient.version), "confirm": "yes", **extra})


def test_anonymise_is_refused_before_retention_without_a_legal_reason(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    before = Patient.objects.values().get(pk=a["patient"].pk)
    response = _anon_post(login(a["clinic_admin"]), a["patient"])
    assert response.status_code == 422
    assert "retention" in response.content.decode()
    assert Patient.objects.values().get(pk=a["patient"].pk) == before


def test_anonymise_with_legal_reason_keeps_clinical_record(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    Patient.objects.filter(pk=a["patient"].pk).update(phone="0123", email="ann@example.org", address="1 Road",
                                                       booking_notes="Ann's husband drives her")
    a["patient"].refresh_from_db()
    response = _anon_post(login(a["clinic_admin"]), a["patient"], legal_reason="Erasure ordered under Art. 17")
    assert response.status_code == 302
    p = Patient.objects.get(pk=a["patient"].pk)
    assert p.first_name == "Anonymised"
    assert p.last_name == p.pseudonym
    assert p.pseudonym.startswith("P-")
    assert p.date_of_birth == dt.date(1980, 1, 1)
    assert (p.phone, p.email, p.address, p.booking_notes) == ("", "", "", "")
    assert p.anonymised_at is not None
    assert p.version == a["patient"].version + 1
    assert Visit.objects.filter(episode__patient=p).count() == 1  # the clinical record is kept
    event = AuditEvent.objects.get(action="anonymise")
    assert event.detail["legal_reason"].startswith("Erasure")
    assert event.detail["before_retention_end"]
    assert event.detail["pseudonym"] == p.pseudonym
    # The audit trail names the patient by id only: no event carries their name.
    assert not any("Smitha" in json.dumps(e.detail) for e in AuditEvent.objects.filter(patient_id=p.pk))


def test_anonymise_after_retention_needs_no_reason(world: dict[str, Any]) -> None:
    a = world["a"]
    later = anonymise.retention_ends(a["patient"]) + dt.timedelta(days=1)
    anonymise.anonymise(a["clinic_admin"], a["patient"], a["patient"].version, today=later)
    assert Patient.objects.get(pk=a["patient"].pk).anonymised_at is not None
    with pytest.raises(anonymise.Refused):  # only once
        anonymise.anonymise(a["clinic_admin"], Patient.objects.get(pk=a["patient"].pk), 99, today=later)


def test_retention_period_is_the_clinic_setting(world: dict[str, Any]) -> None:
    a = world["a"]
    default_end = anonymise.retention_ends(a["patient"])
    Clinic.objects.filter(pk=a["clinic"].pk).update(retention_years=10)
    assert anonymise.retention_ends(a["patient"]).year == default_end.year + 2
    assert Clinic._meta.get_field("retention_years").default == 8


def test_anonymise_is_version_checked(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    stale = a["patient"].version
    records.update_versioned(a["practitioner"], a["patient"], stale, {"phone": "999"})
    a["patient"].version = stale
    response = _anon_post(login(a["clinic_admin"]), a["patient"], legal_reason="Erasure ordered under Art. 17")
    assert response.status_code == 409
    assert Patient.objects.get(pk=a["patient"].pk).anonymised_at is None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["own", "other"])
def test_anonymise_matrix(world: dict[str, Any], login: Any, role: str, whose: str) -> None:
    """Only the clinic admin of the patient's clinic anonymises; others 403 (role) or 404 (clinic)."""
    target = world["a" if whose == "own" else "b"]["patient"]
    response = _anon_post(login(world["a"][role]), target, legal_reason="Erasure ordered under Art. 17")
    expected = 403 if role != "clinic_admin" else (404 if whose == "other" else 302)
    assert response.status_code == expected
    assert (Patient.objects.get(pk=target.pk).anonymised_at is not None) == (expected == 302)


def test_patient_search_audit_keeps_ids_not_names(world: dict[str, Any], login: Any) -> None:
    login(world["a"]["reception"]).get(reverse("clinic:patient_list"), {"q": "Smitha"})
    event = AuditEvent.objects.filter(action="list", object_type="Patient").latest("id")
    assert "Smitha" not in json.dumps(event.detail)
    assert event.detail["patients"] == [world["a"]["patient"].pk]


# --- care-team access -------------------------------------------------------------------------------------------

CARE_PAGES = {
    "patient": ("clinic:patient_detail", "patient"),
    "patient_edit": ("clinic:patient_edit", "patient"),
    "episode": ("clinic:episode", "episode"),
    "intake": ("clinic:intake", "episode"),
    "plan": ("clinic:plan", "plan"),
    "visit": ("clinic:visit_detail", "visit"),
    "visit_edit": ("clinic:visit_edit", "visit"),
    "handout_pdf": ("clinic:handout_pdf", "plan"),
    "discharge": ("clinic:discharge", "episode"),
}


def _care_team_on(world: dict[str, Any], on: bool = True) -> None:
    Clinic.objects.filter(pk=world["a"]["clinic"].pk).update(care_team_access=on)


@pytest.mark.parametrize("setting", ["on", "off"])
@pytest.mark.parametrize("who", ["treating", "outsider", "clinic_admin", "reception"])
@pytest.mark.parametrize("page", sorted(CARE_PAGES))
def test_care_team_matrix(world: dict[str, Any], login: Any, make_staff: Any, setting: str, who: str,
                          page: str) -> None:
    """Setting off: today's access. On: the practitioner outside the care team gets the break-the-glass form (403,
    audited); the treating practitioner and the clinic admin open it; reception keeps demographics only."""
    _care_team_on(world, setting == "on")
    a = world["a"]
    user = {"treating": a["practitioner"], "clinic_admin": a["clinic_admin"], "reception": a["reception"],
            "outsider": make_staff(a["clinic"], Role.PRACTITIONER, "prac_a2")}[who]
    url_name, key = CARE_PAGES[page]
    response = login(user).get(reverse(url_name, args=[a[key].pk]))
    clinical = key != "patient"
    if who == "reception" and clinical:
        assert response.status_code == 403
    elif who == "outsider" and setting == "on":
        assert response.status_code == 403
        assert "break the glass" in response.content.decode().lower() or "not in your care" in \
            response.content.decode()
        assert AuditEvent.objects.filter(action="denied_care_team", actor=user, patient_id=a["patient"].pk).exists()
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("setting", ["on", "off"])
def test_care_team_holds_in_the_api(world: dict[str, Any], make_staff: Any, client: Any, setting: str) -> None:
    from sciatica_care.api.rest import issue_token

    _care_team_on(world, setting == "on")
    a = world["a"]
    outsider = make_staff(a["clinic"], Role.PRACTITIONER, "prac_a2")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(outsider)}"}
    detail = client.get(f"/api/patients/{a['patient'].pk}", **headers)
    listed = client.get("/api/patients", **headers)
    if setting == "on":
        assert detail.status_code == 403
        assert listed.json() == []
    else:
        assert detail.status_code == 200
        assert [p["id"] for p in listed.json()] == [a["patient"].pk]


def test_break_the_glass_opens_for_a_while_audited_and_listed(world: dict[str, Any], login: Any,
                                                              make_staff: Any) -> None:
    _care_team_on(world)
    a = world["a"]
    outsider = make_staff(a["clinic"], Role.PRACTITIONER, "prac_a2")
    client = login(outsider)
    url = reverse("clinic:break_glass", args=[a["patient"].pk])
    short = client.post(url, {"reason": "need it"})
    assert short.status_code == 422
    assert not BreakGlass.objects.exists()
    target = reverse("clinic:episode", args=[a["episode"].pk])
    response = client.post(url, {"reason": "Covering for Prac A, patient in clinic today", "next": target})
    assert response.status_code == 302
    assert response["Location"] == target
    assert client.get(target).status_code == 200
    grant = BreakGlass.objects.get()
    assert (grant.expires_at - grant.at) == dt.timedelta(hours=12)
    assert AuditEvent.objects.filter(action="break_glass", actor=outsider, patient_id=a["patient"].pk).exists()
    assert AuditEvent.objects.filter(action="read_under_break_glass", actor=outsider).exists()
    page = login(a["clinic_admin"]).get(reverse("clinic:break_glass_list")).content.decode()
    assert "Covering for Prac A" in page
    assert outsider.display() in page
    BreakGlass.objects.update(expires_at=grant.at)  # the time is up
    assert login(outsider).get(target).status_code == 403
    assert login(outsider).post(url, {"reason": "x", "next": "https://evil.example/"}).status_code == 422


def test_break_glass_list_is_for_the_clinic_admin(world: dict[str, Any], login: Any) -> None:
    for role in ("practitioner", "reception"):
        assert login(world["a"][role]).get(reverse("clinic:break_glass_list")).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_reception_assigns_the_care_team(world: dict[str, Any], login: Any, make_staff: Any, role: str) -> None:
    _care_team_on(world)
    a = world["a"]
    outsider = make_staff(a["clinic"], Role.PRACTITIONER, "prac_a2")
    response = login(a[role]).post(reverse("clinic:care_team", args=[a["patient"].pk]), {"staff": outsider.pk})
    assigned = care_team.treats(outsider, a["patient"].pk)
    if role == "practitioner":
        assert response.status_code == 403
        assert not assigned
    else:
        assert response.status_code == 302
        assert assigned
        assert AuditEvent.objects.filter(action="assign_care", actor=a[role]).exists()
        assert login(outsider).get(reverse("clinic:episode", args=[a["episode"].pk])).status_code == 200


def test_patient_list_shows_a_practitioner_their_own_patients(world: dict[str, Any], login: Any,
                                                              make_staff: Any) -> None:
    _care_team_on(world)
    a = world["a"]
    outsider = make_staff(a["clinic"], Role.PRACTITIONER, "prac_a2")
    client = login(outsider)
    body = client.get(reverse("clinic:patient_list")).content.decode()
    assert "Smitha" not in body
    searched = client.get(reverse("clinic:patient_list"), {"q": "Smitha"}).content.decode()
    assert reverse("clinic:break_glass", args=[a["patient"].pk]) in searched
    assert f'href="{reverse("clinic:patient_detail", args=[a["patient"].pk])}"' not in searched
