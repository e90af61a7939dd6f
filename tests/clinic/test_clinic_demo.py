"""The demo clinic loads with the real engine: staff, ~30 patients, a pregnancy case and a red-flag referral."""

from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_loaded() -> None:
    from sciatica_care.clinic import demo

    demo.load()


@pytest.mark.usefixtures("demo_loaded")
def test_demo_clinic_with_the_real_engine() -> None:
    """Every demo plan comes from the real engine; staff, 30 patients, a pregnancy case and a red-flag referral."""
    from sciatica_care.clinic.models import Episode, Patient, PlanRevision, Staff

    assert Staff.objects.filter(role="practitioner").count() == 2
    assert Staff.objects.filter(role="reception").count() == 1
    assert Patient.objects.count() == 30
    referred = Episode.objects.filter(status="referred").get()  # exactly one: the red-flag patient
    assert referred.visits.count() == 0
    assert referred.plans.get().plan["triage"]["level"] == "emergency"
    assert "saddle_anaesthesia" in referred.intakes.get().data["red_flags"]
    assert all(p.engine_version and p.knowledge_version for p in PlanRevision.objects.all())


@pytest.mark.usefixtures("demo_loaded")
def test_every_treated_course_has_4_to_10_sessions_none_in_the_future() -> None:
    """Each course has 4-10 charted sessions, all after its intake and none after today (dates move back, no
    session is dropped); the referral has none."""
    from sciatica_care.clinic.models import Episode

    today = timezone.localdate()
    treated = Episode.objects.exclude(status="referred").prefetch_related("visits", "plans")
    assert treated.count() == 29
    for episode in treated:
        days = [v.date for v in episode.visits.all()]
        assert 4 <= len(days) <= 10, (episode.patient_id, len(days))
        assert max(days) <= today
        assert min(days) > episode.opened_on
        assert all(p.created_at.date() == episode.opened_on for p in episode.plans.all())


@pytest.mark.usefixtures("demo_loaded")
def test_pregnancy_case_is_treated_without_the_points_it_excludes() -> None:
    """The pregnancy case is charted (4-10 sessions) and no session needles a point its plan excluded."""
    from sciatica_care.clinic.models import PlanRevision

    pregnant = [p for p in PlanRevision.objects.select_related("intake", "episode")
                if p.intake.data["patient"].get("pregnant")]
    assert len(pregnant) == 1
    plan = pregnant[0]
    assert plan.treatment_allowed
    assert plan.excluded_codes
    visits = list(plan.episode.visits.all())
    assert 4 <= len(visits) <= 10
    assert not any(pt["code"] in plan.excluded_codes for v in visits for pt in v.points)
