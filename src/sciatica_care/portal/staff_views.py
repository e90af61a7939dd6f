"""The clinic's actions on a patient's portal (mounted in the clinic's URLs, so every staff check applies): invite
the patient (an email link), turn their access off, mark their diary's emergency alerts handled."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from sciatica_care.clinic import access, audit
from sciatica_care.clinic.input_cleaning import text_problem
from sciatica_care.clinic.models import Patient
from sciatica_care.errors import InputRefused
from sciatica_care.portal import accounts, alerts


def _patient(request: HttpRequest, pk: int, kind: str) -> Patient:
    return access.get_for(request.user, Patient, pk, kind=kind)  # type: ignore[arg-type]


def _back(patient: Patient) -> HttpResponse:
    return redirect(reverse("clinic:patient_detail", args=[patient.pk]) + "#portal-access")


@login_required
@require_POST
def portal_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite the patient to the portal (any member of the clinic's staff): a one-time link by email."""
    patient = _patient(request, pk, access.DEMOGRAPHIC)
    try:
        accounts.invite(patient, by=request.user, base_url=request.build_absolute_uri("/"))  # type: ignore[arg-type]
    except InputRefused as refused:
        audit.attempted(request.user, "portal_invite", patient, fields=refused.problems)  # type: ignore[arg-type]
        return HttpResponse(format_html('<p class="error" role="alert">{}</p>',
                                        "; ".join(f"{p.path}: {p.message}" for p in refused.problems)), status=422)
    messages.success(request, f"Invitation sent to {patient.email}.")
    return _back(patient)


@login_required
@require_POST
def portal_end(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk, access.DEMOGRAPHIC)
    if accounts.end_access(request.user, patient):  # type: ignore[arg-type]
        messages.success(request, "Portal access turned off.")
    return _back(patient)


@login_required
@require_POST
def alerts_handled(request: HttpRequest, pk: int) -> HttpResponse:
    """A practitioner or clinic admin records what was done about the patient's open alerts."""
    patient = _patient(request, pk, access.CLINICAL)
    note = request.POST.get("note", "").strip()
    problem = text_problem(note, 500, what="What was done") or ("" if note else "What was done: say what was done")
    if problem:
        audit.attempted(request.user, "clinic_alert_handled", patient, fields=["note"])  # type: ignore[arg-type]
        return HttpResponse(format_html('<p class="error" role="alert">note: {}</p>', problem), status=422)
    for alert in alerts.open_alerts(patient.clinic_id).filter(patient=patient):
        alerts.mark_handled(request.user, alert, note)  # type: ignore[arg-type]
    messages.success(request, "Alert marked handled.")
    return _back(patient)
