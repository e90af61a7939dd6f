"""Assessment: phase, nerve roots, channels, TCM patterns and likely causes, each with the evidence behind it.

Each step adds its result to the facts, so later steps (and the protocol) can test it.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

from ..knowledge.conditions import Facts
from ..knowledge.model import Finding
from .rulebook import Rulebook, Ruled

T = TypeVar("T")

LIKELY = 0.5


def _fired(findings: tuple[Ruled[Finding], ...], facts: Facts) -> list[Finding]:
    return [f.item for f in findings if f.holds(facts)]


def _evidence(found: list[Finding]) -> list[dict[str, Any]]:
    return [{"id": f.id, "weight": f.weight, "reason": f.reason, "sources": list(f.sources)} for f in found]


def assess(book: Rulebook, facts: dict[str, object]) -> dict[str, Any]:
    """Derive the assessment, writing each derived fact into `facts` as it goes."""
    k = book.knowledge.assessment
    phase = next(band.item.phase for band in book.phases if band.holds(facts))
    facts["assessment.phase"] = phase

    roots: list[str] = []
    root_evidence: dict[str, list[dict[str, Any]]] = {}
    for scored in book.roots:
        found = _fired(scored.findings, facts)
        if sum(f.weight for f in found) >= k.root_threshold:
            roots.append(scored.item)
            root_evidence[scored.item] = _evidence(found)
    facts["assessment.nerve_roots"] = frozenset(roots)

    areas = facts.get("pain.areas", frozenset())
    assert isinstance(areas, frozenset)  # noqa: S101 - pain.areas is required by the contract
    channel_scores = []
    for order, cmap in enumerate(k.channels):
        score = sum(w for area, w in cmap.areas.items() if area in areas)
        if score >= k.channel_threshold:
            channel_scores.append((-score, order, cmap.channel))
    channels = [c for _, _, c in sorted(channel_scores)]
    facts["assessment.channels"] = frozenset(channels)

    patterns: list[tuple[float, str]] = []
    pattern_details: list[dict[str, Any]] = []
    for scored_pattern in book.patterns:
        pattern = scored_pattern.item
        found = _fired(scored_pattern.findings, facts)
        score = sum(f.weight for f in found)
        if score >= pattern.threshold:
            patterns.append((-score, pattern.id))
            pattern_details.append({"id": pattern.id, "name": pattern.name, "score": score,
                                    "principle": pattern.principle, "signs": _evidence(found),
                                    "sources": list(pattern.sources)})
    pattern_ids = [pid for _, pid in sorted(patterns)]
    pattern_details.sort(key=lambda d: pattern_ids.index(d["id"]))
    facts["assessment.tcm_patterns"] = frozenset(pattern_ids)

    causes: list[tuple[float, int, dict[str, Any]]] = []
    for order, scored_cause in enumerate(book.causes):
        cause = scored_cause.item
        if not book.holds(cause.applies_when, facts):
            continue  # a cause that cannot apply to this patient (pregnancy for a man) is neither weighed nor shown
        found = _fired(scored_cause.findings, facts)
        logit = cause.prior + sum(f.weight for f in found)
        likelihood = min(0.99, max(0.01, round(1 / (1 + math.exp(-logit)), 2)))
        causes.append((-likelihood, order, {
            "id": cause.id,
            "name": cause.name,
            "likelihood": likelihood,
            "reasons": [("for: " if f.weight > 0 else "against: ") + f.reason for f in found],
            "findings": _evidence(found),
            "sources": list(cause.sources),
        }))
    ranked = [{**c, "rank": i} for i, (_, _, c) in enumerate(sorted(causes, key=lambda t: (t[0], t[1])), 1)]
    top: str = ranked[0]["id"]
    facts["assessment.top_cause"] = top
    facts["assessment.likely_causes"] = frozenset(c["id"] for c in ranked if c["likelihood"] >= LIKELY) | {top}

    return {
        "causes": ranked,
        "weights_note": k.weights_note,
        "nerve_roots": roots,
        "channels": channels,
        "phase": phase,
        "tcm_patterns": pattern_ids,
        "root_evidence": root_evidence,
        "pattern_details": pattern_details,
    }
