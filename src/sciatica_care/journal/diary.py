"""Diary validation: a JSON list of daily entries in, typed entries out, or every problem with its JSON path.

An entry is one evening's record of the day (facts.md §14: once daily, 1-day recall [Brod]):

    {"date": "2024-03-01", "leg_nrs": 6, "back_nrs": 3, "sleep_hours": 5.5, "sleep_quality": 4,
     "sitting_hours": 7, "walking_minutes": 20, "stress": 6, "activities": ["driving"], "medications": ["ibuprofen"]}

Only `date` (ISO `YYYY-MM-DD`, unique in the diary) and `leg_nrs` are required. A field left out means "not
recorded that day" and the day is left out of that factor's comparison; an empty `activities` or `medications`
list means "none that day". Names in those lists are compared without regard to case or repeated spaces.
Unknown fields are refused, so a misspelt field never silently drops a day's data.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from msgspec import Struct

from ..errors import InputRefused, Problem, join_path

MAX_NAME_LENGTH = 80
MAX_NAMES_PER_DAY = 50


class DiaryEntry(Struct, frozen=True):
    """One day of the diary, validated. `activities`/`medications` are None when not recorded that day."""

    date: dt.date
    leg_nrs: int
    back_nrs: int | None = None
    sleep_hours: float | None = None
    sleep_quality: int | None = None
    sitting_hours: float | None = None
    walking_minutes: float | None = None
    stress: int | None = None
    activities: tuple[str, ...] | None = None
    medications: tuple[str, ...] | None = None


# field → (whole numbers only, lowest, highest)
_NUMBERS: dict[str, tuple[bool, float, float]] = {
    "leg_nrs": (True, 0, 10),
    "back_nrs": (True, 0, 10),
    "sleep_hours": (False, 0, 24),
    "sleep_quality": (True, 0, 10),
    "sitting_hours": (False, 0, 24),
    "walking_minutes": (False, 0, 1440),
    "stress": (True, 0, 10),
}
_LISTS = ("activities", "medications")
_FIELDS = ("date", *_NUMBERS, *_LISTS)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def validate_diary(doc: object) -> list[DiaryEntry]:
    """Return the diary's entries sorted by date, or raise InputRefused listing every problem with its path."""
    if not isinstance(doc, list):
        raise InputRefused([Problem("(document)", f"must be a list of daily entries, got {_show(doc)}")])
    problems: list[Problem] = []
    entries: list[DiaryEntry] = []
    first_seen: dict[dt.date, int] = {}
    for index, item in enumerate(doc):
        path = join_path("", index)
        date, entry = _entry(item, path, problems)
        if date is not None and date in first_seen:
            message = f"{date.isoformat()} is already the date of [{first_seen[date]}]"
            problems.append(Problem(join_path(path, "date"), message))
            continue
        if date is not None:
            first_seen[date] = index
        if entry is not None:
            entries.append(entry)
    if problems:
        raise InputRefused(problems)
    entries.sort(key=lambda e: e.date)
    return entries


def _entry(item: object, path: str, problems: list[Problem]) -> tuple[dt.date | None, DiaryEntry | None]:
    """The entry's date (when readable, for the duplicate check) and the entry (when it is valid)."""
    if not isinstance(item, Mapping):
        problems.append(Problem(path, f"must be an object (one day's entry), got {_show(item)}"))
        return None, None
    before = len(problems)
    for key in item:
        if key not in _FIELDS:
            problems.append(Problem(join_path(path, str(key)), f"unknown field; expected one of: {', '.join(_FIELDS)}"))
    values: dict[str, Any] = {}
    date = _date(item, path, problems)
    if "leg_nrs" not in item:
        problems.append(Problem(join_path(path, "leg_nrs"), "is required"))
    for name, (whole, low, high) in _NUMBERS.items():
        if name in item:
            values[name] = _number(item[name], path, name, whole, low, high, problems)
    for name in _LISTS:
        if name in item:
            values[name] = _names(item[name], path, name, problems)
    if len(problems) > before or date is None:
        return date, None
    return date, DiaryEntry(date=date, **values)


def _date(item: Mapping[Any, Any], path: str, problems: list[Problem]) -> dt.date | None:
    where = join_path(path, "date")
    if "date" not in item:
        problems.append(Problem(where, "is required"))
        return None
    value = item["date"]
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(Problem(where, f"must be a date written YYYY-MM-DD, got {_show(value)}"))
    return None


def _number(value: object, path: str, name: str, whole: bool, low: float, high: float,
            problems: list[Problem]) -> float | None:
    if type(value) is int and low <= value <= high:  # the common case, checked first
        return value if whole else float(value)
    where = join_path(path, name)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or (isinstance(value, float) and not math.isfinite(value)):
        problems.append(Problem(where, f"must be {'a whole number' if whole else 'a number'}, got {_show(value)}"))
        return None
    assert isinstance(value, int | float)  # noqa: S101 - narrowed just above
    if whole and not float(value).is_integer():
        problems.append(Problem(where, f"must be a whole number, got {_show(value)}"))
        return None
    if not low <= value <= high:
        problems.append(Problem(where, f"must be from {_plain(low)} to {_plain(high)}, got {_show(value)}"))
        return None
    return int(value) if whole else float(value)


def _names(value: object, path: str, field: str, problems: list[Problem]) -> tuple[str, ...] | None:
    where = join_path(path, field)
    if not isinstance(value, list):
        problems.append(Problem(where, f"must be a list of names, got {_show(value)}"))
        return None
    if len(value) > MAX_NAMES_PER_DAY:
        problems.append(Problem(where, f"has {len(value)} names; at most {MAX_NAMES_PER_DAY} a day"))
        return None
    names: list[str] = []
    for i, name in enumerate(value):
        if not isinstance(name, str):
            problems.append(Problem(join_path(where, i), f"must be a name (a string), got {_show(name)}"))
            continue
        clean = normalise_name(name)
        if not clean:
            problems.append(Problem(join_path(where, i), "must not be empty"))
        elif len(clean) > MAX_NAME_LENGTH:
            message = f"must be at most {MAX_NAME_LENGTH} characters, got {len(clean)}"
            problems.append(Problem(join_path(where, i), message))
        elif clean not in names:
            names.append(clean)
    return tuple(names)


def normalise_name(name: str) -> str:
    """Case and spacing do not make a different activity: `"  Long  Drive"` → `"long drive"`."""
    return " ".join(name.split()).casefold()


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _show(value: object) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
