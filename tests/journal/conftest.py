"""Generated diaries for the journal tests: noise with or without a planted association, reproducible by seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pytest

START = dt.date(2024, 1, 1)
ACTIVITIES = ("driving", "gardening", "lifting", "yoga")
MEDICATIONS = ("ibuprofen", "paracetamol")

Diary = list[dict[str, Any]]


def _persistent(rng: random.Random, days: int, rate: float, stay: float) -> list[bool]:
    """A yes/no series with `rate` yes overall; `stay` > rate makes runs (a working week of sitting)."""
    if stay <= rate:
        return [rng.random() < rate for _ in range(days)]
    leave_yes = 1 - stay
    enter_yes = leave_yes * rate / (1 - rate)
    state = rng.random() < rate
    series = []
    for _ in range(days):
        series.append(state)
        state = (rng.random() >= leave_yes) if state else (rng.random() < enter_yes)
    return series


def make_diary(seed: int, days: int = 120, *, autocorrelated: bool = False,
               plant: Callable[[int, dict[str, Any], list[dict[str, Any]]], float] | None = None) -> Diary:
    """A diary of `days` consecutive days with every field; pain is noise (AR(1) when `autocorrelated`) plus
    whatever `plant(day, entry, earlier entries)` adds to the leg pain."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    stay = 0.85 if autocorrelated else 0.0
    sitting = _persistent(rng, days, 0.4, stay)
    short_sleep = _persistent(rng, days, 0.3, stay)
    stressed = _persistent(rng, days, 0.3, stay)
    walked = _persistent(rng, days, 0.5, stay)
    activity = {name: _persistent(rng, days, 0.3, stay) for name in ACTIVITIES}
    medication = {name: _persistent(rng, days, 0.3, stay) for name in MEDICATIONS}
    diary: Diary = []
    leg_noise = back_noise = 0.0
    rho = 0.6 if autocorrelated else 0.0
    for day in range(days):
        leg_noise = rho * leg_noise + rng.gauss(0, 1.5)
        back_noise = rho * back_noise + rng.gauss(0, 1.5)
        entry: dict[str, Any] = {
            "date": (START + dt.timedelta(days=day)).isoformat(),
            "sitting_hours": round(rng.uniform(6.5, 10), 1) if sitting[day] else round(rng.uniform(0, 5.5), 1),
            "sleep_hours": round(rng.uniform(3, 5.5), 1) if short_sleep[day] else round(rng.uniform(6.5, 9), 1),
            "sleep_quality": rng.randint(0, 10),
            "stress": rng.randint(7, 10) if stressed[day] else rng.randint(0, 6),
            "walking_minutes": rng.randint(30, 90) if walked[day] else rng.randint(0, 25),
            "activities": [name for name in ACTIVITIES if activity[name][day]],
            "medications": [name for name in MEDICATIONS if medication[name][day]],
        }
        extra = plant(day, entry, diary) if plant else 0.0
        entry["leg_nrs"] = max(0, min(10, round(4.5 + leg_noise + extra)))
        entry["back_nrs"] = max(0, min(10, round(3.5 + back_noise)))
        diary.append(entry)
    return diary


@pytest.fixture
def diary_maker() -> Callable[..., Diary]:
    return make_diary
