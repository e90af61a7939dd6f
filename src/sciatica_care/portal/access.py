"""Who may use the portal: a signed-in account with the patient role, linked to a patient of its own clinic.

`patient_required` sets `request.patient` and refuses everyone else: not signed in → the portal's sign-in page;
signed in as staff (or as a patient account whose link is broken) → 403. A portal view reads the patient's records
only through `request.patient`, so a patient never reaches another patient's record.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from sciatica_care.clinic.models import Patient, Role


def patient_of(user: Any) -> Patient | None:
    """The patient an account signs in as, or None (not a patient account, inactive, or the link is broken)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.role != Role.PATIENT:
        return None
    account = getattr(user, "patient_account", None)
    if account is None:
        return None
    patient = account.patient
    if patient.clinic_id != user.clinic_id or patient.anonymised_at is not None:
        return None
    return patient


def patient_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view runs for a patient account only, with `request.patient` set to its patient."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:signin"))
        patient = patient_of(request.user)
        if patient is None:
            raise PermissionDenied("the portal is for patients")
        request.patient = patient  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def patient_required_json(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`patient_required` for the portal's JSON endpoints: 401 (not signed in: the phone keeps what it was
    sending) or 403 as JSON, never a redirect to a page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"errors": [{"path": "", "message": "sign in again to send this"}]}, status=401)
        patient = patient_of(request.user)
        if patient is None:
            return JsonResponse({"errors": [{"path": "", "message": "the portal is for patients"}]}, status=403)
        request.patient = patient  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
