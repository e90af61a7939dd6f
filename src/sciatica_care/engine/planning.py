"""The protocol's draft: every point, pair and technique the rules choose for this case, before safety.

Nothing here is capped or filtered for safety: the safety pass removes what a rule forbids and only then are
the lists cut to size, so a removed point can make room for the next one.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from ..knowledge.conditions import Facts
from ..knowledge.model import MassageTechnique, SideRule
from .rulebook import Rulebook

OTHER_SIDE = {"left": "right", "right": "left", "both": "both"}


def resolve_side(rule: SideRule, pain_side: str) -> str:
    """Where a point goes, given the rule's side relative to the pain (`left`, `right` or `both`)."""
    if rule == "affected":
        return pain_side
    if rule == "opposite":
        return OTHER_SIDE[pain_side]
    return rule


class Candidate(Struct):
    code: str
    role: str
    side: str
    rules: list[str]
    reasons: list[str]
    sources: list[str]


class PairCandidate(Struct, frozen=True):
    codes: tuple[str, str]
    rule: str
    reason: str
    sources: tuple[str, ...]


class Draft(Struct):
    points: list[Candidate]
    pairs: list[PairCandidate]
    frequency: dict[str, Any] | None
    massage: list[tuple[MassageTechnique, bool]]
    massage_skipped: list[str] = field(default_factory=list)
    cupping: bool = False


def draft(book: Rulebook, facts: Facts, pain_side: str) -> Draft:
    chosen: dict[str, Candidate] = {}
    for ruled in book.point_rules:
        rule = ruled.item
        if not ruled.holds(facts):
            continue
        for pick in rule.points:
            known = chosen.get(pick.code)
            if known is None:
                chosen[pick.code] = Candidate(pick.code, pick.role, resolve_side(rule.side, pain_side),
                                              [rule.id], [rule.reason], list(rule.sources))
            elif rule.id not in known.rules:
                known.rules.append(rule.id)
                known.reasons.append(rule.reason)
                known.sources.extend(s for s in rule.sources if s not in known.sources)

    pairs = [
        PairCandidate((a, b), r.item.id, r.item.reason, r.item.sources)
        for r in book.pair_rules if r.holds(facts) for a, b in r.item.pairs
    ]
    frequency = next(
        ({"frequency_hz": r.item.frequency_hz, "minutes": r.item.minutes, "rule": r.item.id,
          "reason": r.item.reason, "sources": list(r.item.sources)}
         for r in book.frequency_rules if r.holds(facts)),
        None,
    )

    acute = facts.get("assessment.phase") == "acute"
    massage, skipped = [], []
    for r in book.massage:
        tech = r.item
        if not r.holds(facts):
            continue
        if acute and tech.acute == "avoid":
            skipped.append(f"{tech.name}: too vigorous for the acute phase, when it can irritate the nerve")
            continue
        massage.append((tech, acute and tech.acute == "gentle"))
    return Draft(points=list(chosen.values()), pairs=pairs, frequency=frequency, massage=massage,
                 massage_skipped=skipped, cupping=book.cupping(facts))
