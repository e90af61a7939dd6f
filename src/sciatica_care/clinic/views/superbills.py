"""Superbills: one visit, or a patient's visits over a period, as a PDF a US payer accepts.

Practitioners, clinic admins and reception may print them (reception prints billing but never reads the notes:
the superbill holds codes, never notes). A superbill that cannot be made (no confirmed or an unverified diagnosis,
an identifier or a fee missing, no billable time) answers 422 with a page naming each thing missing. Every print
and every refusal is audited.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sciatica_care.clinic import access, audit, billing, clinical
from sciatica_care.clinic.forms import SuperbillPeriodForm
from sciatica_care.clinic.models import Patient, Visit


def _pdf(request: HttpRequest, patient: Patient, visits: Sequence[Visit], name: str) -> HttpResponse:
    try:
        pdf = billing.print_superbill(request.user, patient, visits)
    except clinical.SuperbillRefused as exc:
        return render(request, "clinic/superbill_refused.html", {
            "patient": patient, "missing": exc.missing, "visits": visits}, status=422)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
@never_cache
def visit_superbill(request: HttpRequest, pk: int) -> HttpResponse:
    qs = access.scoped(request.user, Visit).select_related("episode__patient", "practitioner")
    visit = access.get_for(request.user, Visit, pk, kind=access.DEMOGRAPHIC, queryset=qs)
    return _pdf(request, visit.episode.patient, [visit], f"superbill-visit-{visit.pk}.pdf")


@login_required
@require_GET
@never_cache
def patient_superbill(request: HttpRequest, pk: int) -> HttpResponse:
    patient = access.get_for(request.user, Patient, pk, kind=access.DEMOGRAPHIC)
    form = SuperbillPeriodForm(request.GET)
    if not form.is_valid():
        audit.attempted(request.user, "print", patient, fields=form.errors, document="superbill")
        return render(request, "clinic/superbill_refused.html", {
            "patient": patient, "form_errors": [str(m) for msgs in form.errors.values() for m in msgs]}, status=422)
    start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    visits = billing.billable_visits(patient, start, end)
    return _pdf(request, patient, visits, f"superbill-patient-{patient.pk}.pdf")
