"""The clinic dashboard and its de-identified CSV export (clinic admins and practitioners of the clinic)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date

from sciatica_care.clinic import access, audit, dashboard_stats


def _filters(request: HttpRequest) -> dashboard_stats.Filters:
    get = request.GET
    practitioner = get.get("practitioner", "")
    return dashboard_stats.Filters(
        date_from=parse_date(get.get("from", "")) if get.get("from") else None,
        date_to=parse_date(get.get("to", "")) if get.get("to") else None,
        practitioner_id=int(practitioner) if practitioner.isdigit() else None,
        cause=get.get("cause", "").strip()[:60])


def _checked(request: HttpRequest) -> int:
    access.require(request.user, access.CLINICAL)
    clinic_id = request.user.clinic_id
    if clinic_id is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("the dashboard is for staff of a clinic")
    return int(clinic_id)


def _audit(request: HttpRequest, action: str, clinic_id: int, filters: dashboard_stats.Filters) -> None:
    audit.record(request.user, action, object_type="Clinic", object_id=clinic_id,
                 filters={"from": str(filters.date_from or ""), "to": str(filters.date_to or ""),
                          "practitioner": filters.practitioner_id, "cause": filters.cause})


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    clinic_id = _checked(request)
    filters = _filters(request)
    _audit(request, "read_dashboard", clinic_id, filters)
    return render(request, "clinic/dashboard.html", {
        "d": dashboard_stats.compute(clinic_id, filters), "causes": dashboard_stats.causes(clinic_id),
        "practitioners": dashboard_stats.practitioners(clinic_id), "query": request.GET.urlencode()})


@login_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    clinic_id = _checked(request)
    filters = _filters(request)
    _audit(request, "export_analysis", clinic_id, filters)
    response = HttpResponse(dashboard_stats.analysis_csv(clinic_id, filters), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="analysis.csv"'
    return response
