"""The discharge summary: a printable page and a one-page PDF, scoped to the clinic and audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sciatica_care.clinic import access, audit, discharge
from sciatica_care.clinic.models import Episode


def _episode(request: HttpRequest, pk: int) -> Episode:
    qs = access.scoped(request.user, Episode).select_related("patient", "clinic")
    return access.get_for(request.user, Episode, pk, queryset=qs)


@login_required
@require_GET
def discharge_html(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode(request, pk)
    audit.record(request.user, "read", episode, patient_id=episode.patient_id, purpose="discharge_summary")
    return render(request, "clinic/discharge.html", {"episode": episode, "patient": episode.patient,
                                                     "s": discharge.summary(episode)})


@login_required
@require_GET
@never_cache
def discharge_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from sciatica_care.reports.discharge import discharge_pdf as build

    episode = _episode(request, pk)
    audit.record(request.user, "print", episode, patient_id=episode.patient_id, document="discharge_pdf")
    response = HttpResponse(build(discharge.summary(episode)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="discharge-{episode.pk}.pdf"'
    return response
