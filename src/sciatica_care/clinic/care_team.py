"""Care-team access (a clinic setting, off by default): with it on, a practitioner opens only the records of
patients they treat (charted a session, recorded an intake or a plan) or are assigned to; for anyone else they
"break the glass": a stated reason opens the record for a limited time (the clinic's `break_glass_hours`), audited
and listed for the clinic admin. Clinic admins (who run the clinic and review those lists) and reception (who
sees demographics only, and assigns) are not limited by it.

`access.get_for` calls `check` for every record it hands out, so every page and API operation obeys it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import (
    BreakGlass,
    CareAssignment,
    Clinic,
    Intake,
    Patient,
    PlanRevision,
    Role,
    Staff,
    Visit,
)

MIN_REASON = 10


class OutsideCareTeam(PermissionDenied):
    """A practitioner outside the patient's care team, without an open break-the-glass grant (403; the web pages
    offer the break-the-glass form instead)."""

    def __init__(self, patient_id: int) -> None:
        self.patient_id = patient_id
        super().__init__("this patient is not in your care: break the glass with a reason to open the record")


def applies(user: Staff) -> bool:
    """True when care-team access limits this user: a practitioner of a clinic with the setting on."""
    if not user.is_authenticated or user.role != Role.PRACTITIONER or user.clinic_id is None:
        return False
    return bool(user.clinic.care_team_access)  # the signed-in user comes with their clinic (site/backends.py)


def patient_id_of(obj: Any) -> int | None:
    """The patient a record belongs to (None for a record that belongs to no patient)."""
    if isinstance(obj, Patient):
        return int(obj.pk)
    pid = getattr(obj, "patient_id", None)
    if pid is not None:
        return int(pid)
    episode = getattr(obj, "episode", None)
    return int(episode.patient_id) if episode is not None else None


def treats(user: Staff, patient_id: int) -> bool:
    """The user charted a session, recorded an intake or a plan for this patient, or is assigned to them."""
    return (Visit.objects.filter(practitioner=user, episode__patient_id=patient_id).exists()
            or Intake.objects.filter(recorded_by=user, episode__patient_id=patient_id).exists()
            or PlanRevision.objects.filter(created_by=user, episode__patient_id=patient_id).exists()
            or CareAssignment.objects.filter(staff=user, patient_id=patient_id, ended_at__isnull=True).exists())


def team_patient_ids(user: Staff) -> Q:
    """A filter on Patient for the patients the user treats or is assigned to."""
    return (Q(episodes__visits__practitioner=user) | Q(episodes__intakes__recorded_by=user)
            | Q(episodes__plans__created_by=user)
            | Q(assignments__staff=user, assignments__ended_at__isnull=True))


def open_grant(user: Staff, patient_id: int, now: dt.datetime | None = None) -> BreakGlass | None:
    return (BreakGlass.objects.filter(staff=user, patient_id=patient_id, expires_at__gt=now or timezone.now())
            .order_by("-expires_at").first())


def may_open(user: Staff, patient_id: int) -> bool:
    return not applies(user) or treats(user, patient_id) or open_grant(user, patient_id) is not None


def check(user: Staff, obj: Any) -> None:
    """Refuse (OutsideCareTeam, audited) a practitioner outside the patient's care team when the setting is on."""
    patient_id = patient_id_of(obj)
    if patient_id is None or not applies(user):
        return
    if treats(user, patient_id):
        return
    grant = open_grant(user, patient_id)
    if grant is not None:
        audit.record(user, "read_under_break_glass", obj, patient_id=patient_id, grant=grant.pk)
        return
    audit.record(user, "denied_care_team", obj, patient_id=patient_id)
    raise OutsideCareTeam(patient_id)


def break_glass(user: Staff, patient: Patient, reason: str) -> BreakGlass:
    """Open `patient`'s record to `user` for the clinic's break-the-glass hours, with the reason kept and audited."""
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise ValueError(f"say why you need this record (at least {MIN_REASON} characters)")
    hours = Clinic.objects.filter(pk=patient.clinic_id).values_list("break_glass_hours", flat=True).first() or 12
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlass.objects.create(clinic_id=patient.clinic_id, patient=patient, staff=user,
                                          reason=reason[:1000], at=now, expires_at=now + dt.timedelta(hours=hours))
        audit.record(user, "break_glass", grant, patient_id=patient.pk, reason=reason[:1000],
                     expires_at=grant.expires_at.isoformat(), hours=hours)
    return grant


def assign(actor: Staff, patient: Patient, staff: Staff) -> CareAssignment:
    """Put `staff` (a practitioner of the patient's clinic) on the patient's care team; audited."""
    if staff.clinic_id != patient.clinic_id or not staff.is_clinical:
        raise ValueError("only a practitioner of this clinic can be assigned")
    with transaction.atomic():
        existing = CareAssignment.objects.filter(patient=patient, staff=staff, ended_at__isnull=True).first()
        if existing is not None:
            return existing
        row = CareAssignment.objects.create(clinic_id=patient.clinic_id, patient=patient, staff=staff,
                                            assigned_by=actor if actor.is_authenticated else None)
        audit.record(actor, "assign_care", row, patient_id=patient.pk, staff=staff.pk)
    return row


def unassign(actor: Staff, patient: Patient, staff: Staff) -> int:
    with transaction.atomic():
        n = CareAssignment.objects.filter(patient=patient, staff=staff, ended_at__isnull=True).update(
            ended_at=timezone.now())
        if n:
            audit.record(actor, "unassign_care", patient, staff=staff.pk)
    return n
