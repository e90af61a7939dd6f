
from django.db import migrations, models
from django.utils import timezone


def mark_inactive_as_deactivated(apps, schema_editor):
    """Accounts already inactive were switched off, not invited: their old links must not reactivate them."""
    Staff = apps.get_model("clinic", "Staff")
    Staff.objects.filter(is_active=False).update(deactivated_at=timezone.now())
    # Django's staff flag opened its admin to clinic admins; the admin is now the superuser's alone.
    Staff.objects.filter(is_superuser=False, is_staff=True).update(is_staff=False)


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0006_dashboard_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='staff',
            name='deactivated_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='staff',
            name='version',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.RunPython(mark_inactive_as_deactivated, migrations.RunPython.noop),
    ]
