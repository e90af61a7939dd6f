"""Whether a course may be booked for treatment now: its current plan allows treatment, no red flag has stopped
it since, and it is not closed. The course proposal, its booking and every in-person booking on an episode ask
here, so a patient with a red flag is not booked back in for needling."""

from __future__ import annotations

from sciatica_care.clinic.clinical import Plan
from sciatica_care.clinic.models import Episode, EpisodeStatus, PlanRevision, Visit

NOT_FOR_TREATMENT = ("The current plan is not for treatment (a red flag, or a plan that cannot be read): nothing "
                     "is booked for treatment until the patient is cleared and re-planned.")
RED_FLAG_AT_VISIT = ("A red flag stopped treatment at the last visit: nothing is booked for treatment until the "
                     "patient is cleared and re-planned (a new intake).")
NO_PLAN = "This course has no plan yet: record the intake first."
CLOSED = "This course of care is closed: nothing is booked on it."


def current_plan(episode: Episode) -> tuple[Plan | None, str]:
    """The episode's current plan, typed, when the course may be treated; else None and why not."""
    if episode.status == EpisodeStatus.CLOSED:
        return None, CLOSED
    revision = PlanRevision.objects.filter(episode=episode).order_by("-number").first()
    if revision is None:
        return None, NO_PLAN
    typed = revision.typed
    if typed is None or not typed.treatment_allowed or typed.schedule.sessions_per_week <= 0:
        return None, NOT_FOR_TREATMENT
    stopped = Visit.objects.filter(episode=episode, needling_stopped=True, created_at__gt=revision.created_at) \
        .exclude(red_flags_found=[]).exists()
    if stopped:
        return None, RED_FLAG_AT_VISIT
    return typed, ""
