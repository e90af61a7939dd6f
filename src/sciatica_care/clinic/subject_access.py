"""Subject access: one patient's whole record as a machine-readable JSON bundle and a readable PDF.

The bundle (`bundle`) is a documented, versioned structure (docs/subject-access.md): `format` names it and
`format_version` changes whenever a field is removed or changes meaning (fields may be added within a version).
It is one of the formats an export writes side by side (`FORMATS`); the FHIR R4 Bundle (`fhir_bundle`, a
`collection` of the patient's resources and the clinic's they refer to) is its standard, machine-readable twin,
built from the same records by clinic/fhir_records.py. The PDF (`reports.record_pdf`) is laid out from the same
bundle, so the two never disagree. Giving the record out is audited (`export_record`), and the bundle's own
access log lists every audit event about the patient up to that moment (who read or wrote what, when).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone

from sciatica_care.clinic import audit, discharge_summary
from sciatica_care.clinic.models import (
    AuditEvent,
    BreakGlass,
    CareAssignment,
    Episode,
    EpisodeStatus,
    Patient,
    Staff,
)
from sciatica_care.version import __version__

FORMAT = "sciatica-care/subject-access"
FORMAT_VERSION = "1"
#: What an export writes, by format: the bundle (`.json`), its PDF (`.pdf`) and the FHIR R4 Bundle (`.fhir.json`).
FORMATS = ("json", "pdf", "fhir")
SUFFIXES = {"json": "json", "pdf": "pdf", "fhir": "fhir.json"}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _who(staff: Staff | None) -> dict[str, Any] | None:
    if staff is None:
        return None
    return {"id": staff.pk, "name": staff.display(), "role": staff.role}


def _plan_summary(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan's decision in a few fields (the whole plan is in `plan`)."""
    triage = plan.get("triage") or {}
    acu = plan.get("acupuncture") or {}
    ea = plan.get("electroacupuncture") or {}
    massage = plan.get("massage") or {}
    cupping = plan.get("cupping") or {}
    causes = (plan.get("assessment") or {}).get("causes") or []
    return {
        "triage_level": triage.get("level"),
        "advice": triage.get("advice"),
        "treatment_allowed": plan.get("treatment_allowed"),
        "likely_cause": causes[0].get("name") if causes and isinstance(causes[0], dict) else None,
        "points": [f"{p.get('code')} {p.get('side', '')}".strip() for p in acu.get("points") or []
                   if isinstance(p, dict)],
        "excluded_points": [f"{p.get('code')} ({p.get('reason', '')})" for p in acu.get("excluded") or []
                            if isinstance(p, dict)],
        "electroacupuncture_allowed": ea.get("allowed"),
        "massage_allowed": massage.get("allowed"),
        "cupping_allowed": cupping.get("allowed"),
    }


def _course(episode: Episode) -> dict[str, Any]:
    intakes = list(episode.intakes.select_related("recorded_by").order_by("recorded_at", "id"))
    plans = list(episode.plans.select_related("created_by").order_by("number"))
    visits = list(episode.visits.select_related("practitioner").order_by("date", "id"))
    scores = list(episode.scores.select_related("recorded_by").order_by("recorded_at", "id"))
    discharge = None
    if episode.status == EpisodeStatus.CLOSED:
        s = discharge_summary.summary(episode)
        discharge = {"closed_on": _iso(episode.closed_on), "measures": s["measures"], "done": s["done"],
                     "advice": s["advice"], "matched_care": s.get("matched_care")}
    return {
        "id": episode.pk, "title": episode.title, "opened_on": _iso(episode.opened_on),
        "closed_on": _iso(episode.closed_on), "status": episode.status,
        "intakes": [{"id": i.pk, "recorded_at": _iso(i.recorded_at), "recorded_by": _who(i.recorded_by),
                     "data": i.data} for i in intakes],
        "plans": [{"id": p.pk, "number": p.number, "intake_id": p.intake_id, "created_at": _iso(p.created_at),
                   "created_by": _who(p.created_by), "reason": p.reason, "engine_version": p.engine_version,
                   "knowledge_version": p.knowledge_version, "summary": _plan_summary(p.plan), "plan": p.plan}
                  for p in plans],
        "sessions": [{
            "id": v.pk, "date": _iso(v.date), "practitioner": _who(v.practitioner), "plan_id": v.plan_id,
            "red_flags_rechecked": v.red_flags_rechecked, "red_flags_found": v.red_flags_found,
            "red_flag_advice": v.red_flag_advice, "needling_stopped": v.needling_stopped, "points": v.points,
            "overrides": v.overrides, "ea_override": v.ea_override, "unplanned_points": v.unplanned_points,
            "ea_pairs": v.ea_pairs, "ea_frequency_hz": v.ea_frequency_hz, "ea_minutes": v.ea_minutes,
            "massage": v.massage_done, "cupping": v.cupping_done, "adverse_events": v.adverse_events,
            "subjective": v.subjective, "objective": v.objective, "assessment": v.assessment,
            "plan_notes": v.plan_notes, "leg_nrs": v.leg_nrs, "back_nrs": v.back_nrs,
            "recorded_at": _iso(v.created_at), "amended_at": _iso(v.updated_at) if v.version > 1 else None,
        } for v in visits],
        "scores": [{"id": s.pk, "measure": s.measure, "instrument": s.instrument, "source": s.source,
                    "session_id": s.visit_id, "recorded_at": _iso(s.recorded_at), "recorded_by": _who(s.recorded_by),
                    "answers": s.answers, "result": s.result} for s in scores],
        "discharge": discharge,
    }


