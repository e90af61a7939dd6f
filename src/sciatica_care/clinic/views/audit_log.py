"""The clinic admin's audit log: who did what to which record, filtered, paged and exported as CSV.

Own clinic only (events recorded in the admin's clinic); viewing and exporting are themselves audited, with the
filters used (and, for an export, how many rows left the system). Practitioners and reception are refused (403).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sciatica_care.clinic import audit
from sciatica_care.clinic.forms import AuditFilterForm
from sciatica_care.clinic.models import AuditEvent, Staff
from sciatica_care.clinic.views.staff import admin_only

PAGE_SIZE = 50


def _filtered(request: HttpRequest, admin: Staff) -> tuple[AuditFilterForm, QuerySet[AuditEvent], dict[str, Any]]:
    own = AuditEvent.objects.filter(clinic_id_at_time=admin.clinic_id)
    actions = sorted(own.values_list("action", flat=True).distinct())
    types = sorted(t for t in own.values_list("object_type", flat=True).distinct() if t)
    form = AuditFilterForm(request.GET or None, clinic_id=admin.clinic_id,  # type: ignore[arg-type]
                           actions=actions, object_types=types)
    rows = own.select_related("actor").order_by("-at", "-id")
    used: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        f = form.cleaned_data
        if f["actor"] is not None:
            rows = rows.filter(actor=f["actor"])
            used["actor"] = f["actor"].username
        for key, column in (("action", "action"), ("patient", "patient_id"), ("object_type", "object_type"),
                            ("object_id", "object_id")):
            if f[key] not in (None, ""):
                rows = rows.filter(**{column: f[key]})
                used[key] = f[key]
        zone = timezone.get_current_timezone()
        if f["date_from"]:
            rows = rows.filter(at__gte=dt.datetime.combine(f["date_from"], dt.time.min, zone))
            used["date_from"] = f["date_from"].isoformat()
        if f["date_to"]:
            rows = rows.filter(at__lt=dt.datetime.combine(f["date_to"] + dt.timedelta(days=1), dt.time.min, zone))
            used["date_to"] = f["date_to"].isoformat()
    elif form.is_bound:
        rows = rows.none()
    return form, rows, used


@login_required
@never_cache
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    admin = admin_only(request, "AuditEvent")
    form, rows, used = _filtered(request, admin)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(admin, "read", object_type="AuditEvent", purpose="audit_log", filters=used, page=page.number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "clinic/audit_log.html", {"form": form, "page": page, "query": query.urlencode(),
                                                     "filtered": bool(used)},
                  status=422 if form.is_bound and form.errors else 200)


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@never_cache
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    admin = admin_only(request, "AuditEvent")
    form, rows, used = _filtered(request, admin)
    if form.is_bound and form.errors:
        return HttpResponse("The filters are not valid: " + "; ".join(
            str(e) for errors in form.errors.values() for e in errors), status=422, content_type="text/plain")
    rows_list = list(rows)
    audit.record(admin, "export_audit", object_type="AuditEvent", filters=used, rows=len(rows_list))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(["id", "at", "actor", "action", "object_type", "object_id", "patient_id", "detail"])
    for e in rows_list:
        writer.writerow([_cell(v) for v in (e.pk, e.at.isoformat(), e.actor.username if e.actor else "",
                                            e.action, e.object_type, e.object_id, e.patient_id,
                                            json.dumps(e.detail, sort_keys=True, default=str))])
    return response
