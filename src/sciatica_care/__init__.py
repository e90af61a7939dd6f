"""Sciatica Care: intake → red-flag triage → assessment → a safe, explained plan; outcome scoring.

    >>> from sciatica_care import plan_for, score
"""

from __future__ import annotations

from typing import Any

from .engine.plan import plan_for
from .errors import InputRefused, Problem
from .version import __version__

__all__ = ["InputRefused", "Problem", "__version__", "plan_for", "score"]


def score(instrument: str, answers: object) -> dict[str, Any]:
    """Score one questionnaire as the contract's JSON; raises InputRefused on bad answers."""
    from .outcomes import score as score_answers

    return score_answers(instrument, answers).to_json()
