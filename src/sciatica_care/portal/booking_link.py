"""Where a signed-in patient books: their clinic's public booking page, while the clinic takes bookings online.

Read from the booking app by name, as `patient_record` reads appointments, so that the portal does not depend on
it being installed."""

from __future__ import annotations

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from sciatica_care.clinic.models import Patient


def booking_page(patient: Patient) -> str:
    """The address of the patient's clinic's booking page, or "" (online booking off, no address set)."""
    try:
        rules_model = apps.get_model("scheduling", "BookingRules")
    except LookupError:
        return ""
    rules = rules_model.objects.filter(clinic_id=patient.clinic_id, online_booking=True,
                                       public_slug__gt="").first()
    if rules is None:
        return ""
    try:
        return reverse("booking:online_start", args=[rules.public_slug])
    except NoReverseMatch:
        return ""
