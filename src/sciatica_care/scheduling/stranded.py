"""Booked appointments outside their practitioner's working hours: what a change of shifts, leave or a location
leaves stranded — and those held in a room taken out of use. The setup pages compare before and after a change and
list the appointments it strands, so the front desk can move or cancel them with the patients; nothing is cancelled
here."""

from __future__ import annotations

import bisect
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


def in_room(room_id: int, now: dt.datetime | None = None) -> list[Appointment]:
    """The live appointments from now on that hold this room."""
    return list(Appointment.objects.filter(room_id=room_id, status__in=LIVE_STATUSES, end__gt=now or timezone.now())
                .order_by("start"))


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
    return [a for a in appointments if not _held(windows, a)]


Spans = dict[tuple[int, int], tuple[list[dt.datetime], list[dt.datetime]]]


def _joined(windows: list[Window]) -> Spans:
    """Each practitioner's working time at each location as (starts, ends) in order, back-to-back or overlapping
    windows as one (a visit may run across the join): within one location no two spans meet."""
    out: Spans = {}
    for w in sorted(windows, key=lambda w: w.start):
        starts, ends = out.setdefault((w.practitioner_id, w.location_id), ([], []))
        if ends and w.start <= ends[-1]:
            ends[-1] = max(ends[-1], w.end)
        else:
            starts.append(w.start)
            ends.append(w.end)
    return out


def _held(spans: Spans, a: Appointment) -> bool:
    """Whether the practitioner works the whole appointment (at its location, or anywhere when by phone): the
    last span starting by its start is the only candidate at each location."""
    for (who, where), (starts, ends) in spans.items():
        if who != a.practitioner_id or not (a.service.by_phone or where == a.location_id):
            continue
        i = bisect.bisect_right(starts, a.start) - 1
        if i >= 0 and a.end <= ends[i]:
            return True
    return False


def newly_stranded(before: Iterable[Appointment], after: Iterable[Appointment]) -> list[Appointment]:
    """Those outside working hours after a change that were not before it."""
    was = {a.pk for a in before}
    return [a for a in after if a.pk not in was]
