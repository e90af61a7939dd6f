"""Billing records: the diagnosis confirmed on a course, the minutes charted on a visit, the NPI on a staff record,
and the superbill made from them. Writes are version-checked and audited (`records.update_versioned`); the rules
(units, codes, what a superbill needs) are the core's, asked through the seam (`clinical`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from sciatica_care.clinic import audit, clinical, records
from sciatica_care.clinic.models import Clinic, Episode, Patient, Staff, Visit
from sciatica_care.errors import InputRefused, Problem

#: The visit's minute fields, by the name the billing rules give each.
MINUTE_FIELDS = {"minutes_acupuncture": "acupuncture", "minutes_electroacupuncture": "electroacupuncture",
                 "needle_reinsertions": "reinsertions", "acupuncture_first": "first",
                 "minutes_massage": "massage", "minutes_manual_therapy": "manual_therapy"}
FIELD_OF = {rule: field for field, rule in MINUTE_FIELDS.items()}
#: The most diagnoses a course confirms (one line of a claim points at four).
MAX_DIAGNOSES = 4


def day_minutes(values: Any) -> clinical.DayMinutes:
    """A visit's (or a form's) minute fields as the billing rules take them."""
    get = values.get if isinstance(values, dict) else lambda name, default=None: getattr(values, name, default)
    kwargs: dict[str, Any] = {rule: int(get(field, 0) or 0) for field, rule in MINUTE_FIELDS.items() if rule != "first"}
    kwargs["first"] = get("acupuncture_first", "") or None
    return clinical.DayMinutes(**kwargs)


def minutes_problems(values: Any) -> list[Problem]:
    """What is wrong with the minutes, each under its visit field's name (empty when they can be billed)."""
    try:
        clinical.day_bill(day_minutes(values))
    except clinical.MinutesError as exc:
        return [Problem(FIELD_OF.get(exc.field, exc.field), exc.message)]
    return []


def visit_bill(visit: Visit) -> clinical.DayBill | None:
    """The CPT lines this visit's minutes give on their own (None when the stored minutes cannot be billed)."""
    try:
        return clinical.day_bill(day_minutes(visit))
    except clinical.MinutesError:
        return None


def update_visit_minutes(actor: Staff, visit: Visit, expected_version: int, values: dict[str, Any]) -> Visit:
    """Correct a charted visit's minutes (version-checked; the audit keeps old and new values)."""
    merged = {field: values.get(field, getattr(visit, field)) for field in MINUTE_FIELDS}
    merged["acupuncture_first"] = merged["acupuncture_first"] or ""
    problems = minutes_problems(merged)
    if problems:
        raise InputRefused(problems)
    changes = {k: v for k, v in merged.items() if v != getattr(visit, k)}
    if not changes:
        return visit
    result: Visit = records.update_versioned(actor, visit, expected_version, changes, keep_changes=True)
    return result


# --- the diagnosis of a course ----------------------------------------------------------------------------------

def suggestion(episode: Episode) -> clinical.Suggestion:
    """What the course's latest intake and plan suggest."""
    plan = episode.plans.order_by("-number").select_related("intake").first()
    intake = plan.intake.data if plan is not None else None
    return clinical.suggest_diagnoses(intake, plan.typed if plan is not None else None)


def suggested_choices(episode: Episode) -> list[clinical.DiagnosisChoice]:
    choices = {c.id: c for c in clinical.diagnosis_choices()}
    return [choices[i] for i in suggestion(episode).diagnoses if i in choices]


