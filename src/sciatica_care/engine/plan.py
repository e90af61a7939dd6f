"""Intake → plan: validate, triage, assess, draft the protocol, apply safety last, and explain every item."""

from __future__ import annotations

from typing import Any

import msgspec

from ..contract import CONTRACT_VERSION
from ..knowledge.facts import intake_facts
from ..knowledge.model import Knowledge
from ..version import __version__
from .assessment import assess
from .intake import validate_intake
from .plan_model import Plan
from .planning import Candidate, Draft, draft
from .rulebook import Rulebook, rulebook
from .safety import SafetyVerdict, safety_pass
from .schedule import no_schedule, schedule
from .selfcare import self_care
from .triage import TriageResult, triage

ALL_MODALITIES = ("acupuncture", "electroacupuncture", "massage", "cupping", "acupressure", "dry_needling")
NOT_CHOSEN = "Not among the modalities the patient chose."


def plan_for(intake: object, knowledge: Knowledge | None = None) -> dict[str, Any]:
    """The plan for one intake, as the contract's JSON; raises InputRefused on bad input."""
    out: dict[str, Any] = msgspec.to_builtins(build_plan(intake, knowledge))
    return out


def build_plan(intake: object, knowledge: Knowledge | None = None) -> Plan:
    """The plan for one intake, as a typed record; raises InputRefused on bad input."""
    return msgspec.convert(_plan_dict(intake, knowledge), Plan)


def _plan_dict(intake: object, knowledge: Knowledge | None) -> dict[str, Any]:
    doc = validate_intake(intake)
    book = rulebook(knowledge)
    facts = intake_facts(doc)
    tri = triage(book, facts)
    facts["triage.red_flags"] = frozenset(tri.red_flags)
    facts["triage.level"] = tri.level
    assessment = assess(book, facts)
    prefs = doc.get("preferences") or {}
    modalities = frozenset(prefs.get("modalities", ALL_MODALITIES))
    head = {
        "schema_version": CONTRACT_VERSION,
        "engine_version": __version__,
        "knowledge_version": book.knowledge.version,
        "triage": tri.json,
        "treatment_allowed": tri.routine,
        "assessment": assessment,
    }
    body = _treatment(book, facts, doc, modalities) if tri.routine else _withheld(tri)
    return {**head, **body, "guideline": _guideline(book)}


def _withheld(tri: TriageResult) -> dict[str, Any]:
    why = f"Treatment withheld: {tri.level} red flags ({', '.join(tri.red_flags)}). {tri.json['advice']}"
    return {
        "acupuncture": {"points": [], "excluded": [], "reasons": [why]},
        "dry_needling": {"allowed": False, "points": [], "reasons": [why]},
        "electroacupuncture": {"allowed": False, "reasons": [why], "pairs": [], "frequency_hz": None, "minutes": None},
        "massage": {"allowed": False, "techniques": [], "cautions": [], "reasons": [why]},
        "cupping": {"allowed": False, "reasons": [why]},
        "self_care": {"thermal": "none", "exercises": [], "acupressure": [], "ergonomics": [],
                      "reasons": ["No home programme until a doctor has assessed the red flags."]},
        "schedule": no_schedule("No course is booked until the patient has been medically assessed."),
        "warnings": [{"id": f"triage-{tri.level}", "text": tri.json["advice"], "rule": f"triage-{tri.level}",
                      "sources": tri.json["sources"]}],
    }


def _treatment(book: Rulebook, facts: dict[str, object], doc: dict[str, Any],
               modalities: frozenset[str]) -> dict[str, Any]:
    pain_side = doc["episode"]["side"]
    protocol = draft(book, facts, pain_side)
    verdict = safety_pass(book, facts, protocol, pain_side)
    points, needle_reasons = _needled_points(book, verdict, "acupuncture" in modalities)
    acupressure_ok = "acupressure" in modalities and verdict.allows("acupressure")
    care = self_care(book, facts, verdict.kept, acupressure_ok)
    if not acupressure_ok:
        care["reasons"] = [NOT_CHOSEN if "acupressure" not in modalities else _why(verdict, "acupressure")]
    return {
        "acupuncture": {
            "points": [_point_json(book, c) for c in points],
            "excluded": verdict.excluded,
            "reasons": needle_reasons,
        },
        "dry_needling": _dry_needling(book, verdict, modalities),
        "electroacupuncture": _electro(book, protocol, verdict, points, modalities),
        "massage": _massage(book, protocol, verdict, modalities),
        "cupping": _cupping(book, protocol, verdict, modalities),
        "self_care": care,
        "schedule": schedule(book, facts),
        "warnings": verdict.warnings,
    }


def _why(verdict: SafetyVerdict, modality: str) -> str:
    return " ".join(d["reason"] for d in verdict.disallowed.get(modality, []))


def _needled_points(book: Rulebook, verdict: SafetyVerdict, chosen: bool,
                    local_only: bool = False) -> tuple[list[Candidate], list[str]]:
    """The points to needle after safety, cut to the session's size, with the reasons for what is missing."""
    if not chosen:
        return [], [NOT_CHOSEN]
    if not verdict.allows("acupuncture"):
        return [], [_why(verdict, "acupuncture")]
    kept = [c for c in verdict.kept if not local_only or c.role == "local"]
    limit = book.knowledge.protocol.max_points
    reasons = []
    if len(kept) > limit:
        reasons.append(f"{len(kept) - limit} lower-priority points left out to keep the session to {limit} points.")
    return kept[:limit], reasons


