"""Red-flag triage: the flags given and those derived from other answers set the level; some combinations
escalate it. A level other than routine stops all treatment until a doctor has seen the patient."""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from ..knowledge.conditions import Facts
from .rulebook import Rulebook

SEVERITY = {"routine": 0, "urgent": 1, "emergency": 2}


class TriageResult(Struct, frozen=True):
    level: str
    red_flags: tuple[str, ...]
    json: dict[str, Any]

    @property
    def routine(self) -> bool:
        return self.level == "routine"


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
    for flag_id, entry in fired.items():
        flag = book.flags[flag_id]
        entry.update(group=flag.group, level=flag.level, advice=flag.practitioner_advice,
                     patient_text=flag.patient_text)
        entry.setdefault("sources", list(flag.sources))
        if SEVERITY[flag.level] > SEVERITY[level]:
            level = flag.level
    escalations = []
    for ruled in book.escalations:
        e = ruled.item
        if ruled.holds(facts):
            escalations.append({"id": e.id, "level": e.level, "reason": e.reason, "sources": list(e.sources)})
            if SEVERITY[e.level] > SEVERITY[level]:
                level = e.level
    advice = book.triage_advice[level]
    return TriageResult(
        level=level,
        red_flags=tuple(fired),
        json={
            "level": level,
            "red_flags": list(fired),
            "advice": advice.advice,
            "patient_advice": advice.patient_text,
            "flags": list(fired.values()),
            "escalations": escalations,
            "sources": list(advice.sources),
        },
    )
