"""The front desk on the JSON API: services, free slots, appointments (book, read, cancel, .ics).

On the same API as `rest.py` (its token auth, error shape and handlers; `SlotTaken` is a 409). Every query is
scoped to the token owner's clinic; another clinic's appointment is a 404. Reception may book — it is their job —
and nothing here carries clinical notes. Reads and writes of an appointment are audited. Times are ISO 8601 with
their offset; slots and appointments are given in their location's time zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from sciatica_care.clinic import access
from sciatica_care.clinic.input_cleaning import text_problem
from sciatica_care.clinic.models import Episode, Patient, Staff
from sciatica_care.errors import InputRefused, Problem
from sciatica_care.scheduling import booking, ics, slots
from sciatica_care.scheduling.models import Appointment, BookedVia, Location, Room, Service

router = Router(tags=["booking"])


def _text(limit: int, what: str) -> Any:
    def check(value: str) -> str:
        problem = text_problem(value, limit, what=what)
        if problem:
            raise PydanticCustomError("stored_text", problem)
        return value.strip()

    return Annotated[str, AfterValidator(check)]


Reason = _text(300, "reason")
Note = _text(300, "front desk note")


class ServiceOut(Schema):
    id: int
    name: str
    kind: str
    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    price: str
    currency: str  # the clinic's (ISO 4217): the price is in it
    online_bookable: bool
    new_patients_allowed: bool
    room_needed: bool
    by_phone: bool

    @staticmethod
    def resolve_price(obj: Service) -> str:
        return f"{obj.price:.2f}"

    @staticmethod
    def resolve_currency(obj: Service) -> str:
        return obj.clinic.currency


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    practitioner: int
    location: int
    room: int | None


class AppointmentIn(Schema):
    """Book an appointment. `location` may be left out when the practitioner works at one location at that time;
    a room is chosen when the service needs one. Outside the clinic's rules (notice, horizon, working hours) give
    `override_reason`."""

    patient: int
    service: int
    practitioner: int
    start: dt.datetime
    location: int | None = None
    room: int | None = None
    episode: int | None = None
    front_desk_note: Note = ""
    override_reason: Reason = ""


class CancelIn(Schema):
    reason: Reason
    #: The version you read: a newer one on the server is a 409 (someone changed the appointment meanwhile).
    version: int | None = None


class AppointmentOut(Schema):
    id: int
    patient: int | None = Field(None, alias="patient_id")
    prospect_name: str
    service: int = Field(alias="service_id")
    practitioner: int = Field(alias="practitioner_id")
    location: int = Field(alias="location_id")
    room: int | None = Field(None, alias="room_id")
    episode: int | None = Field(None, alias="episode_id")
    course_session: int | None
    is_review: bool
    start: dt.datetime
    end: dt.datetime
    status: str
    booked_via: str
    front_desk_note: str
    cancel_reason: str
    version: int

    @staticmethod
    def resolve_start(obj: Appointment) -> dt.datetime:
        return obj.start.astimezone(ZoneInfo(obj.location.time_zone))

    @staticmethod
    def resolve_end(obj: Appointment) -> dt.datetime:
        return obj.end.astimezone(ZoneInfo(obj.location.time_zone))


def _user(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _mine(user: Staff, model: type[Any], pk: int | None, field: str, **filters: Any) -> Any:
    """A record of the user's clinic named in the body or the query, or a refusal naming `field`."""
    if pk is None:
        return None
    qs = model._default_manager.filter(**filters)
    if model is Room:
        qs = qs.filter(location__clinic_id=user.clinic_id)
    elif model is Staff:
        qs = qs.filter(clinic_id=user.clinic_id)
    else:
        qs = access.scoped(user, model).filter(**filters)
    found = qs.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if found is None:
        raise InputRefused([Problem(field, f"no such {field} in this clinic")])
    return found


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputRefused([Problem(field, "give the time with its UTC offset, e.g. 2027-01-04T10:00:00+00:00")])
    return value


@router.get("/services", response=list[ServiceOut])
def list_services(request: HttpRequest) -> Any:
    """The clinic's services in use."""
    return list(access.scoped(_user(request), Service).filter(active=True).select_related("clinic"))


