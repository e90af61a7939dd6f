"""Reading the calendar's forms: each reader answers the values it could read and, for each field it could not,
a message naming the field (shown beside it, and in the 4xx answer). Record numbers are looked up within the
signed-in person's clinic only; one of another clinic reads as "not found here"."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import QueryDict

from sciatica_care.clinic import access
from sciatica_care.clinic.input_cleaning import Unreadable, iso_date, text_problem, whole_number
from sciatica_care.clinic.models import Patient, Role, Staff
from sciatica_care.scheduling.free_time import local
from sciatica_care.scheduling.models import Appointment, AppointmentStatus, Location, Room, Service

_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)", re.ASCII)
MAX_NOTE = Appointment._meta.get_field("front_desk_note").max_length or 300
MAX_REASON = Appointment._meta.get_field("cancel_reason").max_length or 300


@dataclass
class Read:
    """What a reader made of a form: the values, and the problems by field name."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self, data: QueryDict, name: str, limit: int, what: str, *, required: str = "") -> str:
        value = str(data.get(name, "")).strip()
        problem = text_problem(value, limit, what=what)
        if problem:
            self.errors[name] = problem
        elif required and not value:
            self.errors[name] = f"{what}: {required}"
        self.values[name] = value
        return value

    def number(self, data: QueryDict, name: str, what: str, *, required: bool = True) -> int | None:
        raw = str(data.get(name, "")).strip()
        if not raw:
            if required:
                self.errors[name] = f"{what}: choose one"
            return None
        try:
            return whole_number(raw, 1, what=what)
        except Unreadable as exc:
            self.errors[name] = str(exc)
            return None


def clock(raw: Any, *, what: str = "Time") -> dt.time:
    """A time of day typed as HH:MM with the digits 0-9."""
    match = _CLOCK.fullmatch(str(raw).strip())
    if match is None:
        raise Unreadable(f"{what}: give the time as hours:minutes, such as 09:30")
    return dt.time(int(match.group(1)), int(match.group(2)))


def practitioners(clinic_id: int) -> list[Staff]:
    """Everyone of the clinic who holds appointments: its active practitioners and clinic admins."""
    return list(Staff.objects.filter(clinic_id=clinic_id, is_active=True,
                                     role__in=[Role.PRACTITIONER, Role.CLINIC_ADMIN])
                .only("id", "username", "first_name", "last_name", "clinic_id", "role", "is_active")
                .order_by("first_name", "last_name", "id"))


def one_of(read: Read, name: str, what: str, pk: int | None, qs: Any) -> Any:
    """The row of `qs` with primary key `pk` (None when not given); one not found is an error naming `name`."""
    if pk is None:
        return None
    found = qs.filter(pk=pk).first()
    if found is None:
        read.errors[name] = f"{what}: not found here"
    return found


def read_when(read: Read, data: QueryDict, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """The date and time fields as an aware moment in `zone` (a time a clock change skips reads an hour later)."""
    day = at = None
    try:
        day = iso_date(data.get("date", ""), what="Date")
    except Unreadable as exc:
        read.errors["date"] = str(exc)
    try:
        at = clock(data.get("time", ""))
    except Unreadable as exc:
        read.errors["time"] = str(exc)
    if day is None or at is None:
        return None
    if not dt.date(1900, 1, 2) <= day <= dt.date(9999, 12, 30):
        read.errors["date"] = "Date: not a date the clinic can book"
        return None
    return local(day, at, zone)


def read_booking(data: QueryDict, user: Staff) -> Read:
    """The booking form: who with, where, what, when, for whom (a patient, or a name and contact for a call)."""
    read = Read()
    clinic_id = user.clinic_id
    prac = one_of(read, "practitioner", "Practitioner", read.number(data, "practitioner", "Practitioner"),
                Staff.objects.filter(clinic_id=clinic_id, is_active=True,
                                     role__in=[Role.PRACTITIONER, Role.CLINIC_ADMIN]))
    location = one_of(read, "location", "Location", read.number(data, "location", "Location"),
                    Location.objects.filter(clinic_id=clinic_id, active=True))
    service = one_of(read, "service", "Service", read.number(data, "service", "Service"),
                   Service.objects.filter(clinic_id=clinic_id, active=True))
    patient = one_of(read, "patient", "Patient", read.number(data, "patient", "Patient", required=False),
                   access.scoped(user, Patient))
    name = read.text(data, "prospect_name", 200, "Name")
    email = read.text(data, "prospect_email", 254, "Email")
    phone = read.text(data, "prospect_phone", 40, "Phone")
    if email and "prospect_email" not in read.errors:
        try:
            validate_email(email)
        except ValidationError:
            read.errors["prospect_email"] = "Email: not an email address"
    if patient is None and "patient" not in read.errors and not name:
        read.errors["patient"] = "Patient: choose the patient, or give a name for someone new"
    if patient is not None:
        name = email = phone = ""
    read.text(data, "front_desk_note", MAX_NOTE, "Front-desk note")
    read.text(data, "override_reason", MAX_REASON, "Reason")
    zone = zoneinfo.ZoneInfo(location.time_zone) if location is not None else None
    start = read_when(read, data, zone) if zone is not None else None
    read.values.update(practitioner=prac, location=location, service=service, patient=patient, start=start,
                       prospect_name=name, prospect_email=email, prospect_phone=phone)
    return read


def read_move(data: QueryDict, user: Staff, appointment: Appointment) -> Read:
    """The move form: the new date and time (and practitioner), with the version the person saw."""
    read = Read()
    read.values["version"] = read.number(data, "version", "Version")
    prac = one_of(read, "practitioner", "Practitioner",
                read.number(data, "practitioner", "Practitioner", required=False),
                Staff.objects.filter(clinic_id=user.clinic_id, is_active=True,
                                     role__in=[Role.PRACTITIONER, Role.CLINIC_ADMIN]))
    read.values["practitioner"] = prac
    read.text(data, "override_reason", MAX_REASON, "Reason")
    read.values["start"] = read_when(read, data, zoneinfo.ZoneInfo(appointment.location.time_zone))
    return read


def read_cancel(data: QueryDict) -> Read:
    read = Read()
    read.values["version"] = read.number(data, "version", "Version")
    read.text(data, "reason", MAX_REASON, "Reason", required="say why the appointment is cancelled")
    return read


#: The marks the calendar offers, in the words of its buttons.
MARKS = {AppointmentStatus.ARRIVED: "Arrived", AppointmentStatus.COMPLETED: "Completed",
         AppointmentStatus.NO_SHOW: "Did not attend", AppointmentStatus.BOOKED: "Approve"}


def read_mark(data: QueryDict) -> Read:
    read = Read()
    read.values["version"] = read.number(data, "version", "Version")
    status = str(data.get("status", ""))
    if status not in MARKS:
        read.errors["status"] = "Status: one of arrived, completed, no_show, booked (approve)"
    read.values["status"] = status
    return read


def room_choices(location: Location | None) -> list[Room]:
    return list(location.rooms.filter(active=True)) if location is not None else []
