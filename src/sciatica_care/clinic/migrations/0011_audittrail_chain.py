"""The audit trail becomes tamper-evident: every event carries a hash chained to the previous event's.

Adds `prev_hash` and `hash` to the audit table and the one-row chain head, then chains the events already
there (in id order) and records the head. The append-only triggers of 0002 are lifted for that one pass and put
back; on SQLite adding the columns rebuilds the table (which drops triggers), so they are created here again.
Two more: an AFTER INSERT trigger moves the chain head to each new event (both databases); and on SQLite,
`INSERT OR REPLACE` over an existing audit row silently deleted and rewrote it (that delete fires no DELETE
trigger), so a BEFORE INSERT trigger now refuses any insert whose id already exists.
"""

from django.db import migrations, models

from sciatica_care.clinic import audit_chain

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER clinic_auditevent_no_update BEFORE UPDATE ON clinic_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused on clinic_auditevent'); END
    """,
    """
    CREATE TRIGGER clinic_auditevent_no_delete BEFORE DELETE ON clinic_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused on clinic_auditevent'); END
    """,
    """
    CREATE TRIGGER clinic_auditevent_no_replace BEFORE INSERT ON clinic_auditevent
    WHEN EXISTS (SELECT 1 FROM clinic_auditevent WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: REPLACE refused on clinic_auditevent'); END
    """,
    """
    CREATE TRIGGER clinic_auditevent_chain_head AFTER INSERT ON clinic_auditevent
    BEGIN UPDATE clinic_auditchainhead SET last_event_id = NEW.id, last_hash = NEW.hash WHERE id = 1; END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS clinic_auditevent_no_update",
    "DROP TRIGGER IF EXISTS clinic_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS clinic_auditevent_no_replace",
    "DROP TRIGGER IF EXISTS clinic_auditevent_chain_head",
]
POSTGRESQL_APPEND_ONLY = """
    CREATE TRIGGER clinic_auditevent_append_only
    BEFORE UPDATE OR DELETE ON clinic_auditevent
    FOR EACH ROW EXECUTE FUNCTION clinic_auditevent_append_only()
    """
POSTGRESQL_TRIGGERS = [
    POSTGRESQL_APPEND_ONLY,
    """
    CREATE OR REPLACE FUNCTION clinic_auditevent_chain_head() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE clinic_auditchainhead SET last_event_id = NEW.id, last_hash = NEW.hash WHERE id = 1;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER clinic_auditevent_chain_head
    AFTER INSERT ON clinic_auditevent
    FOR EACH ROW EXECUTE FUNCTION clinic_auditevent_chain_head()
    """,
]
POSTGRESQL_DROP = ["DROP TRIGGER IF EXISTS clinic_auditevent_append_only ON clinic_auditevent",
                   "DROP TRIGGER IF EXISTS clinic_auditevent_chain_head ON clinic_auditevent",
                   "DROP FUNCTION IF EXISTS clinic_auditevent_chain_head()"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


def chain_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    alias = schema_editor.connection.alias
    previous, last_id = audit_chain.GENESIS, None
    updates = []
    for row in audit_chain.iter_events(alias):
        digest = audit_chain.event_hash(row, previous)
        updates.append((previous, digest, row["id"]))
        previous, last_id = digest, row["id"]
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany("UPDATE clinic_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", updates)
        cursor.execute("DELETE FROM clinic_auditchainhead")
        cursor.execute("INSERT INTO clinic_auditchainhead (id, last_event_id, last_hash) VALUES (%s, %s, %s)",
                       [audit_chain.HEAD_ID, last_id, previous])


class Migration(migrations.Migration):

    dependencies = [
        ("clinic", "0010_merge_outcomes_table"),
    ]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRESQL_DROP[:1], "sqlite": SQLITE_DROP}),
                             _run({"postgresql": [POSTGRESQL_APPEND_ONLY], "sqlite": SQLITE_TRIGGERS[:2]}),
                             elidable=False),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, db_default="", default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, db_default="", default="", editable=False, max_length=64),
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_event_id", models.BigIntegerField(blank=True, null=True)),
                ("last_hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(_run({"postgresql": POSTGRESQL_TRIGGERS, "sqlite": SQLITE_TRIGGERS}),
                             _run({"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}), elidable=False),
    ]
