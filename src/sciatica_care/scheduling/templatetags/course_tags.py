"""`{% course_appointments episode %}` on the clinic's episode page: the appointments booked on the course and a
way to book it (the clinic's templates load this; the clinic's code never imports the front desk)."""

from __future__ import annotations

from typing import Any

from django import template

from sciatica_care.scheduling.models import Appointment

register = template.Library()


@register.inclusion_tag("scheduling/_episode_appointments.html", takes_context=True)
def course_appointments(context: Any, episode: Any) -> dict[str, Any]:
    appointments = list(Appointment.objects.filter(episode=episode).select_related("practitioner", "service",
                                                                                   "location").order_by("start"))
    return {"episode": episode, "appointments": appointments, "request": context.get("request")}
