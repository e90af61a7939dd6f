"""Intake → plan: validate, triage, assess, draft the protocol, apply safety last, and explain every item."""

from __future__ import annotations

from typing import Any

import msgspec

from ..contract import CONTRACT_VERSION
from ..knowledge.conditions import Facts
from ..knowledge.facts import intake_facts
from ..knowledge.model import Knowledge
from ..knowledge.timing import is_slower
from ..version import __version__
from .assessment import assess
from .course_plan import no_schedule, schedule
from .intake import validate_intake
from .plan_model import Plan
from .planning import Candidate, Draft, draft
from .rulebook import Rulebook, rulebook
from .safety import SafetyVerdict, safety_pass
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


def case_facts(book: Rulebook, doc: dict[str, Any]) -> tuple[dict[str, object], TriageResult, dict[str, Any]]:
    """A validated intake's facts with the triage and the assessment written in, as the rules test them."""
    facts = intake_facts(doc)
    tri = triage(book, facts)
    facts["triage.red_flags"] = frozenset(tri.red_flags)
    facts["triage.level"] = tri.level
    facts["triage.see_within"] = tri.see_within
    return facts, tri, assess(book, facts)


def _plan_dict(intake: object, knowledge: Knowledge | None) -> dict[str, Any]:
    doc = validate_intake(intake)
    book = rulebook(knowledge)
    facts, tri, assessment = case_facts(book, doc)
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
    body = _treatment(book, facts, doc, modalities) if tri.routine else _withheld(tri, book.knowledge)
    return {**head, **body, "guideline": _guideline(book, facts, _planned(body))}


def _withheld(tri: TriageResult, k: Knowledge) -> dict[str, Any]:
    found = [*tri.red_flags, *(e["id"] for e in tri.json["escalations"] if e["id"] not in tri.red_flags)]
    names = {f.id: f.name for f in k.triage.flags} | {e.id: e.name for e in k.triage.escalations}
    said = ", ".join(dict.fromkeys(names.get(i, i.replace("_", " ")).lower() for i in found))
    why = f"{tri.json['timing']} Treatment withheld until a doctor has seen the patient ({said})."
    return {
        "acupuncture": {"points": [], "excluded": [], "reasons": [why], "needles": 0},
        "dry_needling": {"allowed": False, "points": [], "reasons": [why]},
        "electroacupuncture": {"allowed": False, "reasons": [why], "pairs": [], "frequency_hz": None, "minutes": None},
        "massage": {"allowed": False, "techniques": [], "cautions": [], "reasons": [why]},
        "cupping": {"allowed": False, "reasons": [why]},
        "self_care": {"thermal": "none", "exercises": [], "acupressure": [], "ergonomics": [],
                      "reasons": ["No home programme until a doctor has assessed the red flags."]},
        "schedule": no_schedule("No course is booked until the patient has been medically assessed."),
        "warnings": [{"id": f"triage-{tri.level}", "text": tri.json["advice"], "rule": f"triage-{tri.level}",
                      "sources": tri.json["sources"]},
                     # a finding's own advice only where it is as urgent as the plan: a slower timing never
                     # appears beside it (the finding is still listed in triage and in the reasons)
                     *({"id": e["id"], "text": e["advice"], "rule": e["id"], "sources": e["sources"]}
                       for e in tri.json["escalations"]
                       if "advice" in e and not is_slower(e["see_within"], tri.json["see_within"]))],
    }


