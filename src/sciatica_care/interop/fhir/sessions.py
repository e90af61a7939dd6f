"""A charted session as FHIR: the Encounter, a Procedure for each modality given (acupuncture or
electroacupuncture, massage, cupping), a ClinicalImpression with the session's notes and red-flag re-check, and the
Provenance of what was charted."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sciatica_care.interop.fhir.canonical import (
    ACT_CODE,
    ACUPOINT,
    PARTICIPATION,
    PROCEDURE,
    coding,
    concept,
    ref,
    text,
)
from sciatica_care.interop.fhir.people import instant, location_id, meta
from sciatica_care.interop.fhir.provenance import provenance
from sciatica_care.interop.fhir.rows import ExtraCodes, Names, VisitRow

PROCEDURES = {
    "acupuncture": "Acupuncture",
    "electroacupuncture": "Electroacupuncture",
    "massage": "Massage",
    "cupping": "Cupping",
}


def procedure_id(visit_id: int, kind: str) -> str:
    return f"{visit_id}-{kind}"


def encounter(row: VisitRow) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Encounter", "id": str(row.id), **meta(row.updated_at), "status": "finished",
        "class": coding(ACT_CODE, "AMB", "ambulatory"),
        "type": [concept(text="Treatment session")],
        "subject": ref("Patient", row.patient_id),
        "episodeOfCare": [ref("EpisodeOfCare", row.episode_id)],
        "participant": [{"type": [concept(coding(PARTICIPATION, "PPRF", "primary performer"))],
                         "individual": ref("Practitioner", row.practitioner_id)}],
        "period": {"start": row.date.isoformat(), "end": row.date.isoformat()},
        "reasonReference": [ref("Condition", row.episode_id)],
        "location": [{"location": ref("Location", location_id(row.clinic_id))}],
        "serviceProvider": ref("Organization", row.clinic_id),
    }
    return out


@lru_cache(maxsize=2048)
def _site(code: str, side: str, names: Names) -> dict[str, Any]:
    """A point as a body site (the same few hundred recur in every session: made once; never changed after)."""
    return concept(coding(ACUPOINT, code, names(code)), text=f"{code} ({side})" if side else code)


def _points(points: tuple[tuple[str, str], ...], names: Names) -> list[dict[str, Any]]:
    return [_site(code, side, names) for code, side in points if text(code) == code]


def _procedure(row: VisitRow, kind: str, extra: ExtraCodes, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Procedure", "id": procedure_id(row.id, kind), **meta(row.updated_at),
    }
    if row.plan_id is not None:
        out["basedOn"] = [ref("CarePlan", row.plan_id)]
    out["status"] = fields.pop("status", "completed")
    if "statusReason" in fields:
        out["statusReason"] = fields.pop("statusReason")
    out["category"] = concept(text="Treatment")
    out["code"] = concept(coding(PROCEDURE, kind, PROCEDURES[kind]), *extra.get(kind, ()), text=PROCEDURES[kind])
    out["subject"] = ref("Patient", row.patient_id)
    out["encounter"] = ref("Encounter", row.id)
    out["performedDateTime"] = row.date.isoformat()
    out["performer"] = [{"actor": ref("Practitioner", row.practitioner_id)}]
    out["reasonReference"] = [ref("Condition", row.episode_id)]
    minutes = dict(row.minutes).get(kind)
    if minutes:
        fields.setdefault("note", []).append({"text": f"Face-to-face time: {minutes} minutes"})
    out.update(fields)
    return out


def procedures(row: VisitRow, names: Names, extra: ExtraCodes) -> Iterator[dict[str, Any]]:
    """One Procedure per modality given at the session; needling stopped by a positive red-flag re-check is a
    `not-done` acupuncture procedure with the advice given as its reason."""
    needled = bool(row.points or row.unplanned_points)
    if needled or row.ea_pairs or row.needling_stopped:
        kind = "electroacupuncture" if row.ea_pairs else "acupuncture"
        fields: dict[str, Any] = {}
        if row.needling_stopped and not needled:
            fields["status"] = "not-done"
            fields["statusReason"] = concept(text=text(row.red_flag_advice) or "Stopped at the red-flag re-check")
        sites = _points(row.points + row.unplanned_points, names)
        if sites:
            fields["bodySite"] = sites
        if text(row.adverse_events):
            fields["complication"] = [concept(text=row.adverse_events)]
        notes = []
        if row.ea_pairs:
            pairs = "; ".join("–".join(p) for p in row.ea_pairs)
            hz = text(row.ea_frequency_hz)
            detail = ", ".join(x for x in (f"{hz} Hz" if hz else "",
                                           f"{row.ea_minutes} min" if row.ea_minutes else "") if x)
            notes.append(f"Electrical stimulation: {pairs}" + (f" ({detail})" if detail else ""))
        if row.unplanned_points:
            notes.append("Not in the plan: " + ", ".join(f"{c} ({s})" for c, s in row.unplanned_points))
        for code, reason in row.overrides:
            notes.append(f"Needled against a rule: {code}: {reason}")
        if notes:
            fields["note"] = [{"text": text(n)} for n in notes]
        yield _procedure(row, kind, extra, **fields)
    if row.massage_done:
        yield _procedure(row, "massage", extra,
                         note=[{"text": text("Techniques: " + ", ".join(names(t) for t in row.massage_done))}])
    if row.cupping_done:
        yield _procedure(row, "cupping", extra)


def impression(row: VisitRow, names: Names) -> dict[str, Any] | None:
    """The session's notes (subjective, objective, assessment, plan) and the red-flag re-check; None when the
    session has neither."""
    notes = [{"text": f"{label}: {words}"} for label, words in (
        ("Subjective", text(row.subjective)), ("Objective", text(row.objective)), ("Plan", text(row.plan_notes)))
        if words]
    if not (notes or text(row.assessment) or row.red_flags_rechecked):
        return None
    out: dict[str, Any] = {
        "resourceType": "ClinicalImpression", "id": str(row.id), **meta(row.updated_at), "status": "completed",
        "description": "Session notes and red-flag re-check",
        "subject": ref("Patient", row.patient_id), "encounter": ref("Encounter", row.id),
        "effectiveDateTime": row.date.isoformat(), "date": instant(row.created_at),
        "assessor": ref("Practitioner", row.practitioner_id), "problem": [ref("Condition", row.episode_id)],
    }
    if text(row.assessment):
        out["summary"] = text(row.assessment)
    if row.red_flags_found:
        out["finding"] = [{"itemCodeableConcept": concept(text=names(f))} for f in row.red_flags_found]
    if row.red_flags_rechecked:
        found = ", ".join(names(f) for f in row.red_flags_found) or "none found"
        notes.append({"text": f"Red flags re-checked: {found}"})
    if text(row.red_flag_advice):
        notes.append({"text": f"Red-flag advice: {text(row.red_flag_advice)}"})
    if notes:
        out["note"] = notes
    return out


def session(row: VisitRow, names: Names, extra: ExtraCodes) -> Iterator[dict[str, Any]]:
    """Every resource of one charted session."""
    yield encounter(row)
    made = list(procedures(row, names, extra))
    yield from made
    notes = impression(row, names)
    if notes is not None:
        yield notes
    targets = [("Encounter", str(row.id)), *(("Procedure", p["id"]) for p in made)]
    if notes is not None:
        targets.append(("ClinicalImpression", notes["id"]))
    amended = row.version > 1
    yield provenance(f"encounter-{row.id}", targets, row.updated_at if amended else row.created_at,
                     row.practitioner_id, activity="UPDATE" if amended else "CREATE")
