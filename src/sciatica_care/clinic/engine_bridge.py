"""The one place the clinic calls the engine and the scorer (imported lazily: the engine is pure and fast)."""

from __future__ import annotations

from typing import Any


def plan_for(intake: dict[str, Any]) -> dict[str, Any]:
    """The engine's plan for an intake, or `sciatica_care.errors.InputRefused`."""
    from sciatica_care import plan_for as engine_plan_for

    result: dict[str, Any] = engine_plan_for(intake)
    return result


def score(instrument: str, answers: list[Any]) -> dict[str, Any]:
    """The scorer's result for one questionnaire, or `InputRefused`."""
    from sciatica_care import score as engine_score

    result: dict[str, Any] = engine_score(instrument, answers)
    return result
