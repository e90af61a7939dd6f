"""Storing diary entries once each, and reading the diary back (the latest entry of each day counts).

An entry carries the id the phone made for it (`client_id`, unique in the database): the same entry sent again —
by the offline queue after a lost answer, a double tap, a retry — finds the stored one and changes nothing. When
the patient reports an emergency sign, the clinic is alerted in the same transaction (`alerts.raise_for`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from sciatica_care.clinic import audit
from sciatica_care.clinic.clinical import DiaryAlarm, DiaryEntry, diary_alarm
from sciatica_care.clinic.models import Patient, Staff
from sciatica_care.errors import InputRefused, Problem
from sciatica_care.portal import alerts
from sciatica_care.portal.journal_input import CheckedEntry
from sciatica_care.portal.models import JournalEntry


@dataclass(frozen=True)
class Saved:
    entry: JournalEntry
    created: bool  # False: this entry had been stored already (a replay); nothing was changed
    alarm: DiaryAlarm | None


def save(user: Staff, patient: Patient, checked: CheckedEntry) -> Saved:
    """Store the entry (or find it stored already); alert the clinic when it reports an emergency sign."""
    stored = _stored(patient, checked)
    if stored is not None:
        return stored
    day = checked.day
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(
                clinic_id=patient.clinic_id, patient=patient, client_id=checked.client_id, date=day.date,
                leg_nrs=day.leg_nrs, back_nrs=day.back_nrs, sleep_hours=day.sleep_hours,
                sleep_quality=day.sleep_quality, sitting_hours=day.sitting_hours,
                walking_minutes=day.walking_minutes, stress=day.stress, activities=list(day.activities or ()),
                medications=list(day.medications or ()), flare_up=checked.flare_up,
                flare_trigger=checked.flare_trigger, alarm_signs=list(checked.alarm_signs),
                made_at=checked.made_at, recorded_by=user)
            audit.record(user, "create", entry, patient_id=patient.pk, date=day.date.isoformat(),
                         alarm_signs=list(checked.alarm_signs))
            alarm = diary_alarm(checked.alarm_signs)
            if alarm is not None:
                alerts.raise_for(entry, alarm)
    except IntegrityError:  # the same entry, sent twice at once: the other request stored it
        stored = _stored(patient, checked)
        if stored is None:
            raise
        return stored
    return Saved(entry, True, alarm)


def _stored(patient: Patient, checked: CheckedEntry) -> Saved | None:
    entry = JournalEntry.objects.filter(client_id=checked.client_id).first()
    if entry is None:
        return None
    if entry.patient_id != patient.pk:
        raise InputRefused([Problem("client_id", "is already the id of another entry: make a new one")])
    return Saved(entry, False, diary_alarm(entry.alarm_signs))


def days(patient: Patient, since: dt.date | None = None) -> list[JournalEntry]:
    """The diary by day, oldest first: the latest entry sent for each date."""
    qs = JournalEntry.objects.filter(patient=patient)
    if since is not None:
        qs = qs.filter(date__gte=since)
    latest: dict[dt.date, JournalEntry] = {}
    for entry in qs.order_by("date", "received_at", "id"):
        latest[entry.date] = entry
    return list(latest.values())


def as_diary(entries: list[JournalEntry]) -> list[DiaryEntry]:
    """Stored days as the journal's own typed days (for the trigger analysis)."""
    return [DiaryEntry(date=e.date, leg_nrs=e.leg_nrs, back_nrs=e.back_nrs, sleep_hours=e.sleep_hours,
                       sleep_quality=e.sleep_quality, sitting_hours=e.sitting_hours,
                       walking_minutes=e.walking_minutes, stress=e.stress, activities=tuple(e.activities),
                       medications=tuple(e.medications)) for e in entries]
