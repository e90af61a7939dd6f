"""What the practitioner sees of the patient's side on the episode page: the last weeks of the diary and what the
diary shows (`diary_findings`); the home-programme adherence of the course is `adherence.episode_adherence`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from sciatica_care.clinic.models import Patient
from sciatica_care.portal import journal_store
from sciatica_care.portal.diary_findings import Findings, findings
from sciatica_care.portal.models import JournalEntry

WEEKS = 4


@dataclass
class PatientSide:
    since: dt.date
    diary: list[JournalEntry]
    entered_days: int
    findings: Findings


def patient_side(patient: Patient, today: dt.date | None = None) -> PatientSide:
    today = today or timezone.localdate()
    since = today - dt.timedelta(weeks=WEEKS) + dt.timedelta(days=1)
    every_day = journal_store.days(patient)
    diary = [d for d in every_day if d.date >= since]
    return PatientSide(since=since, diary=list(reversed(diary)), entered_days=len(diary),
                       findings=findings(patient, every_day))
