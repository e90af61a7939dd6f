"""Red-flag triage: the flags given and those derived from other answers set the level and the referral timing;
findings and combinations (escalations) can raise both. A level other than routine, or a timing of `now` or
`same_day`, stops all treatment until a doctor has seen the patient.

`see_within` is the most urgent timing over every flag and finding that fired; the headline advice is chosen by
that timing (and the level where the knowledge has a level-specific entry), so it never states a slower timing
than the most urgent finding needs.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from ..knowledge.conditions import Facts
from ..knowledge.timing import is_slower
from .rulebook import Rulebook

SEVERITY = {"routine": 0, "urgent": 1, "emergency": 2}
#: A finding that needs a doctor the same day or sooner stops treatment like a red flag (contract 1.1).
STOPS_TREATMENT = frozenset({"now", "same_day"})


class TriageResult(Struct, frozen=True):
    level: str
    red_flags: tuple[str, ...]
    json: dict[str, Any]
    see_within: str = "none"

    @property
    def routine(self) -> bool:
        """Treatment may go ahead: the level is routine and no finding needs a doctor today (fails closed)."""
        return self.level == "routine" and self.see_within not in STOPS_TREATMENT


def triage(book: Rulebook, facts: Facts) -> TriageResult:
    given = facts.get("red_flags", frozenset())
    assert isinstance(given, frozenset)  # noqa: S101 - red_flags is required by the contract
    fired: dict[str, dict[str, Any]] = {}
    for flag_id in book.flags:
        if flag_id in given:
            fired[flag_id] = {"id": flag_id, "derived": False}
    for rule in book.derived_flags:
        d = rule.item
        if d.flag not in fired and rule.holds(facts):
            fired[d.flag] = {"id": d.flag, "derived": True, "rule": d.id, "reason": d.reason,
                             "sources": list(d.sources)}
    level = "routine"
    see_within = "none"
    contact: str | None = None
    for flag_id, entry in fired.items():
        flag = book.flags[flag_id]
        entry.update(group=flag.group, level=flag.level, see_within=flag.see_within, contact=flag.contact,
                     advice=flag.practitioner_advice, patient_text=flag.patient_text)
        entry.setdefault("sources", list(flag.sources))
        level = _higher(level, flag.level)
        if is_slower(see_within, flag.see_within):
            see_within, contact = flag.see_within, flag.contact
    escalations = []
    for ruled in book.escalations:
        e = ruled.item
        if ruled.holds(facts):
            entry = {"id": e.id, "level": e.level, "see_within": e.see_within, "contact": e.contact,
                     "reason": e.reason, "sources": list(e.sources)}
            if e.advice is not None:
                entry["advice"] = e.advice
            if e.patient_text is not None:
                entry["patient_text"] = e.patient_text
            escalations.append(entry)
            level = _higher(level, e.level)
            if is_slower(see_within, e.see_within):
                see_within, contact = e.see_within, e.contact
    if see_within in STOPS_TREATMENT:
        level = _higher(level, "urgent")  # the knowledge validator requires this too; never let it slip
    advice = book.triage_advice.get((see_within, level)) or book.triage_advice[(see_within, None)]
    words = book.timing_words[see_within]
    return TriageResult(
        level=level,
        red_flags=tuple(fired),
        see_within=see_within,
        json={
            "level": level,
            "see_within": see_within,
            "timing": words.practitioner,
            "patient_timing": words.patient,
            "contact": contact,
            "red_flags": list(fired),
            "advice": advice.advice,
            "patient_advice": advice.patient_text,
            "flags": list(fired.values()),
            "escalations": escalations,
            "sources": list(dict.fromkeys([*advice.sources, *words.sources])),
        },
    )


def _higher(level: str, other: str) -> str:
    return other if SEVERITY[other] > SEVERITY[level] else level
