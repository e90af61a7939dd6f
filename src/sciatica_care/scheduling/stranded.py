"""Booked appointments outside their practitioner's working hours: what a change of shifts, leave or a location
leaves stranded. The setup pages compare before and after a change and list the appointments it strands, so the
front desk can move or cancel them with the patients; nothing is cancelled here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from sciatica_care.scheduling.free_time import Window
from sciatica_care.scheduling.models import Appointment
from sciatica_care.scheduling.models.appointments import LIVE_STATUSES
from sciatica_care.scheduling.slots import working_windows


def _upcoming(clinic_id: int, practitioner_ids: Iterable[int] | None, now: dt.datetime) -> list[Appointment]:
    qs = Appointment.objects.filter(clinic_id=clinic_id, status__in=LIVE_STATUSES, end__gt=now)
    if practitioner_ids is not None:
        qs = qs.filter(practitioner_id__in=list(practitioner_ids))
    return list(qs.select_related("service", "location", "practitioner").order_by("start"))


def outside_hours(clinic_id: int, practitioner_ids: Iterable[int] | None = None,
                  now: dt.datetime | None = None) -> list[Appointment]:
    """The live appointments from now on (of these practitioners, or everyone's) that no working window holds: a
    service by phone may be in any of the practitioner's windows, any other at its own location."""
    appointments = _upcoming(clinic_id, practitioner_ids, now or timezone.now())
    if not appointments:
        return []
    people = sorted({a.practitioner_id for a in appointments})
    windows = _joined(working_windows(clinic_id, people, min(a.start for a in appointments),
                                      max(a.end for a in appointments)))
    out = []
    for a in appointments:
        held = any(w.practitioner_id == a.practitioner_id and w.start <= a.start and a.end <= w.end
                   and (a.service.by_phone or w.location_id == a.location_id) for w in windows)
        if not held:
            out.append(a)
    return out


def _joined(windows: list[Window]) -> list[Window]:
    """Back-to-back windows of one practitioner at one location as one (a visit may run across the join)."""
    out: list[Window] = []
    for w in sorted(windows, key=lambda w: (w.practitioner_id, w.location_id, w.start)):
        last = out[-1] if out else None
        if last is not None and (last.practitioner_id, last.location_id) == (w.practitioner_id, w.location_id) \
                and w.start <= last.end:
            out[-1] = last._replace(end=max(last.end, w.end))
        else:
            out.append(w)
    return out


def newly_stranded(before: Iterable[Appointment], after: Iterable[Appointment]) -> list[Appointment]:
    """Those outside working hours after a change that were not before it."""
    was = {a.pk for a in before}
    return [a for a in after if a.pk not in was]
