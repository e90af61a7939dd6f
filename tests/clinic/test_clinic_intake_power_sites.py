"""Intake 1.1 in the clinic: MRC power grades and the sites of site-bound medical items, through the intake form,
its preview, the plan page and the JSON API, answered by the engine through the clinical seam."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from clinic_fixtures import base_intake
from django.urls import reverse

from sciatica_care.api.rest import issue_token
from sciatica_care.clinic import clinical, intake_checks, intake_form, records, vocab
from sciatica_care.clinic.models import Intake, PlanRevision

pytestmark = pytest.mark.django_db

INTAKE_POST: dict[str, Any] = {
    "red_flags_screened": "1", "patient.age": "58", "patient.sex": "male", "patient.pregnant": "no",
    "episode.side": "left", "episode.duration_weeks": "4", "pain.leg_nrs": "6",
    "pain.areas": ["buttock", "posterior_thigh", "lateral_calf"], "medical__asked": "1",
}


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every intake the clinic hands to the engine (answered by the engine)."""
    engine = clinical.plan_document
    calls: list[dict[str, Any]] = []

    def recording(intake: dict[str, Any]) -> dict[str, Any]:
        calls.append(json.loads(json.dumps(intake)))
        return engine(intake)

    monkeypatch.setattr(clinical, "plan_document", recording)
    return calls


def _post(**extra: Any) -> dict[str, Any]:
    return {**INTAKE_POST, **extra}


def test_form_round_trip_saves_power_and_sites_and_passes_them_to_the_engine(
        world: dict[str, Any], login: Any, engine_calls: list[dict[str, Any]]) -> None:
    client = login(world["a"]["practitioner"])
    episode = world["a"]["episode"]
    r = client.post(reverse("clinic:intake", args=[episode.pk]), _post(**{
        "examination.power.ankle_dorsiflexion": "3", "examination.power.great_toe_extension": "4",
        "examination.power.plantarflexion": "5", "examination.power.hip_flexion": "",
        "medical": ["pacemaker", "skin_lesion_at_site"],
        "medical_sites.pacemaker.areas": ["buttock", "lower_back"], "medical_sites.pacemaker.side": "left",
    }))
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = PlanRevision.objects.filter(episode=episode).latest("number")
    data = plan.intake.data
    assert data["examination"]["power"] == {"ankle_dorsiflexion": 3, "great_toe_extension": 4, "plantarflexion": 5}
    # a grade below 5 is a weakness: the list is completed from the grades (5 = normal is not added)
    assert data["examination"]["weakness"] == ["ankle_dorsiflexion", "great_toe_extension"]
    assert data["medical_sites"] == {"pacemaker": {"areas": ["lower_back", "buttock"], "side": "left"}}
    assert "skin_lesion_at_site" not in data["medical_sites"]  # left empty: sent as absent
    assert engine_calls[-1]["examination"]["power"] == data["examination"]["power"]
    assert engine_calls[-1]["medical_sites"] == data["medical_sites"]

    page = client.get(reverse("clinic:plan", args=[plan.pk])).content.decode()
    assert "Ankle dorsiflexion 3/5 — acute foot drop" in page
    assert "Great toe extension 4/5" in page
    assert "Lower back, Buttock (left)" in page
    assert "Skin lesion at a site</strong>: site not recorded — every site treated as possible" in page

    form = client.get(reverse("clinic:intake", args=[episode.pk])).content.decode()  # re-opened with its answers
    assert 'name="examination.power.ankle_dorsiflexion" value="3" checked' in form
    assert 'name="medical_sites.pacemaker.areas" value="buttock" checked' in form
    assert 'name="medical_sites.pacemaker.side" value="left" checked' in form


def test_a_site_for_an_unticked_item_is_refused_naming_the_field(
        world: dict[str, Any], login: Any, engine_calls: list[dict[str, Any]]) -> None:
    client = login(world["a"]["practitioner"])
    episode = world["a"]["episode"]
    before = Intake.objects.count()
    r = client.post(reverse("clinic:intake", args=[episode.pk]), _post(**{
        "medical": ["anticoagulants"], "medical_sites.dvt_suspected.areas": ["posterior_calf"],
        "medical_sites.dvt_suspected.side": "right"}))
    assert r.status_code == 422
    page = r.content.decode()
    assert "a site is given for “Suspected DVT”, which is not ticked in the medical history" in page
    assert re.search(r'class="site has-values has-error"\s+data-item="dvt_suspected"', page)  # shown, with its message
    assert Intake.objects.count() == before
    assert not engine_calls


