"""When the patient wants to be reminded of the diary and the home programme (or not at all)."""

from __future__ import annotations

import datetime as dt

from django.db import models


class ReminderPreference(models.Model):
    """Off until the patient turns a reminder on; each at their chosen local time in their own time zone. The
    background worker asks `portal.reminders.due(now)` who is due and marks each one sent."""

    account = models.OneToOneField("portal.PatientAccount", on_delete=models.CASCADE, related_name="reminders")
    diary_on = models.BooleanField(default=False)
    diary_time = models.TimeField(default=dt.time(20, 0))
    programme_on = models.BooleanField(default=False)
    programme_time = models.TimeField(default=dt.time(9, 0))
    time_zone = models.CharField(max_length=64, default="UTC")
    # The patient's local day each reminder was last sent: at most one a day each.
    diary_sent_on = models.DateField(null=True, blank=True)
    programme_sent_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