@router.get("/slots", response=list[SlotOut])
def list_slots(request: HttpRequest, service: int, start: Annotated[dt.datetime, Query(alias="from")],
               end: Annotated[dt.datetime, Query(alias="to")], practitioner: int | None = None,
               location: int | None = None, patient_rules: bool = False) -> Any:
    """Free slots for `service` starting from `from` up to `to` (ISO 8601 with offsets; at most 92 days), with
    one practitioner or any, at one location or any; each given in its location's time zone. Staff see every
    free time; `patient_rules=true` applies the clinic's minimum notice and horizon as patients booking see them."""
    user = _user(request)
    chosen = _mine(user, Service, service, "service", active=True)
    start, end = _aware(start, "from"), _aware(end, "to")
    if end <= start:
        raise InputRefused([Problem("to", "must be after `from`")])
    if end - start > dt.timedelta(days=slots.MAX_DAYS):
        raise InputRefused([Problem("to", f"search at most {slots.MAX_DAYS} days at a time")])
    who = _mine(user, Staff, practitioner, "practitioner", is_active=True)
    where = _mine(user, Location, location, "location", active=True)
    found = slots.search(chosen, start, end, practitioner_id=who.pk if who else None,
                         location_id=where.pk if where else None, apply_policy=patient_rules)
    zones = {pk: ZoneInfo(tz) for pk, tz in Location.objects.filter(
        pk__in={s.location_id for s in found}).values_list("pk", "time_zone")}
    return [{"start": s.start.astimezone(zones[s.location_id]), "end": s.end.astimezone(zones[s.location_id]),
             "practitioner": s.practitioner_id, "location": s.location_id, "room": s.room_id} for s in found]


def _location_for(user: Staff, practitioner: Staff, service: Service, start: dt.datetime) -> Location:
    """Where the practitioner works at `start` (the location of their shift then)."""
    end = start + dt.timedelta(minutes=service.duration_minutes)
    working = {w.location_id for w in slots.working_windows(user.clinic_id or 0, [practitioner.pk], start, end)
               if w.start <= start and end <= w.end}
    if len(working) != 1:
        raise InputRefused([Problem("location", "say which location: the practitioner does not work at exactly "
                                                "one location at that time")])
    return Location.objects.get(pk=working.pop())


@router.post("/appointments", response={201: AppointmentOut})
def create_appointment(request: HttpRequest, payload: AppointmentIn) -> Any:
    """Book an appointment: 201, or 409 when the time is taken; a refusal names the field."""
    user = _user(request)
    patient = _mine(user, Patient, payload.patient, "patient")
    service = _mine(user, Service, payload.service, "service")
    practitioner = _mine(user, Staff, payload.practitioner, "practitioner")
    episode = _mine(user, Episode, payload.episode, "episode")
    room = _mine(user, Room, payload.room, "room")
    start = _aware(payload.start, "start")
    location = (_mine(user, Location, payload.location, "location") if payload.location is not None
                else _location_for(user, practitioner, service, start))
    appointment = booking.book(
        clinic=user.clinic, practitioner=practitioner, service=service, location=location, start=start,
        patient=patient, room=room, episode=episode, by=user, via=BookedVia.API,
        apply_policy=not payload.override_reason, override_reason=payload.override_reason,
        front_desk_note=payload.front_desk_note)
    return Status(201, appointment)


def _appointment(request: HttpRequest, pk: int) -> Appointment:
    return access.get_for(_user(request), Appointment, pk, kind=access.DEMOGRAPHIC,
                          queryset=access.scoped(_user(request), Appointment).select_related("location"))


# before /appointments/{pk}, which would otherwise take `12.ics` as its id
@router.get("/appointments/{pk}.ics", response={200: None}, openapi_extra={"responses": {200: {
    "description": "The appointment as an iCalendar file", "content": {"text/calendar": {}}}}})
def appointment_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The appointment as an iCalendar (.ics) file, for the patient."""
    appointment = _appointment(request, pk)
    booking.audit_event(_user(request), "read", appointment, via="api", format="ics")
    response = HttpResponse(ics.appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics.filename(appointment)}"'
    return response


@router.get("/appointments/{pk}", response=AppointmentOut)
def get_appointment(request: HttpRequest, pk: int) -> Any:
    appointment = _appointment(request, pk)
    booking.audit_event(_user(request), "read", appointment, via="api")
    return appointment


@router.post("/appointments/{pk}/cancel", response=AppointmentOut)
def cancel_appointment(request: HttpRequest, pk: int, payload: CancelIn) -> Any:
    """Cancel: `late_cancelled` when inside the clinic's late-cancel window (the patient's cancellation)."""
    appointment = _appointment(request, pk)
    if payload.version is not None and payload.version != appointment.version:
        raise booking.Conflict(appointment, appointment.version)
    return booking.cancel(appointment, by=_user(request), reason=payload.reason)
