"""The safety pass, applied last: every rule that fires may exclude points, disallow a modality, bar
electroacupuncture pairs in areas of reduced feeling, leave massage techniques out, cap the needle depth, the
number of needles and of pairs, swap home instructions that lie on the back, keep treatment off a recorded
device or lesion site, add massage cautions and warn.

A point removed here goes to `excluded` with the rule that removed it and never reaches the points, the pairs
or the home acupressure.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from ..knowledge.conditions import Facts
from ..knowledge.model import Exclusion, Point, SafetyRule, SiteGuard
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
    #: massage technique id → why it is left out
    omitted_techniques: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the tightest depth cap (cun) with the rule and reason, when any rule caps it
    depth_cap: dict[str, Any] | None = None
    pair_cap: dict[str, Any] | None = None
    needle_cap: dict[str, Any] | None = None
    #: why instructions lying on the back are swapped or held off, when a rule says so
    no_supine: dict[str, Any] | None = None
    #: heat held off the pack areas: the rule and reason
    no_heat: list[dict[str, Any]] = field(default_factory=list)

    def allows(self, modality: str) -> bool:
        return modality not in self.disallowed


def _on_affected_leg(side: str, pain_side: str) -> bool:
    return side in (pain_side, "both", "midline") or pain_side == "both"


def _excludes(rule: Exclusion, point: Point, side: str, pain_side: str, forbidden: frozenset[str]) -> bool:
    # A point with no fixed place (ashi: wherever it is tender) may land in any region a rule excludes.
    in_region = point.region in rule.regions or (point.placement is None and bool(rule.regions))
    hit = (point.code in rule.codes or in_region
           or (rule.forbidden_in_pregnancy and point.forbidden_in_pregnancy)
           or (rule.confusable_with_forbidden and not forbidden.isdisjoint(point.confusable_with))
           or (rule.over_large_vessel and point.over_large_vessel))
    return hit and (rule.side == "any" or _on_affected_leg(side, pain_side))


def _sides_meet(point_side: str, site_side: object) -> bool:
    """A point on one side is clear of a site recorded only on the other side; midline or both meets all."""
    if site_side not in ("left", "right") or point_side not in ("left", "right"):
        return True
    return point_side == site_side


def _tighter(current: dict[str, Any] | None, value: float, rule: SafetyRule) -> dict[str, Any]:
    if current is not None and current["value"] <= value:
        return current
    return {"value": value, "rule": rule.id, "reason": rule.reason, "sources": list(rule.sources)}


def _site_areas(facts: Facts, item: str) -> frozenset[str] | None:
    """The recorded areas of a site-bound medical item, or None when its site is not recorded."""
    areas = facts.get(f"medical_sites.{item}.areas")
    return frozenset(str(a) for a in areas) if isinstance(areas, frozenset) else None


def _guard_site(book: Rulebook, facts: Facts, rule: SafetyRule, guard: SiteGuard, plan: Draft,
                removed: dict[str, dict[str, Any]], verdict: SafetyVerdict) -> None:
    """Keep treatment off a recorded site; hold back what could land on it while the site is unknown."""
    src = list(rule.sources)
    areas = _site_areas(facts, guard.item)
    if areas is None:
        reason = guard.unrecorded_reason or rule.reason
        for modality in guard.unrecorded:
            if modality == "heat":
                verdict.no_heat.append({"rule": rule.id, "reason": reason, "sources": src})
            elif modality in ("massage", "cupping", "electroacupuncture"):
                verdict.disallowed.setdefault(modality, []).append(
                    {"rule": rule.id, "reason": reason, "sources": src})
        return
    if not areas:
        return  # recorded outside the treatment areas (a pacemaker in the chest)
    side = facts.get(f"medical_sites.{guard.item}.side")
    where = ", ".join(sorted(a.replace("_", " ") for a in areas))
    reason = f"{rule.reason} Recorded site: {where}."
    k = book.knowledge
    for modality in guard.over_site:
        if modality in ("needles", "electroacupuncture"):
            for cand in plan.points:
                point = book.points[cand.code]
                on_site = point.placement is None or not areas.isdisjoint(point.areas)
                if cand.code not in removed and on_site and _sides_meet(cand.side, side):
                    removed[cand.code] = {"code": cand.code, "side": cand.side, "rule": rule.id,
                                          "reason": reason, "sources": src}
        elif modality == "cupping" and not areas.isdisjoint(k.protocol.cupping.areas):
            verdict.disallowed.setdefault("cupping", []).append({"rule": rule.id, "reason": reason, "sources": src})
        elif modality == "heat" and not areas.isdisjoint(k.self_care.thermal_areas):
            verdict.no_heat.append({"rule": rule.id, "reason": reason, "sources": src})
        elif modality in ("massage", "deep_pressure"):
            what = "massage" if modality == "massage" else "deep pressure"
            caution = f"No {what} over the recorded site ({where})."
            if caution not in verdict.massage_cautions:
                verdict.massage_cautions.append(caution)


def safety_pass(book: Rulebook, facts: Facts, plan: Draft, pain_side: str) -> SafetyVerdict:
    verdict = SafetyVerdict()
    removed: dict[str, dict[str, Any]] = {}
    forbidden = frozenset(code for code, p in book.points.items() if p.forbidden_in_pregnancy)
    for ruled in book.safety:
        rule = ruled.item
        if not ruled.holds(facts):
            continue
        verdict.fired.append(rule.id)
        if rule.exclude is not None:
            for cand in plan.points:
                if cand.code in removed:
                    continue
                if _excludes(rule.exclude, book.points[cand.code], cand.side, pain_side, forbidden):
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
        _limits(rule, verdict)
        if rule.site is not None:
            _guard_site(book, facts, rule, rule.site, plan, removed, verdict)
        if rule.warning:
            warning: dict[str, Any] = {"id": rule.warning_id or rule.id, "text": rule.warning, "rule": rule.id,
                                       "sources": list(rule.sources)}
            if rule.evidence:
                warning["evidence"] = rule.evidence
            if rule.signs:
                warning["signs"] = [{"text": x.text, "see_within": x.see_within, "contact": x.contact}
                                    for x in rule.signs]
            verdict.warnings.append(warning)
    verdict.excluded = list(removed.values())
    verdict.kept = [c for c in plan.points if c.code not in removed]
    return verdict


def _limits(rule: SafetyRule, verdict: SafetyVerdict) -> None:
    """The caps and omissions a rule sets; where several rules cap the same thing the tightest wins."""
    for tech in rule.omit_techniques:
        verdict.omitted_techniques.setdefault(
            tech, {"rule": rule.id, "reason": rule.reason, "sources": list(rule.sources)})
    if rule.max_depth_cun is not None:
        verdict.depth_cap = _tighter(verdict.depth_cap, rule.max_depth_cun, rule)
    if rule.max_pairs is not None:
        verdict.pair_cap = _tighter(verdict.pair_cap, rule.max_pairs, rule)
    if rule.needle_cap is not None:
        verdict.needle_cap = _tighter(verdict.needle_cap, rule.needle_cap, rule)
    if rule.no_supine and verdict.no_supine is None:
        verdict.no_supine = {"rule": rule.id, "reason": rule.reason, "sources": list(rule.sources)}
