"""The calendar: the session charted from an appointment, and whether practitioners see who is booked with their
colleagues. On SQLite adding the appointment's column rebuilds its table, which drops the no-double-booking
triggers of 0002: they are created again here."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

guards = importlib.import_module("sciatica_care.scheduling.migrations.0002_no_double_booking")


def _guards_again(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for sql in guards.SQLITE_DOWN + guards.SQLITE_UP:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0013_merge_audit_chain'),
        ('scheduling', '0002_no_double_booking'),
    ]

    operations = [
        migrations.AddField(
            model_name='appointment',
            name='visit',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                       related_name='appointment', to='clinic.visit'),
        ),
        migrations.AddField(
            model_name='bookingrules',
            name='practitioners_see_colleagues',
            field=models.BooleanField(default=True, help_text="Practitioners see who is booked with their colleagues; "
                                      "when off, a colleague's appointments show as busy"),
        ),
        migrations.RunPython(_guards_again, migrations.RunPython.noop, elidable=False),
    ]
