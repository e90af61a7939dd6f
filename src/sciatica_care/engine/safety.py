"""The safety pass, applied last: every rule that fires may exclude points, disallow a modality, bar
electroacupuncture pairs in areas of reduced feeling, add massage cautions and warn.

A point removed here goes to `excluded` with the rule that removed it and never reaches the points, the pairs
or the home acupressure.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from ..knowledge.conditions import Facts
from ..knowledge.model import Exclusion, Point
from .planning import Candidate, Draft
from .rulebook import Rulebook


class SafetyVerdict(Struct):
    kept: list[Candidate] = field(default_factory=list)
    excluded: list[dict[str, Any]] = field(default_factory=list)
    disallowed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    no_pair_areas: set[str] = field(default_factory=set)
    massage_cautions: list[str] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)

    def allows(self, modality: str) -> bool:
        return modality not in self.disallowed


def _on_affected_leg(side: str, pain_side: str) -> bool:
    return side in (pain_side, "both", "midline") or pain_side == "both"


def _excludes(rule: Exclusion, point: Point, side: str, pain_side: str) -> bool:
    # A point with no fixed place (ashi: wherever it is tender) may land in any region a rule excludes.
    in_region = point.region in rule.regions or (point.placement is None and bool(rule.regions))
    hit = point.code in rule.codes or in_region or (rule.forbidden_in_pregnancy and point.forbidden_in_pregnancy)
    return hit and (rule.side == "any" or _on_affected_leg(side, pain_side))


def safety_pass(book: Rulebook, facts: Facts, plan: Draft, pain_side: str) -> SafetyVerdict:
    verdict = SafetyVerdict()
    removed: dict[str, dict[str, Any]] = {}
    for ruled in book.safety:
        rule = ruled.item
        if not ruled.holds(facts):
            continue
        verdict.fired.append(rule.id)
        if rule.exclude is not None:
            for cand in plan.points:
                if cand.code in removed:
                    continue
                if _excludes(rule.exclude, book.points[cand.code], cand.side, pain_side):
                    removed[cand.code] = {"code": cand.code, "side": cand.side, "rule": rule.id,
                                          "reason": rule.reason, "sources": list(rule.sources)}
        for modality in rule.disallow:
            verdict.disallowed.setdefault(modality, []).append(
                {"rule": rule.id, "reason": rule.reason, "sources": list(rule.sources)})
        if rule.no_pairs_in_areas_of:
            areas = facts.get(rule.no_pairs_in_areas_of, frozenset())
            if isinstance(areas, frozenset):
                verdict.no_pair_areas.update(str(a) for a in areas)
        verdict.massage_cautions.extend(c for c in rule.massage_cautions if c not in verdict.massage_cautions)
        if rule.warning:
            warning: dict[str, Any] = {"id": rule.warning_id or rule.id, "text": rule.warning, "rule": rule.id,
                                       "sources": list(rule.sources)}
            if rule.evidence:
                warning["evidence"] = rule.evidence
            verdict.warnings.append(warning)
    verdict.excluded = list(removed.values())
    verdict.kept = [c for c in plan.points if c.code not in removed]
    return verdict
