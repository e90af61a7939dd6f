"""The demo clinic's patient side: a portal account with six weeks of diary in which the analysis finds the
planted pattern (longer sitting, more leg pain the next day)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_patient_has_a_portal_and_a_diary_with_a_pattern() -> None:
    from sciatica_care.clinic import demo
    from sciatica_care.portal import demo_diary
    from sciatica_care.portal.diary_findings import findings

    demo.load(n_patients=3)
    patient = demo_diary.load(demo.DEMO_PASSWORD)
    assert patient is not None
    from sciatica_care.portal.models import PatientAccount

    user = PatientAccount.objects.get(patient=patient).user
    assert user.is_active
    assert user.check_password(demo.DEMO_PASSWORD)
    assert patient.journal_entries.count() == demo_diary.DAYS
    found = {(r.factor, r.lag_days) for r in findings(patient).clear}
    assert ("sitting_over_6h", 1) in found
