from django.db import migrations

# The dashboard's one query (dashboard.groups) groups a clinic's episodes by these columns, in this order, and reads
# the NRS and ODI columns and the filters' columns beside them: with this index the database answers it from the
# index alone, already in group order (SQLite otherwise sorts every episode of the clinic in a temporary B-tree).
# Plain SQL rather than AddIndex so that it stays out of Episode's model state: the index is the dashboard's
# concern, and the same statement works on SQLite and PostgreSQL.
COLUMNS = ("clinic_id", "top_cause", "phase_at_intake", "startback_band", "ea_used", "massage_used", "odi_category",
           "responder", "sessions_to_response", "baseline_leg_nrs", "latest_leg_nrs", "baseline_odi", "latest_odi",
           "opened_on", "lead_practitioner_id")


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0005_clinic_preferences'),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX clinic_episode_dashboard_idx ON clinic_episode ({', '.join(COLUMNS)})",
            "DROP INDEX clinic_episode_dashboard_idx",
        ),
    ]
