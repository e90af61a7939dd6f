"""The demo clinic exported as FHIR R4: every resource of every type validates against the models and the official
R4 JSON Schema; the command line writes the same resources as NDJSON (round trip: nothing lost); the subject-access
export's FHIR Bundle; licensed questionnaire wording never leaves."""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fhir_schema import schema_errors

from sciatica_care.clinic import clinical, demo, fhir_records, records
from sciatica_care.clinic.models import AuditEvent, Clinic, EpisodeStatus, OutcomeScore, Patient, Visit
from sciatica_care.interop.fhir.validation import check


@pytest.fixture
def demo_clinic(db: Any) -> Clinic:
    """A small demo clinic (real engine plans and scores) with one course discharged."""
    staff = demo.load(n_patients=8)
    clinic = staff["admin"].clinic
    episode = clinic.episodes.exclude(status=EpisodeStatus.REFERRED).filter(visits__isnull=False).first()
    records.discharge_episode(staff["dr.lin"], episode, episode.version, episode.visits.last().date)
    book(clinic, staff["dr.lin"], episode)
    return clinic


KIND = "follow_up_acupuncture"


def book(clinic: Clinic, practitioner: Any, episode: Any) -> None:
    """The booking diary's records (until the demo books): a location, a shift, a booked and a cancelled visit."""
    import datetime as dt

    from django.utils import timezone

    from sciatica_care.scheduling.models import Appointment, Location, Service, Shift

    place = Location.objects.create(clinic=clinic, name="Riverside, High Street", address="2 High Street")
    service = Service.objects.create(clinic=clinic, name="Acupuncture follow-up", kind=KIND, duration_minutes=45)
    Shift.objects.create(practitioner=practitioner, location=place, weekday=0, start_time=dt.time(9),
                         end_time=dt.time(17))
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    for status in ("booked", "cancelled"):
        Appointment.objects.create(clinic=clinic, patient=episode.patient, practitioner=practitioner,
                                   service=service, location=place, start=start, end=start + dt.timedelta(minutes=45),
                                   blocked_from=start, blocked_until=start + dt.timedelta(minutes=45), status=status,
                                   episode=episode)
        start += dt.timedelta(hours=2)


def export_all(clinic: Clinic) -> list[dict[str, Any]]:
    return list(fhir_records.everything(Patient.objects.filter(clinic=clinic), [clinic.pk]))


def test_every_resource_type_of_the_demo_clinic_validates(demo_clinic: Clinic) -> None:
    """Each type is exported, and every resource passes the R4B models (read back unchanged) and the official
    R4 JSON Schema."""
    resources = export_all(demo_clinic)
    assert {r["resourceType"] for r in resources} == set(clinical.FHIR_TYPES)
    problems = []
    for resource in resources:
        try:
            check(resource)
        except ValueError as exc:
            problems.append(str(exc)[:300])
        problems.extend(schema_errors(resource))
    assert problems == []


def test_ids_are_unique_and_references_resolve(demo_clinic: Clinic) -> None:
    """No two resources of a type share an id, and every reference points at an exported resource."""
    resources = export_all(demo_clinic)
    keys = [f"{r['resourceType']}/{r['id']}" for r in resources]
    assert len(keys) == len(set(keys))
    known = set(keys)

    def refs(value: Any) -> list[str]:
        if isinstance(value, dict):
            found = [value["reference"]] if isinstance(value.get("reference"), str) else []
            return found + [x for v in value.values() for x in refs(v)]
        if isinstance(value, list):
            return [x for v in value for x in refs(v)]
        return []

    dangling = {ref for r in resources for ref in refs(r)} - known
    assert dangling == set()


def test_the_export_says_what_the_records_say(demo_clinic: Clinic) -> None:
    """One Encounter per session, one Observation and QuestionnaireResponse per score, with the score's value;
    each patient's name and birth date."""
    resources = export_all(demo_clinic)
    counts = Counter(r["resourceType"] for r in resources)
    assert counts["Encounter"] == Visit.objects.filter(clinic=demo_clinic).count()
    scores = {s.pk: s for s in OutcomeScore.objects.filter(clinic=demo_clinic)}
    assert counts["Observation"] == counts["QuestionnaireResponse"] == len(scores)
    for r in resources:
        if r["resourceType"] == "Observation":
            value = r.get("valueInteger", r.get("valueQuantity", {}).get("value"))
            assert value == scores[int(r["id"])].result["score"]
        if r["resourceType"] == "Patient":
            p = Patient.objects.get(pk=int(r["id"]))
            assert (r["name"][0]["family"], r["name"][0]["given"], r["birthDate"]) == (
                p.last_name, [p.first_name], p.date_of_birth.isoformat())