def test_a_bad_grade_is_refused_at_its_muscle(world: dict[str, Any], login: Any) -> None:
    client = login(world["a"]["practitioner"])
    r = client.post(reverse("clinic:intake", args=[world["a"]["episode"].pk]),
                    _post(**{"examination.power.knee_extension": "7"}))
    assert r.status_code == 422
    assert "choose an MRC grade from 0 to 5" in r.content.decode()
    _, problems = intake_form.read(_qd(_post(**{"examination.power.knee_extension": "7"})))
    assert [p.path for p in problems] == ["examination.power.knee_extension"]
    assert not intake_form.unplaced(problems)  # shown at its line of the grid, not at the top


def test_grade_five_and_listed_weak_is_a_contradiction(world: dict[str, Any], login: Any) -> None:
    client = login(world["a"]["practitioner"])
    r = client.post(reverse("clinic:intake", args=[world["a"]["episode"].pk]),
                    _post(**{"examination.weakness": ["plantarflexion"], "examination.power.plantarflexion": "5"}))
    assert r.status_code == 422
    assert "Plantarflexion is graded 5/5 (normal) but also listed as weak" in r.content.decode()


def test_the_form_shows_the_grid_with_labels_and_the_foot_drop_rule(world: dict[str, Any], login: Any) -> None:
    client = login(world["a"]["practitioner"])
    page = client.get(reverse("clinic:intake", args=[world["a"]["episode"].pk])).content.decode()
    for muscle in vocab.WEAKNESS:  # every muscle, not tested by default
        assert f'name="examination.power.{muscle}" value="" checked' in page
        assert f">{vocab.label(muscle)}</span>" in page
    assert "≤ 3/5 = acute foot drop" in page
    for item in vocab.SITE_BOUND:
        assert f'data-item="{item}"' in page
    assert "it is sent as not recorded, and the plan then treats every site as possible" in page
    assert ">lower_back<" not in page
    assert "> lower_back<" not in page


def test_every_area_is_offered_once_for_a_site() -> None:
    offered = [a for _, region in vocab.AREA_REGIONS for a in region]
    assert sorted(offered) == sorted(vocab.AREAS)
    assert len(offered) == len(set(offered))
    assert set(vocab.SITE_QUESTIONS) == set(vocab.SITE_BOUND) <= set(vocab.MEDICAL)


def test_the_preview_shows_grades_and_sites(world: dict[str, Any], login: Any) -> None:
    client = login(world["a"]["practitioner"])
    r = client.post(reverse("clinic:intake_preview", args=[world["a"]["episode"].pk]), _post(**{
        "examination.power.ankle_dorsiflexion": "2", "medical": ["recent_spinal_surgery"]}))
    page = r.content.decode()
    assert "Ankle dorsiflexion 2/5 — acute foot drop" in page
    assert "Recent spinal surgery</strong>: site not recorded" in page


