"""Dates, order and idempotency: scores of one day in the order recorded, one-time submission tokens, the course
opened with its first intake, the duplicate-patient warning, concurrent intakes, and the kiosk hand-off lock.

These run against the real engine, with intakes from examples/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str = "s1-disc-acute") -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    return data


@pytest.fixture
def fake_engine_in_use() -> None:
    """The real engine here (overrides the conftest's stand-in)."""


@pytest.fixture
def course(db: Any, make_staff: Any) -> dict[str, Any]:
    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Role

    clinic = Clinic.objects.create(name="Clinic I")
    prac = make_staff(clinic, Role.PRACTITIONER, "prac_i")
    patient = records.create_patient(prac, first_name="José", last_name="Núñez", date_of_birth=dt.date(1983, 4, 2),
                                     sex="male", consent_treatment=True)
    episode = records.open_episode(prac, patient)
    plan = records.record_intake(prac, episode, example())
    return {"clinic": clinic, "practitioner": prac, "patient": patient, "episode": episode, "plan": plan}


def _chart(c: dict[str, Any], day: dt.date, leg: int) -> Any:
    from sciatica_care.clinic import records

    return records.chart_visit(c["practitioner"], c["episode"], c["plan"],
                               {"red_flags_rechecked": True, "date": day, "leg_nrs": leg})


# --- scores of one day, in the order they were recorded ---------------------------------------------------------

def _seven_then_two(c: dict[str, Any]) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    _chart(c, today - dt.timedelta(days=7), 7)  # baseline
    _chart(c, today - dt.timedelta(days=3), 6)  # before the needles
    _chart(c, today - dt.timedelta(days=3), 2)  # after them, on the same day


def test_scores_of_one_day_count_in_the_order_recorded_on_the_episode_page(course: dict[str, Any],
                                                                          client: Any) -> None:
    from sciatica_care.clinic import episode_progress

    _seven_then_two(course)
    series = episode_progress.episode_progress(course["episode"]).series["nrs_leg"]
    assert [p.value for p in series.points] == [7, 6, 2]
    assert series.status is not None
    assert series.status.latest.absolute == -5
    assert series.status.status == "improving"
    client.force_login(course["practitioner"])
    page = client.get(f"/episodes/{course['episode'].pk}/").content.decode()
    row = page[page.index('data-measure="nrs_leg"'):]
    row = row[:row.index("</tr>")]
    assert "-5" in row
    assert "improving" in row
    assert "stable" not in row


def test_scores_of_one_day_count_in_the_order_recorded_on_the_discharge_summary(course: dict[str, Any]) -> None:
    from sciatica_care.clinic import discharge_summary

    _seven_then_two(course)
    leg = next(m for m in discharge_summary.summary(course["episode"])["measures"] if m["name"].startswith("Leg"))
    assert (leg["baseline"], leg["discharge"], leg["status"]) == ("7", "2", "improving")
    assert leg["change"].startswith("-5 ")


def test_the_later_of_two_scores_on_one_day_is_the_latest_whatever_its_value(course: dict[str, Any]) -> None:
    """Worsening within a day shows too: 2 then 7 after a baseline of 2 is worse, not the day's first value."""
    from django.utils import timezone

    from sciatica_care.clinic import episode_progress

    today = timezone.localdate()
    _chart(course, today - dt.timedelta(days=5), 2)
    _chart(course, today - dt.timedelta(days=2), 2)
    _chart(course, today - dt.timedelta(days=2), 7)
    status = episode_progress.episode_progress(course["episode"]).series["nrs_leg"].status
    assert status is not None
    assert (status.status, status.latest.absolute) == ("worse", 5)
