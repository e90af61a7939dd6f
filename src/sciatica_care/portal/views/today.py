"""The portal's first page: what the patient has to do today — the diary, questionnaires the clinic asked for,
the next appointments (each to reschedule or cancel) — and their home programme handout."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from sciatica_care.clinic import audit
from sciatica_care.clinic.episode_progress import MEASURE_NAMES
from sciatica_care.portal import patient_record
from sciatica_care.portal.access import patient_required
from sciatica_care.portal.booking_link import booking_page
from sciatica_care.portal.models import JournalEntry
from sciatica_care.scheduling import self_service
from sciatica_care.scheduling.models import Appointment


@never_cache
@patient_required
def home(request: HttpRequest) -> HttpResponse:
    patient = request.patient  # type: ignore[attr-defined]
    audit.record(request.user, "portal_view_home", patient)  # type: ignore[arg-type]
    episode = patient_record.current_episode(patient)
    plan = patient_record.current_plan(episode)
    upcoming = patient_record.upcoming_appointments(patient)
    own = {a.pk: a for a in Appointment.objects.filter(pk__in=[u.pk for u in upcoming], patient=patient)
           .select_related("location", "service")}
    due = [(link, MEASURE_NAMES.get(link.measure, link.measure)) for link in patient_record.questionnaires_due(patient)]
    return render(request, "portal/home.html", {
        "nav": "home", "patient": patient, "plan": plan, "questionnaires": due,
        "diary_done": JournalEntry.objects.filter(patient=patient, date=timezone.localdate()).exists(),
        "appointments": [(u, self_service.choices(own[u.pk])) for u in upcoming if u.pk in own],
        "booking_url": booking_page(patient)})