def test_an_old_intake_without_the_new_fields_still_opens(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    client = login(a["practitioner"])
    assert "power" not in (a["plan"].intake.data.get("examination") or {})
    assert client.get(reverse("clinic:intake", args=[a["episode"].pk])).status_code == 200
    page = client.get(reverse("clinic:plan", args=[a["plan"].pk]))
    assert page.status_code == 200
    assert "Recorded at intake" not in page.content.decode()
    assert intake_checks.recorded(None) == {"grades": [], "sites": [], "any": False}


# --- the JSON API: the same checks, JSON errors with the field's path -------------------------------------------


def _api(client: Any, world: dict[str, Any], body: Any) -> Any:
    token = issue_token(world["a"]["practitioner"])
    return client.post(f"/api/episodes/{world['a']['episode'].pk}/intakes", data=json.dumps(body),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_api_accepts_power_and_sites(client: Any, world: dict[str, Any], engine_calls: list[Any]) -> None:
    body = base_intake(examination={"power": {"ankle_dorsiflexion": 4}}, medical=["pacemaker"],
                       medical_sites={"pacemaker": {"areas": ["buttock"], "side": "right"}})
    r = _api(client, world, body)
    assert r.status_code == 201, r.content
    stored = PlanRevision.objects.get(pk=r.json()["id"]).intake.data
    assert stored["examination"] == {"power": {"ankle_dorsiflexion": 4}, "weakness": ["ankle_dorsiflexion"]}
    assert stored["medical_sites"] == {"pacemaker": {"areas": ["buttock"], "side": "right"}}
    assert engine_calls[-1]["medical_sites"] == stored["medical_sites"]


@pytest.mark.parametrize(("change", "path"), [
    ({"examination": {"power": {"ankle_dorsiflexion": 6}}}, "examination.power.ankle_dorsiflexion"),
    ({"examination": {"power": {"ankle_dorsiflexion": 2.5}}}, "examination.power.ankle_dorsiflexion"),
    ({"examination": {"power": {"ankle_dorsiflexion": True}}}, "examination.power.ankle_dorsiflexion"),
    ({"examination": {"power": {"wrist": 3}}}, "examination.power.wrist"),
    ({"examination": {"power": [3]}}, "examination.power"),
    ({"examination": {"power": {"plantarflexion": 5}, "weakness": ["plantarflexion"]}},
     "examination.power.plantarflexion"),
    ({"medical_sites": {"pacemaker": {"areas": ["buttock"]}}}, "medical_sites.pacemaker"),
    ({"medical": ["pacemaker"], "medical_sites": {"pacemaker": {"areas": ["chest"]}}},
     "medical_sites.pacemaker.areas"),
    ({"medical": ["pacemaker"], "medical_sites": {"pacemaker": {"side": "up"}}}, "medical_sites.pacemaker.side"),
    ({"medical": ["pacemaker"], "medical_sites": {"pacemaker": {"where": "back"}}},
     "medical_sites.pacemaker.where"),
    ({"medical": ["pacemaker"], "medical_sites": {"pacemaker": "buttock"}}, "medical_sites.pacemaker"),
    ({"medical": ["pacemaker"], "medical_sites": ["pacemaker"]}, "medical_sites"),
    ({"medical": ["pacemaker"], "medical_sites": {"pacemaker": {"areas": "buttock"}}},
     "medical_sites.pacemaker.areas"),
    ({"medical": "pacemaker", "medical_sites": {"pacemaker": {}}}, "medical_sites.pacemaker"),
])
def test_api_refuses_bad_values_with_the_path(client: Any, world: dict[str, Any], change: dict[str, Any],
                                              path: str) -> None:
    before = Intake.objects.count()
    r = _api(client, world, base_intake(**change))
    assert r.status_code == 422, r.content
    assert path in [e["path"] for e in r.json()["errors"]]
    assert Intake.objects.count() == before


# --- the real engine, through the clinical seam ----------------------------------------------------------------


def test_the_real_engine_gets_power_and_sites_through_the_seam(
        world: dict[str, Any], engine_calls: list[dict[str, Any]]) -> None:
    from sciatica_care.version import __version__

    seen = engine_calls
    a = world["a"]
    intake = base_intake(examination={"power": {"great_toe_extension": 4}}, medical=["pacemaker"],
                         medical_sites={"pacemaker": {"areas": ["lower_back", "buttock"], "side": "left"}})
    revision = records.record_intake(a["practitioner"], a["episode"], intake)
    assert seen[-1]["medical_sites"] == {"pacemaker": {"areas": ["lower_back", "buttock"], "side": "left"}}
    assert seen[-1]["examination"]["power"] == {"great_toe_extension": 4}
    assert revision.engine_version == __version__  # the engine answered
    assert revision.intake.data["medical_sites"] == intake["medical_sites"]


def _qd(data: dict[str, Any]) -> Any:
    from django.http import QueryDict

    qd = QueryDict(mutable=True)
    for k, v in data.items():
        if isinstance(v, list):
            qd.setlist(k, v)
        else:
            qd[k] = v
    return qd


@pytest.mark.parametrize(("change", "path"), [
    ({"examination": {"power": {"ankle_dorsiflexion": 6}}}, "examination.power.ankle_dorsiflexion"),
    ({"medical_sites": {"pacemaker": {"areas": ["buttock"]}}}, "medical_sites.pacemaker"),
    ({"medical": ["pacemaker"], "medical_sites": {"pacemaker": {"areas": ["chest"]}}},
     "medical_sites.pacemaker.areas[0]"),
])
def test_the_real_engine_behind_the_seam_refuses_the_same_values(change: dict[str, Any], path: str) -> None:
    """The clinic's intake form answers first (the API's check); the engine it hands the intake to refuses the same
    values too."""
    from sciatica_care.errors import InputRefused

    with pytest.raises(InputRefused) as refused:
        clinical.plan_document(base_intake(**change))
    assert path in [p.path for p in refused.value.problems]
    with pytest.raises(InputRefused) as ours:
        intake_form.check_document(base_intake(**change))
    assert path.split("[")[0] in [p.path for p in ours.value.problems]
