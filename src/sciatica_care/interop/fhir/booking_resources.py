"""The booking diary as FHIR: each appointment of a patient (Appointment), the practitioners' working hours at
each location (Schedule), the time each live appointment holds (a busy Slot), and the clinic's locations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sciatica_care.interop.fhir.canonical import concept, put, ref, text
from sciatica_care.interop.fhir.people import instant

#: Our appointment statuses as FHIR's, and the words kept when FHIR's loses a distinction.
STATUS = {"requested": "pending", "booked": "booked", "arrived": "arrived", "completed": "fulfilled",
          "cancelled": "cancelled", "late_cancelled": "cancelled", "no_show": "noshow"}
LIVE = frozenset({"requested", "booked", "arrived", "completed"})
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class SiteRow:
    id: int
    clinic_id: int
    name: str
    address: str = ""
    phone: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class ShiftRow:
    practitioner_id: int
    location_id: int
    weekday: int
    start: dt.time
    end: dt.time


@dataclass(frozen=True, slots=True)
class AppointmentRow:
    id: int
    patient_id: int
    practitioner_id: int
    location_id: int
    service: str
    start: dt.datetime
    end: dt.datetime
    status: str
    booked_at: dt.datetime
    episode_id: int | None = None
    cancel_reason: str = ""


def schedule_id(practitioner_id: int, location_id: int) -> str:
    return f"{practitioner_id}-{location_id}"


def site(row: SiteRow) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Location", "id": str(row.id),
                           "status": "active" if row.active else "inactive"}
    put(out, "name", row.name)
    out["mode"] = "instance"
    if text(row.phone):
        out["telecom"] = [{"system": "phone", "value": text(row.phone)}]
    if text(row.address):
        out["address"] = {"text": text(row.address)}
    out["managingOrganization"] = ref("Organization", row.clinic_id)
    return out


def schedules(shifts: Iterable[ShiftRow]) -> list[dict[str, Any]]:
    """One Schedule per practitioner and location, its working hours in words."""
    by_pair: dict[tuple[int, int], list[ShiftRow]] = {}
    for s in shifts:
        by_pair.setdefault((s.practitioner_id, s.location_id), []).append(s)
    out = []
    for (practitioner_id, location_id), rows in by_pair.items():
        hours = "; ".join(f"{WEEKDAYS[s.weekday]} {s.start:%H:%M}–{s.end:%H:%M}"
                          for s in sorted(rows, key=lambda r: (r.weekday, r.start)))
        out.append({"resourceType": "Schedule", "id": schedule_id(practitioner_id, location_id), "active": True,
                    "actor": [ref("Practitioner", practitioner_id), ref("Location", location_id)],
                    "comment": f"Working hours (the location's local time): {hours}"})
    return out


def slot(row: AppointmentRow) -> dict[str, Any] | None:
    """The time a live appointment holds, as a busy slot of its practitioner's schedule there."""
    if row.status not in LIVE:
        return None
    return {"resourceType": "Slot", "id": f"appointment-{row.id}",
            "schedule": ref("Schedule", schedule_id(row.practitioner_id, row.location_id)), "status": "busy",
            "start": instant(row.start), "end": instant(row.end)}


def appointment(row: AppointmentRow) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Appointment", "id": str(row.id), "status": STATUS.get(row.status,
                                                                                                 "booked")}
    if row.status == "late_cancelled":
        out["cancelationReason"] = concept(text="Cancelled late" + (f": {text(row.cancel_reason)}"
                                                                    if text(row.cancel_reason) else ""))
    elif row.status == "cancelled" and text(row.cancel_reason):
        out["cancelationReason"] = concept(text=row.cancel_reason)
    if text(row.service):
        out["serviceType"] = [concept(text=row.service)]
    if row.episode_id is not None:
        out["reasonReference"] = [ref("Condition", row.episode_id)]
    out["start"] = instant(row.start)
    out["end"] = instant(row.end)
    minutes = int((row.end - row.start).total_seconds() // 60)
    if minutes > 0:
        out["minutesDuration"] = minutes
    if row.status in LIVE:
        out["slot"] = [ref("Slot", f"appointment-{row.id}")]
    out["created"] = instant(row.booked_at)
    out["participant"] = [{"actor": ref("Patient", row.patient_id), "status": "accepted"},
                          {"actor": ref("Practitioner", row.practitioner_id), "status": "accepted"},
                          {"actor": ref("Location", row.location_id), "status": "accepted"}]
    return out
