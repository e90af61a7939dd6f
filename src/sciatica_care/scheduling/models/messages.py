"""The outbox and the patients' choices about it.

`Message`: one row for every email or SMS the clinic sends (to a patient, a prospective patient or a colleague),
queued once under a unique dedupe key and sent exactly once by the worker (scheduling/outbox.py says how).
`OptOut`: a patient (or an address, for someone who is not yet a patient) who wants no more messages of one topic
on one channel; such messages are recorded as skipped."""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models import Q
from django.utils import timezone

from sciatica_care.clinic.models import Clinic, Patient, Staff
from sciatica_care.scheduling.models.appointments import Appointment


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class Topic(models.TextChoices):
    """What a message is about, as the patient chooses what to receive (one opt-out per topic and channel)."""

    APPOINTMENTS = "appointments", "Appointment confirmations and changes"
    REMINDERS = "reminders", "Appointment reminders"
    HOME_PROGRAMME = "home_programme", "Home programme reminders"
    DIARY = "diary", "Diary reminders"
    STAFF = "staff", "Notices to the clinic's staff"
    CODES = "codes", "One-time codes asked for when booking online"


#: The topics a patient may stop (staff notices are the clinic's own business).
PATIENT_TOPICS = (Topic.APPOINTMENTS, Topic.REMINDERS, Topic.HOME_PROGRAMME, Topic.DIARY)


#: The kinds of message, in words (what the staff see on a patient's Messages page).
KINDS = {
    "confirmation": "Appointment confirmed", "course_confirmation": "Course of appointments confirmed",
    "request_received": "Booking request received", "moved": "Appointment moved", "cancelled": "Appointment cancelled",
    "course_cancelled": "Remaining appointments cancelled", "reminder": "Appointment reminder",
    "home_programme": "Home programme reminder", "diary": "Diary reminder",
    "booking_code": "One-time code to book online",
    "waitlist_offer": "A freed time offered from the waitlist",
}


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class SkipReason(models.TextChoices):
    OPTED_OUT = "opted_out", "The patient asked not to receive these"
    NO_ADDRESS = "no_address", "No address on file for this channel"
    BAD_ADDRESS = "bad_address", "The address on file is not one this channel can send to"
    CANCELLED = "cancelled", "The appointment was cancelled"
    MOVED = "moved", "The appointment was moved (new reminders were queued)"
    TOO_LATE = "too_late", "The appointment had already started"
    SUPERSEDED = "superseded", "A later reminder for the same appointment was due as well"
    ANONYMISED = "anonymised", "The patient's record was anonymised"


class Message(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="messages")
    # For a reminder: the appointment's start it reminds of. Sent only while the appointment still starts then.
    about_start = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=40)
    topic = models.CharField(max_length=20, choices=Topic.choices)
    to_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    # [{"filename": "appointment.ics", "content_type": "text/calendar; charset=utf-8; method=PUBLISH", "text": …}]
    attachments = models.JSONField(default=list, blank=True)
    # The one-click unsubscribe address (RFC 8058 `List-Unsubscribe`), also at the foot of the email's text.
    unsubscribe_url = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    due_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    # The worker's claim: which batch of which worker holds the message, until when.
    claim = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # The message may have reached the provider before its worker died (or its send failed ambiguously): before
    # it is sent again the provider is asked, where it can tell.
    in_doubt = models.BooleanField(default=False)
    # It was sent again although the provider could not say whether the first send had reached it (same
    # Message-ID, so a mailbox that keeps one message per Message-ID shows it once).
    possible_duplicate = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="message_status_due"),
            models.Index(fields=["appointment", "kind"], name="message_appointment_kind"),
            models.Index(fields=["patient", "created_at"], name="message_patient_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status="sending") | Q(claimed_until__isnull=False),
                                   name="message_sending_is_claimed"),
        ]

    @property
    def what(self) -> str:
        """What the message is, for the staff: its subject, or its kind in words."""
        return self.subject or KINDS.get(self.kind, self.kind.replace("_", " ").capitalize())

    @property
    def reference(self) -> str:
        """The message's name at the provider: derived from the dedupe key, so every attempt at one message
        carries the same one (the email's Message-ID, the SMS's client reference)."""
        return reference_for(self.dedupe_key)


def reference_for(dedupe_key: str) -> str:
    return hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]


class OptOut(models.Model):
    """No more messages of `topic` on `channel` to this patient (or, without a patient, to this address)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    address = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    topic = models.CharField(max_length=20, choices=Topic.choices)
    created_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=20, help_text="unsubscribe link, staff, …")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "patient", "channel", "topic"],
                                    condition=Q(patient__isnull=False), name="optout_patient_unique"),
            models.UniqueConstraint(fields=["clinic", "address", "channel", "topic"],
                                    condition=Q(patient__isnull=True), name="optout_address_unique"),
            models.CheckConstraint(condition=Q(patient__isnull=False) | ~Q(address=""), name="optout_has_someone"),
        ]
