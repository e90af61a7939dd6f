"""The patient's own home-programme handout: the clinic's handout of their current plan (the same page the
practitioner prints), with the same pregnancy guard."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sciatica_care.clinic import audit, figures
from sciatica_care.clinic.views.handouts import html_response
from sciatica_care.portal import patient_record
from sciatica_care.portal.access import patient_required
from sciatica_care.reports.letterhead import Letterhead


@never_cache
@patient_required
@require_GET
def handout(request: HttpRequest) -> HttpResponse:
    from sciatica_care.reports.handout import UnsafeHandout

    patient = request.patient  # type: ignore[attr-defined]
    plan = patient_record.current_plan(patient_record.current_episode(patient))
    if plan is None:
        raise Http404("no plan yet")
    letterhead = Letterhead(patient=f"{patient.first_name} {patient.last_name}".strip(),
                            clinic=plan.episode.clinic.name, practitioner=plan.created_by.display(),
                            date=timezone.localdate())
    try:
        body = figures.handout_html(plan, letterhead)
    except UnsafeHandout as exc:
        audit.record(request.user, "refused", plan, patient_id=patient.pk, purpose="portal_handout",  # type: ignore[arg-type]
                     reason=str(exc))
        return render(request, "portal/handout_refused.html", {"nav": "home"}, status=409)
    audit.record(request.user, "read", plan, patient_id=patient.pk, purpose="portal_handout")  # type: ignore[arg-type]
    return html_response(body, plan)
