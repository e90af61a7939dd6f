"""What the diary shows, for the patient's progress page and the practitioner's episode page: the journal's trigger
analysis over the patient's own days (associations with their intervals, never a cause), the clear findings first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sciatica_care.clinic.clinical import FactorResult, analyse_diary_entries
from sciatica_care.clinic.models import Patient
from sciatica_care.portal import journal_store

FINDING_WORDS = {"trigger": "goes with more pain", "relief": "goes with less pain",
                 "no_clear_effect": "no clear difference", "not_enough_data": "not enough data yet"}


@dataclass
class Findings:
    days: int
    clear: list[FactorResult] = field(default_factory=list)
    unclear: list[FactorResult] = field(default_factory=list)
    waiting: list[FactorResult] = field(default_factory=list)


def findings(patient: Patient) -> Findings:
    days = journal_store.days(patient)
    analysis = analyse_diary_entries(journal_store.as_diary(days))
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
