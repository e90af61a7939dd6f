"""Tamper-evident audit: every event is chained to the one before by a hash; raw-SQL tampering is found.

The attacker here has the database file (or a database superuser): they drop or disable the append-only triggers
and change, delete, insert or reorder events. `audit_chain.verify` names the first broken link. On both databases.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from sciatica_care.clinic import audit, audit_chain
from sciatica_care.clinic.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world: dict[str, Any]) -> list[AuditEvent]:
    """At least a dozen events, with awkward details (unicode, floats, nesting), in id order."""
    a = world["a"]
    for i, detail in enumerate([{"n": 1.0}, {"text": "Zoë – ½ dose", "nested": {"b": [1, 2.5, None], "a": True}},
                                {"big": 1e20}, {"tiny": 0.1 + 0.2}, {}]):
        audit.record(a["practitioner"], "read", a["patient"], step=i, **detail)
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) >= 8
    return events


@pytest.fixture
def triggers_off() -> None:
    """What an attacker with file access (SQLite) or a superuser (PostgreSQL) does first: lift the triggers.
    Inside the test's transaction, so they are back afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in ("clinic_auditevent_no_update", "clinic_auditevent_no_delete",
                         "clinic_auditevent_no_replace", "clinic_auditevent_chain_head"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")  # superuser: no triggers fire
    return


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def test_a_clean_chain_verifies(chain: list[AuditEvent]) -> None:
    """Every event written through `audit.record` links to the one before; the head names the last."""
    result = audit_chain.verify()
    assert result.ok, result.broken
    assert result.count == len(chain) == AuditEvent.objects.count()
    assert result.head_id == chain[-1].pk
    assert chain[0].prev_hash == audit_chain.GENESIS or chain[0].prev_hash  # the first links to the genesis
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
    assert len({e.hash for e in chain}) == len(chain)


def test_a_changed_event_is_found(chain: list[AuditEvent], triggers_off: None) -> None:
    victim = chain[4]
    sql("UPDATE clinic_auditevent SET patient_id = %s WHERE id = %s", [999, victim.pk])
    result = audit_chain.verify()
    assert result.broken is not None
    assert result.broken.event_id == victim.pk
    assert "contents" in result.broken.problem


def test_a_changed_detail_is_found(chain: list[AuditEvent], triggers_off: None) -> None:
    victim = chain[-2]
    sql("UPDATE clinic_auditevent SET detail = %s WHERE id = %s", ['{"step": 99}', victim.pk])
    result = audit_chain.verify()
    assert result.broken is not None
    assert result.broken.event_id == victim.pk


def test_a_rehashed_change_is_found_at_the_next_link(chain: list[AuditEvent], triggers_off: None) -> None:
    """Recomputing the changed event's own hash does not help: the next event still points at the old one."""
    victim = chain[3]
    fields = {f: getattr(victim, f) for f in ("at", "actor_id", "clinic_id_at_time", "object_type", "object_id",
                                               "patient_id", "detail")}
    fields["action"] = "nothing_here"
    sql("UPDATE clinic_auditevent SET action = %s, hash = %s WHERE id = %s",
        ["nothing_here", audit_chain.event_hash(fields, victim.prev_hash), victim.pk])
    result = audit_chain.verify()
    assert result.broken is not None
    assert result.broken.event_id == chain[4].pk
    assert "previous hash" in result.broken.problem


def test_a_deleted_event_is_found(chain: list[AuditEvent], triggers_off: None) -> None:
    victim = chain[5]
    sql("DELETE FROM clinic_auditevent WHERE id = %s", [victim.pk])
    result = audit_chain.verify()
    assert result.broken is not None
    assert result.broken.event_id == chain[6].pk
    assert "missing" in result.broken.problem


def test_deleting_the_last_events_is_found_by_the_head(chain: list[AuditEvent], triggers_off: None) -> None:
    sql("DELETE FROM clinic_auditevent WHERE id >= %s", [chain[-2].pk])
    result = audit_chain.verify()
    assert result.broken is not None
    assert result.broken.event_id is None
    assert "head" in result.broken.problem


def test_an_inserted_event_is_found(chain: list[AuditEvent]) -> None:
    """A row slipped in by raw SQL (no trigger needs lifting for that) with a forged link is found."""
    sql("INSERT INTO clinic_auditevent (at, action, object_type, detail, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s)", [timezone.now(), "read", "Patient", "{}", chain[-1].hash, "0" * 64])
    result = audit_chain.verify()
    assert result.broken is not None
    assert result.broken.event_id not in {e.pk for e in chain}


