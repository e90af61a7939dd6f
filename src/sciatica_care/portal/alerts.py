"""Alerting the clinic when a patient's diary reports an emergency sign (cauda equina: bladder or bowel trouble,
numbness between the legs, weakness in both legs).

The alert is stored in the same transaction as the entry (so an entry with such a sign never exists without
its alert), audited, shown to the clinic's staff until a practitioner or clinic admin marks it handled, and
emailed to the clinic's practitioners and clinic admins once the entry is committed. The patient is told on the
page to go to an emergency department now whatever happens to the email.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sciatica_care.clinic import audit
from sciatica_care.clinic.clinical import DiaryAlarm
from sciatica_care.clinic.models import Role, Staff
from sciatica_care.portal.models import ClinicAlert, JournalEntry

log = logging.getLogger(__name__)
KIND = "diary_emergency_signs"


def raise_for(entry: JournalEntry, alarm: DiaryAlarm) -> ClinicAlert:
    alert = ClinicAlert.objects.create(clinic_id=entry.clinic_id, patient_id=entry.patient_id, entry=entry,
                                       kind=KIND, signs=list(alarm.flags))
    audit.record(entry.recorded_by, "clinic_alert_raised", alert, patient_id=entry.patient_id,
                 flags=list(alarm.flags))
    transaction.on_commit(lambda: email_clinic(alert.pk))
    return alert


def recipients(clinic_id: int) -> list[str]:
    """Who the alert is emailed to: the clinic's active practitioners and clinic admins with an email address."""
    return sorted(set(Staff.objects.filter(clinic_id=clinic_id, is_active=True, role__in=[
        Role.PRACTITIONER, Role.CLINIC_ADMIN]).exclude(email="").values_list("email", flat=True)))


def email_clinic(alert_id: int) -> int:
    """Email the alert (no clinical detail beyond the signs' names, and no patient name in the subject)."""
    alert = ClinicAlert.objects.select_related("patient", "clinic").get(pk=alert_id)
    to = recipients(alert.clinic_id)
    if not to:
        audit.record(None, "clinic_alert_not_emailed", alert, clinic_id=alert.clinic_id, reason="no_recipients")
        return 0
    from sciatica_care.clinic.clinical import display_name

    signs = "\n".join(f"- {display_name(s, record=True)}" for s in alert.signs)
    try:
        send_mail("URGENT: a patient reported emergency signs in their diary",
                  f"A patient of {alert.clinic.name} (patient no. {alert.patient_id}) reported in their diary on "
                  f"{timezone.localtime(alert.created_at):%Y-%m-%d %H:%M}:\n{signs}\n\nThe diary told them to go to "
                  "an emergency department now. Contact the patient and record what was done: the alert is on the "
                  "patient's page in Sciatica Care until it is marked handled.", None, to)
    except Exception as exc:  # the alert stays on every staff page; the failure is audited
        log.exception("clinic alert %s: email failed", alert_id)
        audit.record(None, "clinic_alert_email_failed", alert, clinic_id=alert.clinic_id, error=type(exc).__name__)
        return 0
    ClinicAlert.objects.filter(pk=alert.pk).update(emailed_to=len(to))
    audit.record(None, "clinic_alert_emailed", alert, clinic_id=alert.clinic_id, recipients=len(to))
    return len(to)


def open_alerts(clinic_id: int | None) -> QuerySet[ClinicAlert]:
    return ClinicAlert.objects.filter(clinic_id=clinic_id, handled_at__isnull=True).select_related("patient")


def mark_handled(actor: Staff, alert: ClinicAlert, note: str) -> ClinicAlert:
    with transaction.atomic():
        changed = ClinicAlert.objects.filter(pk=alert.pk, handled_at__isnull=True).update(
            handled_at=timezone.now(), handled_by=actor, handled_note=note)
        alert.refresh_from_db()
        if changed:
            audit.record(actor, "clinic_alert_handled", alert, patient_id=alert.patient_id, note=note)
    return alert
