"""The portal's models, one module per idea; each is imported here so that Django finds them."""

from sciatica_care.portal.models.adherence_record import AdherenceRecord, DoneKind, Felt
from sciatica_care.portal.models.clinic_alert import ClinicAlert
from sciatica_care.portal.models.journal_entry import JournalEntry
from sciatica_care.portal.models.patient_account import PatientAccount
from sciatica_care.portal.models.reminder_preference import ReminderPreference
from sciatica_care.portal.models.sign_in import PortalInvitation, SignInCode

__all__ = ["AdherenceRecord", "ClinicAlert", "DoneKind", "Felt", "JournalEntry", "PatientAccount", "PortalInvitation",
           "ReminderPreference", "SignInCode"]
