"""The knowledge compiled for the engine: every condition turned into a predicate, every index built, once."""

from __future__ import annotations

from typing import Generic, TypeVar

from msgspec import Struct

from ..knowledge.conditions import Facts, Predicate, compile_condition
from ..knowledge.load import load_knowledge
from ..knowledge.model import (
    Cause,
    Caution,
    Condition,
    CourseBand,
    DerivedFlag,
    Ergonomic,
    Escalation,
    Exercise,
    Finding,
    FrequencyRule,
    Knowledge,
    MassageTechnique,
    NeedleCap,
    PairRule,
    Pattern,
    PhaseBand,
    Point,
    PointRule,
    RedFlag,
    SafetyRule,
    ThermalRule,
    TimingWords,
    TriageAdvice,
)

T = TypeVar("T")


class Ruled(Struct, Generic[T], frozen=True):
    """A knowledge record with its compiled `when`."""

    item: T
    holds: Predicate


class Scored(Struct, Generic[T], frozen=True):
    """A record scored by findings (a cause, a pattern, a root) with each finding's compiled test."""

    item: T
    findings: tuple[Ruled[Finding], ...]


class Rulebook(Struct, frozen=True):
    knowledge: Knowledge
    points: dict[str, Point]
    codes_by_alias: dict[str, str]
    flags: dict[str, RedFlag]
    derived_flags: tuple[Ruled[DerivedFlag], ...]
    escalations: tuple[Ruled[Escalation], ...]
    triage_advice: dict[tuple[str, str | None], TriageAdvice]
    timing_words: dict[str, TimingWords]
    phases: tuple[Ruled[PhaseBand], ...]
    roots: tuple[Scored[str], ...]
    causes: tuple[Scored[Cause], ...]
    patterns: tuple[Scored[Pattern], ...]
    point_rules: tuple[Ruled[PointRule], ...]
    pair_rules: tuple[Ruled[PairRule], ...]
    frequency_rules: tuple[Ruled[FrequencyRule], ...]
    massage: tuple[Ruled[MassageTechnique], ...]
    needle_caps: tuple[Ruled[NeedleCap], ...]
    cupping: Predicate
    exercises: tuple[tuple[Exercise, Predicate], ...]
    ergonomics: tuple[Ruled[Ergonomic], ...]
    thermal: tuple[Ruled[ThermalRule], ...]
    safety: tuple[Ruled[SafetyRule], ...]
    course_bands: tuple[Ruled[CourseBand], ...]
    applies: dict[int, Predicate]

    def holds(self, when: Condition | None, facts: Facts) -> bool:
        """Whether an applicability condition (of a caution, note, cause or statement) holds; none means always."""
        return when is None or self.applies[id(when)](facts)

    def applicable(self, notes: tuple[Caution, ...], facts: Facts) -> list[str]:
        """The texts of the notes or cautions that apply to this case, in order."""
        return [n.text for n in notes if self.applies[id(n.when)](facts)]

    def point(self, code: str) -> Point | None:
        """A point by its code or any accepted alias, in any letter case."""
        canonical = self.codes_by_alias.get(_alias_key(code))
        return self.points[canonical] if canonical else None


def _alias_key(code: str) -> str:
    """A point name as it is looked up: letter case, spaces, hyphens and underscores do not matter (LI-4, li 4 and
    LI4 are one point; the validator keeps two points from meeting under this key)."""
    return "".join(c for c in code.upper() if c not in " -_\t")


def _ruled(items: tuple[T, ...], key: str = "when") -> tuple[Ruled[T], ...]:
    return tuple(Ruled(item, compile_condition(getattr(item, key))) for item in items)


def _scored(item: T, findings: tuple[Finding, ...]) -> Scored[T]:
    return Scored(item, _ruled(findings))


def compile_knowledge(k: Knowledge) -> Rulebook:
    aliases: dict[str, str] = {}
    for p in k.points:
        for name in (p.code, *p.aliases):
            aliases[_alias_key(name)] = p.code
    return Rulebook(
        knowledge=k,
        points={p.code: p for p in k.points},
        codes_by_alias=aliases,
        flags={f.id: f for f in k.triage.flags},
        derived_flags=_ruled(k.triage.derived),
        escalations=_ruled(k.triage.escalations),
        triage_advice={(a.see_within, a.level): a for a in k.triage.advice},
        timing_words={t.see_within: t for t in k.triage.timing},
        phases=_ruled(k.assessment.phases),
        roots=tuple(_scored(r.root, r.findings) for r in k.assessment.roots),
        causes=tuple(_scored(c, c.findings) for c in k.assessment.causes),
        patterns=tuple(_scored(p, p.signs) for p in k.assessment.patterns),
        point_rules=tuple(sorted(_ruled(k.protocol.point_rules), key=lambda r: r.item.priority)),
        pair_rules=tuple(sorted(_ruled(k.protocol.pair_rules), key=lambda r: r.item.priority)),
        frequency_rules=_ruled(k.protocol.frequency_rules),
        massage=_ruled(k.protocol.massage),
        needle_caps=_ruled(k.protocol.needle_caps),
        cupping=compile_condition(k.protocol.cupping.when),
        exercises=tuple((e, compile_condition(e.when)) for e in k.self_care.exercises),
        ergonomics=_ruled(k.self_care.ergonomics),
        thermal=_ruled(k.self_care.thermal_rules),
        safety=_ruled(k.safety),
        course_bands=_ruled(k.schedule.bands),
        applies={id(c): compile_condition(c) for c in _applicability(k)},
    )


def _applicability(k: Knowledge) -> list[Condition]:
    """Every condition that decides whether a caution, note, cause or statement applies to a case."""
    notes: list[Caution] = []
    for p in k.points:
        notes += p.cautions_if
        if p.self_pressure is not None:
            notes += p.self_pressure.notes
    for e in k.self_care.exercises:
        notes += (*e.notes, *e.hold_off)
    for g in k.self_care.ergonomics:
        notes += g.notes
    found = [n.when for n in notes]
    found += [c.applies_when for c in k.assessment.causes if c.applies_when is not None]
    found += [s.applies_when for s in k.guideline.statements if s.applies_when is not None]
    return found


_compiled: dict[int, Rulebook] = {}


def rulebook(knowledge: Knowledge | None = None) -> Rulebook:
    """The compiled rulebook for `knowledge` (the packaged knowledge by default), built once per object."""
    k = knowledge if knowledge is not None else load_knowledge()
    book = _compiled.get(id(k))
    if book is None or book.knowledge is not k:
        book = _compiled[id(k)] = compile_knowledge(k)
    return book
