"""A patient's sign-in account: a `clinic.Staff` row with the patient role, linked one-to-one to the patient."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PatientAccount(models.Model):
    """The link from a sign-in account (role `patient`) to the one patient record it may see. The account and the
    patient belong to the same clinic (checked by `access.patient_of` on every request)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_account")
    patient = models.OneToOneField("clinic.Patient", on_delete=models.PROTECT, related_name="portal_account")
    created_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    def __str__(self) -> str:
        return f"portal account of patient {self.patient_id}"
