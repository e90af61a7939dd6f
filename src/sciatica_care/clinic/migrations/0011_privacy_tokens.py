"""API tokens get an expiry and a scope; the clinic a longest token life; consent to treatment who recorded it.

Tokens that exist already keep working for 90 days from this migration, with read-write scope (what they could
do before); their owners make new ones when they lapse.
"""

import datetime as dt

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def in_90_days() -> dt.datetime:
    """What the tokens already made get as their expiry (computed once, when the migration runs)."""
    return timezone.now() + dt.timedelta(days=90)


class Migration(migrations.Migration):

    dependencies = [
        ("clinic", "0010_merge_outcomes_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="clinic",
            name="api_token_max_days",
            field=models.PositiveSmallIntegerField(default=365, validators=[
                django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(3650)]),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=in_90_days),
            preserve_default=False,
        ),
        # Tokens made before keep what they could do (read and write); a new token is read-only unless asked.
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(choices=[("read", "Read only"), ("read_write", "Read and write")],
                                   default="read_write", max_length=10),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(choices=[("read", "Read only"), ("read_write", "Read and write")],
                                   default="read", max_length=10),
        ),
        migrations.AddField(
            model_name="patient",
            name="consent_treatment_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
    ]
