"""The booking service: book, cancel, move and mark appointments — the only code that writes them.

Each call is one transaction, audited through `clinic.audit.record`, and sends `signals.appointment_changed` once
it has committed. Edits are version-checked against the appointment the caller holds (`records.Conflict` when
someone changed it since). Bad input is refused with `InputRefused`, each problem naming its field.

No double booking: a practitioner (and a room) never holds two overlapping live appointments, buffers included
(`blocked_from`–`blocked_until`). The check below runs inside the write transaction, and the database guards it
too — an exclusion constraint on PostgreSQL, triggers on SQLite (migration 0002), whose transactions start
IMMEDIATE and so run one at a time. Whoever loses a race gets `SlotTaken` (HTTP 409), never a database error.

The clinic's policy (minimum notice, horizon, the practitioner's working hours, online rules) binds patients
(`apply_policy=True`, the default). Staff may book outside it with `apply_policy=False`, but only with an
`override_reason` when a rule is actually broken; the rules broken and the reason are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import Clinic, Episode, Patient, Role, Staff
from sciatica_care.clinic.records import Conflict
from sciatica_care.errors import InputRefused, Problem
from sciatica_care.scheduling import free_time, signals, slots, treatment_gate
from sciatica_care.scheduling.models import (
    Appointment,
    AppointmentStatus,
    BookedVia,
    BookingRules,
    Location,
    Room,
    Service,
)
from sciatica_care.scheduling.models.appointments import LIVE_STATUSES

__all__ = ["Conflict", "SlotTaken", "StatusRefused", "audit_event", "book", "cancel", "mark", "move", "rules_for"]

#: The names of the database's overlap guards (migration 0002), as they appear in its error messages.
OVERLAP_GUARDS = ("appt_no_overlap_practitioner", "appt_no_overlap_room")


class SlotTaken(InputRefused):
    """The time is no longer free: the practitioner (or the room) holds another appointment then (HTTP 409)."""

    def __init__(self, field: str = "start", message: str = "") -> None:
        super().__init__([Problem(field, message or (
            "this time is no longer free: the practitioner already has an appointment that overlaps it "
            "(buffers included); choose another time"))])


class StatusRefused(InputRefused):
    """What was asked does not fit the appointment's status now (cancelling a cancelled one, a no-show before the
    start): a conflict with its state (HTTP 409), naming `status`."""

    def __init__(self, message: str) -> None:
        super().__init__([Problem("status", message)])


def rules_for(clinic: Clinic | int) -> BookingRules:
    """The clinic's booking rules (the defaults when it has not set any)."""
    clinic_id = clinic if isinstance(clinic, int) else clinic.pk
    found = BookingRules.objects.filter(clinic_id=clinic_id).first()
    return found if found is not None else BookingRules(clinic_id=clinic_id)


