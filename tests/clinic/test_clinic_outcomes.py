"""Outcomes in the clinic: the questionnaires due at each visit, captured and scored; one-time patient links and
the tablet mode; the episode's progress (status, advice, chart); the payer-rule warning."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sciatica_care.clinic import records
from sciatica_care.clinic.models import AuditEvent, OutcomeScore, QuestionnaireLink, Visit

pytestmark = pytest.mark.django_db


def _new_episode(world: dict[str, Any]) -> Any:
    from clinic_fixtures import base_intake

    a = world["a"]
    episode = records.open_episode(a["practitioner"], a["patient"])
    records.record_intake(a["practitioner"], episode, base_intake())
    return episode


def _chart(prac: Any, episode: Any, day: dt.date, leg: int, back: int, odi: int | None = None) -> Visit:
    plan = episode.plans.order_by("-number").first()
    return records.chart_visit(prac, episode, plan, {"red_flags_rechecked": True, "date": day, "leg_nrs": leg,
                                                    "back_nrs": back},
                               questionnaires={"odi": [odi] * 10} if odi is not None else None)


def _fields(body: str) -> set[str]:
    return set(re.findall(r'<select name="([a-z]+_\d+)"', body))


def test_first_visit_asks_baseline_questionnaires(world: dict[str, Any], login: Any) -> None:
    """Visit 1: NRS, the ODI, the SBI and STarT Back, in our own words or topics."""
    episode = _new_episode(world)
    body = login(world["a"]["practitioner"]).get(reverse("clinic:visit_new", args=[episode.pk])).content.decode()
    fields = _fields(body)
    assert {f"odi_{k}" for k in range(10)} <= fields
    assert {f"sbi_{k}" for k in range(4)} <= fields
    assert {f"startback_{k}" for k in range(9)} <= fields
    assert "rmdq_0" not in fields
    assert "Questionnaires at session 1" in body
    assert "Weakness in the leg or foot" in body  # SBI in our own words
    assert "sleeping" in body  # ODI section topic, not the licensed wording
    assert 'name="leg_nrs"' in body
    assert 'name="back_nrs"' in body


@pytest.mark.parametrize(("every", "disability", "charted", "discharge", "expected"), [
    (4, "odi", 1, False, set()),             # visit 2: pain only
    (4, "odi", 3, False, {"odi", "sbi"}),    # visit 4
    (4, "rmdq", 3, False, {"rmdq", "sbi"}),  # the clinic prefers the RMDQ
    (3, "odi", 2, False, {"odi", "sbi"}),    # every 3rd visit
    (4, "odi", 1, True, {"odi", "sbi"}),     # discharge
])
def test_questionnaires_follow_the_schedule_and_clinic_settings(world: dict[str, Any], login: Any, every: int,
                                                               disability: str, charted: int, discharge: bool,
                                                               expected: set[str]) -> None:
    a = world["a"]
    clinic = a["clinic"]
    clinic.questionnaire_every_n_visits = every
    clinic.disability_instrument = disability
    clinic.save()
    episode = _new_episode(world)
    for i in range(charted):
        _chart(a["practitioner"], episode, dt.date(2026, 3, 1) + dt.timedelta(days=7 * i), 6, 4)
    url = reverse("clinic:visit_new", args=[episode.pk]) + ("?discharge=1" if discharge else "")
    body = login(a["practitioner"]).get(url).content.decode()
    asked = {name.rsplit("_", 1)[0] for name in _fields(body)} - {"pt_side", "ex_side"}
    assert asked == expected


def test_charting_stores_every_questionnaire_scored(world: dict[str, Any], login: Any) -> None:
    """The submitted questionnaires are scored by the scorer and stored as scores linked to the visit."""
    a = world["a"]
    episode = _new_episode(world)
    client = login(a["practitioner"])
    post = {"red_flags_rechecked": "1", "leg_nrs": "7", "back_nrs": "4",
            **{f"odi_{k}": "2" for k in range(10)}, **{f"sbi_{k}": "3" for k in range(4)},
            **{f"startback_{k}": "1" for k in range(8)}, "startback_8": "4"}
    r = client.post(reverse("clinic:visit_new", args=[episode.pk]), post)
    assert r.status_code == 302, r.content.decode()[-2000:]
    visit = Visit.objects.get(episode=episode)
    scores = {s.measure: s for s in visit.scores.all()}
    assert set(scores) == {"nrs_leg", "nrs_back", "odi", "sbi", "startback"}
    assert scores["odi"].result["score"] == 40.0
    assert scores["sbi"].result["score"] == 12
    assert scores["startback"].result == {"instrument": "startback", "score": 9, "band": "high", "answered": 9,
                                          "subscale": 5}
    assert scores["nrs_leg"].result["score"] == 7
    assert scores["nrs_back"].answers == [4]
    assert AuditEvent.objects.filter(action="create", object_type="OutcomeScore").count() >= 5
    page = client.get(reverse("clinic:episode", args=[episode.pk])).content.decode()
    assert "Matched care" in page
    assert "psychologically informed support" in page
    plan_page = client.get(reverse("clinic:plan", args=[episode.plans.get().pk])).content.decode()
    assert "psychologically informed support" in plan_page


def test_a_refused_questionnaire_stores_nothing_and_keeps_the_answers(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    episode = _new_episode(world)
    post = {"red_flags_rechecked": "1", "leg_nrs": "7", "back_nrs": "4",
            **{f"sbi_{k}": "3" for k in range(3)}}  # the SBI allows no blank item
    r = login(a["practitioner"]).post(reverse("clinic:visit_new", args=[episode.pk]), post)
    assert r.status_code == 422
    assert "Sciatica Bothersomeness Index" in r.content.decode()
    assert not Visit.objects.filter(episode=episode).exists()
    assert not OutcomeScore.objects.filter(episode=episode).exists()
    assert '<option value="3" selected>' in r.content.decode()


def test_old_scores_get_their_measure(world: dict[str, Any]) -> None:
    """The migration's backfill: a score stored before `measure` existed takes its instrument's name."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("sciatica_care.clinic.migrations.0003_outcomes_capture")
    OutcomeScore.objects.filter(instrument="nrs").update(measure="")
    migration.measure_from_instrument(apps, None)
    assert not OutcomeScore.objects.filter(measure="").exists()