def _treatment(book: Rulebook, facts: dict[str, object], doc: dict[str, Any],
               modalities: frozenset[str]) -> dict[str, Any]:
    pain_side = doc["episode"]["side"]
    protocol = draft(book, facts, pain_side)
    verdict = safety_pass(book, facts, protocol, pain_side)
    cap = needle_cap(book, facts, verdict)
    points, needle_reasons = _needled_points(book, verdict, "acupuncture" in modalities, cap)
    acupressure_ok = "acupressure" in modalities and verdict.allows("acupressure")
    care = self_care(book, facts, verdict.kept, acupressure_ok, verdict)
    if not acupressure_ok:
        care["reasons"] = [NOT_CHOSEN if "acupressure" not in modalities else _why(verdict, "acupressure"),
                           *care.get("reasons", [])]
    return {
        "acupuncture": {
            "points": [_point_json(book, c, verdict, facts) for c in points],
            "excluded": verdict.excluded,
            "reasons": needle_reasons,
            "needles": count_needles(points),
            "needle_cap": cap["needles"],
            "needle_cap_reason": cap["reason"],
        },
        "dry_needling": _dry_needling(book, verdict, modalities, cap, facts),
        "electroacupuncture": _electro(book, protocol, verdict, points, modalities),
        "massage": _massage(book, protocol, verdict, modalities),
        "cupping": _cupping(book, protocol, verdict, modalities),
        "self_care": care,
        "schedule": schedule(book, facts),
        "warnings": verdict.warnings,
    }


def _why(verdict: SafetyVerdict, modality: str) -> str:
    return " ".join(d["reason"] for d in verdict.disallowed.get(modality, []))


def needles_for(side: str) -> int:
    """Needles one point takes: two when it is needled on both sides."""
    return 2 if side == "both" else 1


def count_needles(points: list[Candidate]) -> int:
    return sum(needles_for(c.side) for c in points)


def needle_cap(book: Rulebook, facts: dict[str, object], verdict: SafetyVerdict) -> dict[str, Any]:
    """The session's needle cap: the protocol's first matching cap, lowered by any safety rule that caps it."""
    base = next(r.item for r in book.needle_caps if r.holds(facts))
    cap = {"needles": base.needles, "rule": base.id, "reason": base.reason}
    lower = verdict.needle_cap
    if lower is not None and lower["value"] < base.needles:
        cap = {"needles": int(lower["value"]), "rule": lower["rule"], "reason": lower["reason"]}
    return cap


def _needled_points(book: Rulebook, verdict: SafetyVerdict, chosen: bool, cap: dict[str, Any],
                    local_only: bool = False) -> tuple[list[Candidate], list[str]]:
    """The points to needle after safety, cut to the session's size (in points and in needles), in priority
    order, with the reasons for what is missing."""
    if not chosen:
        return [], [NOT_CHOSEN]
    if not verdict.allows("acupuncture"):
        return [], [_why(verdict, "acupuncture")]
    kept = [c for c in verdict.kept if not local_only or c.role == "local"]
    limit = book.knowledge.protocol.max_points
    chosen_points: list[Candidate] = []
    over_needles: list[str] = []
    over_points = 0
    used = 0
    for cand in kept:  # in priority order: a point that does not fit can make room for a smaller one after it
        if len(chosen_points) == limit:
            over_points += 1
        elif used + needles_for(cand.side) > cap["needles"]:
            over_needles.append(f"{cand.code} ({cand.side})")
        else:
            chosen_points.append(cand)
            used += needles_for(cand.side)
    reasons = []
    if over_needles:
        reasons.append(f"Left out to keep this session within {cap['needles']} needles: {', '.join(over_needles)}. "
                       f"{cap['reason']}")
    if over_points:
        reasons.append(f"{over_points} lower-priority points left out to keep the session to {limit} points.")
    return chosen_points, reasons


def _dry_needling(book: Rulebook, verdict: SafetyVerdict, modalities: frozenset[str],
                  cap: dict[str, Any], facts: Facts) -> dict[str, Any]:
    """Trigger- and motor-point needling of the local points, when the patient chose it (seed 002, seed 004)."""
    points, reasons = _needled_points(book, verdict, "dry_needling" in modalities, cap, local_only=True)
    if points:
        reasons.insert(0, "Local trigger and motor points only; dry needling uses no distal or systemic points.")
    return {"allowed": bool(points), "points": [_point_json(book, c, verdict, facts) for c in points],
            "reasons": reasons, "needles": count_needles(points)}


