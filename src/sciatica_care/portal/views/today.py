"""The portal's first page: what the patient has to do today."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sciatica_care.clinic import audit
from sciatica_care.portal.access import patient_required


@patient_required
def home(request: HttpRequest) -> HttpResponse:
    patient = request.patient  # type: ignore[attr-defined]
    audit.record(request.user, "portal_view_home", patient)  # type: ignore[arg-type]
    return render(request, "portal/home.html", {"patient": patient})