def test_an_inserted_event_with_a_correct_hash_is_found_by_the_head(chain: list[AuditEvent],
                                                                    triggers_off: None) -> None:
    """With the triggers lifted, an event appended with a well-computed hash does not move the head."""
    at = timezone.now()
    fields = {"at": at, "action": "read", "object_type": "Patient", "detail": {}}
    sql("INSERT INTO clinic_auditevent (at, action, object_type, detail, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        [at, "read", "Patient", "{}", chain[-1].hash, audit_chain.event_hash(fields, chain[-1].hash)])
    result = audit_chain.verify()
    assert result.broken is not None
    assert "head" in result.broken.problem


def test_an_event_inserted_in_the_middle_is_found(chain: list[AuditEvent], triggers_off: None) -> None:
    """Make room (move the later events up) and insert between two: the link after it breaks."""
    middle = chain[6]
    sql("UPDATE clinic_auditevent SET id = id + 1000 WHERE id >= %s", [middle.pk])
    sql("INSERT INTO clinic_auditevent (id, at, action, object_type, detail, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [middle.pk, timezone.now(), "read", "", "{}", chain[5].hash, "f" * 64])
    result = audit_chain.verify()
    assert result.broken is not None
    assert result.broken.event_id == middle.pk


def test_reordered_events_are_found(chain: list[AuditEvent], triggers_off: None) -> None:
    """Swap two events' ids (their places in the chain)."""
    first, second = chain[2], chain[7]
    sql("UPDATE clinic_auditevent SET id = %s WHERE id = %s", [-1, first.pk])
    sql("UPDATE clinic_auditevent SET id = %s WHERE id = %s", [first.pk, second.pk])
    sql("UPDATE clinic_auditevent SET id = %s WHERE id = %s", [second.pk, -1])
    result = audit_chain.verify()
    assert result.broken is not None
    assert result.broken.event_id == first.pk


def test_a_removed_head_is_found(chain: list[AuditEvent]) -> None:
    sql("DELETE FROM clinic_auditchainhead")
    result = audit_chain.verify()
    assert result.broken is not None
    assert "head is missing" in result.broken.problem


def test_the_anchor_proves_the_trail_up_to_a_noted_head(chain: list[AuditEvent]) -> None:
    noted = audit_chain.verify().head_hash
    audit.record(None, "note", clinic_id=None)
    assert audit_chain.verify(anchor=noted).anchor_found is True
    assert audit_chain.verify(anchor="ab" * 32).anchor_found is False


def test_the_head_follows_every_append(chain: list[AuditEvent]) -> None:
    """The AFTER INSERT trigger moves the head, whoever appends (the app, or raw SQL)."""
    assert audit_chain.stored_head() == (chain[-1].pk, chain[-1].hash)
    sql("INSERT INTO clinic_auditevent (at, action, object_type, detail, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s)", [timezone.now(), "read", "", "{}", chain[-1].hash, "0" * 64])
    new_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    assert audit_chain.stored_head() == (new_id, "0" * 64)


def test_events_written_in_one_transaction_chain_in_order(world: dict[str, Any]) -> None:
    a = world["a"]
    with transaction.atomic():
        for i in range(5):
            audit.record(a["clinic_admin"], "read", a["patient"], i=i)
    assert audit_chain.verify().ok


@pytest.mark.skipif(connection.vendor != "sqlite", reason="INSERT OR REPLACE is SQLite's")
def test_sqlite_refuses_replace_over_an_audit_row(chain: list[AuditEvent]) -> None:
    """`INSERT OR REPLACE` deleted and rewrote an audit row without firing the DELETE trigger: now refused."""
    victim = chain[1]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("INSERT OR REPLACE INTO clinic_auditevent (id, at, action, object_type, detail, prev_hash, hash) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [victim.pk, timezone.now(), "tampered", "", "{}", victim.prev_hash, victim.hash])
    assert AuditEvent.objects.get(pk=victim.pk).action == victim.action
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("REPLACE INTO clinic_auditevent (id, at, action, object_type, detail) VALUES (%s, %s, %s, %s, %s)",
            [victim.pk, timezone.now(), "tampered", "", "{}"])
    assert audit_chain.verify().ok


def test_the_migration_chains_the_events_already_there(world: dict[str, Any], triggers_off: None) -> None:
    """0011 chains events written before the chain existed (no hashes), in id order, and sets the head."""
    import importlib
    from types import SimpleNamespace

    migration = importlib.import_module("sciatica_care.clinic.migrations.0011_audittrail_chain")
    sql("DELETE FROM clinic_auditevent")
    sql("DELETE FROM clinic_auditchainhead")
    for i in range(4):
        sql("INSERT INTO clinic_auditevent (at, action, object_type, detail) VALUES (%s, %s, %s, %s)",
            [timezone.now(), "read", "Patient", f'{{"i": {i}, "x": 2.0}}'])
    assert not audit_chain.verify().ok
    migration.chain_existing(None, SimpleNamespace(connection=connection))
    result = audit_chain.verify()
    assert result.ok
    assert result.count == 4
    assert audit_chain.stored_head() == (result.head_id, result.head_hash)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_cannot_fork_the_chain(make_staff: Any) -> None:
    """Eight connections appending at once (PostgreSQL: each waits on the head row's lock) leave one chain."""
    import threading

    if connection.vendor == "sqlite":
        pytest.skip("the shared-cache in-memory SQLite test database locks tables instead of waiting")
    from sciatica_care.clinic.models import Clinic

    prac = make_staff(Clinic.objects.create(name="Busy"))
    with connection.cursor() as cursor:  # as after a flush: the first writers also race to create the head
        cursor.execute("DELETE FROM clinic_auditchainhead")
    before = AuditEvent.objects.count()
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def one(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with transaction.atomic():
                    audit.record(prac, "read", object_type="Patient", object_id=n * 100 + i)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = audit_chain.verify()
    assert result.ok, result.broken
    assert result.count == before + 80
