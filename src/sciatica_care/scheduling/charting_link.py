"""A session charted from an appointment ("Chart this session" on the calendar) is linked to it, and the
appointment is completed, in the charting's own transaction. The appointment must be of the same clinic and
patient and not yet linked; anything else is ignored (the session is the record that matters, and it is saved)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import transaction
from django.db.models import F

from sciatica_care.clinic import audit
from sciatica_care.clinic.input_cleaning import optional_whole_number
from sciatica_care.clinic.models import Staff, Visit
from sciatica_care.clinic.records import Conflict
from sciatica_care.errors import InputRefused
from sciatica_care.scheduling import booking
from sciatica_care.scheduling.models import Appointment, AppointmentStatus


def link(sender: Any, *, visit: Visit, by: Staff, appointment: str = "", **_: Any) -> None:
    pk = optional_whole_number(appointment)
    if pk is None:
        return
    found = Appointment.objects.filter(pk=pk, clinic_id=visit.clinic_id, patient_id=visit.episode.patient_id,
                                       visit__isnull=True).first()
    if found is None:
        return
    with transaction.atomic():
        if found.status in (AppointmentStatus.ARRIVED, AppointmentStatus.BOOKED):
            # Charted before it started, or changed meanwhile: linked all the same, its status as it was.
            with contextlib.suppress(InputRefused, Conflict):
                booking.mark(found, AppointmentStatus.COMPLETED, by=by)
        Appointment.objects.filter(pk=found.pk, visit__isnull=True).update(visit=visit, version=F("version") + 1)
        audit.record(by, "link_visit", object_type="Appointment", object_id=found.pk, patient_id=found.patient_id,
                     visit=visit.pk)
