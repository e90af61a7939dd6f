"""The clinic dashboard and its de-identified CSV export (clinic admins and practitioners of the clinic)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sciatica_care.clinic import access, audit, dashboard_stats
from sciatica_care.clinic.input_cleaning import optional_date, optional_whole_number, search_text


def _filters(request: HttpRequest) -> dashboard_stats.Filters:
    """The filters as far as they can be read: a date that is no calendar date, a practitioner number that is not
    a number (², 10**30) or text with control characters filter nothing rather than fail the page."""
    get = request.GET
    return dashboard_stats.Filters(
        date_from=optional_date(get.get("from", "")),
        date_to=optional_date(get.get("to", "")),
        practitioner_id=optional_whole_number(get.get("practitioner", ""), 1),
        cause=search_text(get.get("cause", ""), 60))


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
