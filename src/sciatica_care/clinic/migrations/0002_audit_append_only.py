"""The audit table refuses UPDATE and DELETE in the database itself, not only in the ORM.

`AuditEvent.save()/delete()` and its queryset already refuse changes; these triggers also stop raw SQL, a
`QuerySet.update()` on a model that cascades into it, or a maintenance script. PostgreSQL: one PL/pgSQL function
raising on UPDATE or DELETE of any row. SQLite: two triggers that RAISE(ABORT).

TRUNCATE is left to the database owner (it is not a row operation; Django's test `flush` uses it on PostgreSQL).
On SQLite, a later migration that *alters* clinic_auditevent makes Django rebuild the table, which drops these
triggers: such a migration must create them again (tests/clinic/test_clinic_models.py checks they hold).
"""

from django.db import migrations

POSTGRESQL_UP = [
    """
    CREATE OR REPLACE FUNCTION clinic_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only: % refused on clinic_auditevent', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER clinic_auditevent_append_only
    BEFORE UPDATE OR DELETE ON clinic_auditevent
    FOR EACH ROW EXECUTE FUNCTION clinic_auditevent_append_only()
    """,
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS clinic_auditevent_append_only ON clinic_auditevent",
    "DROP FUNCTION IF EXISTS clinic_auditevent_append_only()",
]
SQLITE_UP = [
    """
    CREATE TRIGGER clinic_auditevent_no_update BEFORE UPDATE ON clinic_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused on clinic_auditevent'); END
    """,
    """
    CREATE TRIGGER clinic_auditevent_no_delete BEFORE DELETE ON clinic_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused on clinic_auditevent'); END
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS clinic_auditevent_no_update",
    "DROP TRIGGER IF EXISTS clinic_auditevent_no_delete",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)  # None: the `%` in the PL/pgSQL is not a placeholder

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("clinic", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRESQL_UP, "sqlite": SQLITE_UP}),
                             _run({"postgresql": POSTGRESQL_DOWN, "sqlite": SQLITE_DOWN}), elidable=False),
    ]
