"""Small input checks shared by scoring, change and course: each returns problems instead of raising."""

from __future__ import annotations

import json
import math
from typing import TypeGuard

from sciatica_care.errors import Problem
from sciatica_care.outcomes.instruments import INSTRUMENTS, Instrument


def describe(value: object) -> str:
    """A short JSON-flavoured rendering of a bad value for an error message."""
    if value is None or isinstance(value, bool | int | str):
        text = json.dumps(value)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def is_int(value: object) -> TypeGuard[int]:
    """True for integers; JSON booleans are not integers here."""
    return isinstance(value, int) and not isinstance(value, bool)


def as_number(value: object) -> float | None:
    """`value` when it is a finite int or float (not a boolean), else None."""
    if is_int(value) or (isinstance(value, float) and math.isfinite(value)):
        return value
    return None


def find_instrument(name: object, problems: list[Problem], path: str = "instrument") -> Instrument | None:
    """The instrument called `name`, or None after adding a problem that lists the known ones."""
    if isinstance(name, str) and name in INSTRUMENTS:
        return INSTRUMENTS[name]
    known = ", ".join(INSTRUMENTS)
    problems.append(Problem(path, f"unknown instrument {describe(name)}; known: {known}"))
    return None


def check_score(instrument: Instrument, value: object, path: str, problems: list[Problem]) -> float | None:
    """`value` if it is a possible score on the instrument, else None after adding a problem."""
    low, high = instrument.score_low, instrument.score_high
    # Only the odi scores in tenths; every other instrument's score is a whole number.
    number = as_number(value) if instrument.method == "percent" else (value if is_int(value) else None)
    if number is not None and low <= number <= high:
        return number
    kind = "a number" if instrument.method == "percent" else "an integer"
    problems.append(Problem(path, f"must be {kind} from {low} to {high}, got {describe(value)}"))
    return None
