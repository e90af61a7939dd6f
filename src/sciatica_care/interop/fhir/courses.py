"""A course of care as FHIR: the EpisodeOfCare, its Condition (the diagnosis, coded), and each plan revision as a
CarePlan whose activities are the treatments planned (and, marked do-not-perform, those a safety rule held
back: left-out points, disallowed modalities) and the patient's home programme, with the Provenance of each plan
(who asked for it, which engine and knowledge decided it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sciatica_care.engine.plan_model import Plan
from sciatica_care.interop.fhir.canonical import (
    ACUPOINT,
    CARE_ACTIVITY,
    CAUSE,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    ICD10CM,
    coding,
    concept,
    ref,
    text,
)
from sciatica_care.interop.fhir.people import instant
from sciatica_care.interop.fhir.provenance import provenance
from sciatica_care.interop.fhir.rows import EpisodeRow, Names, PlanRow
from sciatica_care.interop.fhir.standard_codes import diagnosis_codings

SIDES = {"left": "Left leg", "right": "Right leg", "both": "Both legs"}
ACTIVITIES = {
    "acupuncture": "Acupuncture", "electroacupuncture": "Electroacupuncture", "massage": "Massage",
    "cupping": "Cupping", "exercise": "Home exercise", "acupressure": "Acupressure at home",
    "thermal": "Heat or ice at home", "ergonomics": "Everyday habits", "point_left_out": "Point left out",
    "exercise_held": "Exercise held back",
}


def episode_of_care(row: EpisodeRow) -> dict[str, Any]:
    status = "active" if row.closed_on is None and row.status == "open" else "finished"
    period: dict[str, Any] = {"start": row.opened_on.isoformat()}
    if row.closed_on is not None:
        period["end"] = row.closed_on.isoformat()
    out: dict[str, Any] = {
        "resourceType": "EpisodeOfCare", "id": str(row.id), "status": status,
        "type": [concept(text=text(row.title) or "Course of care")],
        "diagnosis": [{"condition": ref("Condition", row.id), "rank": 1}],
        "patient": ref("Patient", row.patient_id), "managingOrganization": ref("Organization", row.clinic_id),
        "period": period,
    }
    if row.lead_practitioner_id is not None:
        out["careManager"] = ref("Practitioner", row.lead_practitioner_id)
    return out


def condition(row: EpisodeRow) -> dict[str, Any]:
    """The course's diagnosis: confirmed with its ICD-10-CM code when the practitioner recorded one, otherwise
    provisional, named by the likely cause the assessment ranked first."""
    codings = list(diagnosis_codings(row.diagnoses, ICD10CM))
    if row.cause:
        codings.append(coding(CAUSE, row.cause, row.cause_name or None))
    words = (codings[0].get("display") if row.diagnoses and codings else None) or text(row.cause_name) \
        or text(row.title) or "Sciatica"
    out: dict[str, Any] = {
        "resourceType": "Condition", "id": str(row.id),
        "clinicalStatus": concept(coding(CONDITION_CLINICAL, "active" if row.closed_on is None else "inactive")),
        "verificationStatus": concept(coding(CONDITION_VERIFICATION,
                                             "confirmed" if row.diagnoses else "provisional")),
        "category": [concept(coding(CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis"))],
        "code": concept(*codings, text=str(words)),
    }
    if row.side in SIDES:
        out["bodySite"] = [concept(text=SIDES[row.side])]
    out["subject"] = ref("Patient", row.patient_id)
    if row.closed_on is not None:
        out["abatementDateTime"] = row.closed_on.isoformat()
    out["recordedDate"] = row.opened_on.isoformat()
    return out


def _activity(code: str, status: str, description: str, *, scheduled: str | None = None,
              do_not_perform: bool = False, reason: str | None = None,
              extra: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    detail: dict[str, Any] = {"code": concept(coding(CARE_ACTIVITY, code, ACTIVITIES[code]), *extra,
                                              text=ACTIVITIES[code])}
    if reason:
        detail["statusReason"] = concept(text=reason)
    if do_not_perform:
        detail["doNotPerform"] = True
        detail["status"] = "cancelled" if status != "completed" else status
    else:
        detail["status"] = status
    if scheduled:
        detail["scheduledString"] = scheduled
    detail["description"] = description
    return {"detail": detail}


def _range(values: tuple[int, int] | list[int] | Any) -> str:
    low, high = values[0], values[-1]
    return str(low) if low == high else f"{low}–{high}"


def _treatments(plan: Plan, status: str, names: Names) -> Iterator[dict[str, Any]]:
    s = plan.schedule
    scheduled = (f"{s.sessions_per_week} a week, {_range(s.course_sessions)} sessions, review after "
                 f"{s.review_after_sessions}") if s.sessions_per_week else None
    acu = plan.acupuncture
    if acu.points:
        yield _activity("acupuncture", status, "Points: " + ", ".join(
            f"{p.code} {names(p.code) if p.name == '' else p.name} ({p.side})" for p in acu.points),
            scheduled=scheduled)
    for p in acu.excluded:
        yield _activity("point_left_out", status, f"{p.code}: {p.reason}", do_not_perform=True, reason=p.reason,
                        extra=(coding(ACUPOINT, p.code),))
    ea = plan.electroacupuncture
    if ea.allowed and ea.pairs:
        hz = f", {ea.frequency_hz} Hz" if ea.frequency_hz else ""
        mins = f", {ea.minutes} min" if ea.minutes else ""
        yield _activity("electroacupuncture", status,
                        "Pairs: " + "; ".join("–".join(p) for p in ea.pairs) + hz + mins, scheduled=scheduled)
    elif not ea.allowed:
        yield _activity("electroacupuncture", status, "Not for this patient now",
                        do_not_perform=True, reason="; ".join(ea.reasons) or None)
    if plan.massage.allowed and plan.massage.techniques:
        yield _activity("massage", status, "Techniques: " + ", ".join(
            names(t) for t in plan.massage.techniques), scheduled=scheduled)
    elif not plan.massage.allowed:
        yield _activity("massage", status, "Not for this patient now", do_not_perform=True,
                        reason="; ".join(plan.massage.reasons) or None)
    if plan.cupping.allowed:
        yield _activity("cupping", status, plan.cupping.description or (
            "Sites: " + ", ".join(names(x) for x in plan.cupping.sites) if plan.cupping.sites else "Cupping"))
    else:
        yield _activity("cupping", status, "Not for this patient now", do_not_perform=True,
                        reason="; ".join(plan.cupping.reasons) or None)


def _home_programme(plan: Plan, status: str, names: Names) -> Iterator[dict[str, Any]]:
    care = plan.self_care
    for ex in care.exercise_details:
        yield _activity("exercise", status, ". ".join(x for x in (ex.name, ex.instructions) if x),
                        scheduled=ex.dosage or None)
    for held in care.exercises_to_hold_off:
        yield _activity("exercise_held", status, held.name, do_not_perform=True, reason=held.reason or None)
    for a in care.acupressure:
        side = f" ({a.side})" if a.side else ""
        yield _activity("acupressure", status, f"{a.code} {names(a.code)}{side}" + (f". {a.how}" if a.how else ""),
                        scheduled=(f"{_range(a.hold_minutes)} minutes, {_range(a.times_per_day)} times a day"),
                        extra=(coding(ACUPOINT, a.code),))
    if care.thermal_advice is not None:
        yield _activity("thermal", status, care.thermal_advice.advice)
    for erg in care.ergonomic_details:
        yield _activity("ergonomics", status, ". ".join(x for x in (erg.name, erg.advice) if x))


def plan_status(row: PlanRow) -> str:
    if not row.latest:
        return "revoked"
    return "active" if row.episode_open else "completed"


def care_plan(row: PlanRow, names: Names) -> dict[str, Any]:
    """One plan revision. The newest plan of an open course is active, of a closed one completed; a plan a later
    revision replaced is revoked (and named in the newer one's `replaces`)."""
    status = plan_status(row)
    detail_status = {"active": "scheduled", "completed": "completed", "revoked": "cancelled"}[status]
    out: dict[str, Any] = {
        "resourceType": "CarePlan", "id": str(row.id), "meta": {"lastUpdated": instant(row.created_at)},
    }
    if row.previous_id is not None:
        out["replaces"] = [ref("CarePlan", row.previous_id)]
    out.update({"status": status, "intent": "plan", "title": f"Plan {row.number}"})
    plan = row.plan
    if plan is None:
        out["description"] = row.problem or "This stored plan cannot be read: it is not for treatment."
    else:
        words = plan.triage.advice
        if not plan.treatment_allowed:
            words = f"No treatment: {words}" if words else "No treatment."
        out["description"] = words or "Treatment plan"
    out.update({"subject": ref("Patient", row.patient_id), "period": {"start": instant(row.created_at)},
                "created": instant(row.created_at), "author": ref("Practitioner", row.created_by),
                "addresses": [ref("Condition", row.episode_id)]})
    if plan is not None:
        activities = [*_treatments(plan, detail_status, names)] if plan.treatment_allowed else []
        activities.extend(_home_programme(plan, detail_status, names))
        if activities:
            out["activity"] = activities
        notes = [w.text for w in plan.warnings]
        if plan.guideline is not None and plan.guideline.position:
            notes.append(plan.guideline.position)
        if text(row.reason):
            notes.append(f"Reason for this revision: {text(row.reason)}")
        if notes:
            out["note"] = [{"text": text(n)} for n in notes]
    return out


def plan_provenance(row: PlanRow) -> dict[str, Any]:
    return provenance(f"careplan-{row.id}", [("CarePlan", row.id)], row.created_at, row.created_by,
                      software=f"Sciatica Care engine {row.engine_version}, knowledge {row.knowledge_version}")
