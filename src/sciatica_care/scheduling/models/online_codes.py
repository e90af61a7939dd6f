"""One-time codes that let someone who has been to the clinic book online as that patient: sent to the email or
phone on file, six digits, short-lived, a few tries. Only keyed digests are kept — of the code, and of the contact
it was asked for (so a copy of the table gives neither away)."""

from __future__ import annotations

from django.db import models

from sciatica_care.clinic.models import Clinic, Patient


class BookingCode(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    contact_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "contact_digest", "expires_at"], name="booking_code_contact")]
