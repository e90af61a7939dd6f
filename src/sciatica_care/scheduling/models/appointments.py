"""Appointments and the waitlist.

An appointment holds its practitioner (and its room) from `blocked_from` to `blocked_until`: its start and end
widened by the service's buffers. Those are the times no other live appointment of the same practitioner or room
may overlap. Times are stored aware (UTC in the database) and shown in the location's time zone."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from sciatica_care.clinic.models import Clinic, Episode, Patient, Staff, Visit
from sciatica_care.scheduling.models.front_desk import Location, Room, Service


class AppointmentStatus(models.TextChoices):
    REQUESTED = "requested", "Awaiting approval"
    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    LATE_CANCELLED = "late_cancelled", "Cancelled late"
    NO_SHOW = "no_show", "Did not attend"


#: The statuses that hold the practitioner's and the room's time.
LIVE_STATUSES = (AppointmentStatus.REQUESTED, AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED,
                 AppointmentStatus.COMPLETED)


class BookedVia(models.TextChoices):
    STAFF = "staff", "By staff"
    ONLINE = "online", "Online"
    COURSE = "course", "From the plan's course"
    API = "api", "Through the API"
    WAITLIST = "waitlist", "From the waitlist"


class Appointment(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="appointments")
    # A patient, or for the free consultation call a prospective patient known by name and contact only.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="appointments")
    prospect_name = models.CharField(max_length=200, blank=True)
    prospect_email = models.EmailField(blank=True)
    prospect_phone = models.CharField(max_length=40, blank=True)
    practitioner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    blocked_from = models.DateTimeField()
    blocked_until = models.DateTimeField()
    status = models.CharField(max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    # The course booked from the plan: which episode, which session of it, and whether it is the review visit.
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="appointments")
    course_session = models.PositiveSmallIntegerField(null=True, blank=True)
    is_review = models.BooleanField(default=False)
    booked_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    booked_via = models.CharField(max_length=20, choices=BookedVia.choices, default=BookedVia.STAFF)
    booked_at = models.DateTimeField(default=timezone.now)
    front_desk_note = models.CharField(max_length=300, blank=True, help_text="Practical, never clinical")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cancel_reason = models.CharField(max_length=300, blank=True)
    # The self-service link (reschedule or cancel) carries a secret; only its digest is stored.
    manage_digest = models.CharField(max_length=64, blank=True, db_index=True)
    # The session charted from this appointment ("Chart this session" on the calendar).
    visit = models.OneToOneField(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointment")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["practitioner", "blocked_from"], name="appt_practitioner_time"),
            models.Index(fields=["room", "blocked_from"], name="appt_room_time"),
            models.Index(fields=["clinic", "start"], name="appt_clinic_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appt_ends_after_start"),
            models.CheckConstraint(condition=Q(blocked_from__lte=F("start")) & Q(blocked_until__gte=F("end")),
                                   name="appt_block_covers_visit"),
            models.CheckConstraint(condition=Q(patient__isnull=False) | ~Q(prospect_name=""),
                                   name="appt_has_someone"),
        ]

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a slot"
    BOOKED = "booked", "Booked"
    EXPIRED = "expired", "Its last day has passed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class WaitlistEntry(models.Model):
    """Someone waiting for an earlier or a particular time. A freed slot is offered to waiting entries in turn
    (oldest first); each offer expires after the clinic's `waitlist_offer_minutes`."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="waitlist")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    prospect_name = models.CharField(max_length=200, blank=True)
    prospect_email = models.EmailField(blank=True)
    prospect_phone = models.CharField(max_length=40, blank=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    practitioner = models.ForeignKey(Staff, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    earliest = models.DateField()
    latest = models.DateField()
    weekdays = models.JSONField(default=list, blank=True, help_text="Preferred weekdays, 0 = Monday; empty = any")
    status = models.CharField(max_length=20, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING)
    created_at = models.DateTimeField(default=timezone.now)
    offered_start = models.DateTimeField(null=True, blank=True)
    offered_practitioner = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True,
                                             related_name="+")
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    offer_digest = models.CharField(max_length=64, blank=True)
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(latest__gte=F("earliest")), name="waitlist_range_ordered"),
            models.CheckConstraint(condition=Q(patient__isnull=False) | ~Q(prospect_name=""),
                                   name="waitlist_has_someone"),
        ]


class OfferOutcome(models.TextChoices):
    OPEN = "open", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    TAKEN = "taken", "The time was taken meanwhile"
    WITHDRAWN = "withdrawn", "Withdrawn"


class WaitlistOffer(models.Model):
    """One freed time offered to one waitlist entry: the history that makes offers go in turn. A time (the
    practitioner and the start) is offered to each entry at most once, and to one entry at a time."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    practitioner = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # The link's secret is sent once; only its digest is kept.
    digest = models.CharField(max_length=64, unique=True)
    outcome = models.CharField(max_length=20, choices=OfferOutcome.choices, default=OfferOutcome.OPEN)
    answered_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "practitioner", "start"], name="waitlist_offer_once_per_entry"),
            models.UniqueConstraint(fields=["practitioner", "start"], condition=Q(outcome="open"),
                                    name="waitlist_one_open_offer_per_time"),
            models.UniqueConstraint(fields=["entry"], condition=Q(outcome="open"),
                                    name="waitlist_one_open_offer_per_entry"),
        ]
