"""Sciatica Care: intake → red-flag triage → assessment → a safe, explained plan; outcome scoring.

    >>> from sciatica_care import plan_for, score

The engine is imported on first use, so that commands which do not plan start quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import InputRefused, Problem
from .version import __version__

if TYPE_CHECKING:
    from .engine.plan import plan_for

__all__ = ["InputRefused", "Problem", "__version__", "plan_for", "score"]


def __getattr__(name: str) -> Any:
    if name == "plan_for":
        from .engine.plan import plan_for

        return plan_for
    raise AttributeError(f"module 'sciatica_care' has no attribute {name!r}")


def score(instrument: str, answers: object) -> dict[str, Any]:
    """Score one questionnaire as the contract's JSON; raises InputRefused on bad answers."""
    from .outcomes import score as score_answers

    return score_answers(instrument, answers).to_json()
