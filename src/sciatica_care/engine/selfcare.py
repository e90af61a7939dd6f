"""The home programme: heat or ice, exercises (with those to hold off and why), ergonomics and acupressure.

Safety reaches here through the verdict: when a rule says no lying on the back (pregnancy from about 20 weeks),
each exercise and self-pressure instruction that lies on the back is given in its other version or held off,
with the reason; when a rule keeps heat off the pack areas (a device or lesion there, or its site unknown),
no heat pack is advised.
"""

from __future__ import annotations

from typing import Any

from ..knowledge.conditions import Facts
from ..knowledge.model import Caution
from .planning import Candidate
from .rulebook import Rulebook
from .safety import SafetyVerdict

SUPINE = "supine"


def self_care(book: Rulebook, facts: Facts, points: list[Candidate], acupressure_allowed: bool,
              verdict: SafetyVerdict | None = None) -> dict[str, Any]:
    no_supine = verdict.no_supine if verdict is not None else None
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
            continue
        entry: dict[str, Any] = {"id": exercise.id, "name": exercise.name,
                                 "instructions": _with_notes(book, exercise.instructions, exercise.notes, facts),
                                 "dosage": exercise.dosage, "positions": list(exercise.positions),
                                 "sources": list(exercise.sources)}
        if no_supine is not None and SUPINE in exercise.positions:
            if exercise.instructions_no_supine is None:
                avoided.append({"id": exercise.id, "name": exercise.name, "reason": no_supine["reason"],
                                "rule": no_supine["rule"],
                                "sources": sorted({*exercise.sources, *no_supine["sources"]})})
                continue
            entry["instructions"] = _with_notes(book, exercise.instructions_no_supine, exercise.notes, facts)
            entry["positions"] = [p for p in exercise.positions if p != SUPINE]
            entry["adapted"] = {"rule": no_supine["rule"], "reason": no_supine["reason"]}
        exercises.append(entry)
    ergonomics = [
        {"id": r.item.id, "name": r.item.name, "advice": _with_notes(book, r.item.advice, r.item.notes, facts),
         "sources": list(r.item.sources)}
        for r in book.ergonomics if r.holds(facts)
    ]
    reasons: list[str] = []
    thermal_kind, thermal_advice = thermal.thermal, {"rule": thermal.id, "advice": thermal.advice,
                                                     "sources": list(thermal.sources)}
    if verdict is not None and verdict.no_heat and thermal.thermal in ("heat", "ice_then_heat"):
        held = verdict.no_heat[0]
        thermal_kind = "none"
        thermal_advice = {"rule": held["rule"], "sources": held["sources"],
                          "advice": "No heat packs on the lower back or buttock for now: " + held["reason"]}
        reasons.append(f"Heat held back: {held['reason']}")
    acupressure: list[dict[str, Any]] = []
    if acupressure_allowed:
        acupressure, held_points = _acupressure(book, points, no_supine, facts)
        reasons += held_points
    care: dict[str, Any] = {
        "thermal": thermal_kind,
        "thermal_advice": thermal_advice,
        "exercises": [e["id"] for e in exercises],
        "exercise_details": exercises,
        "exercises_to_hold_off": avoided,
        "acupressure": acupressure,
        "ergonomics": [e["id"] for e in ergonomics],
        "ergonomic_details": ergonomics,
    }
    if reasons:
        care["reasons"] = reasons
    return care


def _with_notes(book: Rulebook, text: str, notes: tuple[Caution, ...], facts: Facts) -> str:
    """The text with the notes that apply to this patient appended (a man's plan gets no pregnancy notes)."""
    return " ".join([text, *book.applicable(notes, facts)])


def _acupressure(book: Rulebook, points: list[Candidate], no_supine: dict[str, Any] | None,
                 facts: Facts) -> tuple[list[dict[str, Any]], list[str]]:
    dose = book.knowledge.self_care.acupressure
    chosen: list[dict[str, Any]] = []
    held: list[str] = []
    for cand in points:
        point = book.points[cand.code]
        press = point.self_pressure
        if press is None:
            continue
        how, positions = press.how, list(press.positions)
        entry: dict[str, Any] = {}
        if no_supine is not None and SUPINE in positions:
            if press.how_no_supine is None:
                held.append(f"{cand.code} not given for home pressing: {no_supine['reason']}")
                continue
            how, positions = press.how_no_supine, [p for p in positions if p != SUPINE]
            entry["adapted"] = {"rule": no_supine["rule"], "reason": no_supine["reason"]}
        chosen.append({
            "code": cand.code,
            "side": cand.side,
            "hold_minutes": list(dose.hold_minutes),
            "times_per_day": list(dose.times_per_day),
            "how": _with_notes(book, how, press.notes, facts),
            "tool": press.tool,
            "positions": positions,
            "rule": cand.rules[0],
            "sources": sorted({*dose.sources, *point.sources}),
            **entry,
        })
        if len(chosen) == dose.max_points:
            break
    return chosen, held
