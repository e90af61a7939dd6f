"""What the portal reads of the signed-in patient's own record: their current course of care, its current plan
and the questionnaires the clinic has asked them to fill in. Every query is by the patient — never by an id
from the address — so a patient never reaches another patient's record."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from sciatica_care.clinic.models import Episode, EpisodeStatus, Patient, PlanRevision, QuestionnaireLink


def current_episode(patient: Patient) -> Episode | None:
    """The open course of care (the latest opened), else the latest course."""
    episodes = Episode.objects.filter(patient=patient).select_related("clinic")
    return (episodes.filter(status=EpisodeStatus.OPEN).order_by("-opened_on", "-id").first()
            or episodes.order_by("-opened_on", "-id").first())


def current_plan(episode: Episode | None) -> PlanRevision | None:
    if episode is None:
        return None
    return (PlanRevision.objects.filter(episode=episode).select_related("intake", "created_by", "episode__clinic")
            .order_by("-number").first())


def questionnaires_due(patient: Patient) -> QuerySet[QuestionnaireLink]:
    """The questionnaires the clinic has sent the patient that are still to be filled in (a link not yet used
    and not expired): in the portal the patient fills them in here, without the link."""
    return (QuestionnaireLink.objects.filter(episode__patient=patient, used_at__isnull=True,
                                             expires_at__gt=timezone.now(), mode="link")
            .select_related("episode").order_by("created_at", "id"))


@dataclass(frozen=True)
class Upcoming:
    """One of the patient's coming appointments as the portal shows it: in the location's own time."""

    when: dt.datetime
    service: str
    practitioner: str
    location: str
    is_review: bool
    pk: int = 0

    def __str__(self) -> str:
        return f"{self.when:%A %-d %B, %H:%M} · {self.service} with {self.practitioner} at {self.location}"


def upcoming_appointments(patient: Patient, limit: int = 10) -> list[Upcoming]:
    """The patient's next live appointments (booked or awaiting approval), soonest first, read from the booking
    app by name so that the portal does not depend on it being installed."""
    try:
        appointment = apps.get_model("scheduling", "Appointment")
    except LookupError:
        return []
    rows = (appointment.objects.filter(patient=patient, clinic_id=patient.clinic_id, start__gte=timezone.now(),
                                       status__in=("requested", "booked"))
            .select_related("service", "practitioner", "location").order_by("start")[:limit])
    return [Upcoming(when=row.start.astimezone(zoneinfo.ZoneInfo(row.location.time_zone)), service=row.service.name,
                     practitioner=row.practitioner.get_full_name() or row.practitioner.get_username(),
                     location=row.location.name, is_review=row.is_review, pk=row.pk) for row in rows]
