"""Stored plans are read as the typed plan record: a stored plan missing a safety field, or with a corrupt body, is
never read as allowing treatment — the plan page, the timeline, the charting form, the chart itself, the downloads
and the API all treat it as not for treatment."""

from __future__ import annotations

from typing import Any

import pytest
from clinic_fixtures import base_intake, example
from django.urls import reverse
from intakes import EXAMPLES

from sciatica_care.clinic import clinical, records
from sciatica_care.clinic.models import PlanRevision, Visit

pytestmark = pytest.mark.django_db


def _without(plan: dict[str, Any], *path: str) -> dict[str, Any]:
    broken = {**plan}
    node = broken
    for key in path[:-1]:
        node[key] = {**node[key]}
        node = node[key]
    del node[path[-1]]
    return broken


BREAKAGES = {
    "no treatment_allowed": lambda p: _without(p, "treatment_allowed"),
    "no triage level": lambda p: _without(p, "triage", "level"),
    "no massage.allowed": lambda p: _without(p, "massage", "allowed"),
    "treatment_allowed a string": lambda p: {**p, "treatment_allowed": "true"},
    "corrupt body": lambda p: {"garbage": True},
}


@pytest.fixture(params=sorted(BREAKAGES))
def broken_plan(request: pytest.FixtureRequest, world: dict[str, Any]) -> PlanRevision:
    """A routine plan that allows treatment, then damaged in storage (raw update, a bad restore)."""
    a = world["a"]
    revision = records.record_intake(a["practitioner"], a["episode"], base_intake())
    assert revision.treatment_allowed
    PlanRevision.objects.filter(pk=revision.pk).update(plan=BREAKAGES[request.param](revision.plan))
    revision.refresh_from_db()
    return revision


def test_the_model_reads_a_broken_plan_as_not_for_treatment(broken_plan: PlanRevision) -> None:
    assert broken_plan.typed is None
    assert broken_plan.treatment_allowed is False
    assert "cannot be read" in broken_plan.problem
    assert broken_plan.advice == broken_plan.problem
    assert broken_plan.excluded_codes == set()


def test_the_plan_page_shows_a_broken_plan_as_not_for_treatment(broken_plan: PlanRevision, world: dict[str, Any],
                                                                 login: Any) -> None:
    client = login(world["a"]["practitioner"])
    body = client.get(reverse("clinic:plan", args=[broken_plan.pk])).content.decode()
    assert "Not for treatment — this plan cannot be read" in body
    assert reverse("clinic:visit_new", args=[broken_plan.episode_id]) not in body  # no "Chart a session"
    assert "data-plan-figure" not in body
    timeline = client.get(reverse("clinic:episode", args=[broken_plan.episode_id])).content.decode()
    assert "Not for treatment:" in timeline
    assert "unreadable — not for treatment" in timeline


def test_charting_against_a_broken_plan_stores_no_needling(broken_plan: PlanRevision, world: dict[str, Any],
                                                            login: Any) -> None:
    client = login(world["a"]["practitioner"])
    url = reverse("clinic:visit_new", args=[broken_plan.episode_id])
    form = client.get(url).content.decode()
    assert "The plan does not allow treatment" in form
    r = client.post(url, {"date": "", "red_flags_rechecked": "on", "pt_code_0": "GB30",
                          "pt_side_0": "left", "pt_done_0": "on", "ea_pairs": "GB30–BL40", "ea_minutes": "20",
                          "cupping_done": "on", "massage_done": "trigger_point_release", "leg_nrs": "5"})
    assert r.status_code in (200, 302), r.content.decode()
    visit = Visit.objects.filter(episode_id=broken_plan.episode_id, plan=broken_plan).first()
    assert visit is not None, r.content.decode()[:2000]
    # Stored with the needling part stopped and nothing hands-on recorded, as for a plan that stops treatment.
    assert visit.needling_stopped
    assert visit.points == []
    assert visit.ea_pairs == []
    assert not visit.cupping_done
    assert visit.massage_done == []


