"""The home programme: heat or ice, exercises (with those to hold off and why), ergonomics and acupressure."""

from __future__ import annotations

from typing import Any

from ..knowledge.conditions import Facts
from ..knowledge.model import Caution
from .planning import Candidate
from .rulebook import Rulebook


def self_care(book: Rulebook, facts: Facts, points: list[Candidate], acupressure_allowed: bool) -> dict[str, Any]:
    thermal = next(r.item for r in book.thermal if r.holds(facts))
    exercises, avoided = [], []
    for exercise, suits in book.exercises:
        if not suits(facts):
            continue
        # Held off for the first reason that applies to this patient, and explained by that reason alone.
        why = next(iter(book.applicable(exercise.hold_off, facts)), None)
        if why is not None:
            avoided.append({"id": exercise.id, "name": exercise.name, "reason": why,
                            "sources": list(exercise.sources)})
        else:
            exercises.append({"id": exercise.id, "name": exercise.name,
                              "instructions": _with_notes(book, exercise.instructions, exercise.notes, facts),
                              "dosage": exercise.dosage, "sources": list(exercise.sources)})
    ergonomics = [
        {"id": r.item.id, "name": r.item.name, "advice": _with_notes(book, r.item.advice, r.item.notes, facts),
         "sources": list(r.item.sources)}
        for r in book.ergonomics if r.holds(facts)
    ]
    return {
        "thermal": thermal.thermal,
        "thermal_advice": {"rule": thermal.id, "advice": thermal.advice, "sources": list(thermal.sources)},
        "exercises": [e["id"] for e in exercises],
        "exercise_details": exercises,
        "exercises_to_hold_off": avoided,
        "acupressure": _acupressure(book, points, facts) if acupressure_allowed else [],
        "ergonomics": [e["id"] for e in ergonomics],
        "ergonomic_details": ergonomics,
    }


def _with_notes(book: Rulebook, text: str, notes: tuple[Caution, ...], facts: Facts) -> str:
    """The text with the notes that apply to this patient appended (a man's plan gets no pregnancy notes)."""
    return " ".join([text, *book.applicable(notes, facts)])


def _acupressure(book: Rulebook, points: list[Candidate], facts: Facts) -> list[dict[str, Any]]:
    dose = book.knowledge.self_care.acupressure
    chosen: list[dict[str, Any]] = []
    for cand in points:
        point = book.points[cand.code]
        if point.self_pressure is None:
            continue
        chosen.append({
            "code": cand.code,
            "side": cand.side,
            "hold_minutes": list(dose.hold_minutes),
            "times_per_day": list(dose.times_per_day),
            "how": _with_notes(book, point.self_pressure.how, point.self_pressure.notes, facts),
            "tool": point.self_pressure.tool,
            "rule": cand.rules[0],
            "sources": sorted({*dose.sources, *point.sources}),
        })
        if len(chosen) == dose.max_points:
            break
    return chosen
