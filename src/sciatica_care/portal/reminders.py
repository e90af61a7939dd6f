"""Diary and home-programme reminders: who is due now, for the background worker to send.

A patient turns each reminder on in the portal's settings and picks its local time and their time zone (off by
default; opting out is turning it off). `due(now)` answers the reminders whose local time today has come and
that have not been sent today; the worker sends each and calls `mark_sent`, so a reminder goes at most once a
local day. A diary reminder is skipped when that day's diary is already filled in. Accounts that are inactive,
or whose patient is anonymised, get nothing.

    for reminder in reminders.due(timezone.now()):
        send(reminder)                       # email (or push), by the booking issue's worker
        reminders.mark_sent(reminder)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q

from sciatica_care.portal.models import JournalEntry, ReminderPreference

Kind = Literal["diary", "programme"]


@dataclass(frozen=True)
class Reminder:
    account_id: int
    user_id: int
    patient_id: int
    email: str
    kind: Kind
    local_day: dt.date
    local_time: dt.time


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def due(now: dt.datetime) -> list[Reminder]:
    """Every reminder due at `now` (an aware datetime) and not yet sent on the patient's local day."""
    rows = (ReminderPreference.objects.filter(Q(diary_on=True) | Q(programme_on=True),
                                              account__user__is_active=True,
                                              account__patient__anonymised_at__isnull=True)
            .select_related("account__user"))
    out: list[Reminder] = []
    diary_candidates: list[Reminder] = []
    for pref in rows:
        local = now.astimezone(zone(pref.time_zone))
        day = local.date()
        account = pref.account
        base = {"account_id": account.pk, "user_id": account.user_id, "patient_id": account.patient_id,
                "email": account.user.email, "local_day": day}
        if pref.diary_on and pref.diary_sent_on != day and local.time() >= pref.diary_time:
            diary_candidates.append(Reminder(kind="diary", local_time=pref.diary_time, **base))
        if pref.programme_on and pref.programme_sent_on != day and local.time() >= pref.programme_time:
            out.append(Reminder(kind="programme", local_time=pref.programme_time, **base))
    if diary_candidates:
        done = set(JournalEntry.objects.filter(
            patient_id__in=[r.patient_id for r in diary_candidates],
            date__in={r.local_day for r in diary_candidates}).values_list("patient_id", "date"))
        out.extend(r for r in diary_candidates if (r.patient_id, r.local_day) not in done)
    return sorted(out, key=lambda r: (r.local_time, r.account_id, r.kind))


def mark_sent(reminder: Reminder) -> None:
    """The reminder was sent: not again on that local day."""
    field = "diary_sent_on" if reminder.kind == "diary" else "programme_sent_on"
    ReminderPreference.objects.filter(account_id=reminder.account_id).update(**{field: reminder.local_day})


def preference_for(account_id: int) -> ReminderPreference:
    pref, _ = ReminderPreference.objects.get_or_create(account_id=account_id)
    return pref


_WORDING = {
    "diary": ("Your diary for today",
              "How was today? Your diary takes less than a minute: {link}\n\n"
              "If you notice new trouble passing urine or controlling your bowels, numbness between your legs or "
              "weakness in both legs, go to an emergency department now."),
    "programme": ("Your home programme",
                  "A reminder for today's home programme from your practitioner: {link}"),
}
_TOPIC = {"diary": "diary", "programme": "home_programme"}


def messages(now: dt.datetime) -> list[dict[str, object]]:
    """The due reminders as messages for the outbox (fields of `scheduling.outbox.Outgoing`), each keyed by the
    patient, the kind and the local day so that it is queued once; marked sent here, the outbox then delivers it
    once. The message carries no clinical detail beyond the standing emergency advice on the diary's."""
    from django.conf import settings
    from django.urls import reverse

    from sciatica_care.clinic.models import Patient

    reminders = [r for r in due(now) if r.email]
    clinics = dict(Patient.objects.filter(pk__in={r.patient_id for r in reminders}).values_list("pk", "clinic_id"))
    base = getattr(settings, "SCIATICA_CARE_BASE_URL", "")
    out: list[dict[str, object]] = []
    for reminder in reminders:
        subject, body = _WORDING[reminder.kind]
        page = reverse("portal:diary" if reminder.kind == "diary" else "portal:programme")
        out.append({"clinic_id": clinics[reminder.patient_id], "channel": "email", "to": reminder.email,
                    "subject": subject, "body": body.format(link=f"{base}{page}"),
                    "dedupe_key": f"portal-{reminder.kind}-{reminder.patient_id}-{reminder.local_day.isoformat()}",
                    "kind": f"{reminder.kind}_reminder", "topic": _TOPIC[reminder.kind],
                    "patient_id": reminder.patient_id})
        mark_sent(reminder)
    return out
