"""The discharge summary page and PDF: content, scope, audit; discharging the course closes it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sciatica_care.clinic import records
from sciatica_care.clinic.models import AuditEvent, Episode, Visit
from sciatica_care.reports.letterhead import format_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(world: dict[str, Any]) -> Any:
    a = world["a"]
    episode, plan = a["episode"], a["plan"]
    start = dt.date(2026, 3, 2)
    for i, (leg, odi) in enumerate([(8, 3), (6, None), (4, None), (2, 1)]):
        records.chart_visit(a["practitioner"], episode, plan,
                            {"red_flags_rechecked": True, "date": start + dt.timedelta(weeks=i + 1), "leg_nrs": leg,
                             "points": [{"code": "GB30", "side": "left"}, {"code": "BL40", "side": "left"}],
                             "ea_pairs": [["GB30", "BL40"]], "massage_done": ["tuina"] if i else []},
                            questionnaires={"odi": [odi] * 10} if odi is not None else None)
    return episode


def test_discharge_summary_page(world: dict[str, Any], course: Any, login: Any) -> None:
    page = login(world["a"]["practitioner"]).get(reverse("clinic:discharge", args=[course.pk])).content.decode()
    assert "Discharge summary" in page
    assert "Leg pain (NRS)" in page
    assert "5 sessions" in page  # the fixture's visit and four more
    assert "GB30 (5)" in page
    assert "Electroacupuncture in 4 sessions" in page
    assert "-40 (-66.7 %)" in page  # ODI 60 → 20
    assert AuditEvent.objects.filter(action="read", object_id=course.pk, detail__purpose="discharge_summary").exists()


def test_discharge_pdf(world: dict[str, Any], course: Any, login: Any) -> None:
    import pypdfium2 as pdfium

    r = login(world["a"]["practitioner"]).get(reverse("clinic:discharge_pdf", args=[course.pk]))
    assert r["Content-Type"] == "application/pdf"
    doc = pdfium.PdfDocument(r.content)
    pages, text = len(doc), doc[0].get_textpage().get_text_range()
    doc.close()
    assert pages == 1
    assert "Ann Smitha" in text
    assert AuditEvent.objects.filter(action="print", object_id=course.pk).exists()


def test_discharge_is_scoped_and_clinical(world: dict[str, Any], course: Any, login: Any) -> None:
    for name in ("clinic:discharge", "clinic:discharge_pdf"):
        assert login(world["b"]["practitioner"]).get(reverse(name, args=[course.pk])).status_code == 404
        assert login(world["a"]["reception"]).get(reverse(name, args=[course.pk])).status_code == 403


# Discharging the course: an explicit POST that records the date and closes it


def _discharge(client: Any, episode: Any, day: dt.date | str | None = None, version: int | None = None) -> Any:
    episode.refresh_from_db()
    data = {"version": str(episode.version if version is None else version),
            "discharged_on": str(day or timezone.localdate())}
    return client.post(reverse("clinic:discharge_close", args=[episode.pk]), data)


def _chart(client: Any, episode: Any) -> Any:
    return client.post(reverse("clinic:visit_new", args=[episode.pk]), {
        "red_flags_rechecked": "1", "date": timezone.localdate().isoformat(), "pt_code_0": "GB30", "pt_side_0": "left",
        "pt_done_0": "1", "leg_nrs": "3", "subjective": "Much better"})


def test_discharging_closes_the_course(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    episode = a["episode"]
    client = login(a["practitioner"])
    page = client.get(reverse("clinic:discharge", args=[episode.pk])).content.decode()
    assert "Discharge and close the course" in page
    today = timezone.localdate()
    assert f'type="date" name="discharged_on" value="{today.isoformat()}"' in page  # a date input needs ISO
    assert 'name="csrfmiddlewaretoken"' in page
    assert "Reopen the course" not in page
    r = _discharge(client, episode, today)
    assert r.status_code == 302
    assert r["Location"] == reverse("clinic:episode", args=[episode.pk])
    episode.refresh_from_db()
    assert (episode.status, episode.closed_on, episode.version) == ("closed", today, 2)
    event = AuditEvent.objects.get(action="discharge", object_id=episode.pk)
    assert event.actor == a["practitioner"]
    assert event.patient_id == a["patient"].pk
    assert event.detail["closed_on"] == today.isoformat()
    assert event.detail["previous_status"] == "open"
    assert AuditEvent.objects.filter(action="update", object_type="Episode", object_id=episode.pk).exists()
    timeline = client.get(reverse("clinic:episode", args=[episode.pk])).content.decode()
    assert "Course discharged on" in timeline
    assert '<span class="tag closed">Closed' in timeline
    summary = client.get(reverse("clinic:discharge", args=[episode.pk])).content.decode()
    assert f"Closed — discharged {today.day} {today:%b %Y}" in summary
    assert f"to {format_date(today)}" in summary  # the house date format
    assert "Discharge and close the course" not in summary
    assert "Reopen the course" in summary


def test_charting_on_a_closed_course_is_refused_clearly(world: dict[str, Any], login: Any) -> None:
    """A careful clinic does not add sessions to a discharged course by accident: charting is refused, with the
    way forward (reopen, saying why, or open a new course); nothing is written and the form comes back intact."""
    a = world["a"]
    episode = a["episode"]
    client = login(a["practitioner"])
    assert _discharge(client, episode).status_code == 302
    r = _chart(client, episode)
    assert r.status_code == 409  # refused before the form is read
    body = r.content.decode()
    assert "This course of care was discharged on" in body
    assert "reopen it from its discharge summary page" in body
    assert Visit.objects.filter(episode=episode).count() == 1
    with pytest.raises(records.EpisodeClosed):
        records.chart_visit(a["practitioner"], episode, a["plan"], {"red_flags_rechecked": True})
    assert Visit.objects.filter(episode=episode).count() == 1


def test_a_course_discharged_while_the_charting_form_was_open_is_still_refused(world: dict[str, Any],
                                                                               login: Any) -> None:
    a = world["a"]
    episode = a["episode"]
    stale = Episode.objects.get(pk=episode.pk)  # read before the discharge
    records.discharge_episode(a["clinic_admin"], episode, episode.version, timezone.localdate())
    with pytest.raises(records.EpisodeClosed):
        records.chart_visit(a["practitioner"], stale, a["plan"], {"red_flags_rechecked": True})
    assert Visit.objects.filter(episode=episode).count() == 1


def test_reopening_needs_a_reason_and_is_audited(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    episode = a["episode"]
    client = login(a["practitioner"])
    _discharge(client, episode)
    episode.refresh_from_db()
    url = reverse("clinic:episode_reopen", args=[episode.pk])
    r = client.post(url, {"version": str(episode.version), "reason": "  "})
    assert r.status_code == 422
    assert "Say why the course is being reopened" in r.content.decode()
    episode.refresh_from_db()
    assert episode.status == "closed"
    r = client.post(url, {"version": str(episode.version), "reason": "Pain came back within two weeks"})
    assert r.status_code == 302
    episode.refresh_from_db()
    assert (episode.status, episode.closed_on, episode.version) == ("open", None, 3)
    event = AuditEvent.objects.get(action="reopen", object_id=episode.pk)
    assert event.detail["reason"] == "Pain came back within two weeks"
    assert event.actor == a["practitioner"]
    assert _chart(client, episode).status_code == 302
    assert Visit.objects.filter(episode=episode).count() == 2


def test_a_reopened_referred_course_stays_referred(world: dict[str, Any], login: Any) -> None:
    """A course whose plan withholds treatment (red flag) goes back to 'referred', never silently to 'open'."""
    from clinic_fixtures import base_intake

    a = world["a"]
    episode = records.open_episode(a["practitioner"], a["patient"])
    records.record_intake(a["practitioner"], episode, base_intake(red_flags=["saddle_anaesthesia"]))
    episode.refresh_from_db()
    assert episode.status == "referred"
    records.discharge_episode(a["practitioner"], episode, episode.version, timezone.localdate())
    episode.refresh_from_db()
    records.reopen_episode(a["practitioner"], episode, episode.version, "seen again after hospital review")
    episode.refresh_from_db()
    assert episode.status == "referred"


def test_two_people_discharging_at_once_get_a_conflict(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    episode = a["episode"]
    first, second = Client(), Client()
    first.force_login(a["practitioner"])
    second.force_login(a["clinic_admin"])
    version = episode.version
    today = timezone.localdate()
    assert _discharge(first, episode, today, version).status_code == 302
    r = _discharge(second, episode, today, version)
    assert r.status_code == 409
    body = r.content.decode()
    assert "Someone else changed this course" in body
    assert "it was not discharged" in body
    episode.refresh_from_db()
    assert (episode.status, episode.closed_on, episode.version) == ("closed", today, version + 1)
    assert AuditEvent.objects.filter(action="discharge", object_id=episode.pk).count() == 1
    assert AuditEvent.objects.filter(action="conflict", object_id=episode.pk, actor=a["clinic_admin"]).exists()
    r = second.post(reverse("clinic:episode_reopen", args=[episode.pk]), {"version": str(version),
                                                                         "reason": "stale page"})
    assert r.status_code == 409
    assert "it was not reopened" in r.content.decode()
    episode.refresh_from_db()
    assert episode.status == "closed"


def test_discharge_date_is_checked_and_named(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    episode = a["episode"]
    today = timezone.localdate()
    Episode.objects.filter(pk=episode.pk).update(opened_on=today - dt.timedelta(days=30))
    client = login(a["practitioner"])
    for day, message in (
        (today + dt.timedelta(days=1), "cannot be in the future"),
        (today - dt.timedelta(days=31), "cannot be before the course opened"),
        (today - dt.timedelta(days=1), "cannot be before the last charted session"),
        ("31/02/2026", "Discharge date: give a date such as"),
        ("", "Give the discharge date."),
    ):
        r = _discharge(client, episode, day) if day else client.post(
            reverse("clinic:discharge_close", args=[episode.pk]), {"version": str(episode.version)})
        assert r.status_code == 422, day
        body = r.content.decode()
        assert message in body, day
        assert 'class="field has-error"' in body
        episode.refresh_from_db()
        assert (episode.status, episode.closed_on) == ("open", None)
    r = client.post(reverse("clinic:discharge_close", args=[episode.pk]), {"discharged_on": today.isoformat()})
    assert r.status_code == 422
    assert "The form has no version number" in r.content.decode()
    assert not AuditEvent.objects.filter(action="discharge").exists()


def test_discharge_is_a_post_with_csrf(world: dict[str, Any]) -> None:
    a = world["a"]
    episode = a["episode"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(a["practitioner"])
    url = reverse("clinic:discharge_close", args=[episode.pk])
    assert client.get(url).status_code == 405
    data = {"version": str(episode.version), "discharged_on": timezone.localdate().isoformat()}
    assert client.post(url, data).status_code == 403
    page = client.get(reverse("clinic:discharge", args=[episode.pk])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    episode.refresh_from_db()
    assert episode.status == "closed"


def test_a_closed_course_says_so_before_charting(world: dict[str, Any], login: Any) -> None:
    """The timeline offers no charting on a closed course, and opening the charting form says it is closed and
    how to reopen it, before anything is typed (409, nothing written)."""
    a = world["a"]
    episode = a["episode"]
    client = login(a["practitioner"])
    _discharge(client, episode)
    timeline = client.get(reverse("clinic:episode", args=[episode.pk])).content.decode()
    assert "Chart a session</a>" not in timeline
    assert "Closed — discharged" in timeline
    r = client.get(reverse("clinic:visit_new", args=[episode.pk]))
    assert r.status_code == 409
    body = r.content.decode()
    assert "This course of care was discharged on" in body
    assert reverse("clinic:discharge", args=[episode.pk]) in body
    assert 'name="red_flags_rechecked"' not in body
    assert _chart(client, episode).status_code == 409
    assert Visit.objects.filter(episode=episode).count() == 1
