"""The signed-in patient's own appointments: reschedule or cancel one, under the same rules and with the same
pages as the link in their messages (scheduling/online/manage_pages.py). An appointment is found only among the
patient's own — any other id is 404 — and every page is audited with the patient's account as the actor."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache

from sciatica_care.clinic import audit
from sciatica_care.portal.access import patient_required
from sciatica_care.scheduling import self_service
from sciatica_care.scheduling.models import Appointment
from sciatica_care.scheduling.online import manage_pages

VIA = self_service.VIA[1]


def _own(request: HttpRequest, pk: int) -> Appointment:
    patient = request.patient  # type: ignore[attr-defined]
    appointment = (Appointment.objects.select_related("clinic", "patient", "practitioner", "service", "location")
                   .filter(pk=pk, patient=patient, clinic_id=patient.clinic_id).first())
    if appointment is None:
        raise Http404("no such appointment of yours")
    audit.record(request.user, "self_view_appointment", object_type="Appointment",  # type: ignore[arg-type]
                 object_id=appointment.pk, patient_id=patient.pk, clinic_id=patient.clinic_id, via=VIA)
    return appointment


def _place(pk: int) -> dict[str, Any]:
    home = f"{reverse('portal:home')}#appointments"
    return {"base": manage_pages.PORTAL_BASE, "nav": "home", "overview_url": home,
            "cancel_url": reverse("portal:appointment_cancel", args=[pk]),
            "move_url": reverse("portal:appointment_reschedule", args=[pk]), "done_url": home}


@never_cache
@patient_required
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return manage_pages.cancel_page(request, _own(request, pk), place=_place(pk),
                                    actor=request.user, via=VIA)  # type: ignore[arg-type]


@never_cache
@patient_required
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    return manage_pages.move_page(request, _own(request, pk), place=_place(pk),
                                  actor=request.user, via=VIA)  # type: ignore[arg-type]
