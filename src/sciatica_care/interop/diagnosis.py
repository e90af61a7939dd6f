"""Suggest the ICD-10-CM diagnosis for a case from its assessment: the likely cause, the side and the nerve root.

The knowledge says which diagnosis family each cause suggests (`codes.yaml`); this module picks the family's
member by the spinal region of the root's disc, the side, and each member's condition on the intake. A side
coded for both legs uses the family's bilateral code, or, where the family has none, its right and left codes
together (ICD-10-CM guideline I.B.13). With no side recorded it suggests the unspecified-side code and says so.
A cause whose family cannot be resolved (a disc without a known root) falls back to sciatica by side. It is a
suggestion: the practitioner confirms or changes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from msgspec import Struct

from ..knowledge.conditions import compile_condition
from ..knowledge.facts import intake_facts
from ..knowledge.load import load_knowledge
from ..knowledge.model import Codes, Diagnosis

PainSide = Literal["left", "right", "both"]


class Suggestion(Struct, frozen=True, kw_only=True):
    """Diagnosis ids to record, primary first; `alternatives` the practitioner may prefer; why, with sources."""

    diagnoses: tuple[str, ...]
    alternatives: tuple[str, ...] = ()
    family: str
    reasons: tuple[str, ...]
    sources: tuple[str, ...]


def suggest_diagnoses(cause: str | None, side: str | None, roots: Sequence[str] = (),
                      facts: Mapping[str, object] | None = None, codes: Codes | None = None) -> Suggestion:
    """The suggested diagnoses for a likely cause (None: not known), the pain's side (`left`, `right`, `both`, or
    None: not recorded), the nerve roots named, and the intake's facts (for conditions such as claudication)."""
    if side not in (None, "left", "right", "both"):
        raise ValueError(f"side must be left, right, both or not recorded, not {side!r}")
    book = codes or load_knowledge().codes
    facts = facts or {}
    reasons: list[str] = []
    sources: list[str] = []
    coding = next((c for c in book.causes if c.cause == cause), None)
    if coding is not None:
        reasons.append(coding.note)
        sources += coding.sources
        if coding.family is not None:
            picked = _resolve(book, coding.family, side, roots, facts, reasons)
            if picked is not None:
                return _suggestion(coding.family, picked, reasons, sources)
    fallback = book.fallback
    family = fallback.back_pain_family if compile_condition(fallback.back_pain)(facts) else fallback.family
    reasons.append(fallback.note)
    sources += fallback.sources
    picked = _resolve(book, family, side, roots, facts, reasons)
    if picked is None:  # the validator makes every fallback family resolvable by side
        raise ValueError(f"the fallback family {family!r} cannot be resolved")
    return _suggestion(family, picked, reasons, sources)


def suggest_for_intake(intake: Mapping[str, Any], cause: str | None, roots: Sequence[str] = (),
                       codes: Codes | None = None) -> Suggestion:
    """The suggestion for a validated intake (its side and facts) and its assessment's top cause and roots."""
    episode = intake.get("episode") or {}
    return suggest_diagnoses(cause, episode.get("side"), roots, intake_facts(intake), codes)


def _suggestion(family: str, picked: tuple[list[Diagnosis], list[Diagnosis]], reasons: list[str],
                sources: list[str]) -> Suggestion:
    chosen, alternatives = picked
    for d in chosen:
        sources += d.sources
    return Suggestion(diagnoses=tuple(d.id for d in chosen), alternatives=tuple(d.id for d in alternatives),
                      family=family, reasons=tuple(reasons), sources=tuple(dict.fromkeys(sources)))


def _resolve(book: Codes, family: str, side: str | None, roots: Sequence[str], facts: Mapping[str, object],
             reasons: list[str]) -> tuple[list[Diagnosis], list[Diagnosis]] | None:
    members = [d for d in book.diagnoses
               if d.family == family and (d.when is None or compile_condition(d.when)(facts))]
    if not members:
        return None
    alternatives: list[Diagnosis] = []
    if any(d.region for d in members):
        region_of: dict[str, str] = {str(root): region for root, region in book.root_regions.items()}
        regions = list(dict.fromkeys(region_of[r] for r in roots if r in region_of))
        if not regions:
            reasons.append("No nerve root is named, so the disc's region is not known.")
            return None
        reasons.append(book.root_regions_note)
        alternatives = [d for d in members if d.region in regions[1:]]
        members = [d for d in members if d.region == regions[0]]
    if any(d.side for d in members):
        members = _by_side(members, side, reasons)
    return members[:1] if not any(d.side for d in members) else members, alternatives


def _by_side(members: list[Diagnosis], side: str | None, reasons: list[str]) -> list[Diagnosis]:
    by_side: dict[str | None, Diagnosis] = {d.side: d for d in members}
    if side in ("left", "right"):
        return [by_side[side]]
    if side == "both":
        if "bilateral" in by_side:
            return [by_side["bilateral"]]
        reasons.append("Both legs: this diagnosis has no code for both sides, so the right and the left side are "
                       "each coded.")
        return [by_side["right"], by_side["left"]]
    reasons.append("The side is not recorded: the unspecified-side code is suggested; record the side, as payers "
                   "may refuse an unspecified one.")
    return [by_side["unspecified"]]


def combination_problems(diagnosis_ids: Sequence[str], codes: Codes | None = None) -> list[str]:
    """Why these diagnoses cannot be recorded together (empty when they can): an unknown or repeated one, two
    families ICD-10-CM excludes together, or an unrecorded side beside a recorded one of the same family."""
    book = codes or load_knowledge().codes
    known = {d.id: d for d in book.diagnoses}
    problems = [f"{i!r} is not a diagnosis of the knowledge base" for i in diagnosis_ids if i not in known]
    chosen = [known[i] for i in dict.fromkeys(diagnosis_ids) if i in known]
    if len(chosen) < len([i for i in diagnosis_ids if i in known]):
        problems.append("a diagnosis is listed twice")
    families = {d.family for d in chosen}
    for rule in book.excludes:
        if rule.family in families:
            problems += [rule.note for other in rule.not_with if other in families][:1]
    for family in families:
        sides = {d.side for d in chosen if d.family == family}
        if "unspecified" in sides and len(sides) > 1:
            problems.append(f"{family.replace('_', ' ')}: the side is either recorded or not, not both")
    return problems
