"""What a charted session may hold, decided by the same rules as the plan: pure functions for the charting form.

- `check_points`: for each point the practitioner says was needled (any code or alias, any side) — is it a known
  point, did the plan exclude it, and does a safety rule forbid it for this patient now (pregnancy, a recorded
  device or lesion site, …) even though the plan never drafted it? The safety pass is run on the point itself, so
  a rule added to the knowledge reaches charting with no change here.
- `check_electroacupuncture`: e-stim when the plan does not allow it, with the plan's own rule and reasons.
- `recheck`: the red-flag re-check at a visit. Any flag answered "yes" stops the needling part of the session; the
  referral advice and its timing come from the triage rules, as at intake.

A refusal names its rule and reason; the clinic stores a session with a refused item only with the practitioner's
recorded reason for overriding it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from msgspec import Struct

from ..errors import InputRefused, Problem
from ..knowledge.model import Knowledge
from .intake import validate_intake
from .plan import case_facts
from .plan_model import Plan
from .planning import Candidate, Draft
from .rulebook import rulebook
from .safety import safety_pass
from .triage import triage

SIDES = ("left", "right", "both", "midline")
#: The rule a point is refused by when the intake behind the plan cannot be read: nothing is known to be safe.
UNREADABLE_INTAKE = "intake-unreadable"
#: The rule e-stim is refused by when there is no readable plan.
NO_PLAN = "no-readable-plan"


class PointVerdict(Struct, frozen=True, kw_only=True):
    """One charted point, its code made canonical. `refused_by` is set when the point may only be needled with an
    override: `excluded` (the plan excluded it) or `forbidden` (a safety rule forbids it for this patient now)."""

    code: str
    side: str
    planned: bool
    refused_by: Literal["excluded", "forbidden"] | None = None
    rule: str | None = None
    reason: str = ""

    @property
    def refused(self) -> bool:
        return self.refused_by is not None


class ModalityVerdict(Struct, frozen=True, kw_only=True):
    modality: str
    rule: str
    reason: str


class Recheck(Struct, frozen=True, kw_only=True):
    """The red-flag re-check at a visit: the flags found, whether needling stops, and the referral to make."""

    flags: tuple[str, ...]
    stop: bool
    level: str
    see_within: str
    timing: str
    advice: str
    contact: str | None = None


def canonical_code(code: str, knowledge: Knowledge | None = None) -> str | None:
    """The point's code for any of its names (LI-4, li4, LI 4 → LI4), or None for a code no point has."""
    point = rulebook(knowledge).point(code)
    return point.code if point is not None else None


def check_points(intake: object, plan: Plan | None, points: Sequence[tuple[str, str]],
                 knowledge: Knowledge | None = None) -> list[PointVerdict | None]:
    """A verdict for each (code, side); None for a code that names no known point. Fails closed: with no readable
    plan, or an intake the engine cannot read, every point is refused."""
    book = rulebook(knowledge)
    excluded = {e.code: e for e in plan.acupuncture.excluded} if plan is not None else {}
    planned = {p.code for p in plan.acupuncture.points} if plan is not None else set()
    facts: dict[str, object] | None = None
    pain_side = "both"
    try:
        doc = validate_intake(intake)
        facts = case_facts(book, doc)[0]
        pain_side = str(doc["episode"]["side"])
    except (InputRefused, KeyError, TypeError):
        facts = None
    out: list[PointVerdict | None] = []
    for raw, side in points:
        point = book.point(raw)
        if point is None:
            out.append(None)
            continue
        code = point.code
        here = (code, side, code in planned)
        if plan is None:
            out.append(_verdict(here, refused_by="forbidden", rule=NO_PLAN,
                                    reason="There is no readable plan to treat from."))
            continue
        if code in excluded:
            e = excluded[code]
            out.append(_verdict(here, refused_by="excluded", rule=e.rule, reason=e.reason))
            continue
        if facts is None:
            out.append(_verdict(here, refused_by="forbidden", rule=UNREADABLE_INTAKE,
                                    reason="The intake behind the plan cannot be read, so no rule can clear "
                                           "this point."))
            continue
        hit = _forbidden(book, facts, code, side, pain_side)
        if hit is not None:
            out.append(_verdict(here, refused_by="forbidden", rule=hit["rule"], reason=hit["reason"]))
        else:
            out.append(_verdict(here))
    return out


def _verdict(here: tuple[str, str, bool], refused_by: Literal["excluded", "forbidden"] | None = None,
             rule: str | None = None, reason: str = "") -> PointVerdict:
    code, side, planned = here
    return PointVerdict(code=code, side=side, planned=planned, refused_by=refused_by, rule=rule, reason=reason)


def _forbidden(book: Any, facts: dict[str, object], code: str, side: str, pain_side: str) -> dict[str, Any] | None:
    """The safety pass run on this one point at this side: the removal, if a rule removes it."""
    draft = Draft(points=[Candidate(code, "charted", side, [], [], [])], pairs=[], frequency=None, massage=[])
    verdict = safety_pass(book, facts, draft, pain_side)
    return verdict.excluded[0] if verdict.excluded else None


def check_electroacupuncture(plan: Plan | None) -> ModalityVerdict | None:
    """None when the plan allows e-stim; otherwise the rule and reasons that disallow it."""
    if plan is None:
        return ModalityVerdict(modality="electroacupuncture", rule=NO_PLAN,
                               reason="There is no readable plan to treat from.")
    ea = plan.electroacupuncture
    if ea.allowed and plan.treatment_allowed:
        return None
    reason = " ".join(ea.reasons) or "The plan does not allow electroacupuncture."
    return ModalityVerdict(modality="electroacupuncture", rule=ea.rule or "electroacupuncture-not-allowed",
                           reason=reason)


def recheck(flags: Iterable[str], knowledge: Knowledge | None = None) -> Recheck:
    """The re-check's answers (the ids of the flags answered "yes"): any flag found stops the needling part of the
    session, and the referral advice and timing are the triage rules' own. An unknown id is refused."""
    book = rulebook(knowledge)
    found = tuple(dict.fromkeys(flags))
    unknown = [f for f in found if f not in book.flags]
    if unknown:
        raise InputRefused([Problem("recheck_flags", f"not a red flag the knowledge knows: {f!r}") for f in unknown])
    tri = triage(book, {"red_flags": frozenset(found)})
    return Recheck(flags=tuple(f for f in book.flags if f in found), stop=bool(found) or not tri.routine,
                   level=tri.level, see_within=tri.see_within, timing=str(tri.json["timing"]),
                   advice=str(tri.json["advice"]), contact=tri.json["contact"])


def recheck_questions(knowledge: Knowledge | None = None) -> list[tuple[str, str, str]]:
    """(group, flag id, question) for every red flag, in the knowledge's order: what the re-check asks."""
    return [(f.group, f.id, f.question) for f in rulebook(knowledge).flags.values()]