def _aware(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise InputRefused([Problem(field, "give a date and time")])
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputRefused([Problem(field, "give the time with its UTC offset (e.g. 2027-01-04T10:00:00+00:00)")])
    if value.second or value.microsecond:
        raise InputRefused([Problem(field, "give the time to the minute (no seconds)")])
    return value


def _held(service: Service, start: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    end = start + dt.timedelta(minutes=service.duration_minutes)
    return (end, start - dt.timedelta(minutes=service.buffer_before_minutes),
            end + dt.timedelta(minutes=service.buffer_after_minutes))


def _clashes(field: str, value: Any, held_from: dt.datetime, held_until: dt.datetime,
             exclude: int | None = None) -> bool:
    qs = Appointment.objects.filter(**{field: value}, status__in=LIVE_STATUSES, blocked_from__lt=held_until,
                                    blocked_until__gt=held_from)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _free_room(location: Location, held_from: dt.datetime, held_until: dt.datetime,
               exclude: int | None = None, skip: set[int] | None = None) -> Room | None:
    busy = Appointment.objects.filter(room__location=location, status__in=LIVE_STATUSES,
                                      blocked_from__lt=held_until, blocked_until__gt=held_from)
    if exclude is not None:
        busy = busy.exclude(pk=exclude)
    return (Room.objects.filter(location=location, active=True).exclude(pk__in=busy.values("room_id"))
            .exclude(pk__in=skip or ()).order_by("pk").first())


def _choose_room(needs_room: bool, room: Room | None, location: Location, held_from: dt.datetime,
                 held_until: dt.datetime, exclude: int | None = None, skip: set[int] | None = None) -> Room | None:
    """The room given, or for a service that needs one a free room of the location (None when none is)."""
    if room is not None or not needs_room:
        return room
    return _free_room(location, held_from, held_until, exclude=exclude, skip=skip)


def _room_free(needs_room: bool, given: Room | None, chosen: Room | None, held_from: dt.datetime,
               held_until: dt.datetime, exclude: int | None = None) -> None:
    """Refuse (naming `room`) when no room was free, or the room given is taken then."""
    if needs_room and chosen is None:
        raise SlotTaken("room", "no room is free at this location then; choose another time")
    if given is not None and _clashes("room", given, held_from, held_until, exclude=exclude):
        raise SlotTaken("room", "this room is taken then; choose another room or time")


def _policy_breaches(clinic_id: int, practitioner_id: int, location_id: int, service: Service,
                     start: dt.datetime, held_from: dt.datetime, held_until: dt.datetime,
                     now: dt.datetime) -> list[Problem]:
    """Which of the clinic's booking rules this time breaks (minimum notice, horizon, working hours)."""
    rules = rules_for(clinic_id)
    out = []
    if start < now + dt.timedelta(hours=rules.minimum_notice_hours):
        out.append(Problem("start", f"the clinic needs at least {rules.minimum_notice_hours} hours' notice"))
    if start > now + dt.timedelta(days=rules.horizon_days):
        out.append(Problem("start", f"the clinic books at most {rules.horizon_days} days ahead"))
    windows = slots.working_windows(clinic_id, [practitioner_id], start, held_until)
    at = None if service.by_phone else location_id
    if not free_time.inside(windows, practitioner_id, at, held_from, held_until):
        out.append(Problem("start", "the practitioner is not working then (outside their hours at this "
                                    "location, on leave, or the clinic is closed)"))
    return out


def bookable(service: Service, practitioner_id: int, location: Location, start: dt.datetime, *,
             now: dt.datetime | None = None) -> bool:
    """Whether `start` could be booked now for `service` with this practitioner at `location` under the clinic's
    rules (notice, horizon, working hours), the practitioner free then (buffers included) and a room free when the
    service needs one: what `book` would accept, asked without booking."""
    _, held_from, held_until = _held(service, start)
    if _policy_breaches(service.clinic_id, practitioner_id, location.pk, service, start, held_from, held_until,
                        now or timezone.now()):
        return False
    if _clashes("practitioner_id", practitioner_id, held_from, held_until):
        return False
    return not (service.room_needed and not service.by_phone) or _free_room(location, held_from,
                                                                             held_until) is not None


def _check_parties(clinic: Clinic, practitioner: Staff, service: Service, location: Location,
                   room: Room | None, patient: Patient | None, prospect_name: str,
                   episode: Episode | None) -> None:
    problems = []
    if practitioner.clinic_id != clinic.pk or not practitioner.is_active or practitioner.role not in (
            Role.PRACTITIONER, Role.CLINIC_ADMIN):
        problems.append(Problem("practitioner", "not a practitioner of this clinic who can see patients"))
    if service.clinic_id != clinic.pk or not service.active:
        problems.append(Problem("service", "not a service this clinic offers"))
    if location.clinic_id != clinic.pk or not location.active:
        problems.append(Problem("location", "not an open location of this clinic"))
    if room is not None and (room.location_id != location.pk or not room.active):
        problems.append(Problem("room", "not a room in use at this location"))
    if room is not None and (service.by_phone or not service.room_needed):
        problems.append(Problem("room", "this service does not take a room"))
    if patient is not None and patient.clinic_id != clinic.pk:
        problems.append(Problem("patient", "not a patient of this clinic"))
    if patient is None and not prospect_name.strip():
        problems.append(Problem("patient", "say who the appointment is for: a patient, or a name for the call"))
    if episode is not None and (episode.clinic_id != clinic.pk or patient is None
                                or episode.patient_id != patient.pk):
        problems.append(Problem("episode", "not a course of care of this patient"))
    elif episode is not None and not service.by_phone:
        plan, why = treatment_gate.current_plan(episode)
        if plan is None:
            problems.append(Problem("episode", why))
    if problems:
        raise InputRefused(problems)


def _check_online(service: Service, patient: Patient | None) -> None:
    if not service.online_bookable:
        raise InputRefused([Problem("service", "this service cannot be booked online: please call the clinic")])
    if patient is None and not service.new_patients_allowed:
        raise InputRefused([Problem("service", "this service is for existing patients: book an initial "
                                               "assessment or the free consultation call first")])


def _apply_policy(breaches: list[Problem], apply_policy: bool, by: Staff | None, override_reason: str) -> None:
    if not breaches:
        return
    if apply_policy:
        raise InputRefused(breaches)
    if by is None:
        raise InputRefused([Problem("apply_policy", "only staff may book outside the clinic's rules")])
    if not override_reason.strip():
        raise InputRefused([Problem("override_reason", "say why this booking goes outside the clinic's rules: "
                                    + "; ".join(p.message for p in breaches))])


def audit_event(by: Staff | None, action: str, appointment: Appointment, **detail: Any) -> None:
    """One audit event about `appointment`, naming its patient (none for a prospect's call)."""
    audit.record(by, action, object_type="Appointment", object_id=appointment.pk, patient_id=appointment.patient_id,
                 clinic_id=appointment.clinic_id, **detail)


def _overlap_guard(exc: IntegrityError) -> str | None:
    text = str(exc)
    return next((name for name in OVERLAP_GUARDS if name in text), None)


def book(*, clinic: Clinic, practitioner: Staff, service: Service, location: Location, start: dt.datetime,
         by: Staff | None, via: str = BookedVia.STAFF, patient: Patient | None = None, prospect_name: str = "",
         prospect_email: str = "", prospect_phone: str = "", room: Room | None = None,
         episode: Episode | None = None, course_session: int | None = None, is_review: bool = False,
         apply_policy: bool = True, override_reason: str = "", front_desk_note: str = "",
         now: dt.datetime | None = None) -> Appointment:
    """Book `service` with `practitioner` at `start` (aware) at `location`, for `patient` or a prospective patient
    (`prospect_name` and contact: the free consultation call). A room is chosen when the service needs one and
    none is given. An online booking by someone who is not yet a patient waits for approval (`requested`) when
    the clinic's rules say so. Raises `SlotTaken` when the time is taken, `InputRefused` naming the field."""
    start = _aware(start, "start")
    now = now or timezone.now()
    if via not in BookedVia.values:
        raise InputRefused([Problem("via", f"one of {', '.join(BookedVia.values)}")])
    if via == BookedVia.ONLINE and (by is not None or not apply_policy):
        raise InputRefused([Problem("via", "an online booking is made by the patient, under the clinic's rules")])
    _check_parties(clinic, practitioner, service, location, room, patient, prospect_name, episode)
    if via == BookedVia.ONLINE:
        _check_online(service, patient)
    end, held_from, held_until = _held(service, start)
    breaches = _policy_breaches(clinic.pk, practitioner.pk, location.pk, service, start, held_from, held_until, now)
    _apply_policy(breaches, apply_policy, by, override_reason)
    needs_room = service.room_needed and not service.by_phone
    rules = rules_for(clinic)
    # Someone not yet a patient who books for themselves (online, or taking a waitlist offer) waits for approval
    # when the clinic's rules say so.
    status = (AppointmentStatus.REQUESTED
              if via in (BookedVia.ONLINE, BookedVia.WAITLIST) and patient is None and rules.approve_new_patients
              else AppointmentStatus.BOOKED)
    if _clashes("practitioner", practitioner, held_from, held_until):
        # Taken already: said at once, from a read, without queueing for the write lock (SQLite has one writer
        # at a time). The check is made again inside the transaction, and the database guards it.
        raise SlotTaken()
    tried: set[int] = set()
    chosen = room
    while True:
        try:
            with transaction.atomic():
                chosen = _choose_room(needs_room, room, location, held_from, held_until, skip=tried)
                # After the room: a booking of this practitioner committed meanwhile shows here (each statement
                # sees what was committed before it began), so the refusal names the time, not the room.
                if _clashes("practitioner", practitioner, held_from, held_until):
                    raise SlotTaken()
                _room_free(needs_room, room, chosen, held_from, held_until)
                appointment = Appointment.objects.create(
                    clinic=clinic, patient=patient, prospect_name=prospect_name.strip(),
                    prospect_email=prospect_email.strip(), prospect_phone=prospect_phone.strip(),
                    practitioner=practitioner, service=service, location=location, room=chosen, start=start,
                    end=end, blocked_from=held_from, blocked_until=held_until, status=status, episode=episode,
                    course_session=course_session, is_review=is_review, booked_by=by, booked_via=via,
                    booked_at=now, front_desk_note=front_desk_note.strip())
                detail: dict[str, Any] = {"start": start.isoformat(), "service": service.pk,
                                          "practitioner": practitioner.pk, "via": str(via), "status": str(status)}
                if breaches:
                    detail["overridden"] = [p.message for p in breaches]
                    detail["reason"] = override_reason.strip()[:300]
                audit_event(by, "book_appointment", appointment, **detail)
                signals.send_on_commit(appointment, "requested" if status == AppointmentStatus.REQUESTED
                                       else "booked")
                return appointment
        except IntegrityError as exc:
            guard = _overlap_guard(exc)
            if guard is None:
                raise
            if guard == "appt_no_overlap_room" and room is None and chosen is not None:
                tried.add(chosen.pk)  # another booking took the room chosen for us first: try the next one
                continue
            raise SlotTaken("room" if guard == "appt_no_overlap_room" else "start") from None


def _fresh(appointment: Appointment) -> Appointment:
    """The appointment locked for this transaction, if still at the version the caller holds."""
    fresh = Appointment.objects.select_for_update().filter(pk=appointment.pk).first()
    if fresh is None or fresh.version != appointment.version:
        raise Conflict(appointment, fresh.version if fresh is not None else None)
    return fresh


def _save(appointment: Appointment, fresh: Appointment, changes: dict[str, Any]) -> None:
    n = Appointment.objects.filter(pk=fresh.pk, version=fresh.version).update(version=F("version") + 1, **changes)
    if n != 1:
        raise Conflict(appointment, None)
    for name, value in changes.items():
        setattr(appointment, name, value)
    appointment.version = fresh.version + 1


CANCELLABLE = (AppointmentStatus.REQUESTED, AppointmentStatus.BOOKED)


def cancel(appointment: Appointment, *, by: Staff | None, reason: str, by_clinic: bool = False,
           now: dt.datetime | None = None) -> Appointment:
    """Cancel a booked (or requested) appointment. Cancelled inside the clinic's late-cancel window before the
    start it is `late_cancelled` — unless the clinic itself cancels (`by_clinic`: a red flag, a closed course,
    the practitioner unwell), which is never the patient's late cancellation."""
    reason = reason.strip()
    if not reason:
        raise InputRefused([Problem("reason", "say why the appointment is cancelled")])
    now = now or timezone.now()
    with transaction.atomic():
        fresh = _fresh(appointment)
        if fresh.status not in CANCELLABLE:
            raise StatusRefused(f"a {fresh.get_status_display().lower()} appointment cannot be cancelled")
        window = dt.timedelta(hours=rules_for(fresh.clinic_id).late_cancel_hours)
        late = not by_clinic and fresh.status == AppointmentStatus.BOOKED and now > fresh.start - window
        status = AppointmentStatus.LATE_CANCELLED if late else AppointmentStatus.CANCELLED
        _save(appointment, fresh, {"status": status, "cancelled_at": now, "cancelled_by": by,
                                   "cancel_reason": reason[:300]})
        audit_event(by, "cancel_appointment", appointment, status=status,
                     reason=reason[:300], late=late, by_clinic=by_clinic)
        signals.send_on_commit(appointment, "late_cancelled" if late else "cancelled")
    return appointment


def move(appointment: Appointment, *, start: dt.datetime, by: Staff | None, practitioner: Staff | None = None,
         room: Room | None = None, apply_policy: bool = True, override_reason: str = "",
         now: dt.datetime | None = None) -> Appointment:
    """Move a booked (or requested) appointment to `start`, and to another practitioner or room if given, under
    the same rules as `book` (a room is chosen again when the service needs one and none is given)."""
    start = _aware(start, "start")
    now = now or timezone.now()
    clinic = appointment.clinic
    practitioner = practitioner or appointment.practitioner
    service, location = appointment.service, appointment.location
    _check_parties(clinic, practitioner, service, location, room, appointment.patient,
                   appointment.prospect_name, None)
    end, held_from, held_until = _held(service, start)
    breaches = _policy_breaches(clinic.pk, practitioner.pk, location.pk, service, start, held_from, held_until, now)
    _apply_policy(breaches, apply_policy, by, override_reason)
    needs_room = service.room_needed and not service.by_phone
    try:
        with transaction.atomic():
            fresh = _fresh(appointment)
            if fresh.status not in CANCELLABLE:
                raise StatusRefused(f"a {fresh.get_status_display().lower()} appointment cannot be moved")
            keep = fresh.room if room is None and fresh.room is not None and fresh.room.active and not _clashes(
                "room", fresh.room, held_from, held_until, exclude=fresh.pk) else room
            chosen = _choose_room(needs_room, keep, location, held_from, held_until, exclude=fresh.pk)
            if _clashes("practitioner", practitioner, held_from, held_until, exclude=fresh.pk):
                raise SlotTaken()
            _room_free(needs_room, room, chosen, held_from, held_until, exclude=fresh.pk)
            previous = {"start": fresh.start, "end": fresh.end, "practitioner_id": fresh.practitioner_id}
            _save(appointment, fresh, {"start": start, "end": end, "blocked_from": held_from,
                                       "blocked_until": held_until, "practitioner": practitioner,
                                       "room": chosen})
            detail: dict[str, Any] = {"from": fresh.start.isoformat(), "to": start.isoformat(),
                                      "practitioner": practitioner.pk}
            if breaches:
                detail["overridden"] = [p.message for p in breaches]
                detail["reason"] = override_reason.strip()[:300]
            audit_event(by, "move_appointment", appointment, **detail)
            signals.send_on_commit(appointment, "moved", previous)
    except IntegrityError as exc:
        guard = _overlap_guard(exc)
        if guard is None:
            raise
        raise SlotTaken("room" if guard == "appt_no_overlap_room" else "start") from None
    return appointment


#: The marks allowed from each status (approving a request is marking it booked).
MARKS = {
    AppointmentStatus.REQUESTED: (AppointmentStatus.BOOKED,),
    AppointmentStatus.BOOKED: (AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW),
    AppointmentStatus.ARRIVED: (AppointmentStatus.COMPLETED,),
}
_CHANGE = {AppointmentStatus.BOOKED: "approved", AppointmentStatus.ARRIVED: "arrived",
           AppointmentStatus.COMPLETED: "completed", AppointmentStatus.NO_SHOW: "no_show"}


def mark(appointment: Appointment, status: str, *, by: Staff | None, now: dt.datetime | None = None) -> Appointment:
    """Mark an appointment: approve a request (`booked`), `arrived`, `completed` or `no_show`. Arrival is taken
    from the day of the appointment; completed and no-show only once it has started."""
    now = now or timezone.now()
    if status not in _CHANGE:
        raise InputRefused([Problem("status", "one of booked (approve), arrived, completed, no_show")])
    with transaction.atomic():
        fresh = _fresh(appointment)
        if status not in MARKS.get(AppointmentStatus(fresh.status), ()):
            raise StatusRefused(f"a {fresh.get_status_display().lower()} appointment cannot be marked "
                                f"{AppointmentStatus(status).label.lower()}")
        if status == AppointmentStatus.ARRIVED and now < fresh.start - dt.timedelta(hours=12):
            raise StatusRefused("a patient can be marked arrived only on the day")
        if status in (AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW) and now < fresh.start:
            raise StatusRefused("the appointment has not started yet")
        _save(appointment, fresh, {"status": status})
        audit_event(by, "mark_appointment", appointment, status=status,
                     previous=fresh.status)
        signals.send_on_commit(appointment, _CHANGE[status])
    return appointment

