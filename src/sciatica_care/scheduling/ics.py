"""iCalendar (RFC 5545) for appointments, with the icalendar library: the one builder used by the `.ics` download,
the confirmation email's attachment and the practitioners' feeds.

An event says when, where, with whom and what service — never anything clinical. For a patient it names the
practitioner and the clinic; for staff (`audience="staff"`) the patient by first name and last initial only, as a
feed ends up on phones and in other companies' calendars. The UID is stable per appointment and SEQUENCE is its
version, so a calendar updates the event in place when it is moved; a cancelled one is STATUS:CANCELLED. Times
are in the location's time zone, with its VTIMEZONE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal
from zoneinfo import ZoneInfo

import icalendar
from django.utils import timezone

from sciatica_care.scheduling.models import Appointment

Audience = Literal["patient", "staff"]

PRODID = "-//Sciatica Care//Front desk//EN"
CANCELLED = ("cancelled", "late_cancelled")


def uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}-{appointment.clinic_id}@sciatica-care"


def _who(appointment: Appointment, audience: Audience) -> str:
    if audience == "patient":
        return appointment.practitioner.display()
    if appointment.patient is not None:
        p = appointment.patient
        return f"{p.first_name} {p.last_name[:1]}.".strip()
    return appointment.prospect_name.split(" ")[0] if appointment.prospect_name else ""


def _status(status: str) -> str:
    if status in CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if status == "requested" else "CONFIRMED"


def event(appointment: Appointment, *, audience: Audience = "patient", stamp: dt.datetime | None = None,
          manage_url: str = "") -> icalendar.Event:
    """One VEVENT for `appointment`."""
    zone = ZoneInfo(appointment.location.time_zone)
    service = appointment.service
    clinic = appointment.clinic
    ev = icalendar.Event()
    ev.add("uid", uid(appointment))
    ev.add("dtstamp", stamp or timezone.now())
    ev.add("dtstart", appointment.start.astimezone(zone))
    ev.add("dtend", appointment.end.astimezone(zone))
    ev.add("sequence", appointment.version)
    who = _who(appointment, audience)
    if audience == "patient":
        ev.add("summary", f"{service.name} — {clinic.name}")
    else:
        ev.add("summary", f"{service.name} · {who}" if who else service.name)
    location = appointment.location
    if service.by_phone:
        ev.add("location", "By telephone or video")
    else:
        room = f", {appointment.room.name}" if appointment.room is not None and audience == "staff" else ""
        ev.add("location", ", ".join(x for x in (location.name + room, location.address.replace("\n", ", ")) if x))
    lines = [f"{service.name} ({service.duration_minutes} minutes)"]
    if audience == "patient":
        lines.append(f"With {who} at {clinic.name}.")
        if location.phone:
            lines.append(f"To change or cancel, call {location.phone}.")
        if manage_url:
            lines.append(f"Change or cancel online: {manage_url}")
    elif appointment.is_review:
        lines.append("Review visit of the course.")
    ev.add("description", "\n".join(lines))
    ev.add("status", _status(appointment.status))
    if manage_url and audience == "patient":
        ev.add("url", manage_url)
    return ev


def calendar(appointments: Iterable[Appointment], *, name: str = "", audience: Audience = "patient",
             stamp: dt.datetime | None = None, method: str = "PUBLISH") -> bytes:
    """A VCALENDAR holding one VEVENT per appointment (with the time zones they use), as bytes."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    stamp = stamp or timezone.now()
    for appointment in appointments:
        cal.add_component(event(appointment, audience=audience, stamp=stamp))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def appointment_ics(appointment: Appointment, *, audience: Audience = "patient", manage_url: str = "",
                    stamp: dt.datetime | None = None) -> bytes:
    """The `.ics` file of one appointment (a download, or a message's attachment)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")  # a cancelled one says STATUS:CANCELLED in its event
    cal.add_component(event(appointment, audience=audience, stamp=stamp, manage_url=manage_url))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def filename(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}.ics"
