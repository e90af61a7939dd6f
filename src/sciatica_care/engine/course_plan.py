"""The course: sessions a week within the patient's limit, course length by chronicity, review and taper."""

from __future__ import annotations

from typing import Any

from ..knowledge.conditions import Facts
from .rulebook import Rulebook


def schedule(book: Rulebook, facts: Facts) -> dict[str, Any]:
    k = book.knowledge.schedule
    band = next(r.item for r in book.course_bands if r.holds(facts))
    per_week = band.sessions_per_week
    reasons = [band.reason]
    limit = facts.get("preferences.max_sessions_per_week")
    if isinstance(limit, int) and limit < per_week:
        per_week = limit
        reasons.append(f"Held to {limit} a week, the most the patient can attend.")
    return {
        "sessions_per_week": per_week,
        "course_sessions": list(band.course_sessions),
        "review_after_sessions": k.review_after_sessions,
        "refer_after_sessions": k.refer_after_sessions,
        "retention_minutes": list(k.retention_minutes),
        "taper": k.taper,
        "phases": [{"weeks": p.weeks, "goal": p.goal, "sources": list(p.sources)} for p in k.phases],
        "rule": band.id,
        "reasons": reasons,
        "sources": list(band.sources),
    }


def no_schedule(reason: str) -> dict[str, Any]:
    """The schedule of a plan whose treatment is withheld: nothing is booked until the patient is cleared."""
    return {"sessions_per_week": 0, "course_sessions": [0, 0], "review_after_sessions": 0, "phases": [],
            "reasons": [reason]}
