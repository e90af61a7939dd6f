"""Progress in plain words: against the minimal important change of the outcome rules, never more."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from portal_fixtures import days_ago, entry

from sciatica_care.clinic.clinical import course_status_in_order
from sciatica_care.clinic.episode_progress import Point, Series
from sciatica_care.portal.progress_words import line_for

D = dt.date(2026, 1, 1)


def series(measure: str, values: list[int], mcid: float = 2) -> Series:
    s = Series(measure, "nrs" if measure.startswith(("nrs", "diary")) else measure, measure,
               [Point(D + dt.timedelta(days=i), v, "staff") for i, v in enumerate(values)], mcid=mcid)
    if len(values) > 1:
        s.status = course_status_in_order(s.instrument, values[0], values[1:])
    return s


@pytest.mark.parametrize(("values", "tone", "words"), [
    ([7], "start", "7 at the start"),
    ([7, 4], "better", "3 points better. That is big enough to count as a real change"),
    ([7, 6], "same", "1 point better. Not yet big enough to count as a real change"),
    ([5, 5], "same", "no change"),
    ([3, 6], "worse", "3 points worse. That is big enough to count as a real change for the worse"),
])
def test_pain_in_plain_words(values: list[int], tone: str, words: str) -> None:
    """Each sentence says the start, now, the change and whether it reaches the minimal important change."""
    line = line_for(series("nrs_leg", values))
    assert line is not None
    assert line.tone == tone
    assert words in line.text
    if len(values) > 1:
        assert "at least 2 points" in line.text  # the rule itself, from the outcomes core


def test_startback_is_not_a_score_to_bring_down() -> None:
    assert line_for(series("startback", [5, 3])) is None


@pytest.mark.django_db
def test_the_progress_page_shows_the_diarys_change_and_patterns(patient_client: Client) -> None:
    """The diary's leg pain from its first day, in words; a short diary says nothing stands out yet."""
    for n, pain in ((6, 7), (3, 6), (0, 4)):
        patient_client.post(reverse("portal:diary_api"), json.dumps(entry(date=days_ago(n), leg_nrs=pain)),
                            content_type="application/json")
    body = patient_client.get(reverse("portal:progress")).content.decode()
    assert "Leg pain in your diary:</strong> 7 at the start, 4 now" in body
    assert "Not enough data yet" in body


@pytest.mark.django_db
def test_the_clinics_scores_are_drawn_with_their_band(patient_client: Client, world: dict[str, Any]) -> None:
    """The chart is the clinic's own progress chart (SVG, with the minimal important change band)."""
    r = patient_client.get(reverse("portal:scores_chart"))
    assert r.status_code == 200
    assert r["Content-Type"] == "image/svg+xml"
    assert "minimal important change" in r.content.decode()
