"""Small input checks shared by scoring, change and course: each returns problems instead of raising."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from fractions import Fraction
from typing import TypeGuard

from sciatica_care.errors import InputRefused, Problem
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


def check_score_pair(instrument: object, baseline: object, current: object,
                     problems: list[Problem]) -> tuple[Instrument, float | None, float | None]:
    """The instrument and both scores checked, problems added for each bad one; an unknown instrument is refused
    at once, since the scores cannot be judged without it."""
    found = find_instrument(instrument, problems)
    if found is None:
        raise InputRefused(problems)
    return found, check_score(found, baseline, "baseline", problems), check_score(found, current, "current", problems)


def exact(value: float) -> Fraction:
    """`value` as an exact fraction of the decimal it was written as: repr gives the shortest decimal that
    round-trips, so 4.9 becomes 49/10, not its binary neighbour. Thresholds compared on these are exact."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def check_date(value: object, path: str, problems: list[Problem]) -> date | None:
    """`value` if it is a calendar date (a datetime is refused: visits are counted by day), else None after
    adding a problem."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    problems.append(Problem(path, f"must be a date, got {describe(value)}"))
    return None


def check_visit_dates(visit_dates: object, planned: date | None, problems: list[Problem]) -> list[date]:
    """The dates in `visit_dates` (a list of past visits, any order), each refused unless it is a date on or
    before `planned`; the good ones are returned."""
    if not isinstance(visit_dates, list | tuple):
        problems.append(Problem("visit_dates", f"must be a list of dates, got {describe(visit_dates)}"))
        return []
    days: list[date] = []
    for index, value in enumerate(visit_dates):
        path = f"visit_dates[{index}]"
        checked = check_date(value, path, problems)
        if checked is not None and planned is not None and checked > planned:
            problems.append(Problem(path, f"must not be after the planned visit {planned}, got {checked}"))
        elif checked is not None:
            days.append(checked)
    return days


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_in_words(value: date) -> str:
    """A date in advice text, in the house format people read everywhere else: "4 Dec 2026"."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
