"""What the patient — and, for online bookings, the clinic's staff — are told when an appointment changes.

`scheduling.signals.appointment_changed` (sent once a change has committed) is received here and queues a
background task (django-tasks), so the request that booked returns at once; the task (`tell`) queues the messages
in the outbox, whose worker sends them.

- booked, approved: a confirmation with the `.ics` file; the reminders. A course booked from the plan in one step
  gets one confirmation listing its sessions, with all of them in its calendar file.
- requested (an online booking waiting for approval): "we have your request"; the staff are told.
- moved: the new time (and the old), an updated `.ics`; old reminders skipped, new ones queued.
- cancelled, late-cancelled: the cancellation; reminders skipped. What is left of a course cancelled at once (a red
  flag, a closed course) is one message — and when the clinic cancels, it says the clinic will contact them,
  never why.
- online bookings, requests and online cancellations: an email to the practitioner and to the clinic's front desk
  address (`BookingRules.front_desk_email`), naming no patient.
- arrived, completed, no-show: nothing.

Every message has its dedupe key from the appointment, the change and the appointment's version after it, so a
task run twice (a worker restarted) queues nothing twice. A notice of a booking or a move is queued only while the
appointment is still as that change left it: a later change sends its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from sciatica_care.scheduling import appointment_reminders, ics, message_wording, outbox, recipients
from sciatica_care.scheduling.models import (
    Appointment,
    AppointmentStatus,
    BookedVia,
    BookingRules,
    Channel,
    Topic,
)

__all__ = ["TOLD", "by_clinic", "connect", "manage_url", "tell"]

#: The changes that tell someone something.
TOLD = ("booked", "requested", "approved", "moved", "cancelled", "late_cancelled")
#: Appointments of one course booked (or cancelled) within this time of each other are told of together.
TOGETHER = dt.timedelta(seconds=60)
#: How long the notice of a cancellation or of a course's booking waits for the rest of the step.
SETTLE = dt.timedelta(seconds=10)
ICS_TYPE = "text/calendar; charset=utf-8; method=PUBLISH"


def connect() -> None:
    from sciatica_care.scheduling.signals import appointment_changed

    appointment_changed.connect(_changed, dispatch_uid="sciatica_care.scheduling.notices")


def _changed(sender: Any, *, appointment: Appointment, change: str, previous: dict[str, Any] | None = None,
             **_: Any) -> None:
    if change not in TOLD:
        return
    from sciatica_care.scheduling.tasks import send_appointment_notices

    task = send_appointment_notices
    if (change in ("cancelled", "late_cancelled") or appointment.booked_via == BookedVia.COURSE) \
            and task.get_backend().supports_defer:
        # A course is booked or cancelled one appointment after another: let the step finish, so its task sees
        # all of them and sends one message.
        task = task.using(run_after=timezone.now() + SETTLE)
    task.enqueue(appointment.pk, change, appointment.version, _plain(previous))


def _plain(previous: dict[str, Any] | None) -> dict[str, Any] | None:
    """The signal's `previous`, as a task's JSON arguments."""
    if not previous:
        return None
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in previous.items()}


def manage_url(appointment: Appointment) -> str:
    """The patient's link to change or cancel online, from the online booking's hook if one is configured
    (`SCIATICA_CARE_MANAGE_LINK`: the dotted path of a function taking the appointment)."""
    hook = getattr(settings, "SCIATICA_CARE_MANAGE_LINK", "")
    return str(import_string(hook)(appointment) or "") if hook else ""


def _ics(name: str, content: bytes) -> outbox.Attachment:
    return outbox.Attachment(filename=name, content_type=ICS_TYPE, text=content.decode())


def tell(appointment_id: int, change: str, version: int, previous: dict[str, Any] | None = None,
         *, now: dt.datetime | None = None) -> int:
    """Queue the messages one change calls for; return how many were new."""
    appointment = (Appointment.objects.select_related("clinic", "patient", "practitioner", "service", "location",
                                                      "room", "episode").filter(pk=appointment_id).first())
    if appointment is None or change not in TOLD:
        return 0
    now = now or timezone.now()
    base = f"appt:{appointment.pk}:{change}:v{version}"
    wanted: list[outbox.Outgoing] = []
    current = appointment.version == version
    if change in ("booked", "approved", "moved"):
        appointment_reminders.skip_stale(appointment)
        if current and appointment.status == AppointmentStatus.BOOKED:
            wanted += _booked(appointment, base) if change != "moved" else [_moved(appointment, base, previous)]
            wanted += appointment_reminders.outgoing(appointment, now)
    elif change == "requested" and current:
        recipient = recipients.of(appointment)
        wanted.append(recipients.message(
            recipient, kind="request_received", topic=Topic.APPOINTMENTS, dedupe_key=base,
            wording=message_wording.request_received(appointment, recipient.name, manage_url(appointment)),
            appointment_id=appointment.pk,
            clinic_name=appointment.clinic.name))
    elif change in ("cancelled", "late_cancelled"):
        appointment_reminders.skip_stale(appointment)
        wanted += _cancelled(appointment)
    wanted += _staff(appointment, change, base, _previous_start(previous))
    return outbox.queue_many(wanted)


def _booked(appointment: Appointment, base: str) -> list[outbox.Outgoing]:
    recipient = recipients.of(appointment)
    clinic = appointment.clinic.name
    if appointment.booked_via == BookedVia.COURSE and appointment.episode_id:
        course = list(_together(appointment, Q(status=AppointmentStatus.BOOKED, booked_via=BookedVia.COURSE),
                                "booked_at", "episode_id"))
        if len(course) > 1:
            return [recipients.message(
                recipient, kind="course_confirmation", topic=Topic.APPOINTMENTS,
                dedupe_key=f"course:{appointment.episode_id}:booked:{course[0].pk}",
                wording=message_wording.course_confirmation(course, recipient.name,
                                                            [manage_url(a) for a in course]),
                appointment_id=course[0].pk,
                attachments=(_ics("appointments.ics", ics.calendar(course, name=clinic)),), clinic_name=clinic)]
    manage = manage_url(appointment)
    return [recipients.message(
        recipient, kind="confirmation", topic=Topic.APPOINTMENTS, dedupe_key=base,
        wording=message_wording.confirmation(appointment, recipient.name, manage), appointment_id=appointment.pk,
        attachments=(_ics(ics.filename(appointment), ics.appointment_ics(appointment, manage_url=manage)),),
        clinic_name=clinic)]


def _previous_start(previous: dict[str, Any] | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(previous["start"]) if previous and previous.get("start") else None


def _moved(appointment: Appointment, base: str, previous: dict[str, Any] | None) -> outbox.Outgoing:
    recipient = recipients.of(appointment)
    before = _previous_start(previous)
    manage = manage_url(appointment)
    return recipients.message(
        recipient, kind="moved", topic=Topic.APPOINTMENTS, dedupe_key=base,
        wording=message_wording.moved(appointment, recipient.name, before, manage), appointment_id=appointment.pk,
        attachments=(_ics(ics.filename(appointment), ics.appointment_ics(appointment, manage_url=manage)),),
        clinic_name=appointment.clinic.name)


def _together(appointment: Appointment, which: Q, stamp: str, same: str) -> list[Appointment]:
    """The appointments with the same `same` (the course, or the patient) changed at about the same moment as this
    one (`stamp`: the field holding when), in order of time — what one step of the clinic did."""
    at = getattr(appointment, stamp)
    if at is None or not getattr(appointment, same):
        return [appointment]
    siblings = (Appointment.objects.filter(which, **{same: getattr(appointment, same)},
                                           **{f"{stamp}__gte": at - TOGETHER, f"{stamp}__lte": at + TOGETHER})
                .select_related("clinic", "patient", "practitioner", "service", "location", "room").order_by("start"))
    found = list(siblings)
    return found if any(a.pk == appointment.pk for a in found) else [appointment]


def _cancelled_together(appointment: Appointment) -> list[Appointment]:
    """What of the patient's was cancelled in the same step as this appointment (what was left of a course, all
    their appointments in person after a red flag, or just this one)."""
    return _together(appointment, Q(status__in=(AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED)),
                     "cancelled_at", "patient_id")


def by_clinic(appointment: Appointment, together: int = 1) -> bool:
    """Whether the clinic (not the patient) cancelled: several of the patient's appointments went at once (a red
    flag, a closed course), the cancellation said so (`booking.cancel(by_clinic=True)`, kept in its audit event), or
    the course itself has ended. Reception cancelling at the patient's request is the patient's cancellation."""
    from sciatica_care.clinic.models import AuditEvent, EpisodeStatus

    if together > 1:
        return True
    detail = (AuditEvent.objects.filter(action="cancel_appointment", object_type="Appointment",
                                        object_id=appointment.pk).order_by("-id")
              .values_list("detail", flat=True).first()) or {}
    if detail.get("by_clinic"):
        return True
    return appointment.episode is not None and appointment.episode.status != EpisodeStatus.OPEN


def _cancelled(appointment: Appointment) -> list[outbox.Outgoing]:
    """One message for what was cancelled together, keyed by the first of them, so each of its siblings' tasks
    finds it queued already."""
    group = _cancelled_together(appointment)
    recipient = recipients.of(appointment)
    first = min(group, key=lambda a: a.pk)
    calendar = ics.calendar(group, name=appointment.clinic.name) if len(group) > 1 else \
        ics.appointment_ics(appointment)
    return [recipients.message(
        recipient, kind="cancelled" if len(group) == 1 else "course_cancelled", topic=Topic.APPOINTMENTS,
        dedupe_key=f"appt:{first.pk}:cancelled" if len(group) == 1 else f"course:{first.pk}:cancelled",
        wording=message_wording.cancelled(group, recipient.name, by_clinic=by_clinic(appointment, len(group))),
        appointment_id=first.pk, attachments=(_ics("cancelled.ics", calendar),),
        clinic_name=appointment.clinic.name)]


def moved_by_patient(appointment: Appointment) -> bool:
    """Whether the appointment's latest move was the patient's own (by its link or the portal: no one on the
    staff moved it)."""
    from sciatica_care.clinic.models import AuditEvent

    latest = list(AuditEvent.objects.filter(action="move_appointment", object_type="Appointment",
                                            object_id=appointment.pk).order_by("-id")
                  .values_list("actor_id", flat=True)[:1])
    return latest == [None]


def _staff(appointment: Appointment, change: str, base: str,
           previous_start: dt.datetime | None = None) -> list[outbox.Outgoing]:
    """Online bookings, requests, and the cancellations and moves patients make themselves: told to the
    practitioner and the front desk (a move with the time it was moved from)."""
    online = appointment.booked_via in (BookedVia.ONLINE, BookedVia.WAITLIST)
    by_patient = (change in ("cancelled", "late_cancelled") and appointment.cancelled_by_id is None
                  and not by_clinic(appointment, len(_cancelled_together(appointment))))
    by_patient = by_patient or (change == "moved" and moved_by_patient(appointment))
    if not ((online and change in ("booked", "requested")) or by_patient):
        return []
    link = f"{settings.SCIATICA_CARE_BASE_URL}{reverse('scheduling:appointment_ics', args=[appointment.pk])}"
    wording = message_wording.staff_online(appointment, change, link, previous_start)
    desk = BookingRules.objects.filter(clinic_id=appointment.clinic_id).values_list("front_desk_email",
                                                                                     flat=True).first()
    out = [outbox.Outgoing(clinic_id=appointment.clinic_id, channel=Channel.EMAIL, to=appointment.practitioner.email,
                           subject=wording.subject, body=wording.email, dedupe_key=f"{base}:staff",
                           kind=f"staff_{change}", topic=Topic.STAFF, staff_id=appointment.practitioner_id,
                           appointment_id=appointment.pk)]
    if desk:
        out.append(outbox.Outgoing(clinic_id=appointment.clinic_id, channel=Channel.EMAIL, to=desk,
                                   subject=wording.subject, body=wording.email, dedupe_key=f"{base}:desk",
                                   kind=f"staff_{change}", topic=Topic.STAFF, appointment_id=appointment.pk))
    return out
