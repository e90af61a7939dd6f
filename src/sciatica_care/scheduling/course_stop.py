"""A course stopped cancels what is left of it: the receiver of the clinic's `course_stopped`.

When treatment stops for a red flag, every future appointment of the patient that is held in person is cancelled
(any course: a patient being referred is needled nowhere); a call by phone is kept, as it may be how they are told.
When a course is discharged, that course's future appointments are cancelled. Each cancellation is the clinic's
(never the patient's late cancellation), records the reason, is audited, and announces itself through
`appointment_changed`, so the patient is told. An appointment changed meanwhile by someone else is read again
and cancelled; one already arrived is left to the practitioner."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Q
from django.utils import timezone

from sciatica_care.clinic.records import Conflict
from sciatica_care.errors import InputRefused
from sciatica_care.scheduling import booking
from sciatica_care.scheduling.models import Appointment, AppointmentStatus

log = logging.getLogger(__name__)

ATTEMPTS = 3


def left_of(episode: Any, *, red_flag: bool) -> Any:
    """The appointments a stopped course cancels (a queryset)."""
    which = Q(episode=episode)
    if red_flag:
        which |= Q(patient_id=episode.patient_id, service__by_phone=False)
    return Appointment.objects.filter(which, clinic_id=episode.clinic_id, start__gt=timezone.now(),
                                      status__in=booking.CANCELLABLE).order_by("start")


def cancel_rest_of_course(sender: Any, episode: Any, reason: str, red_flag: bool = False, by: Any = None,
                          **_: Any) -> list[int]:
    """Cancel what is left of `episode`'s course (see the module); returns the ids cancelled."""
    cancelled = []
    for appointment in left_of(episode, red_flag=red_flag):
        for _attempt in range(ATTEMPTS):
            try:
                booking.cancel(appointment, by=by, reason=reason, by_clinic=True)
            except Conflict:
                appointment = Appointment.objects.get(pk=appointment.pk)  # changed meanwhile: read it again
                if appointment.status not in (AppointmentStatus.REQUESTED, AppointmentStatus.BOOKED):
                    break
                continue
            except InputRefused:
                break  # no longer cancellable (arrived, or cancelled by someone else)
            cancelled.append(appointment.pk)
            break
        else:
            log.error("could not cancel appointment %s after the course %s stopped", appointment.pk, episode.pk)
    return cancelled
