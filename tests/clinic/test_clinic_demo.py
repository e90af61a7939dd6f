"""The demo clinic loads with the real engine: staff, ~30 patients, a pregnancy case and a red-flag referral."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_demo_clinic_with_the_real_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every demo plan comes from the real engine; one referral has no sessions; courses have 4-10 sessions."""
    monkeypatch.undo()  # drop the fake engine: the demo must work with the real one
    from sciatica_care.clinic import demo
    from sciatica_care.clinic.models import Episode, Patient, PlanRevision, Staff

    demo.load()
    assert Staff.objects.filter(role="practitioner").count() == 2
    assert Staff.objects.filter(role="reception").count() == 1
    assert Patient.objects.count() == 30
    referred = Episode.objects.filter(status="referred")
    assert referred.count() >= 1
    assert all(e.visits.count() == 0 for e in referred)
    assert any(p.intake.data["patient"].get("pregnant") for p in PlanRevision.objects.select_related("intake"))
    assert all(p.engine_version and p.knowledge_version for p in PlanRevision.objects.all())
    counts = [e.visits.count() for e in Episode.objects.exclude(status="referred")]
    assert min(counts) >= 1
    assert max(counts) <= 10
