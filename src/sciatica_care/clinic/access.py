"""The single place that decides who may see which records.

Every query for clinic records goes through `scoped()`, which filters by the user's clinic. A record of another
clinic is answered with 404 (never 403, so that its existence is not revealed) and the attempt is audited.
Reception may see demographics and booking data only; clinical records answer them with 403.
With the clinic's care-team access on, a practitioner outside the patient's care team is refused (403) unless they
broke the glass with a reason (`care_team.py`); the patient list shows them their own patients.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from sciatica_care.clinic import audit, care_team
from sciatica_care.clinic.models import Patient, Role, Staff

M = TypeVar("M", bound=models.Model)

CLINICAL = "clinical"
DEMOGRAPHIC = "demographic"


def scoped(user: Staff, model: type[M]) -> models.QuerySet[M]:
    """All records of `model` that belong to the user's clinic (none for a user without a clinic, and none for a
    patient's portal account, which reads its own record through the portal only). The clinic's staff never
    include a patient's portal account."""
    qs = model._default_manager.all()  # type: ignore[attr-defined]
    if not user.is_authenticated or user.clinic_id is None or user.role == Role.PATIENT:
        return qs.none()
    if model is Staff:
        qs = qs.exclude(role=Role.PATIENT)
    return qs.filter(clinic_id=user.clinic_id)


def require(user: Staff, kind: str) -> None:
    """Refuse reception anything clinical (403)."""
    if kind == CLINICAL and not user.is_clinical:
        raise PermissionDenied("clinical records are for practitioners and clinic admins")


def get_for(user: Staff, model: type[M], pk: Any, *, kind: str = CLINICAL,
            queryset: models.QuerySet[M] | None = None) -> M:
    """One record of the user's clinic, or 404; another clinic's record is audited as a denied access."""
    qs = queryset if queryset is not None else scoped(user, model)
    try:
        obj = qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        other = model._default_manager.filter(pk=pk).values_list("clinic_id", flat=True).first() \
            if str(pk).isdigit() else None  # type: ignore[attr-defined]
        if other is not None:
            audit.record(user, "denied_other_clinic", None, object_type=model.__name__, object_id=int(pk))
        raise Http404(f"No {model.__name__.lower()} here") from None
    if kind == CLINICAL and not user.is_clinical:
        audit.record(user, "denied_role", obj, role=user.role)
        raise PermissionDenied("clinical records are for practitioners and clinic admins")
    care_team.check(user, obj)
    return obj


def listed_patients(user: Staff) -> models.QuerySet[Patient]:
    """The patients a list may show the user: the clinic's, narrowed to the user's care team when care-team
    access applies to them."""
    qs = scoped(user, Patient)
    if care_team.applies(user):
        qs = qs.filter(pk__in=Patient.objects.filter(care_team.team_patient_ids(user)).values("pk"))
    return qs
