"""Charting cannot bypass what the engine decided (real engine, intakes from examples/): point names made
canonical, unknown codes refused, excluded or now-forbidden points and disallowed e-stim stored only with a recorded,
shown and audited reason, the red-flag re-check's stop, session dates within the course."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from sciatica_care.clinic import clinical, records
from sciatica_care.clinic.models import AuditEvent, Visit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"




def _course(world: dict[str, Any], example: str) -> Any:
    a = world["a"]
    episode = records.open_episode(a["practitioner"], a["patient"])
    records.record_intake(a["practitioner"], episode, yaml.safe_load((EXAMPLES / f"{example}.yaml").read_text()))
    return episode


@pytest.fixture
def pregnant(world: dict[str, Any]) -> Any:
    return _course(world, "pregnancy-third-trimester")


@pytest.fixture
def routine(world: dict[str, Any]) -> Any:
    return _course(world, "s1-disc-acute")


def _post(**extra: Any) -> dict[str, Any]:
    return {"red_flags_rechecked": "1", "date": timezone.localdate().isoformat(), "leg_nrs": "5", **extra}


def _chart(client: Any, episode: Any, *, follow: bool = False, **extra: Any) -> Any:
    return client.post(reverse("clinic:visit_new", args=[episode.pk]), _post(**extra), follow=follow)


@pytest.mark.parametrize("typed", ["LI4 right", "LI-4 right", "li4 right", "LI 4 right", "li-4 Right"])
def test_every_spelling_of_an_excluded_point_is_refused(typed: str, pregnant: Any, world: dict[str, Any],
                                                        login: Any) -> None:
    r = _chart(login(world["a"]["practitioner"]), pregnant, extra_points=typed)
    assert r.status_code == 422
    body = r.content.decode()
    assert "LI4 right was excluded by the plan (pregnancy-forbidden-points)" in body
    assert 'name="ex_reason_LI4"' in body
    assert not Visit.objects.filter(episode=pregnant).exists()


def test_a_tampered_row_with_an_alias_is_refused_too(pregnant: Any, world: dict[str, Any], login: Any) -> None:
    r = _chart(login(world["a"]["practitioner"]), pregnant, pt_code_0="LI-4", pt_side_0="left", pt_done_0="1")
    assert r.status_code == 422
    assert not Visit.objects.filter(episode=pregnant).exists()


def test_a_point_forbidden_now_is_refused_though_never_drafted(pregnant: Any, world: dict[str, Any],
                                                                login: Any) -> None:
    """SP6 was never in her plan: the safety rules, asked about the point itself, forbid it in pregnancy."""
    r = _chart(login(world["a"]["practitioner"]), pregnant, extra_points="SP6 left")
    assert r.status_code == 422
    body = r.content.decode()
    assert "SP6 left is forbidden for this patient now (pregnancy-forbidden-points)" in body
    assert 'name="ex_reason_SP6"' in body  # the reason row appears for it
    assert not Visit.objects.filter(episode=pregnant).exists()


@pytest.mark.parametrize("post", [{"extra_points": "<SCRIPT> left"}, {"extra_points": "<SCRIPT>"},
                                  {"pt_code_0": "<SCRIPT>", "pt_side_0": "left", "pt_done_0": "1"},
                                  {"pt_code_0": "GB30", "pt_side_0": "upside", "pt_done_0": "1"},
                                  {"extra_points": "GB30 sideways"}])
def test_unknown_codes_and_sides_are_refused(post: dict[str, str], routine: Any, world: dict[str, Any],
                                             login: Any) -> None:
    r = _chart(login(world["a"]["practitioner"]), routine, **post)
    assert r.status_code == 422
    assert "<SCRIPT>" not in r.content.decode()  # escaped when shown back
    assert not Visit.objects.filter(episode=routine).exists()


def test_an_override_with_a_reason_is_stored_shown_and_audited(pregnant: Any, world: dict[str, Any],
                                                               login: Any) -> None:
    client = login(world["a"]["practitioner"])
    r = _chart(client, pregnant, extra_points="SP6 left, li-4 right", ex_reason_SP6="Obstetrician agreed in writing",
               ex_reason_LI4="Labour induction under obstetric care")
    assert r.status_code == 302, r.content.decode()[-3000:]
    visit = Visit.objects.get(episode=pregnant)
    assert {"code": "SP6", "side": "left"} in visit.points
    assert {"code": "LI4", "side": "right"} in visit.points
    by_code = {o["code"]: o for o in visit.overrides}
    assert by_code["SP6"]["rule"] == "pregnancy-forbidden-points"
    assert by_code["SP6"]["refused_by"] == "forbidden"
    assert by_code["SP6"]["reason"] == "Obstetrician agreed in writing"
    assert by_code["LI4"]["refused_by"] == "excluded"
    events = AuditEvent.objects.filter(action="override_excluded_point", object_id=visit.pk)
    assert {(e.detail["code"], e.detail["rule"], e.detail["reason"]) for e in events} == {
        ("SP6", "pregnancy-forbidden-points", "Obstetrician agreed in writing"),
        ("LI4", "pregnancy-forbidden-points", "Labour induction under obstetric care")}
    page = client.get(reverse("clinic:visit_detail", args=[visit.pk])).content.decode()
    assert "Reason given: Obstetrician agreed in writing" in page
    assert "forbidden for this patient" in page


def test_electroacupuncture_disallowed_needs_a_reason(pregnant: Any, world: dict[str, Any], login: Any) -> None:
    client = login(world["a"]["practitioner"])
    r = _chart(client, pregnant, pt_code_0="GB30", pt_side_0="right", pt_done_0="1", ea_pairs="GB30–BL40",
               ea_minutes="20")
    assert r.status_code == 422
    assert "Electroacupuncture is not allowed by the plan" in r.content.decode()
    assert not Visit.objects.filter(episode=pregnant).exists()
    r = _chart(client, pregnant, pt_code_0="GB30", pt_side_0="right", pt_done_0="1", ea_pairs="GB30–BL40",
               ea_minutes="20", ea_reason="Specialist advice on file")
    assert r.status_code == 302, r.content.decode()[-3000:]
    visit = Visit.objects.get(episode=pregnant)
    assert visit.ea_pairs == [["GB30", "BL40"]]
    assert visit.ea_override["reason"] == "Specialist advice on file"
    assert AuditEvent.objects.filter(action="override_disallowed_modality", object_id=visit.pk).exists()
    page = client.get(reverse("clinic:visit_detail", args=[visit.pk])).content.decode()
    assert "Reason given: Specialist advice on file" in page


def test_an_allowed_point_outside_the_plan_is_kept_with_a_note(routine: Any, world: dict[str, Any],
                                                               login: Any) -> None:
    client = login(world["a"]["practitioner"])
    r = _chart(client, routine, extra_points="KI3 left", follow=True)
    visit = Visit.objects.get(episode=routine)
    assert visit.unplanned_points == [{"code": "KI3", "side": "left"}]
    assert "Not in the plan: KI3 left" in r.content.decode()
    page = client.get(reverse("clinic:visit_detail", args=[visit.pk])).content.decode()
    assert "Not in the plan" in page


def test_red_flag_on_recheck_stops_needling_with_the_engines_referral(routine: Any, world: dict[str, Any],
                                                                      login: Any) -> None:
    r = _chart(login(world["a"]["practitioner"]), routine, recheck_flags="fever", extra_points="GB30 left",
               ea_pairs="GB30–BL40", cupping_done="1", follow=True)
    visit = Visit.objects.get(episode=routine)
    assert visit.needling_stopped
    assert visit.points == []
    assert visit.ea_pairs == []
    assert visit.red_flag_advice.startswith(clinical.recheck(["fever"]).timing)
    assert "must see a doctor the same day" in r.content.decode()


def test_an_unknown_recheck_flag_is_refused(routine: Any, world: dict[str, Any], login: Any) -> None:
    r = _chart(login(world["a"]["practitioner"]), routine, recheck_flags="made_up")
    assert r.status_code == 422


@pytest.mark.parametrize("day", ["1999-01-01", "2099-01-01", "tomorrow", "yesterday"])
def test_session_dates_stay_within_the_course(day: str, routine: Any, world: dict[str, Any], login: Any) -> None:
    today = timezone.localdate()
    routine.opened_on = today
    routine.save()
    date = {"tomorrow": today + dt.timedelta(days=1), "yesterday": today - dt.timedelta(days=1)}.get(day)
    r = _chart(login(world["a"]["practitioner"]), routine, date=date.isoformat() if date else day)
    assert r.status_code == 422
    assert not Visit.objects.filter(episode=routine).exists()


def test_impossible_date_is_refused_not_a_crash(routine: Any, world: dict[str, Any], login: Any) -> None:
    r = _chart(login(world["a"]["practitioner"]), routine, date="2024-02-30")
    assert r.status_code == 422


def test_already_charted_today_is_shown(routine: Any, world: dict[str, Any], login: Any) -> None:
    client = login(world["a"]["practitioner"])
    url = reverse("clinic:visit_new", args=[routine.pk])
    assert "Already charted today" not in client.get(url).content.decode()
    assert _chart(client, routine).status_code == 302
    assert "Already charted today" in client.get(url).content.decode()
