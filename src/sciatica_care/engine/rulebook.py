"""The knowledge compiled for the engine: every condition turned into a predicate, every index built, once."""

from __future__ import annotations

from typing import Generic, TypeVar

from msgspec import Struct

from ..knowledge.conditions import Predicate, compile_condition
from ..knowledge.load import load_knowledge
from ..knowledge.model import (
    Cause,
    CourseBand,
    DerivedFlag,
    Ergonomic,
    Escalation,
    Exercise,
    Finding,
    FrequencyRule,
    Knowledge,
    MassageTechnique,
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
    cupping: Predicate
    exercises: tuple[tuple[Exercise, Predicate, Predicate | None], ...]
    ergonomics: tuple[Ruled[Ergonomic], ...]
    thermal: tuple[Ruled[ThermalRule], ...]
    safety: tuple[Ruled[SafetyRule], ...]
    course_bands: tuple[Ruled[CourseBand], ...]

    def point(self, code: str) -> Point | None:
        """A point by its code or any accepted alias, in any letter case."""
        canonical = self.codes_by_alias.get(_alias_key(code))
        return self.points[canonical] if canonical else None


def _alias_key(code: str) -> str:
    return code.strip().upper().replace(" ", "").replace("_", "-")


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
        cupping=compile_condition(k.protocol.cupping.when),
        exercises=tuple(
            (e, compile_condition(e.when), compile_condition(e.avoid_when) if e.avoid_when else None)
            for e in k.self_care.exercises
        ),
        ergonomics=_ruled(k.self_care.ergonomics),
        thermal=_ruled(k.self_care.thermal_rules),
        safety=_ruled(k.safety),
        course_bands=_ruled(k.schedule.bands),
    )


_compiled: dict[int, Rulebook] = {}


def rulebook(knowledge: Knowledge | None = None) -> Rulebook:
    """The compiled rulebook for `knowledge` (the packaged knowledge by default), built once per object."""
    k = knowledge if knowledge is not None else load_knowledge()
    book = _compiled.get(id(k))
    if book is None or book.knowledge is not k:
        book = _compiled[id(k)] = compile_knowledge(k)
    return book
