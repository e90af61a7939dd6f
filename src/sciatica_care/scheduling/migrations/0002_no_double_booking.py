"""No double booking, in the database itself: a practitioner, and a room, never hold two overlapping live
appointments (requested, booked, arrived, completed), the buffers included (`blocked_from`–`blocked_until`,
half-open: one ending at 10:00 and the next starting at 10:00 do not overlap).

PostgreSQL: two exclusion constraints over `tstzrange(blocked_from, blocked_until)` with `btree_gist` (a trusted
extension, created by the database owner that runs `migrate`). SQLite: triggers that RAISE(ABORT) on an insert or
an update that would overlap; SQLite's transactions here start IMMEDIATE (site/settings.py), so the booking
service's own check and its insert run one writer at a time. The constraint names are in the error messages:
`scheduling.booking` turns them into `SlotTaken` (HTTP 409).

On SQLite a later migration that *alters* scheduling_appointment makes Django rebuild the table, which drops these
triggers: such a migration must create them again (tests/scheduling/test_scheduling_overlap_guard.py checks they
hold after every migration).
"""

from django.db import migrations

LIVE = "('requested', 'booked', 'arrived', 'completed')"

POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""
    ALTER TABLE scheduling_appointment ADD CONSTRAINT appt_no_overlap_practitioner
    EXCLUDE USING gist (practitioner_id WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&)
    WHERE (status IN {LIVE})
    """,
    f"""
    ALTER TABLE scheduling_appointment ADD CONSTRAINT appt_no_overlap_room
    EXCLUDE USING gist (room_id WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&)
    WHERE (room_id IS NOT NULL AND status IN {LIVE})
    """,
]
POSTGRESQL_DOWN = [
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appt_no_overlap_room",
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appt_no_overlap_practitioner",
]


def _sqlite_guard(name: str, column: str, event: str) -> str:
    on_update = event.startswith("UPDATE")
    return f"""
    CREATE TRIGGER {name}_{'update' if on_update else 'insert'} BEFORE {event} ON scheduling_appointment
    WHEN NEW.{column} IS NOT NULL AND NEW.status IN {LIVE}
    BEGIN
        SELECT RAISE(ABORT, '{name}: another live appointment holds this time')
        WHERE EXISTS (SELECT 1 FROM scheduling_appointment AS other
                      WHERE other.{column} = NEW.{column} AND other.status IN {LIVE}
                        AND other.blocked_from < NEW.blocked_until AND other.blocked_until > NEW.blocked_from
                        {'AND other.id <> NEW.id' if on_update else ''});
    END
    """


UPDATE = "UPDATE OF status, practitioner_id, room_id, blocked_from, blocked_until"
SQLITE_UP = [
    _sqlite_guard("appt_no_overlap_practitioner", "practitioner_id", "INSERT"),
    _sqlite_guard("appt_no_overlap_practitioner", "practitioner_id", UPDATE),
    _sqlite_guard("appt_no_overlap_room", "room_id", "INSERT"),
    _sqlite_guard("appt_no_overlap_room", "room_id", UPDATE),
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS appt_no_overlap_{what}_{when}"
               for what in ("practitioner", "room") for when in ("insert", "update")]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRESQL_UP, "sqlite": SQLITE_UP}),
                             _run({"postgresql": POSTGRESQL_DOWN, "sqlite": SQLITE_DOWN}), elidable=False),
    ]
