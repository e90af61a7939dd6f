"""An alert the clinic must act on: a patient reported emergency signs in their diary."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ClinicAlert(models.Model):
    """Shown to the clinic's staff (dashboard, patient list and the patient's page) until a practitioner or clinic
    admin marks it dealt with; emailed to the clinic when it is made."""

    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("clinic.Patient", on_delete=models.PROTECT, related_name="clinic_alerts")
    entry = models.ForeignKey("portal.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="alerts")
    kind = models.CharField(max_length=40)
    signs = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_to = models.PositiveSmallIntegerField(default=0)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    handled_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "handled_at"])]
