"""Records: stored as given, versioned edits, append-only audit."""

from __future__ import annotations

from typing import Any

import pytest
from clinic_fixtures import base_intake
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from sciatica_care.clinic import records
from sciatica_care.clinic.models import AppendOnly, AuditEvent, Episode, PlanRevision
from sciatica_care.errors import InputRefused

pytestmark = pytest.mark.django_db


def test_plan_is_stored_exactly_as_the_engine_gave_it(world: dict[str, Any]) -> None:
    """The plan JSON and the engine and knowledge versions are kept as given."""
    from sciatica_care.engine.plan import plan_for
    from sciatica_care.knowledge.load import load_knowledge
    from sciatica_care.version import __version__

    plan = world["a"]["plan"]
    plan.refresh_from_db()
    assert plan.plan == plan_for(base_intake())
    assert (plan.engine_version, plan.knowledge_version) == (__version__, load_knowledge().version)
    assert plan.intake.data == base_intake()
    assert plan.number == 1


def test_refused_intake_writes_nothing(world: dict[str, Any]) -> None:
    """An intake the engine refuses leaves no intake and no plan behind."""
    before = PlanRevision.objects.count()
    bad = base_intake(patient={"age": 12})
    with pytest.raises(InputRefused) as err:
        records.record_intake(world["a"]["practitioner"], world["a"]["episode"], bad)
    assert err.value.problems[0].path == "patient.age"
    assert PlanRevision.objects.count() == before


def test_reassessment_makes_a_new_numbered_revision(world: dict[str, Any]) -> None:
    """A second intake on an episode is plan revision 2; revision 1 is unchanged."""
    a = world["a"]
    milder = base_intake(pain={"leg_nrs": 3, "areas": ["buttock"]})
    second = records.record_intake(a["practitioner"], a["episode"], milder)
    assert second.number == 2
    assert PlanRevision.objects.get(pk=a["plan"].pk).intake.data["pain"]["leg_nrs"] == 7


def test_red_flag_intake_marks_episode_referred(world: dict[str, Any]) -> None:
    """An emergency triage marks the episode as referred."""
    a = world["a"]
    records.record_intake(a["practitioner"], a["episode"], base_intake(red_flags=["saddle_anaesthesia"]))
    assert Episode.objects.get(pk=a["episode"].pk).status == "referred"


def test_versioned_update_conflict_loses_nothing(world: dict[str, Any]) -> None:
    """Two people save the same record: the second gets Conflict and the first one's change stays."""
    a = world["a"]
    patient = a["patient"]
    v = patient.version
    records.update_versioned(a["practitioner"], patient, v, {"phone": "111"})
    with pytest.raises(records.Conflict):
        records.update_versioned(a["reception"], patient, v, {"phone": "222"})
    patient.refresh_from_db()
    assert patient.phone == "111"
    assert patient.version == v + 1


def test_audit_events_cannot_be_changed_or_deleted(world: dict[str, Any]) -> None:
    """Audit is append-only: save of an existing event, delete, queryset update and delete all refuse."""
    event = AuditEvent.objects.first()
    event.action = "tampered"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()


@pytest.mark.parametrize("sql", ["UPDATE clinic_auditevent SET action = 'tampered' WHERE id = %s",
                                 "DELETE FROM clinic_auditevent WHERE id = %s",
                                 "DELETE FROM clinic_auditevent WHERE id >= %s"])
def test_audit_table_refuses_raw_sql_changes(world: dict[str, Any], sql: str) -> None:
    """The database itself (a trigger, on SQLite and on PostgreSQL) refuses UPDATE and DELETE of audit rows."""
    event = AuditEvent.objects.order_by("id").first()
    before = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == event.action
    assert AuditEvent.objects.count() == before


def test_audit_table_still_takes_new_rows_by_raw_sql(world: dict[str, Any]) -> None:
    """Append-only means inserts still work, whatever writes them."""
    before = AuditEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO clinic_auditevent (at, action, object_type, detail) VALUES (%s, %s, %s, %s)",
                       [timezone.now(), "note", "", "{}"])
    assert AuditEvent.objects.count() == before + 1


def test_amending_visit_notes_keeps_the_replaced_text(world: dict[str, Any]) -> None:
    """An amendment bumps the version and its audit event holds the text it replaced; a stale one conflicts."""
    a = world["a"]
    visit = a["visit"]
    records.update_visit_notes(a["practitioner"], visit, 1, {"subjective": "much better", "objective": "SLR 70°"})
    assert (visit.version, visit.subjective) == (2, "much better")
    event = AuditEvent.objects.filter(action="update", object_type="Visit", object_id=visit.pk).get()
    assert event.detail["previous"] == {"subjective": "better", "objective": ""}
    assert event.detail["fields"] == ["objective", "subjective"]
    assert event.patient_id == a["patient"].pk
    with pytest.raises(records.Conflict):
        records.update_visit_notes(a["clinic_admin"], visit, 1, {"subjective": "worse"})
    visit.refresh_from_db()
    assert visit.subjective == "much better"


def test_writes_are_audited_with_patient(world: dict[str, Any]) -> None:
    """Creating patient, episode, intake, plan and visit each leave an audit event naming the patient."""
    pid = world["a"]["patient"].pk
    kinds = set(AuditEvent.objects.filter(patient_id=pid, action="create").values_list("object_type", flat=True))
    assert {"Patient", "Episode", "Intake", "PlanRevision", "Visit"} <= kinds


def test_visit_with_odi_stores_the_scorers_result(world: dict[str, Any]) -> None:
    """An ODI charted with a visit is scored by the scorer and stored with its answers."""
    a = world["a"]
    visit = records.chart_visit(a["practitioner"], a["episode"], a["plan"], {"red_flags_rechecked": True},
                                odi_answers=[2] * 10)
    score = visit.scores.get()
    assert score.result == {"instrument": "odi", "score": 40.0, "band": "moderate", "answered": 10}
