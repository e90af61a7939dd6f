"""What the portal reads of the signed-in patient's own record: their current course of care, its current plan
and the questionnaires the clinic has asked them to fill in. Every query is by the patient — never by an id
from the address — so a patient never reaches another patient's record."""

from __future__ import annotations

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


def upcoming_appointments(patient: Patient) -> list[object]:
    """The patient's next appointments. The booking app is not part of this release yet: nothing is listed until
    it is wired in here (its appointments of this patient from now on, soonest first)."""
    return []
