"""The portal's models, one module per idea; each is imported here so that Django finds them."""

from sciatica_care.portal.models.patient_account import PatientAccount

__all__ = ["PatientAccount"]
