"""What the diary shows, for the patient's progress page and the practitioner's episode page: the journal's trigger
analysis over the patient's own days (associations with their intervals, never a cause), the clear findings first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches

from sciatica_care.clinic.clinical import FactorResult, analyse_diary_entries
from sciatica_care.clinic.models import Patient
from sciatica_care.portal import journal_store
from sciatica_care.portal.models import JournalEntry

FINDING_WORDS = {"trigger": "goes with more pain", "relief": "goes with less pain",
                 "no_clear_effect": "no clear difference", "not_enough_data": "not enough data yet"}


@dataclass
class Findings:
    days: int
    clear: list[FactorResult] = field(default_factory=list)
    unclear: list[FactorResult] = field(default_factory=list)
    waiting: list[FactorResult] = field(default_factory=list)


def findings(patient: Patient, days: list[JournalEntry] | None = None) -> Findings:
    """What the patient's whole diary shows (`days`: the diary by day, when already read). Analysed once per
    state of the diary (entries are never changed, so its newest entry and its length name that state) and then
    kept in this process's cache."""
    days = journal_store.days(patient) if days is None else days
    newest = max((d.id for d in days), default=0)
    key = f"diary-findings:v1:{patient.pk}:{len(days)}:{newest}"
    store = caches["diary_findings" if "diary_findings" in settings.CACHES else "default"]
    analysis = store.get(key)
    if analysis is None:
        analysis = analyse_diary_entries(journal_store.as_diary(days))
        store.set(key, analysis)
    out = Findings(analysis.days)
    for result in analysis.factors:
        if result.finding in ("trigger", "relief"):
            out.clear.append(result)
        elif result.finding == "no_clear_effect":
            out.unclear.append(result)
        else:
            out.waiting.append(result)
    out.clear.sort(key=lambda r: -abs(r.effect or 0))
    return out
