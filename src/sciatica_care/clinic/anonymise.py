"""Anonymising a patient on request, keeping the clinical record for the clinic's retention period.

What changes (on the patient's row, version-checked): the first name becomes "Anonymised" and the last name a
stable pseudonym (`P-` and eight letters, kept in `pseudonym`); the birth date keeps its year only (1 January of
that year: age at each course stays within a year, which the clinical record needs); phone, email, address, the
GP's name, practice and address (they point to where the patient lives) and the booking notes (administrative free
text, the likeliest to name people and places) are cleared.

What is kept: every course, intake, plan, session (with its clinical notes), score and discharge, because the
clinic must keep the clinical record for its retention period (`Clinic.retention_years`, default 8: a common
professional-body figure for adults' records, not a law; each clinic sets its own). The intake holds no free text
(its contract has ages, not birth dates, and no names). Session notes (subjective, objective, assessment, plan,
adverse events) are clinical free text and are kept: the clinician reviews them when anonymising (the page says
so), because they are part of the record the law keeps.

The messages sent or queued to the patient (addresses, wording, calendar attachments) and the front desk's notes on
their appointments are cleared in the same transaction by the apps that keep them (`signals.patient_anonymised`);
a message not yet sent is not sent. The appointments themselves (when, with whom, for what) stay with the record.

The audit trail is never rewritten: its events name the patient by id, which now leads only to the pseudonym.
Events have recorded ids only since this change (the patient list used to keep the text searched for; it now keeps
which patients were shown, by id).

Anonymising before the retention period ends is refused unless the clinic admin states the legal reason (kept in
the audit event): for example an erasure the law requires.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sciatica_care.clinic import audit, records
from sciatica_care.clinic.models import Clinic, Episode, OutcomeScore, Patient, Role, Staff, Visit
from sciatica_care.clinic.signals import patient_anonymised

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CLEARED = ("phone", "email", "address", "gp_name", "gp_practice", "gp_address", "booking_notes")
MIN_REASON = 10


class Refused(Exception):
    """Anonymising is not allowed (yet): the message says why."""


def last_contact(patient: Patient) -> dt.date:
    """The last day the clinic had to do with the patient: the latest session, score, course end or record."""
    days = [timezone.localdate(patient.created_at)]
    days += [d for d in (
        Visit.objects.filter(episode__patient=patient).aggregate(d=Max("date"))["d"],
        Episode.objects.filter(patient=patient).aggregate(d=Max("closed_on"))["d"],
        Episode.objects.filter(patient=patient).aggregate(d=Max("opened_on"))["d"],
    ) if d is not None]
    last_score = OutcomeScore.objects.filter(episode__patient=patient).aggregate(d=Max("recorded_at"))["d"]
    if last_score is not None:
        days.append(timezone.localdate(last_score))
    return max(days)


def retention_ends(patient: Patient) -> dt.date:
    years = Clinic.objects.filter(pk=patient.clinic_id).values_list("retention_years", flat=True).first() or 8
    last = last_contact(patient)
    try:
        return last.replace(year=last.year + years)
    except ValueError:  # 29 February
        return last.replace(year=last.year + years, day=28)


def new_pseudonym() -> str:
    return "P-" + "".join(secrets.choice(ALPHABET) for _ in range(8))


def anonymise(actor: Staff, patient: Patient, expected_version: int, *, legal_reason: str = "",
              today: dt.date | None = None) -> Patient:
    """Anonymise `patient` (see the module's note). Raises Refused (nothing written) for a non-admin, a patient
    already anonymised, or a retention period not yet over without a legal reason; records.Conflict when the
    record changed since it was opened."""
    if not actor.is_clinic_admin or actor.clinic_id != patient.clinic_id:
        raise Refused("only the clinic admin anonymises a patient")
    if patient.anonymised_at is not None:
        raise Refused(f"this patient was anonymised on {timezone.localdate(patient.anonymised_at)}")
    today = today or timezone.localdate()
    ends = retention_ends(patient)
    reason = " ".join(legal_reason.split())
    early = today < ends
    if early and len(reason) < MIN_REASON:
        raise Refused(f"the clinic keeps records until {ends:%-d %B %Y} (retention period): anonymising earlier "
                      "needs the legal reason, stated in full")
    pseudonym = new_pseudonym()
    while Patient.objects.filter(pseudonym=pseudonym).exists():
        pseudonym = new_pseudonym()
    changes: dict[str, Any] = {"first_name": "Anonymised", "last_name": pseudonym,
                               "date_of_birth": dt.date(patient.date_of_birth.year, 1, 1),
                               "anonymised_at": timezone.now(), "pseudonym": pseudonym,
                               **dict.fromkeys(CLEARED, "")}
    with transaction.atomic():
        records.update_versioned(actor, patient, expected_version, changes)
        # The patient's own portal account (if any) keeps no name or address either, and signs in no more.
        portal = Staff.objects.filter(role=Role.PATIENT, patient_account__patient=patient)
        ended = portal.update(first_name="Anonymised", last_name=pseudonym, email="", is_active=False)
        elsewhere = {str(k): v for _, reply in patient_anonymised.send(sender=Patient, patient=patient)
                     for k, v in (reply or {}).items()}
        audit.record(actor, "anonymise", patient, pseudonym=pseudonym, retention_ends=ends.isoformat(),
                     before_retention_end=early, legal_reason=reason[:1000] if early else "",
                     cleared=[*CLEARED, "first_name", "last_name", "date_of_birth (year kept)"],
                     portal_accounts_ended=ended, **elsewhere)
    return patient