def confirm_diagnoses(actor: Staff, episode: Episode, expected_version: int, ids: Sequence[str]) -> Episode:
    """Store the diagnoses the practitioner confirmed, primary first, with what was suggested; refused (naming
    `diagnoses`) when empty, too many, unknown or excluded together. Audited as `confirm_diagnosis`."""
    chosen = [i for i in ids if i]
    problems = clinical.diagnosis_problems(chosen)
    if not chosen:
        problems.append("choose at least the primary diagnosis")
    if len(chosen) > MAX_DIAGNOSES:
        problems.append(f"at most {MAX_DIAGNOSES} diagnoses")
    if problems:
        raise InputRefused([Problem("diagnoses", p) for p in problems])
    suggested = list(suggestion(episode).diagnoses)
    entries = clinical.diagnosis_entries(chosen)
    with transaction.atomic():
        records.update_versioned(actor, episode, expected_version, {
            "diagnoses": entries, "diagnoses_suggested": suggested, "diagnoses_confirmed_by": actor,
            "diagnoses_confirmed_at": timezone.now()})
        audit.record(actor, "confirm_diagnosis", episode, patient_id=episode.patient_id,
                     codes=[e["code"] for e in entries], suggested=suggested, as_suggested=chosen == suggested)
    return episode


# --- identifiers ------------------------------------------------------------------------------------------------

def set_staff_npi(actor: Staff, member: Staff, expected_version: int, npi: str) -> Staff:
    """The clinic admin records a colleague's NPI (checked; empty clears it)."""
    npi = npi.strip()
    if npi and (problem := clinical.npi_problem(npi)):
        raise InputRefused([Problem("npi", problem)])
    if npi == member.npi:
        return member
    result: Staff = records.update_versioned(actor, member, expected_version, {"npi": npi}, keep_changes=True)
    return result


# --- the superbill ----------------------------------------------------------------------------------------------

def billable_visits(patient: Patient, start: dt.date | None = None, end: dt.date | None = None) -> list[Visit]:
    qs = Visit.objects.filter(episode__patient=patient).select_related("episode", "practitioner")
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return list(qs.order_by("date", "id"))


def superbill(clinic: Clinic, patient: Patient, visits: Iterable[Visit]) -> clinical.Superbill:
    """The superbill for these visits of one patient; raises clinical.SuperbillRefused naming what is missing."""
    billing = clinical.Billing(name=clinic.name, npi=clinic.npi, tax_id=clinic.tax_id, address=clinic.billing_address,
                               phone=clinic.billing_phone, place_of_service=clinic.place_of_service)
    insured = clinical.Insured(name=f"{patient.first_name} {patient.last_name}", date_of_birth=patient.date_of_birth,
                               number=f"{patient.pk:06d}", address=patient.address,
                               sex=patient.get_sex_display() if patient.sex else "")  # type: ignore[attr-defined]
    charges = [clinical.VisitCharge(
        date=v.date, practitioner=clinical.Provider(name=v.practitioner.display(), npi=v.practitioner.npi),
        minutes=day_minutes(v), diagnoses=tuple(d["code"] for d in v.episode.diagnoses),
        course=f"the course “{v.episode.title}” opened {v.episode.opened_on.isoformat()}") for v in visits]
    return clinical.build_superbill(billing, insured, charges, clinic.cpt_fees or {})


def superbill_pdf(bill: clinical.Superbill, currency: str) -> bytes:
    """The PDF, its fees and total in `currency` (the clinic's)."""
    from sciatica_care.reports.superbill_pdf import superbill_pdf as render

    return render(bill, timezone.localdate(), currency=currency)


def print_superbill(actor: Staff, patient: Patient, visits: Sequence[Visit], *, via: str = "web") -> bytes:
    """The superbill PDF, audited as a print (with the visits and codes on it); a refusal is audited too and
    raises clinical.SuperbillRefused."""
    clinic = Clinic.objects.get(pk=patient.clinic_id)
    try:
        bill = superbill(clinic, patient, visits)
    except clinical.SuperbillRefused as exc:
        audit.record(actor, "refused_superbill", patient, via=via, visits=[v.pk for v in visits],
                     missing=[m.field for m in exc.missing])
        raise
    pdf = superbill_pdf(bill, clinic.currency)
    audit.record(actor, "print", patient, document="superbill", via=via, visits=[v.pk for v in visits],
                 codes=[x.code for x in bill.diagnoses] + [x.code for x in bill.lines], total=str(bill.total),
                 currency=clinic.currency)
    return pdf
