"""What a clinic offers and when: its locations and rooms, its services, each practitioner's working hours by
weekday and the exceptions to them, and the clinic's booking rules."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from sciatica_care.clinic.models import Clinic, Staff


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/London or America/New_York.")


#: Addresses under /book/ that are not a clinic's booking page.
RESERVED_SLUGS = frozenset({"manage", "offer", "offers", "waitlist", "static", "api", "portal", "admin"})


def validate_public_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(f"{value!r} is kept for the booking pages' own addresses: choose another.")


class Location(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=120)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="location_name_unique")]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=80)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["location", "name"], name="room_name_unique")]

    def __str__(self) -> str:
        return f"{self.location.name} · {self.name}"


class ServiceKind(models.TextChoices):
    CONSULTATION_CALL = "consultation_call", "Free consultation call"
    INITIAL_ASSESSMENT = "initial_assessment", "Initial assessment"
    FOLLOW_UP_ACUPUNCTURE = "follow_up_acupuncture", "Follow-up acupuncture"
    ELECTROACUPUNCTURE = "electroacupuncture", "Electroacupuncture"
    MASSAGE = "massage", "Massage"


class Service(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=ServiceKind.choices)
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(5), MaxValueValidator(480)])
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(120)])
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(120)])
    price = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.00"),
                                validators=[MinValueValidator(Decimal("0.00"))])
    online_bookable = models.BooleanField(default=True)
    new_patients_allowed = models.BooleanField(default=True)
    room_needed = models.BooleanField(default=True)
    by_phone = models.BooleanField(default=False, help_text="Held by telephone or video: no room, any location")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="service_name_unique")]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """A practitioner's regular working hours at one location on one weekday (0 = Monday), in that location's
    local time, from `valid_from` until `valid_until` (open-ended when empty)."""

    practitioner = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="shifts")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(validators=[MaxValueValidator(6)])
    start_time = models.TimeField()
    end_time = models.TimeField()
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["practitioner_id", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="shift_weekday_range"),
        ]


class ShiftException(models.Model):
    """Time a practitioner does not work although a shift says so (leave, a holiday, training): from `starts_at`
    to `ends_at` (aware datetimes). A clinic-wide closure has no practitioner."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="shift_exceptions")
    practitioner = models.ForeignKey(Staff, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="shift_exceptions")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="exception_ends_after_start"),
        ]


class BookingRules(models.Model):
    """The clinic's booking policy (one row a clinic)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, primary_key=True, related_name="booking_rules")
    minimum_notice_hours = models.PositiveSmallIntegerField(default=12, validators=[MaxValueValidator(24 * 14)])
    horizon_days = models.PositiveSmallIntegerField(default=90, validators=[MinValueValidator(1),
                                                                            MaxValueValidator(730)])
    late_cancel_hours = models.PositiveSmallIntegerField(default=24, validators=[MaxValueValidator(24 * 14)])
    approve_new_patients = models.BooleanField(default=False, help_text=(
        "Online bookings by people who are not yet patients wait for reception to approve them"))
    slot_step_minutes = models.PositiveSmallIntegerField(default=15, validators=[MinValueValidator(5),
                                                                                 MaxValueValidator(120)])
    reminder_offsets_hours = models.JSONField(default=list, blank=True,
                                              help_text="Hours before the appointment, e.g. [48, 2]")
    waitlist_offer_minutes = models.PositiveSmallIntegerField(default=120, validators=[MinValueValidator(5),
                                                                                       MaxValueValidator(24 * 60 * 3)])
    practitioners_see_colleagues = models.BooleanField(default=True, help_text=(
        "Practitioners see who is booked with their colleagues; when off, a colleague's appointments show as busy"))
    front_desk_email = models.EmailField(blank=True, help_text=(
        "Told of every online booking and online cancellation, besides the practitioner"))
    # The public booking page (`/book/<public_slug>/`): shown only when `online_booking` is on and a slug is set.
    online_booking = models.BooleanField(default=False, help_text=(
        "Let people book online at the clinic's public booking page"))
    public_slug = models.SlugField(max_length=60, unique=True, null=True, blank=True,
                                   validators=[validate_public_slug], help_text=(
        "The booking page's address: /book/<this>/"))
    version = models.PositiveIntegerField(default=1)
