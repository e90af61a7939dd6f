"""Patients' rights and care-team access: the record export (subject access), anonymising on request, the care
team (assigning practitioners) and breaking the glass, with the clinic admin's list of glass broken."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sciatica_care.clinic import access, anonymise, audit, care_team, records, subject_access
from sciatica_care.clinic.input_cleaning import optional_whole_number
from sciatica_care.clinic.models import BreakGlass, Patient, Role, Staff
from sciatica_care.clinic.views.staff import admin_only


def _exportable(request: HttpRequest, pk: int) -> Patient:
    """Clinic admins and the patient's treating (or assigned) practitioners; reception 403, other clinic 404."""
    user: Staff = request.user  # type: ignore[assignment]
    patient = access.get_for(user, Patient, pk, queryset=access.scoped(user, Patient).select_related("clinic"))
    if not user.is_clinic_admin and not care_team.treats(user, patient.pk):
        audit.record(user, "denied_role", patient, role=user.role, purpose="export_record")
        raise PermissionDenied("the record is given out by the clinic admin or a practitioner treating the patient")
    return patient


CONTENT_TYPES = {"json": "application/json; charset=utf-8", "pdf": "application/pdf",
                 "fhir": "application/fhir+json; charset=utf-8"}


def _export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """One patient's whole record as a download, in the format asked for; every export is audited."""
    patient = _exportable(request, pk)
    body = subject_access.export_record(request.user, patient, via="web", formats=(fmt,))[fmt]  # type: ignore[arg-type]
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (f'attachment; filename="patient-{patient.pk}-record.'
                                       f'{subject_access.SUFFIXES[fmt]}"')
    return response


@login_required
@never_cache
@require_GET
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "json")


@login_required
@never_cache
@require_GET
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "pdf")


@login_required
@never_cache
@require_GET
def export_fhir(request: HttpRequest, pk: int) -> HttpResponse:
    """The record as a FHIR R4 Bundle (the standard machine-readable form, for another system)."""
    return _export(request, pk, "fhir")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def anonymise_view(request: HttpRequest, pk: int) -> HttpResponse:
    admin = admin_only(request, "Patient")
    patient = access.get_for(admin, Patient, pk, kind=access.DEMOGRAPHIC)
    ends = anonymise.retention_ends(patient)
    context: dict[str, Any] = {"patient": patient, "ends": ends, "early": timezone.localdate() < ends,
                               "years": patient.clinic.retention_years, "cleared": anonymise.CLEARED}
    if request.method == "POST":
        try:
            expected = int(request.POST.get("version", ""))
        except ValueError:
            context["error"] = "The form has no version number: reload the page and try again."
            return render(request, "clinic/anonymise.html", context, status=422)
        if request.POST.get("confirm") != "yes":
            context["error"] = "Tick the box to confirm: anonymising cannot be undone."
            return render(request, "clinic/anonymise.html", context, status=422)
        try:
            anonymise.anonymise(admin, patient, expected, legal_reason=request.POST.get("legal_reason", ""))
        except anonymise.Refused as exc:
            audit.record(admin, "refused", patient, purpose="anonymise", reason=str(exc))
            context["error"] = str(exc)
            return render(request, "clinic/anonymise.html", context, status=422)
        except records.Conflict as exc:
            audit.record(admin, "conflict", patient, expected=expected, current=exc.current_version)
            patient.refresh_from_db()
            context["error"] = str(exc)
            return render(request, "clinic/anonymise.html", context, status=409)
        messages.success(request, "The patient is anonymised: their clinical record is kept under a pseudonym.")
        return redirect("clinic:patient_detail", pk=patient.pk)
    audit.record(admin, "read", patient, purpose="anonymise")
    return render(request, "clinic/anonymise.html", context)


@login_required
@require_POST
def care_team_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Reception and the clinic admin assign a practitioner to the patient's care team (or take them off)."""
    user: Staff = request.user  # type: ignore[assignment]
    patient = access.get_for(user, Patient, pk, kind=access.DEMOGRAPHIC)
    if user.role not in (Role.RECEPTION, Role.CLINIC_ADMIN):
        audit.record(user, "denied_role", patient, role=user.role, purpose="care_team")
        raise PermissionDenied("reception and the clinic admin assign the care team")
    staff_id = optional_whole_number(request.POST.get("staff", ""), 1)
    staff = access.scoped(user, Staff).filter(pk=staff_id, is_active=True).first() if staff_id else None
    if staff is None or not staff.is_clinical:
        messages.error(request, "Choose a practitioner of this clinic.")
        return redirect("clinic:patient_detail", pk=patient.pk)
    if request.POST.get("action") == "remove":
        care_team.unassign(user, patient, staff)
    else:
        care_team.assign(user, patient, staff)
    return redirect("clinic:patient_detail", pk=patient.pk)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())
    return target if ok and target.startswith("/") else default


def break_glass_form(request: HttpRequest, patient: Patient, *, error: str = "", status: int = 403,
                     next_url: str = "") -> HttpResponse:
    hours = patient.clinic.break_glass_hours
    return render(request, "clinic/break_glass.html", {
        "patient": patient, "error": error, "hours": hours, "min_reason": care_team.MIN_REASON,
        "next": next_url or request.get_full_path()}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    user: Staff = request.user  # type: ignore[assignment]
    patient = _in_clinic(user, pk)
    default = reverse("clinic:patient_detail", args=[patient.pk])
    if care_team.may_open(user, patient.pk):
        return redirect(_safe_next(request, default))
    if request.method == "POST":
        try:
            care_team.break_glass(user, patient, request.POST.get("reason", ""))
        except ValueError as exc:
            return break_glass_form(request, patient, error=str(exc), status=422,
                                    next_url=_safe_next(request, default))
        messages.warning(request, f"Record opened outside your care team for {patient.clinic.break_glass_hours} "
                                  "hours; the clinic admin sees this.")
        return redirect(_safe_next(request, default))
    return break_glass_form(request, patient, status=200, next_url=_safe_next(request, default))


def _in_clinic(user: Staff, pk: int) -> Patient:
    """The patient of the user's clinic (404 otherwise, audited), without the care-team check (this is the form
    that lets them through it)."""
    patient = access.scoped(user, Patient).select_related("clinic").filter(pk=pk).first()
    if patient is None:
        access.get_for(user, Patient, pk, kind=access.DEMOGRAPHIC)  # raises the audited 404
        raise PermissionDenied
    return patient


@login_required
@never_cache
@require_GET
def break_glass_list(request: HttpRequest) -> HttpResponse:
    admin = admin_only(request, "BreakGlass")
    rows = list(BreakGlass.objects.filter(clinic_id=admin.clinic_id).select_related("staff", "patient")[:500])
    audit.record(admin, "read", object_type="BreakGlass", purpose="break_glass_list", shown=len(rows))
    return render(request, "clinic/break_glass_list.html", {"rows": rows, "now": timezone.now()})


class CareTeamMiddleware:
    """A page refused because the patient is outside the practitioner's care team answers with the
    break-the-glass form (403) instead of a bare refusal; the API answers 403 JSON (its own handler)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)  # type: ignore[no-any-return]

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, care_team.OutsideCareTeam):
            return None
        patient = Patient.objects.select_related("clinic").filter(pk=exc.patient_id).first()
        if patient is None:
            return None
        next_url = request.get_full_path() if request.method == "GET" else ""
        return break_glass_form(request, patient, next_url=next_url)
