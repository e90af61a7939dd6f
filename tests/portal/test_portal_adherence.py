"""Adherence over the last weeks (`portal.adherence.episode_adherence`, for the practitioner's episode page): days
with anything done out of the course's days in the window, week by week and item by item, how it felt, the notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from clinic_fixtures import example

from sciatica_care.clinic.models import Episode
from sciatica_care.portal.adherence import FeltCounts, episode_adherence, item_name, record_done

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 28)


@pytest.fixture
def course(world: dict[str, Any], account_for: Any, patient_with: Any) -> Any:
    """A course opened 40 days before TODAY, planned from the piriformis case, with the patient's account."""
    revision = patient_with(example("piriformis-chronic"), world["a"]["practitioner"])
    Episode.objects.filter(pk=revision.episode_id).update(opened_on=TODAY - dt.timedelta(days=40))
    revision.episode.refresh_from_db()
    return revision, account_for(revision.episode.patient)


def done(course: Any, days_ago: int, kind: str = "acupressure", item: str = "GB30", felt: str = "better",
         note: str = "") -> None:
    revision, user = course
    record_done(user, revision.episode.patient, revision, kind=kind, item=item, felt=felt, note=note,
                day=TODAY - dt.timedelta(days=days_ago))


def test_nothing_reported_is_no_adherence_not_an_error(course: Any) -> None:
    summary = episode_adherence(course[0].episode, today=TODAY)
    assert (summary.days, summary.days_done, summary.times_done, summary.reported) == (28, 0, 0, False)
    assert summary.share == 0
    assert summary.last_done is None
    assert [w.days for w in summary.weeks] == [7, 7, 7, 7]


def test_days_with_anything_done_are_counted_once(course: Any) -> None:
    """Two points on one day and the whole session the next are two days done, three items."""
    done(course, 0, item="GB30")
    done(course, 0, item="BL60", felt="same")
    done(course, 1, kind="session", item="", felt="worse", note="Stiff after driving")
    summary = episode_adherence(course[0].episode, today=TODAY)
    assert (summary.days_done, summary.times_done, summary.last_done) == (2, 3, TODAY)
    assert summary.share == pytest.approx(2 / 28)
    assert summary.felt == FeltCounts(better=1, same=1, worse=1)
    last = summary.weeks[-1]
    assert (last.start, last.end, last.days_done, last.times_done) == (TODAY - dt.timedelta(days=6), TODAY, 2, 3)
    assert [(i.kind, i.item, i.times_done) for i in summary.items] == [
        ("acupressure", "BL60", 1), ("acupressure", "GB30", 1), ("session", "", 1)]
    assert [(n.name, n.felt, n.note) for n in summary.notes] == [("The whole programme", "worse",
                                                                  "Stiff after driving")]


@pytest.mark.parametrize(("days_ago", "in_window"), [(0, True), (27, True), (28, False), (35, False)])
def test_only_the_window_is_counted(course: Any, days_ago: int, in_window: bool) -> None:
    """Four weeks ending today: 27 days ago is the first day in, 28 days ago is out."""
    done(course, days_ago)
    assert episode_adherence(course[0].episode, today=TODAY).times_done == (1 if in_window else 0)


@pytest.mark.parametrize(("opened_days_ago", "days", "week_days"), [
    (40, 28, [7, 7, 7, 7]),
    (10, 11, [0, 0, 4, 7]),
    (0, 1, [0, 0, 0, 1]),
])
def test_days_before_the_course_opened_are_not_counted(course: Any, opened_days_ago: int, days: int,
                                                       week_days: list[int]) -> None:
    episode = course[0].episode
    Episode.objects.filter(pk=episode.pk).update(opened_on=TODAY - dt.timedelta(days=opened_days_ago))
    episode.refresh_from_db()
    summary = episode_adherence(episode, today=TODAY)
    assert summary.days == days
    assert [w.days for w in summary.weeks] == week_days


def test_a_record_before_the_recorded_opening_still_counts_its_days(course: Any) -> None:
    """A course whose opening date was moved later than a record: the days are counted from that record, so the
    share never exceeds one."""
    episode = course[0].episode
    done(course, 12)
    Episode.objects.filter(pk=episode.pk).update(opened_on=TODAY - dt.timedelta(days=2))
    episode.refresh_from_db()
    summary = episode_adherence(episode, today=TODAY)
    assert (summary.days_done, summary.days) == (1, 13)
    assert summary.share is not None
    assert summary.share <= 1


def test_another_courses_records_are_not_counted(course: Any, world: dict[str, Any], account_for: Any) -> None:
    done(course, 0)
    assert episode_adherence(world["a"]["episode"], today=TODAY).times_done == 0


def test_a_week_by_week_count_for_a_longer_window(course: Any) -> None:
    for days_ago in (0, 2, 9, 16, 16, 40):
        done(course, days_ago)
    summary = episode_adherence(course[0].episode, weeks=6, today=TODAY)
    assert [w.days_done for w in summary.weeks] == [1, 0, 0, 1, 1, 2]  # 40 days ago opens the first week
    assert summary.days_done == 5


def test_the_latest_notes_come_first_and_are_few(course: Any) -> None:
    for i in range(8):
        done(course, i, note=f"note {i}")
    notes = episode_adherence(course[0].episode, today=TODAY).notes
    assert [n.note for n in notes] == ["note 0", "note 1", "note 2", "note 3", "note 4"]


@pytest.mark.parametrize(("kind", "item", "name"), [
    ("acupressure", "GB30", "GB30 (Huantiao)"),
    ("exercise", "piriformis_stretch", "Piriformis (deep buttock) stretch"),
    ("session", "", "The whole programme"),
])
def test_items_are_named_as_the_practitioner_reads_them(kind: str, item: str, name: str) -> None:
    assert item_name(kind, item) == name


def test_the_episode_page_shows_the_courses_adherence_to_the_practitioner(course: Any, login: Any,
                                                                          world: dict[str, Any]) -> None:
    """The practitioner's episode page: days done of the course's days, each part with how it felt (worse stands
    out), the patient's latest notes; reception, who never sees clinical notes, sees none of it."""
    from django.urls import reverse
    from django.utils import timezone

    revision, user = course
    today = timezone.localdate()
    for days_ago, item, felt, note in ((0, "GB30", "worse", "Sore afterwards"), (1, "GB30", "better", ""),
                                       (1, "BL60", "same", "")):
        record_done(user, revision.episode.patient, revision, kind="acupressure", item=item, felt=felt, note=note,
                    day=today - dt.timedelta(days=days_ago))
    prac = revision.created_by
    body = login(prac).get(reverse("clinic:episode", args=[revision.episode_id])).content.decode()
    assert "Marked done on 2 of the 28 days of this course in the last 4 weeks (3 times" in body
    assert "better 1, same 1, worse 1" in body
    gb30 = body[body.index('data-item="acupressure:GB30"'):]
    assert "GB30 (Huantiao)" in gb30[:200]
    assert "<strong>1</strong>" in gb30[:gb30.index("</tr>")]
    assert "Sore afterwards" in body
    seen = login(world["a"]["reception"]).get(reverse("clinic:episode", args=[revision.episode_id]))
    assert "Sore afterwards" not in seen.content.decode()