def bundle(patient: Patient, *, generated_by: Staff | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """The patient's whole record as plain JSON values (see the module's note and docs/subject-access.md)."""
    now = now or timezone.now()
    events = AuditEvent.objects.filter(patient_id=patient.pk).select_related("actor").order_by("at", "id")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": now.isoformat(),
        "generated_by": _who(generated_by),
        "software": {"name": "sciatica-care", "version": __version__},
        "clinic": {"id": patient.clinic_id, "name": patient.clinic.name},
        "patient": {
            "id": patient.pk, "first_name": patient.first_name, "last_name": patient.last_name,
            "date_of_birth": _iso(patient.date_of_birth), "sex": patient.sex, "phone": patient.phone,
            "email": patient.email, "address": patient.address, "gp_name": patient.gp_name,
            "gp_practice": patient.gp_practice, "gp_address": patient.gp_address,
            "booking_notes": patient.booking_notes,
            "consent_treatment": patient.consent_treatment,
            "consent_treatment_at": _iso(patient.consent_treatment_at),
            "consent_data_use": patient.consent_data_use, "consent_data_use_at": _iso(patient.consent_data_use_at),
            "created_at": _iso(patient.created_at), "updated_at": _iso(patient.updated_at),
            "anonymised_at": _iso(patient.anonymised_at), "pseudonym": patient.pseudonym,
        },
        "courses": [_course(e) for e in Episode.objects.filter(patient=patient).order_by("opened_on", "id")],
        "care_team": [{"staff": _who(a.staff), "assigned_at": _iso(a.assigned_at), "ended_at": _iso(a.ended_at)}
                      for a in CareAssignment.objects.filter(patient=patient).select_related("staff")],
        "break_glass": [{"staff": _who(g.staff), "at": _iso(g.at), "expires_at": _iso(g.expires_at),
                         "reason": g.reason}
                        for g in BreakGlass.objects.filter(patient=patient).select_related("staff").order_by("at")],
        "access_log": [{"at": _iso(e.at), "actor": _who(e.actor), "action": e.action, "object_type": e.object_type,
                        "object_id": e.object_id,
                        **({"purpose": e.detail["purpose"]} if isinstance(e.detail, dict) and e.detail.get("purpose")
                           else {})}
                       for e in events],
    }


def fhir_bundle(patient: Patient, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The patient's whole record as a FHIR R4 `collection` Bundle: every resource of their compartment and the
    clinic's own they refer to (organisation, place, staff, questionnaires). Its documents are referred to by
    relative `Binary/…` addresses (the FHIR API serves them); no entry has a server address."""
    from sciatica_care.clinic import clinical, fhir_records

    resources = [*fhir_records.clinic_resources([patient.clinic_id]),
                 *fhir_records.resources_of(fhir_records.patient_records([patient.pk]), clinical.FHIR_PATIENT_TYPES)]
    return clinical.fhir_collection(resources, "", timestamp=now or timezone.now(),
                                    bundle_id=f"patient-{patient.pk}-record")


def export_record(actor: Staff | None, patient: Patient, *, via: str, clinic_id: int | None = None,
                  formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """The export's files by format (`FORMATS`), with the export audited first (so the access log inside names
    this export too)."""
    audit.record(actor, "export_record", patient, clinic_id=clinic_id if clinic_id is not None else patient.clinic_id,
                 formats=list(formats), via=via, format_version=FORMAT_VERSION)
    return rendered(patient, formats, actor)


def rendered(patient: Patient, formats: tuple[str, ...], actor: Staff | None) -> dict[str, bytes]:
    """The record in each format asked for, as the bytes of its file."""
    import json

    out: dict[str, bytes] = {}
    data = bundle(patient, generated_by=actor) if {"json", "pdf"} & set(formats) else None
    if "json" in formats:
        out["json"] = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode("utf-8")
    if "pdf" in formats:
        from sciatica_care.reports.record_pdf import record_pdf

        out["pdf"] = record_pdf(data)  # type: ignore[arg-type]
    if "fhir" in formats:
        out["fhir"] = json.dumps(fhir_bundle(patient), indent=2, ensure_ascii=False).encode("utf-8")
    return out


def write(folder: Path, patient_id: int, files: dict[str, bytes]) -> list[Path]:
    """Write the export's files into `folder` (made if needed, readable by the owner only)."""
    import os

    folder.mkdir(parents=True, exist_ok=True)
    stem = f"patient-{patient_id}-record"
    out = []
    for fmt, body in files.items():
        path = folder / f"{stem}.{SUFFIXES[fmt]}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
        out.append(path)
    return out
