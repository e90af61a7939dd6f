"""The forms of the clinic admin's setup pages (locations, rooms, services, shifts, exceptions, booking rules).

Each form refuses bad input naming the field, in words the admin can act on; names unique within the clinic are
checked here (the model's unique constraints name the clinic, which is not a field of the form).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q

from sciatica_care.clinic.forms import VERSION_ERRORS
from sciatica_care.clinic.input_cleaning import CalendarDateField, WholeNumberField, refuse_control_characters
from sciatica_care.clinic.models import Role, Staff
from sciatica_care.scheduling.models import BookingRules, Location, Room, Service, Shift, ShiftException

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
#: The time zones offered, by name (Europe/London); the list is the system's.
TIME_ZONES = ["UTC", *sorted(z for z in zoneinfo.available_timezones()
                              if "/" in z and not z.startswith(("Etc/", "SystemV/")))]
#: The longest a reminder may be sent before the appointment, in hours.
LONGEST_REMINDER = 24 * 14
#: How many reminders an appointment may have.
MOST_REMINDERS = 4


def _whole(label: str, low: int, high: int, **kwargs: Any) -> WholeNumberField:
    words = f"{label}: a whole number from {low} to {high}."
    return WholeNumberField(label=label, min_value=low, max_value=high, error_messages={
        "required": words, "invalid": words, "min_value": words, "max_value": words},
        widget=forms.NumberInput(attrs={"min": low, "max": high, "step": 1}), **kwargs)


def _time(label: str, **kwargs: Any) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                           error_messages={"required": f"{label}: give a time such as 09:00.",
                                           "invalid": f"{label}: give a time such as 09:00."}, **kwargs)


def _date(label: str, **kwargs: Any) -> CalendarDateField:
    return CalendarDateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                             error_messages={"required": f"{label}: give a date such as 2026-12-24.",
                                             "invalid": f"{label}: not a date on the calendar; give it as "
                                                        "2026-12-24."}, **kwargs)


class _NamedInClinic(forms.ModelForm):  # type: ignore[type-arg]
    """A form whose `name` is unique among `siblings` (set by the view)."""

    siblings: Any = None

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data.get("name") or "").split())
        if not name:
            raise forms.ValidationError("Name: give it a name.")
        if self.siblings is not None and self.siblings.filter(name__iexact=name).exclude(
                pk=self.instance.pk).exists():
            raise forms.ValidationError(f"Name: there is already one called {name!r}; choose another name.")
        return name


class LocationForm(_NamedInClinic):
    time_zone = forms.ChoiceField(label="Time zone", choices=[(z, z) for z in TIME_ZONES], initial="Europe/London",
                                  help_text="Shifts, leave and the booking pages' times at this location are in this "
                                            "zone.",
                                  error_messages={"invalid_choice": "Time zone: choose one from the list "
                                                                    "(such as Europe/London).",
                                                  "required": "Time zone: choose one from the list."})

    class Meta:
        model = Location
        fields = ["name", "address", "phone", "time_zone", "active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        labels = {"active": "Open (bookable)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.time_zone if self.instance.pk else None
        if stored and stored not in TIME_ZONES:  # an older name the system still knows (e.g. GB): kept on offer
            self.fields["time_zone"].choices = [(stored, stored), *self.fields["time_zone"].choices]  # type: ignore[attr-defined]
        refuse_control_characters(self)


class RoomForm(_NamedInClinic):
    class Meta:
        model = Room
        fields = ["name", "active"]
        labels = {"active": "In use"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        refuse_control_characters(self)


class ServiceForm(_NamedInClinic):
    duration_minutes = _whole("Duration (minutes)", 5, 480)
    buffer_before_minutes = _whole("Time kept free before (minutes)", 0, 120, initial=0)
    buffer_after_minutes = _whole("Time kept free after (minutes)", 0, 120, initial=0)
    price = forms.DecimalField(label="Price", min_value=Decimal("0.00"), max_value=Decimal("999999.99"),
                               max_digits=8, decimal_places=2, initial=Decimal("0.00"), error_messages={
                                   "invalid": "Price: a number such as 60 or 60.00.",
                                   "required": "Price: a number such as 60 or 60.00 (0 when free).",
                                   "min_value": "Price: not below 0.", "max_value": "Price: too large.",
                                   "max_digits": "Price: too large.",
                                   "max_decimal_places": "Price: at most two decimal places."})

    class Meta:
        model = Service
        fields = ["name", "kind", "duration_minutes", "buffer_before_minutes", "buffer_after_minutes", "price",
                  "online_bookable", "new_patients_allowed", "room_needed", "by_phone", "active"]
        labels = {"online_bookable": "Bookable online", "new_patients_allowed": "New patients may book it",
                  "room_needed": "Needs a room", "by_phone": "By telephone or video", "active": "Offered"}
        error_messages = {"kind": {"invalid_choice": "Kind: choose one from the list.",
                                   "required": "Kind: choose one from the list."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        refuse_control_characters(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("by_phone") and data.get("room_needed"):
            self.add_error("room_needed", "Needs a room: a service by telephone or video needs no room; untick one.")
        return data


def practitioners_of(clinic_id: int) -> Any:
    return Staff.objects.filter(clinic_id=clinic_id, is_active=True,
                                role__in=(Role.PRACTITIONER, Role.CLINIC_ADMIN)).order_by("last_name", "first_name")


class _StaffChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display())


class ShiftForm(forms.ModelForm):  # type: ignore[type-arg]
    """One weekly shift; refused when it overlaps another of the same practitioner (any location) on the same
    weekday within dates that meet."""

    practitioner = _StaffChoice(queryset=Staff.objects.none(), label="Practitioner", error_messages={
        "required": "Practitioner: choose one.", "invalid_choice": "Practitioner: choose one from the list."})
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label="Location", error_messages={
        "required": "Location: choose one.", "invalid_choice": "Location: choose one from the list."})
    weekday = forms.TypedChoiceField(label="Day", coerce=int, choices=list(enumerate(WEEKDAYS)), error_messages={
        "required": "Day: choose a day of the week.", "invalid_choice": "Day: choose a day of the week."})
    start_time = _time("Starts")
    end_time = _time("Ends")
    valid_from = _date("From (optional)", required=False)
    valid_until = _date("Until (optional)", required=False)

    class Meta:
        model = Shift
        fields = ["practitioner", "location", "weekday", "start_time", "end_time", "valid_from", "valid_until"]

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # a shift being edited keeps its practitioner and location on offer, though since deactivated or closed
        self.fields["practitioner"].queryset = (  # type: ignore[attr-defined]
            practitioners_of(clinic_id) | Staff.objects.filter(pk=self.instance.practitioner_id, clinic_id=clinic_id))
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            clinic_id=clinic_id).filter(Q(active=True) | Q(pk=self.instance.location_id))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "Ends: must be after it starts.")
        since, until = data.get("valid_from"), data.get("valid_until")
        if since and until and until < since:
            self.add_error("valid_until", "Until: must not be before From.")
        who, day = data.get("practitioner"), data.get("weekday")
        if self.errors or who is None or day is None or not (start and end):
            return data
        clash = (Shift.objects.filter(practitioner=who, weekday=day, start_time__lt=end, end_time__gt=start)
                 .exclude(pk=self.instance.pk).select_related("location"))
        if until:
            clash = clash.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=until))
        if since:
            clash = clash.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=since))
        other = clash.first()
        if other is not None:
            self.add_error("start_time", (
                f"Starts: {who.display()} already works {WEEKDAYS[other.weekday]} "
                f"{other.start_time:%H:%M}–{other.end_time:%H:%M} at {other.location.name}; shifts of one "
                "practitioner must not overlap."))
        return data


class ExceptionKind:
    LEAVE = "leave"
    HOLIDAY = "holiday"
    CLOSURE = "closure"
    CHOICES = [(LEAVE, "Leave (one practitioner)"), (HOLIDAY, "Public holiday (everyone)"),
               (CLOSURE, "Clinic closure (everyone)")]
    PREFIX = {LEAVE: "Leave", HOLIDAY: "Holiday", CLOSURE: "Closure"}


class ShiftExceptionForm(forms.Form):
    """Time off: whole days unless times are given, in the location's time zone."""

    kind = forms.ChoiceField(label="What", choices=ExceptionKind.CHOICES, initial=ExceptionKind.LEAVE,
                             error_messages={"required": "What: choose leave, holiday or closure.",
                                             "invalid_choice": "What: choose leave, holiday or closure."})
    practitioner = _StaffChoice(queryset=Staff.objects.none(), label="Practitioner (for leave)", required=False,
                                error_messages={"invalid_choice": "Practitioner: choose one from the list."})
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False,
                                      label="Location (empty: every location)", error_messages={
                                          "invalid_choice": "Location: choose one from the list."})
    first_day = _date("First day")
    start_time = _time("From (optional: the whole day)", required=False)
    last_day = _date("Last day")
    end_time = _time("Until (optional: the whole day)", required=False)
    reason = forms.CharField(label="Note (optional)", max_length=100, required=False,
                             error_messages={"max_length": "Note: at most 100 characters."})

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic_id = clinic_id
        self.fields["practitioner"].queryset = practitioners_of(clinic_id)  # type: ignore[attr-defined]
        self.locations = Location.objects.filter(clinic_id=clinic_id, active=True)
        self.fields["location"].queryset = self.locations  # type: ignore[attr-defined]
        refuse_control_characters(self)

    def zone(self, location: Location | None) -> zoneinfo.ZoneInfo | None:
        """The zone its dates and times are read in: the location's, or the one zone all locations share."""
        if location is not None:
            return zoneinfo.ZoneInfo(location.time_zone)
        zones = set(self.locations.values_list("time_zone", flat=True))
        return zoneinfo.ZoneInfo(zones.pop()) if len(zones) == 1 else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, who = data.get("kind"), data.get("practitioner")
        if kind == ExceptionKind.LEAVE and who is None and "practitioner" not in self.errors:
            self.add_error("practitioner", "Practitioner: choose whose leave it is.")
        if kind in (ExceptionKind.HOLIDAY, ExceptionKind.CLOSURE) and who is not None:
            self.add_error("practitioner", "Practitioner: a holiday or closure is for everyone; leave it empty "
                                           "or choose Leave.")
        if self.errors:
            return data
        zone = self.zone(data.get("location"))
        if zone is None:
            self.add_error("location", "Location: your locations are in different time zones; choose the "
                                       "location this is for.")
            return data
        first, last = data["first_day"], data["last_day"]
        start = dt.datetime.combine(first, data.get("start_time") or dt.time(0), tzinfo=zone)
        end_time = data.get("end_time")
        end = (dt.datetime.combine(last, end_time, tzinfo=zone) if end_time
               else dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone))
        if end <= start:
            self.add_error("last_day" if last < first else "end_time", "Until: must be after it starts.")
        elif end - start > dt.timedelta(days=731):
            self.add_error("last_day", "Last day: at most two years after the first day.")
        data["starts_at"], data["ends_at"] = start, end
        return data

    @classmethod
    def initial_for(cls, off: ShiftException, zone: zoneinfo.ZoneInfo) -> dict[str, Any]:
        """The form's values for stored time off: whole days shown without times."""
        starts, ends = off.starts_at.astimezone(zone), off.ends_at.astimezone(zone)
        whole_end = ends.time() == dt.time(0)
        label, _, note = off.reason.partition(": ")
        kind = ExceptionKind.LEAVE if off.practitioner_id else (
            ExceptionKind.HOLIDAY if label == ExceptionKind.PREFIX[ExceptionKind.HOLIDAY] else ExceptionKind.CLOSURE)
        known = label in ExceptionKind.PREFIX.values()
        return {"kind": kind, "practitioner": off.practitioner_id, "location": off.location_id,
                "first_day": starts.date(), "start_time": None if starts.time() == dt.time(0) else starts.time(),
                "last_day": (ends - dt.timedelta(days=1)).date() if whole_end else ends.date(),
                "end_time": None if whole_end else ends.time(), "reason": note if known else off.reason}

    def exception(self) -> ShiftException:
        data = self.cleaned_data
        note = str(data.get("reason") or "").strip()
        label = ExceptionKind.PREFIX[data["kind"]]
        return ShiftException(clinic_id=self.clinic_id, practitioner=data.get("practitioner"),
                              location=data.get("location"), starts_at=data["starts_at"], ends_at=data["ends_at"],
                              reason=f"{label}: {note}" if note else label)


