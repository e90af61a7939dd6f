"""The portal's models, one module per idea; each is imported here so that Django finds them."""

from sciatica_care.portal.models.adherence_record import AdherenceRecord, DoneKind, Felt
from sciatica_care.portal.models.patient_account import PatientAccount

__all__ = ["AdherenceRecord", "DoneKind", "Felt", "PatientAccount"]
