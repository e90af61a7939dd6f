"""The patient's side on the clinic's staff pages (`{% load portal_staff %}`): the episode page's diary, the
course's home-programme adherence and the diary findings; the patient page's portal access and alerts; the open
alerts of the clinic.

Each tag runs inside a staff page whose view has already checked access to the record (and audited its read);
the diary panel is clinical (never for reception)."""

from __future__ import annotations

from typing import Any

from django import template

from sciatica_care.clinic.clinical import display_name
from sciatica_care.portal import accounts, alerts, staff_summary
from sciatica_care.portal.adherence import episode_adherence
from sciatica_care.portal.diary_findings import FINDING_WORDS

register = template.Library()


@register.inclusion_tag("portal/staff/_episode_panel.html", takes_context=True)
def portal_episode_panel(context: Any, episode: Any) -> dict[str, Any]:
    user = context["request"].user
    if not user.is_clinical:
        return {"shown": False}
    # Part of the episode page, whose read the episode view has audited.
    side = staff_summary.patient_side(episode.patient)
    return {"shown": True, "side": side, "words": FINDING_WORDS, "weeks": staff_summary.WEEKS,
            "days": staff_summary.WEEKS * 7, "adherence": episode_adherence(episode, weeks=staff_summary.WEEKS)}


@register.inclusion_tag("portal/staff/_patient_panel.html", takes_context=True)
def portal_patient_panel(context: Any, patient: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"patient": patient, "user": user, "account": accounts.account_of(patient),
            "alerts": [(a, [display_name(s, record=True) for s in a.signs])
                       for a in alerts.open_alerts(user.clinic_id).filter(patient=patient)],
            "request": context["request"], "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("portal/staff/_clinic_alerts.html", takes_context=True)
def portal_clinic_alerts(context: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"alerts": list(alerts.open_alerts(user.clinic_id)[:20]) if user.is_authenticated else [],
            "user": user}