_OFFSET = re.compile(r"\d{1,4}")


def parse_offsets(text: str) -> list[int]:
    """ "48, 2" → [48, 2]: whole hours before the appointment, each once, the earliest first."""
    parts = [p.strip() for p in re.split(r"[,;\s]+", text.strip()) if p.strip()]
    if len(parts) > MOST_REMINDERS:
        raise forms.ValidationError(f"Reminders: at most {MOST_REMINDERS}, such as 48, 2.")
    hours: set[int] = set()
    for part in parts:
        if not _OFFSET.fullmatch(part) or not 1 <= int(part) <= LONGEST_REMINDER:
            raise forms.ValidationError(f"Reminders: {part[:20]!r} is not a number of hours from 1 to "
                                        f"{LONGEST_REMINDER}; write them like 48, 2.")
        hours.add(int(part))
    return sorted(hours, reverse=True)


class BookingRulesForm(forms.ModelForm):  # type: ignore[type-arg]
    version = WholeNumberField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)
    minimum_notice_hours = _whole("Minimum notice (hours)", 0, 24 * 14)
    horizon_days = _whole("Book at most this far ahead (days)", 1, 730)
    late_cancel_hours = _whole("A cancellation is late within (hours)", 0, 24 * 14)
    slot_step_minutes = _whole("Offer a start every (minutes)", 5, 120)
    waitlist_offer_minutes = _whole("A waiting-list offer is held for (minutes)", 5, 24 * 60 * 3)
    reminders = forms.CharField(label="Reminders (hours before)", required=False, max_length=60,
                                help_text="Hours before the appointment, separated by commas, such as 48, 2. "
                                          "Empty: no reminders.",
                                error_messages={"max_length": "Reminders: too long; write them like 48, 2."})
    public_slug = forms.SlugField(label="Booking page address", required=False, max_length=60, error_messages={
        "invalid": "Booking page address: letters, digits and hyphens only, such as high-street-clinic.",
        "max_length": "Booking page address: at most 60 characters."})

    class Meta:
        model = BookingRules
        fields = ["minimum_notice_hours", "horizon_days", "late_cancel_hours", "approve_new_patients",
                  "slot_step_minutes", "waitlist_offer_minutes", "practitioners_see_colleagues", "front_desk_email",
                  "online_booking", "public_slug"]
        labels = {"approve_new_patients": "New patients' online bookings wait for approval",
                  "practitioners_see_colleagues": "Practitioners see who is booked with colleagues",
                  "front_desk_email": "Front desk email", "online_booking": "Online booking on"}
        error_messages = {"front_desk_email": {"invalid": "Front desk email: not an email address."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["reminders"] = ", ".join(str(h) for h in self.instance.reminder_offsets_hours or [])
        refuse_control_characters(self)

    def clean_reminders(self) -> list[int]:
        return parse_offsets(str(self.cleaned_data.get("reminders") or ""))

    def clean_public_slug(self) -> str | None:
        slug = str(self.cleaned_data.get("public_slug") or "").strip().lower()
        if not slug:
            return None
        if BookingRules.objects.filter(public_slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Booking page address: already taken; choose another.")
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("online_booking") and not data.get("public_slug") and "public_slug" not in self.errors:
            self.add_error("public_slug", "Booking page address: give one to turn online booking on.")
        return data

    def values(self) -> dict[str, Any]:
        """The rules' fields as the form gives them."""
        out = {name: self.cleaned_data[name] for name in self.Meta.fields}
        out["reminder_offsets_hours"] = self.cleaned_data["reminders"]
        return out
