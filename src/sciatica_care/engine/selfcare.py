"""The home programme: heat or ice, exercises (with those to hold off and why), ergonomics and acupressure."""

from __future__ import annotations

from typing import Any

from ..knowledge.conditions import Facts
from .planning import Candidate
from .rulebook import Rulebook


def self_care(book: Rulebook, facts: Facts, points: list[Candidate], acupressure_allowed: bool) -> dict[str, Any]:
    thermal = next(r.item for r in book.thermal if r.holds(facts))
    exercises, avoided = [], []
    for exercise, suits, unsafe in book.exercises:
        if not suits(facts):
            continue
        entry = {"id": exercise.id, "name": exercise.name, "instructions": exercise.instructions,
                 "dosage": exercise.dosage, "sources": list(exercise.sources)}
        if unsafe is not None and unsafe(facts):
            avoided.append({"id": exercise.id, "name": exercise.name, "reason": exercise.avoid_reason or "",
                            "sources": list(exercise.sources)})
        else:
            exercises.append(entry)
    ergonomics = [
        {"id": r.item.id, "name": r.item.name, "advice": r.item.advice, "sources": list(r.item.sources)}
        for r in book.ergonomics if r.holds(facts)
    ]
    return {
        "thermal": thermal.thermal,
        "thermal_advice": {"rule": thermal.id, "advice": thermal.advice, "sources": list(thermal.sources)},
        "exercises": [e["id"] for e in exercises],
        "exercise_details": exercises,
        "exercises_to_hold_off": avoided,
        "acupressure": _acupressure(book, points) if acupressure_allowed else [],
        "ergonomics": [e["id"] for e in ergonomics],
        "ergonomic_details": ergonomics,
    }


def _acupressure(book: Rulebook, points: list[Candidate]) -> list[dict[str, Any]]:
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
            "how": point.self_pressure.how,
            "tool": point.self_pressure.tool,
            "rule": cand.rules[0],
            "sources": sorted({*dose.sources, *point.sources}),
        })
        if len(chosen) == dose.max_points:
            break
    return chosen
