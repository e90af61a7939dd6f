"""Reading what a visitor chose on the public booking page — the service, the practitioner (or anyone), the week,
the time — and who they are, from plain GET and POST fields. Everything is checked against the clinic; a
problem names its field and never raises past the page."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from sciatica_care.clinic.input_cleaning import search_text
from sciatica_care.clinic.models import Clinic, Staff
from sciatica_care.scheduling import slots, sms
from sciatica_care.scheduling.models import Appointment, Location, Service
from sciatica_care.scheduling.models.appointments import LIVE_STATUSES

ANYONE = "any"


@dataclass
class Choice:
    """What was chosen so far; `errors` maps a field to what is wrong with it."""

    service: Service | None = None
    practitioner: Staff | None = None
    location: Location | None = None
    start: dt.datetime | None = None
    week: dt.date | None = None
    errors: dict[str, str] = field(default_factory=dict)
    anyone: bool = False

    def picked(self) -> Picked | None:
        """The one time chosen, when everything about it was chosen and nothing is wrong."""
        if self.errors or self.service is None or self.practitioner is None or self.location is None \
                or self.start is None:
            return None
        return Picked(self.service, self.practitioner, self.location, self.start, anyone=self.anyone)


@dataclass(frozen=True)
class Picked:
    """One time to book: the service, with whom, where, when."""

    service: Service
    practitioner: Staff
    location: Location
    start: dt.datetime
    #: Chosen with "anyone": `practitioner` is who is free now, and the choice is made again when booking.
    anyone: bool = False

    def query(self) -> dict[str, str]:
        """The choice as the fields of the next page's address (or a form's hidden fields)."""
        who = ANYONE if self.anyone else str(self.practitioner.pk)
        return {"service": str(self.service.pk), "practitioner": who,
                "location": str(self.location.pk), "start": self.start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")}


def _whole(raw: Any) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def bookable_services(clinic: Clinic) -> list[Service]:
    return list(Service.objects.filter(clinic=clinic, active=True, online_bookable=True).order_by("name"))


def practitioners(clinic: Clinic) -> list[Staff]:
    """The clinic's practitioners who see patients and have working hours at an open location."""
    ids = slots.bookable_practitioners(clinic.pk)
    return list(Staff.objects.filter(pk__in=ids, shifts__location__active=True, shifts__location__clinic=clinic)
                .distinct().order_by("last_name", "first_name", "pk"))


def read_choice(clinic: Clinic, data: Any, *, need_time: bool = False) -> Choice:
    """The service, practitioner, week — and with `need_time` the location and start of one free time."""
    choice = Choice()
    raw_service = data.get("service")
    if raw_service not in (None, ""):
        pk = _whole(raw_service)
        choice.service = next((s for s in bookable_services(clinic) if s.pk == pk), None)
        if choice.service is None:
            choice.errors["service"] = "Service: choose one of the services listed"
    elif need_time:
        choice.errors["service"] = "Service: choose a service first"
    raw_who = str(data.get("practitioner") or ANYONE).strip()
    if raw_who != ANYONE:
        pk = _whole(raw_who)
        choice.practitioner = next((p for p in practitioners(clinic) if p.pk == pk), None)
        if choice.practitioner is None:
            choice.errors["practitioner"] = "Practitioner: choose one from the list, or anyone"
    raw_week = str(data.get("week") or "").strip()
    if raw_week:
        try:
            choice.week = dt.date.fromisoformat(raw_week[:10]) if len(raw_week) == 10 else None
        except ValueError:
            choice.week = None
        if choice.week is None:
            choice.errors["week"] = "Week: give a date such as 2027-01-04"
    if need_time:
        _read_time(clinic, data, choice)
    return choice


def _read_time(clinic: Clinic, data: Any, choice: Choice) -> None:
    pk = _whole(data.get("location"))
    choice.location = Location.objects.filter(clinic=clinic, active=True, pk=pk).first() if pk else None
    if choice.location is None:
        choice.errors["location"] = "Location: choose one of the free times shown"
    raw = str(data.get("start") or "").strip()
    try:
        start = dt.datetime.fromisoformat(raw.replace("Z", "+00:00")) if 0 < len(raw) <= 40 else None
    except ValueError:
        start = None
    if start is None or start.tzinfo is None or not 2000 <= start.year <= 2200:
        choice.errors["start"] = "Time: choose one of the free times shown"
    else:
        choice.start = start
    if choice.practitioner is None and not choice.errors and choice.service and choice.location and choice.start:
        choice.anyone = True
        found = free_practitioner(clinic, choice.service, choice.location, choice.start)
        if found is None:
            choice.errors["start"] = "Time: choose one of the free times shown"
        else:
            choice.practitioner, choice.location = found


def free_practitioner(clinic: Clinic, service: Service, location: Location,
                      start: dt.datetime) -> tuple[Staff, Location] | None:
    """Who takes a time booked with "anyone", and where: of the practitioners free then (at `location`, or for a
    service by telephone wherever they work), the one with the fewest appointments that day, then by name. When
    nobody is free, the first who works at the location, so that booking says the time is taken."""
    found = slots.search(service, start, start + dt.timedelta(minutes=1),
                         location_id=None if service.by_phone else location.pk)
    free = {s.practitioner_id: s.location_id for s in found if s.start == start}
    people = practitioners(clinic)
    candidates = [p for p in people if p.pk in free]
    if not candidates:
        first = next((p for p in people if p.shifts.filter(location=location).exists()), None)
        return None if first is None else (first, location)
    zone = zoneinfo.ZoneInfo(location.time_zone)
    begin = dt.datetime.combine(start.astimezone(zone).date(), dt.time(0), tzinfo=zone)
    busy = Counter(Appointment.objects.filter(practitioner__in=candidates, status__in=LIVE_STATUSES,
                                              start__gte=begin, start__lt=begin + dt.timedelta(days=1))
                   .values_list("practitioner_id", flat=True))
    chosen = min(candidates, key=lambda p: (busy[p.pk], p.last_name, p.first_name, p.pk))
    place = location if free[chosen.pk] == location.pk else Location.objects.filter(pk=free[chosen.pk]).first()
    return chosen, place or location


@dataclass
class NewPerson:
    name: str = ""
    email: str = ""
    phone: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def read_new_person(data: Any) -> NewPerson:
    """Someone who is not yet a patient: a name and at least one way to reach them."""
    person = NewPerson(name=search_text(data.get("name", ""), 200), email=search_text(data.get("email", ""), 254),
                       phone=search_text(data.get("phone", ""), 40))
    if not person.name:
        person.errors["name"] = "Name: type your name"
    if person.email:
        try:
            validate_email(person.email)
        except ValidationError:
            person.errors["email"] = "Email: type an email address such as name@example.org"
    if person.phone and not sms.normalise_number(person.phone):
        person.errors["phone"] = "Phone: type a phone number, digits only (spaces are fine)"
    if not person.email and not person.phone:
        person.errors["email"] = "Email or phone: give at least one, so the clinic can reach you"
    return person
