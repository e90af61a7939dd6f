"""What the practitioner sees of the patient's side on the episode page: the last weeks of the diary, the
home-programme adherence recorded in the portal, and what the diary shows (`diary_findings`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone

from sciatica_care.clinic.models import Patient
from sciatica_care.portal import journal_store
from sciatica_care.portal.diary_findings import Findings, findings
from sciatica_care.portal.models import JournalEntry

WEEKS = 4


@dataclass
class Adherence:
    days_done: int
    days: int
    records: int
    felt: dict[str, int]


@dataclass
class PatientSide:
    since: dt.date
    diary: list[JournalEntry]
    entered_days: int
    adherence: Adherence | None
    findings: Findings


def adherence(patient: Patient, since: dt.date, days: int) -> Adherence | None:
    """Days on which some of the home programme was marked done, from the portal's adherence records (None when
    this installation has no home programme records)."""
    try:
        model = apps.get_model("portal", "AdherenceRecord")
    except LookupError:
        return None
    rows = list(model.objects.filter(patient=patient, day__gte=since).values_list("day", "felt"))
    return Adherence(days_done=len({d for d, _ in rows}), days=days, records=len(rows),
                     felt=dict(Counter(f for _, f in rows)))


def patient_side(patient: Patient, today: dt.date | None = None) -> PatientSide:
    today = today or timezone.localdate()
    since = today - dt.timedelta(weeks=WEEKS) + dt.timedelta(days=1)
    every_day = journal_store.days(patient)
    diary = [d for d in every_day if d.date >= since]
    return PatientSide(since=since, diary=list(reversed(diary)), entered_days=len(diary),
                       adherence=adherence(patient, since, (today - since).days + 1),
                       findings=findings(patient, every_day))