def test_the_cli_writes_ndjson_by_type_and_loses_nothing(demo_clinic: Clinic, tmp_path: Path) -> None:
    """`export fhir --out DIR`: one file per type, owner-only, each line one resource; read back, the files hold
    exactly the resources the export makes; the export is audited."""
    from sciatica_care.cli import export_commands

    out = tmp_path / "fhir"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(export_commands, "_setup", lambda data_dir, **kw: tmp_path)
        result = CliRunner().invoke(export_commands.export, ["fhir", "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"{t}.ndjson" for t in clinical.FHIR_TYPES)
    back = []
    for path in out.iterdir():
        if os.name == "posix":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        for line in path.read_text(encoding="utf-8").splitlines():
            resource = json.loads(line)
            assert f"{resource['resourceType']}.ndjson" == path.name
            back.append(resource)
    key = lambda r: (r["resourceType"], r["id"])  # noqa: E731
    assert sorted(back, key=key) == sorted(export_all(demo_clinic), key=key)
    event = AuditEvent.objects.get(action="export_bulk", detail__via="cli")
    assert event.clinic_id_at_time == demo_clinic.pk


def test_the_cli_refuses_an_unknown_type(demo_clinic: Clinic, tmp_path: Path) -> None:
    """`--type Widget` exits 2 naming the option; nothing is written."""
    from sciatica_care.cli import export_commands

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(export_commands, "_setup", lambda data_dir, **kw: tmp_path)
        result = CliRunner().invoke(export_commands.export, ["fhir", "--out", str(tmp_path / "x"), "--type", "Widget"])
    assert result.exit_code == 2
    assert "--type" in result.output
    assert not (tmp_path / "x").exists()


def test_subject_access_writes_a_valid_fhir_bundle(demo_clinic: Clinic, tmp_path: Path) -> None:
    """`export patient ID --format fhir`: a collection Bundle of the patient's record, every entry valid."""
    from sciatica_care.cli import export_commands

    patient = Patient.objects.filter(clinic=demo_clinic, episodes__visits__isnull=False).first()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(export_commands, "_setup", lambda data_dir, **kw: tmp_path)
        result = CliRunner().invoke(export_commands.export, ["patient", str(patient.pk), "--out", str(tmp_path),
                                                             "--format", "fhir"])
    assert result.exit_code == 0, result.output
    bundle = json.loads((tmp_path / f"patient-{patient.pk}-record.fhir.json").read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    assert schema_errors(bundle) == []
    check(bundle)
    patients = {e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"}
    assert patients == {str(patient.pk)}
    assert not (tmp_path / f"patient-{patient.pk}-record.pdf").exists()


def test_the_record_page_offers_the_fhir_download(demo_clinic: Clinic, login: Any) -> None:
    """The patient page's "Whole record (FHIR)" gives the Bundle as application/fhir+json, audited."""
    from django.urls import reverse

    admin = demo_clinic.staff.get(username="admin")
    patient = Patient.objects.filter(clinic=demo_clinic).first()
    client = login(admin)
    page = client.get(reverse("clinic:patient_detail", args=[patient.pk])).content.decode()
    assert "Whole record (FHIR)" in page
    r = client.get(reverse("clinic:record_fhir", args=[patient.pk]))
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/fhir+json")
    assert json.loads(r.content)["resourceType"] == "Bundle"
    assert AuditEvent.objects.filter(action="export_record", patient_id=patient.pk, detail__formats=["fhir"]).exists()


def test_licensed_wording_never_leaves(demo_clinic: Clinic, settings: Any, tmp_path: Path) -> None:
    """A clinic's loaded ODI wording (licensed) is never in the export: only our own topic words are."""
    from sciatica_care.outcomes.wording import wording_file_name

    settings.DATA_DIR = tmp_path
    folder = tmp_path / "wording"
    folder.mkdir()
    marker = "LICENSED-WORDING-XYZZY"
    items = [{"prompt": f"{marker} section {n}", "options": [f"{marker} {k}" for k in range(6)]} for n in range(10)]
    (folder / wording_file_name("odi")).write_text(json.dumps({
        "schema_version": "1", "instrument": "odi", "licence": "test licence", "items": items}), encoding="utf-8")
    from sciatica_care.clinic.questionnaires import wording_folder

    assert marker in clinical.wording_in_effect("odi", wording_folder()).items[0].prompt  # the clinic does use it
    text = json.dumps(export_all(demo_clinic))
    assert marker not in text
