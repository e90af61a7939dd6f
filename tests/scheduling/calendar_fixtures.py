"""The calendar's tests: clinic A's front desk (`desk`) with appointments next week and today, around the real
clock (the pages read it), each booked through the booking service."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

LONDON = ZoneInfo("Europe/London")


def next_monday() -> dt.date:
    today = dt.datetime.now(LONDON).date()
    return today + dt.timedelta(days=7 - today.weekday())


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def book(desk: dict[str, Any], start: dt.datetime, kind: str = "follow_up_acupuncture", **kw: Any) -> Any:
    """An appointment booked by reception through the booking service, outside the rules where it must be."""
    from sciatica_care.scheduling import booking

    kw.setdefault("patient", desk["patient"])
    return booking.book(clinic=desk["clinic"], practitioner=kw.pop("practitioner", desk["practitioner"]),
                        service=desk["services"][kind], location=desk["location"], start=start,
                        by=desk["reception"], apply_policy=False, override_reason="set up by the test", **kw)


@pytest.fixture
def diary(desk: dict[str, Any], world: dict[str, Any]) -> dict[str, Any]:
    """Next Monday: Ann Smith at 10:00 (follow-up) and a free call for someone new at 15:00; and an appointment of
    Ann's that started half an hour ago (so it can be marked arrived, completed or not attended)."""
    monday = next_monday()
    now = dt.datetime.now(LONDON).replace(second=0, microsecond=0)
    started = max(now - dt.timedelta(minutes=30), now.replace(hour=0, minute=0))  # today's, even just past midnight
    return {**desk, "world": world, "monday": monday,
            "ann": book(desk, at(monday, 10)),
            "call": book(desk, at(monday, 15), "consultation_call", patient=None, prospect_name="Rosa Delgado",
                         prospect_phone="07700 900555"),
            "now": book(desk, started, "massage"),
            "calendar": f"/calendar/?who=practitioner:{desk['practitioner'].pk}&date={monday.isoformat()}"}