def _depth(point_min: float, point_max: float, verdict: SafetyVerdict) -> tuple[list[float], str | None]:
    cap = verdict.depth_cap
    if cap is None or point_max <= cap["value"]:
        return [point_min, point_max], None
    top = float(cap["value"])
    why = f"Depth capped at {top:g} cun (usually {point_min:g}–{point_max:g}): {cap['reason']}"
    return [min(point_min, top), top], why


def _point_json(book: Rulebook, cand: Candidate, verdict: SafetyVerdict, facts: Facts) -> dict[str, Any]:
    point = book.points[cand.code]
    depth, depth_reason = _depth(point.depth.min_cun, point.depth.max_cun, verdict)
    out = {
        "code": cand.code,
        "side": cand.side,
        "role": cand.role,
        "reason": " ".join(cand.reasons),
        "sources": cand.sources,
        "rule": cand.rules[0],
        "rules": cand.rules,
        "name": f"{point.pinyin} ({point.english})",
        "location": point.location,
        "depth_cun": depth,
        "cautions": [*point.cautions, *book.applicable(point.cautions_if, facts)],
    }
    if depth_reason:
        out["depth_reason"] = depth_reason
    return out


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
    cap = verdict.pair_cap
    connections = 0
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
        if cap is not None and connections + needles_for(side) > cap["value"]:
            reasons.append(f"{a}–{b} not connected: at most {cap['value']:g} electroacupuncture pair"
                           f"{'s' if cap['value'] != 1 else ''} (a pair on both sides counts two). {cap['reason']}")
            continue
        chosen.append({"points": (a, b), "side": side, "rule": pc.rule, "reason": pc.reason,
                       "sources": list(pc.sources)})
        connections += needles_for(side)
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
    omitted = verdict.omitted_techniques
    kept = [(t, gentle) for t, gentle in protocol.massage if t.id not in omitted]
    cautions = ["Keep pressure and stretching within comfort: too vigorous work can irritate the nerve."]
    cautions += [f"{tech.name}: gentle only in the acute phase." for tech, gentle in kept if gentle]
    cautions += verdict.massage_cautions
    reasons = list(protocol.massage_skipped)
    reasons += [f"{t.name} left out: {omitted[t.id]['reason']}" for t, _ in protocol.massage if t.id in omitted]
    if not kept:
        return {"allowed": False, "techniques": [], "cautions": [], "reasons": reasons}
    return {
        "allowed": True,
        "techniques": [tech.id for tech, _ in kept],
        "cautions": cautions,
        "reasons": reasons,
        "frequency": book.knowledge.protocol.massage_frequency,
        "details": [{"id": t.id, "name": t.name, "description": t.description, "targets": list(t.targets),
                     "gentle": gentle, "sources": list(t.sources)} for t, gentle in kept],
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


def _planned(body: dict[str, Any]) -> list[str]:
    """The modalities this plan actually includes, in the knowledge's order."""
    included = {
        "acupuncture": bool(body["acupuncture"]["points"]),
        "dry_needling": bool(body["dry_needling"]["points"]),
        "electroacupuncture": bool(body["electroacupuncture"]["pairs"]),
        "massage": bool(body["massage"]["allowed"]),
        "cupping": bool(body["cupping"]["allowed"]),
        "acupressure": bool(body["self_care"]["acupressure"]),
    }
    return [m for m in ALL_MODALITIES if included[m]]


def _guideline(book: Rulebook, facts: Facts, planned: list[str]) -> dict[str, Any]:
    """The guideline position, with the consent note naming only the planned modalities and only the evidence
    statements that apply to this patient."""
    g = book.knowledge.guideline
    involves = "; ".join(text for m, text in g.consent_modalities.items() if m in planned)
    return {
        "id": g.id,
        "position": g.position,
        "recommends": list(g.recommends),
        "evidence_grade": g.evidence_grade,
        "consent_note": g.consent_note.replace("{involves}", involves or g.consent_nothing_planned),
        "planned_modalities": planned,
        "statements": [{"id": s.id, "text": s.text, "grade": s.grade, "sources": list(s.sources)}
                       for s in g.statements if book.holds(s.applies_when, facts)],
        "sources": list(g.sources),
    }
