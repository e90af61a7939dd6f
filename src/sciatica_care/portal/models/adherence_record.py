"""One part of the home programme the patient marked done, and how it felt: the record adherence is counted from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class DoneKind(models.TextChoices):
    ACUPRESSURE = "acupressure", "Pressure point"
    EXERCISE = "exercise", "Exercise"
    SESSION = "session", "The whole programme"


class Felt(models.TextChoices):
    BETTER = "better", "Better"
    SAME = "same", "Same"
    WORSE = "worse", "Worse"


NOTE_MAX = 500


class AdherenceRecord(models.Model):
    """A point, an exercise or the whole session done on one day, under the plan that was current then.

    `item` is the point's code or the exercise's id as the plan names it ("" for the whole session); the plan it
    was done under is kept, so a later re-assessment never rewrites what was done before it."""

    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("clinic.Patient", on_delete=models.PROTECT, related_name="adherence")
    episode = models.ForeignKey("clinic.Episode", on_delete=models.PROTECT, related_name="adherence")
    plan = models.ForeignKey("clinic.PlanRevision", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=DoneKind.choices)
    item = models.CharField(max_length=40, blank=True)
    felt = models.CharField(max_length=6, choices=Felt.choices)
    note = models.TextField(blank=True, max_length=NOTE_MAX)
    day = models.DateField(default=timezone.localdate)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["day", "recorded_at", "id"]
        indexes = [models.Index(fields=["episode", "day"], name="adherence_episode_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.item or 'session'} on {self.day} ({self.felt})"
