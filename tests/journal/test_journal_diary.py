"""Diary validation: every problem reported with its JSON path; valid diaries typed and sorted by date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sciatica_care.errors import InputRefused
from sciatica_care.journal import validate_diary

DAY = {"date": "2024-03-01", "leg_nrs": 5}


def refused(doc: object) -> list[str]:
    with pytest.raises(InputRefused) as caught:
        validate_diary(doc)
    return [p.line() for p in caught.value.problems]


@pytest.mark.parametrize(("entry", "line"), [
    ({"leg_nrs": 5}, "error: [0].date: is required"),
    ({"date": "2024-03-01"}, "error: [0].leg_nrs: is required"),
    ({"date": "2024-3-1", "leg_nrs": 5}, "error: [0].date: must be a date written YYYY-MM-DD, got '2024-3-1'"),
    ({"date": "2024-02-30", "leg_nrs": 5}, "error: [0].date: must be a date written YYYY-MM-DD, got '2024-02-30'"),
    ({"date": 20240301, "leg_nrs": 5}, "error: [0].date: must be a date written YYYY-MM-DD, got 20240301"),
    (DAY | {"leg_nrs": 11}, "error: [0].leg_nrs: must be from 0 to 10, got 11"),
    (DAY | {"leg_nrs": -1}, "error: [0].leg_nrs: must be from 0 to 10, got -1"),
    (DAY | {"leg_nrs": 4.5}, "error: [0].leg_nrs: must be a whole number, got 4.5"),
    (DAY | {"leg_nrs": True}, "error: [0].leg_nrs: must be a whole number, got true"),
    (DAY | {"leg_nrs": "5"}, "error: [0].leg_nrs: must be a whole number, got '5'"),
    (DAY | {"leg_nrs": float("nan")}, "error: [0].leg_nrs: must be a whole number, got nan"),
    (DAY | {"back_nrs": 12}, "error: [0].back_nrs: must be from 0 to 10, got 12"),
    (DAY | {"sleep_hours": 25}, "error: [0].sleep_hours: must be from 0 to 24, got 25"),
    (DAY | {"sleep_quality": 11}, "error: [0].sleep_quality: must be from 0 to 10, got 11"),
    (DAY | {"sitting_hours": -0.5}, "error: [0].sitting_hours: must be from 0 to 24, got -0.5"),
    (DAY | {"walking_minutes": 1441}, "error: [0].walking_minutes: must be from 0 to 1440, got 1441"),
    (DAY | {"walking_minutes": None}, "error: [0].walking_minutes: must be a number, got null"),
    (DAY | {"stress": 7.5}, "error: [0].stress: must be a whole number, got 7.5"),
    (DAY | {"activities": "driving"}, "error: [0].activities: must be a list of names, got 'driving'"),
    (DAY | {"activities": ["driving", 3]}, "error: [0].activities[1]: must be a name (a string), got 3"),
    (DAY | {"medications": ["  "]}, "error: [0].medications[0]: must not be empty"),
    (DAY | {"medications": ["x" * 81]}, "error: [0].medications[0]: must be at most 80 characters, got 81"),
    (DAY | {"sleep_hrs": 7}, "error: [0].sleep_hrs: unknown field; expected one of: date, leg_nrs, back_nrs, "
                             "sleep_hours, sleep_quality, sitting_hours, walking_minutes, stress, activities, "
                             "medications"),
    (5, "error: [0]: must be an object (one day's entry), got 5"),
])
def test_bad_entry_is_refused_with_its_path(entry: object, line: str) -> None:
    """Each bad value is named with its path and what is wrong."""
    assert refused([entry]) == [line]


@pytest.mark.parametrize("doc", [{"entries": []}, "diary", None, 3])
def test_document_must_be_a_list(doc: object) -> None:
    """The document is a list of daily entries."""
    assert refused(doc)[0].startswith("error: (document): must be a list of daily entries")


def test_every_problem_is_reported_at_once() -> None:
    """Problems in several entries and fields come together, in document order."""
    assert refused([DAY | {"leg_nrs": 12, "stress": 11}, {"date": "x"}, DAY | {"date": "2024-03-02"}]) == [
        "error: [0].leg_nrs: must be from 0 to 10, got 12",
        "error: [0].stress: must be from 0 to 10, got 11",
        "error: [1].date: must be a date written YYYY-MM-DD, got 'x'",
        "error: [1].leg_nrs: is required",
    ]


def test_duplicate_dates_are_refused_even_when_the_first_entry_is_bad() -> None:
    """A date may appear once; the second is named with the index of the first."""
    assert refused([DAY | {"leg_nrs": 12}, DAY]) == [
        "error: [0].leg_nrs: must be from 0 to 10, got 12",
        "error: [1].date: 2024-03-01 is already the date of [0]",
    ]


def test_valid_diary_is_typed_and_sorted() -> None:
    """Entries come back sorted by date, numbers typed, names trimmed, lower-cased and without repeats."""
    doc: list[dict[str, Any]] = [
        {"date": "2024-03-02", "leg_nrs": 4.0, "sitting_hours": 7, "activities": ["  Long   Drive", "long drive"]},
        {"date": "2024-03-01", "leg_nrs": 6, "medications": []},
    ]
    first, second = validate_diary(doc)
    assert first.date == dt.date(2024, 3, 1)
    assert first.medications == ()
    assert first.activities is None
    assert second.leg_nrs == 4
    assert isinstance(second.leg_nrs, int)
    assert second.sitting_hours == 7.0
    assert second.activities == ("long drive",)


def test_empty_diary_is_valid() -> None:
    """A new patient's empty diary is not an error (the analysis then says there is not enough data)."""
    assert validate_diary([]) == []
