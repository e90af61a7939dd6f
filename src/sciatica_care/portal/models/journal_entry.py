"""The patient's daily journal: one row per entry sent (a day entered twice keeps both; the latest counts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class JournalEntry(models.Model):
    """One day of the diary as the patient sent it. `client_id` is made on the phone when the entry is made, so an
    entry sent again (from the offline queue, a retry) is stored once: the database refuses a second row."""

    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("clinic.Patient", on_delete=models.PROTECT, related_name="journal_entries")
    client_id = models.UUIDField(unique=True)
    date = models.DateField()
    leg_nrs = models.PositiveSmallIntegerField()
    back_nrs = models.PositiveSmallIntegerField(null=True, blank=True)
    sleep_hours = models.FloatField(null=True, blank=True)
    sleep_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    sitting_hours = models.FloatField(null=True, blank=True)
    walking_minutes = models.FloatField(null=True, blank=True)
    stress = models.PositiveSmallIntegerField(null=True, blank=True)
    activities = models.JSONField(default=list, blank=True)
    medications = models.JSONField(default=list, blank=True)
    flare_up = models.BooleanField(default=False)
    flare_trigger = models.CharField(max_length=200, blank=True)
    # The emergency signs the patient ticked (ids of `clinical.diary_alarm_questions`); any one alerts the clinic.
    alarm_signs = models.JSONField(default=list, blank=True)
    made_at = models.DateTimeField(null=True, blank=True)  # when the phone says it was made (offline entries)
    received_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["date", "received_at", "id"]
        indexes = [models.Index(fields=["patient", "date"])]
        verbose_name_plural = "journal entries"
