"""A practitioner's private calendar feed: an iCalendar address with a secret in it, for their phone's or
desktop's calendar app. Only the secret's SHA-256 is kept; revoking it ends the address, issuing a new one
revokes the old."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from sciatica_care.clinic.models import Clinic, Staff


class CalendarFeed(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    practitioner = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="calendar_feeds")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["practitioner"], condition=Q(revoked_at__isnull=True),
                                    name="one_live_feed_per_practitioner"),
        ]
