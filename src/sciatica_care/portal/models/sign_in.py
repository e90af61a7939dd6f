"""What signing in to the portal keeps: invitations (email links) and one-time email codes, both by digest only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PortalInvitation(models.Model):
    """An email link that lets a patient take up their portal account: one-time, expiring; only its digest is
    kept. Made by the clinic (`created_by`) or when the patient books online (`created_by` empty)."""

    account = models.ForeignKey("portal.PatientAccount", on_delete=models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class SignInCode(models.Model):
    """A one-time sign-in code sent by email: kept as a keyed digest, short-lived, a few tries only."""

    account = models.ForeignKey("portal.PatientAccount", on_delete=models.CASCADE, related_name="sign_in_codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["account", "expires_at"])]