# One-time links and the tablet


def _link(client: Any, episode: Any, measure: str = "odi", mode: str = "link") -> Any:
    return client.post(reverse("clinic:questionnaire_link_new", args=[episode.pk]), {"measure": measure,
                                                                                      "mode": mode})


def _token(body: str) -> str:
    match = re.search(r"/q/([A-Za-z0-9_\-]+)/", body)
    assert match, body
    return match.group(1)


def test_patient_completes_a_questionnaire_once_by_link(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    r = _link(login(a["practitioner"]), a["episode"])
    assert r.status_code == 200
    token = _token(r.content.decode())
    link = QuestionnaireLink.objects.get()
    assert link.digest != token
    assert len(link.digest) == 64
    assert link.expires_at - link.created_at == dt.timedelta(hours=72)
    patient = Client(enforce_csrf_checks=True)
    url = reverse("clinic:questionnaire", args=[token])
    page = patient.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Oswestry" in body
    assert "Patients" not in body  # no clinic navigation
    assert AuditEvent.objects.filter(action="patient_opened", object_id=link.pk, actor=None).exists()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    answers = {f"odi_{k}": "1" for k in range(10)}
    assert patient.post(url, answers).status_code == 403  # CSRF enforced
    done = patient.post(url, {**answers, "csrfmiddlewaretoken": csrf})
    assert done.status_code == 200
    assert "Thank you" in done.content.decode()
    score = OutcomeScore.objects.get(episode=a["episode"], instrument="odi")
    assert score.source == "link"
    assert score.visit is None
    assert score.result["score"] == 20.0
    assert AuditEvent.objects.filter(action="patient_completed", object_id=score.pk,
                                     patient_id=a["patient"].pk).exists()
    again = patient.post(url, {**answers, "csrfmiddlewaretoken": csrf})
    assert again.status_code == 410
    assert "already been filled in" in again.content.decode()
    assert patient.get(url).status_code == 410
    assert OutcomeScore.objects.filter(episode=a["episode"], instrument="odi").count() == 1
    progress = login(a["practitioner"]).get(reverse("clinic:episode", args=[a["episode"].pk])).content.decode()
    assert "patient, by link" in progress


def test_expired_or_unknown_link_writes_nothing(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    token = _token(_link(login(a["practitioner"]), a["episode"], "sbi").content.decode())
    QuestionnaireLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    patient = Client()
    url = reverse("clinic:questionnaire", args=[token])
    r = patient.post(url, {f"sbi_{k}": "2" for k in range(4)})
    assert r.status_code == 410
    assert "expired" in r.content.decode()
    assert patient.get(reverse("clinic:questionnaire", args=["not-a-token"])).status_code == 410
    assert not OutcomeScore.objects.filter(instrument="sbi").exists()
    assert QuestionnaireLink.objects.get().used_at is None


def test_incomplete_answers_by_link_keep_the_link(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    token = _token(_link(login(a["practitioner"]), a["episode"], "sbi").content.decode())
    url = reverse("clinic:questionnaire", args=[token])
    r = Client().post(url, {"sbi_0": "2"})
    assert r.status_code == 422
    assert QuestionnaireLink.objects.get().used_at is None
    assert Client().post(url, {f"sbi_{k}": "2" for k in range(4)}).status_code == 200


def test_tablet_mode_opens_the_form_on_this_device(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    client = login(a["practitioner"])
    r = _link(client, a["episode"], "startback", mode="tablet")
    assert r.status_code == 302
    assert "/q/" in r["Location"]
    page = client.get(r["Location"]).content.decode()
    assert "STarT Back" in page
    assert "Log out" not in page
    r = client.post(r["Location"], {**{f"startback_{k}": "0" for k in range(8)}, "startback_8": "0"})
    assert "hand the tablet back" in r.content.decode()
    assert OutcomeScore.objects.get(instrument="startback").source == "tablet"


def test_links_are_scoped_and_clinical(world: dict[str, Any], login: Any) -> None:
    assert _link(login(world["b"]["practitioner"]), world["a"]["episode"]).status_code == 404
    assert _link(login(world["a"]["reception"]), world["a"]["episode"]).status_code == 403
    assert _link(login(world["a"]["practitioner"]), world["a"]["episode"], "nrs").status_code == 422
    assert not QuestionnaireLink.objects.exists()


# Progress


def test_progress_status_advice_and_chart(world: dict[str, Any], login: Any) -> None:
    """Four sessions without important improvement: status stable, a review prompt; the chart has every point."""
    a = world["a"]
    episode = _new_episode(world)
    start = dt.date(2026, 1, 5)
    for i, (leg, odi) in enumerate([(7, 2), (7, 2), (6, 2), (7, 2)]):
        _chart(a["practitioner"], episode, start + dt.timedelta(days=7 * i), leg, 4, odi)
    episode.intakes.update(recorded_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    client = login(a["practitioner"])
    page = client.get(reverse("clinic:episode", args=[episode.pk])).content.decode()
    assert 'data-advice="review_diagnosis_and_plan"' in page
    assert 'data-advice="red_flag_recheck_overdue"' in page  # last re-check before today
    assert "status-stable" in page
    svg = client.get(reverse("clinic:progress_chart", args=[episode.pk]))
    assert svg["Content-Type"] == "image/svg+xml"
    text = svg.content.decode()
    for gid in ("nrs_leg-points", "nrs_back-points", "odi-points", "odi-band"):
        assert f'id="{gid}"' in text
    assert login(world["b"]["practitioner"]).get(reverse("clinic:progress_chart", args=[episode.pk])).status_code \
        == 404


def test_progress_chart_is_drawn_once_per_content_and_follows_a_new_score(
        world: dict[str, Any], login: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The drawn chart is cached by what it shows: a second view does not draw again, every view is audited,
    a new score draws a new chart with the new point, and the chart names no one."""
    from sciatica_care.reports import progress_chart as progress_report

    draws: list[int] = []
    real = progress_report.progress_svg

    def counting(series: Any, title: str = "") -> str:
        draws.append(len(series))
        return real(series, title)

    monkeypatch.setattr(progress_report, "progress_svg", counting)
    a = world["a"]
    episode = _new_episode(world)
    start = dt.date(2025, 3, 3)
    for i, leg in enumerate([8, 6]):
        _chart(a["practitioner"], episode, start + dt.timedelta(days=7 * i), leg, 5, 3)
    client = login(a["practitioner"])
    url = reverse("clinic:progress_chart", args=[episode.pk])
    reads = AuditEvent.objects.filter(action="read", object_id=episode.pk, detail__purpose="progress_chart")
    first, second = client.get(url).content.decode(), client.get(url).content.decode()
    assert first == second
    assert len(draws) == 1
    assert reads.count() == 2
    assert episode.patient.last_name not in first
    _chart(a["practitioner"], episode, start + dt.timedelta(days=14), 3, 5, 3)
    third = client.get(url).content.decode()
    assert len(draws) == 2
    assert third != first
    assert reads.count() == 3


def test_progress_responder_and_taper(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    episode = _new_episode(world)
    start = timezone.localdate() - dt.timedelta(weeks=8)
    for i, leg in enumerate([8, 7, 4, 3, 3]):
        _chart(a["practitioner"], episode, start + dt.timedelta(weeks=2 * i) if i < 4 else timezone.localdate(),
               leg, 3)
    page = login(a["practitioner"]).get(reverse("clinic:episode", args=[episode.pk])).content.decode()
    assert "status-responder" in page
    assert 'data-advice="taper_frequency"' in page
    assert 'data-advice="red_flag_recheck_overdue"' not in page  # re-checked today


def test_payer_warning_only_when_the_clinic_turns_it_on(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    episode = _new_episode(world)  # 3 weeks of pain: under Medicare's 12 weeks
    url = reverse("clinic:visit_new", args=[episode.pk])
    client = login(a["practitioner"])
    assert "Payer rule" not in client.get(url).content.decode()
    a["clinic"].payer_rule_warning = True
    a["clinic"].save()
    body = client.get(url).content.decode()
    assert "Payer rule" in body
    assert "less than 12 weeks" in body


def test_a_clinics_licensed_wording_is_asked(world: dict[str, Any], login: Any, settings: Any, tmp_path: Any) -> None:
    """A wording loaded into the data folder's wording/ (as `instruments load` does) replaces the topics."""
    import json

    from sciatica_care.outcomes.wording import wording_file_name

    settings.DATA_DIR = tmp_path
    (tmp_path / "wording").mkdir()
    items = [{"prompt": f"Licensed section {k + 1}", "options": [f"S{k + 1} answer {v}" for v in range(6)]}
             for k in range(10)]
    (tmp_path / "wording" / wording_file_name("odi")).write_text(json.dumps(
        {"schema_version": "1", "instrument": "odi", "licence": "test licence", "items": items}))
    a = world["a"]
    token = _token(_link(login(a["practitioner"]), a["episode"]).content.decode())
    body = Client().get(reverse("clinic:questionnaire", args=[token])).content.decode()
    assert "Licensed section 3" in body
    assert "S3 answer 5" in body