def _dry_needling(book: Rulebook, verdict: SafetyVerdict, modalities: frozenset[str]) -> dict[str, Any]:
    """Trigger- and motor-point needling of the local points, when the patient chose it (seed 002, seed 004)."""
    points, reasons = _needled_points(book, verdict, "dry_needling" in modalities, local_only=True)
    if points:
        reasons.insert(0, "Local trigger and motor points only; dry needling uses no distal or systemic points.")
    return {"allowed": bool(points), "points": [_point_json(book, c) for c in points], "reasons": reasons}


def _point_json(book: Rulebook, cand: Candidate) -> dict[str, Any]:
    point = book.points[cand.code]
    return {
        "code": cand.code,
        "side": cand.side,
        "role": cand.role,
        "reason": " ".join(cand.reasons),
        "sources": cand.sources,
        "rule": cand.rules[0],
        "rules": cand.rules,
        "name": f"{point.pinyin} ({point.english})",
        "location": point.location,
        "depth_cun": [point.depth.min_cun, point.depth.max_cun],
        "cautions": list(point.cautions),
    }


def _same_side(a: str, b: str) -> str | None:
    if a == b or b == "both":
        return a
    return b if a == "both" else None


def _electro(book: Rulebook, protocol: Draft, verdict: SafetyVerdict, points: list[Candidate],
             modalities: frozenset[str]) -> dict[str, Any]:
    reasons: list[str] = []
    if "electroacupuncture" not in modalities:
        reasons.append(NOT_CHOSEN)
    if not verdict.allows("electroacupuncture"):
        reasons.extend(d["reason"] for d in verdict.disallowed["electroacupuncture"])
    if not points:
        reasons.append("No needles are planned, so there is nothing to connect.")
    if reasons:
        return {"allowed": False, "reasons": reasons, "pairs": [], "frequency_hz": None, "minutes": None}
    planned = {c.code: c for c in points}
    chosen: list[dict[str, Any]] = []
    for pc in protocol.pairs:
        a, b = pc.codes
        if a not in planned or b not in planned or any(pc.codes == c["points"] for c in chosen):
            continue
        side = _same_side(planned[a].side, planned[b].side)
        numb = {*book.points[a].areas, *book.points[b].areas} & verdict.no_pair_areas
        if side is None:
            continue
        if numb:
            reasons.append(f"{a}–{b} not connected: it crosses an area of reduced feeling ({', '.join(sorted(numb))}).")
            continue
        chosen.append({"points": (a, b), "side": side, "rule": pc.rule, "reason": pc.reason,
                       "sources": list(pc.sources)})
        if len(chosen) == book.knowledge.protocol.max_pairs:
            break
    if not chosen:
        reasons.append("No suitable pair among the planned points.")
    freq = protocol.frequency or {}
    return {
        "allowed": True,
        "reasons": reasons,
        "pairs": [list(c["points"]) for c in chosen],
        "pair_details": [{**c, "points": list(c["points"])} for c in chosen],
        "frequency_hz": freq.get("frequency_hz") if chosen else None,
        "minutes": freq.get("minutes") if chosen else None,
        "frequency_reason": freq.get("reason"),
        "rule": freq.get("rule"),
        "sources": freq.get("sources", []),
    }


def _massage(book: Rulebook, protocol: Draft, verdict: SafetyVerdict, modalities: frozenset[str]) -> dict[str, Any]:
    if "massage" not in modalities or not verdict.allows("massage"):
        why = NOT_CHOSEN if "massage" not in modalities else _why(verdict, "massage")
        return {"allowed": False, "techniques": [], "cautions": [], "reasons": [why]}
    cautions = ["Keep pressure and stretching within comfort: too vigorous work can irritate the nerve."]
    cautions += [f"{tech.name}: gentle only in the acute phase." for tech, gentle in protocol.massage if gentle]
    cautions += verdict.massage_cautions
    return {
        "allowed": True,
        "techniques": [tech.id for tech, _ in protocol.massage],
        "cautions": cautions,
        "reasons": protocol.massage_skipped,
        "frequency": book.knowledge.protocol.massage_frequency,
        "details": [{"id": t.id, "name": t.name, "description": t.description, "targets": list(t.targets),
                     "gentle": gentle, "sources": list(t.sources)} for t, gentle in protocol.massage],
    }


def _cupping(book: Rulebook, protocol: Draft, verdict: SafetyVerdict, modalities: frozenset[str]) -> dict[str, Any]:
    if "cupping" not in modalities:
        return {"allowed": False, "reasons": [NOT_CHOSEN]}
    if not verdict.allows("cupping"):
        return {"allowed": False, "reasons": [d["reason"] for d in verdict.disallowed["cupping"]]}
    if not protocol.cupping:
        return {"allowed": False, "reasons": ["The protocol does not call for cupping here."]}
    c = book.knowledge.protocol.cupping
    return {"allowed": True, "reasons": [], "sites": list(c.sites), "description": c.description,
            "sources": list(c.sources)}


def _guideline(book: Rulebook) -> dict[str, Any]:
    g = book.knowledge.guideline
    return {
        "id": g.id,
        "position": g.position,
        "recommends": list(g.recommends),
        "evidence_grade": g.evidence_grade,
        "consent_note": g.consent_note,
        "statements": [{"id": s.id, "text": s.text, "grade": s.grade, "sources": list(s.sources)}
                       for s in g.statements],
        "sources": list(g.sources),
    }