def test_downloads_of_a_broken_plan_say_not_for_treatment(broken_plan: PlanRevision, world: dict[str, Any],
                                                          login: Any) -> None:
    client = login(world["a"]["practitioner"])
    html = client.get(reverse("clinic:handout_html", args=[broken_plan.pk])).content.decode()
    assert "could not read your treatment plan" in html
    assert "Please see a doctor before any treatment" in html
    for name in ("clinic:handout_pdf", "clinic:practitioner_pdf"):
        r = client.get(reverse(name, args=[broken_plan.pk]))
        assert r.status_code == 200
        assert r.content.startswith(b"%PDF")


def test_the_api_reports_a_broken_plan_as_not_for_treatment(broken_plan: PlanRevision, world: dict[str, Any],
                                                            client: Any) -> None:
    from sciatica_care.clinic.api_tokens import issue

    _, token = issue(world["a"]["practitioner"], "test")
    r = client.get(f"/api/episodes/{broken_plan.episode_id}/plans", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200, r.content
    row = next(p for p in r.json() if p["id"] == broken_plan.pk)
    assert row["treatment_allowed"] is False
    assert "cannot be read" in row["plan_problem"]


def test_a_real_plan_is_read_typed_on_every_page(world: dict[str, Any], login: Any) -> None:
    """With dry needling chosen, so every part of the plan body is drawn): the plan page, the
    charting form and the downloads render from the typed plan."""
    a = world["a"]
    intake = base_intake(examination={"trigger_points": True},
                         preferences={"modalities": ["acupuncture", "dry_needling", "electroacupuncture", "massage",
                                                     "cupping", "acupressure"]})
    revision = records.record_intake(a["practitioner"], a["episode"], intake)
    assert revision.typed is not None
    assert revision.treatment_allowed
    client = login(a["practitioner"])
    body = client.get(reverse("clinic:plan", args=[revision.pk])).content.decode()
    assert revision.typed.acupuncture.points[0].code in body
    assert reverse("clinic:visit_new", args=[revision.episode_id]) in body
    form = client.get(reverse("clinic:visit_new", args=[revision.episode_id])).content.decode()
    assert f'value="{revision.typed.acupuncture.points[0].code}"' in form
    for name in ("clinic:handout_html", "clinic:handout_pdf", "clinic:practitioner_pdf"):
        assert client.get(reverse(name, args=[revision.pk])).status_code == 200


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_every_worked_case_gives_a_plan_the_record_reads(name: str) -> None:
    """Each intake in examples/ (what the clinic's tests build on) is planned through the seam and read typed."""
    planned = clinical.plan_for(example(name))
    assert planned.plan is not None, planned.unreadable
    assert planned.plan.treatment_allowed is (planned.plan.triage.level == "routine")


def test_the_test_intakes_are_what_they_say() -> None:
    """The factory's cases, planned by the real engine: the base case is treatable with every modality open; a
    red flag withholds treatment; pregnancy removes points; a side change moves the points."""
    base = clinical.plan_for(base_intake()).plan
    assert base is not None
    assert base.treatment_allowed
    assert base.triage.level == "routine"
    assert {p.side for p in base.acupuncture.points} >= {"left"}
    assert base.electroacupuncture.allowed
    assert base.massage.allowed
    assert base.cupping.allowed
    assert base.self_care.acupressure
    for flag in ("saddle_anaesthesia", "bladder_dysfunction", "fever"):
        flagged = clinical.plan_for(base_intake(red_flags=[flag])).plan
        assert flagged is not None
        assert not flagged.treatment_allowed
        assert flagged.triage.level != "routine"
        assert not flagged.acupuncture.points
    pregnant = clinical.plan_for(base_intake(pregnant=20)).plan
    assert pregnant is not None
    assert pregnant.treatment_allowed
    assert {"LI4", "SP6"} <= {x.code for x in pregnant.acupuncture.excluded}
    assert not pregnant.electroacupuncture.allowed
    right = clinical.plan_for(base_intake(side="right")).plan
    assert right is not None
    assert next(p for p in right.acupuncture.points if p.code == "GB30").side == "right"
