"""The demo clinic's diary: a front desk, and a month of appointments around today booked through the booking
service — courses from their plans, cancellations, a waitlist, a free call awaiting approval — with nothing double
booked, nothing outside the practitioners' hours, nothing told to the patients, and the same diary for a seed."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def diary() -> dict[str, Any]:
    from sciatica_care.clinic import demo
    from sciatica_care.scheduling import demo_bookings

    now = timezone.now().replace(second=0, microsecond=0)
    demo.load()
    booked = demo_bookings.load(now=now)
    return {"booked": booked, "now": now, "today": now.astimezone(LONDON).date()}


def _live(qs: Any) -> Any:
    from sciatica_care.scheduling.models.appointments import LIVE_STATUSES

    return qs.filter(status__in=LIVE_STATUSES)


def _a_front_desk(diary: dict[str, Any]) -> None:
    """Two locations with rooms, a service of every kind, shifts for every practitioner, a day of leave, and the
    booking rules of the public page /book/demo/."""
    from sciatica_care.clinic.models import Role, Staff
    from sciatica_care.scheduling.models import BookingRules, Location, Service, ServiceKind, Shift, ShiftException

    assert Location.objects.count() == 2
    assert all(loc.rooms.exists() and loc.time_zone == "Europe/London" for loc in Location.objects.all())
    assert set(Service.objects.values_list("kind", flat=True)) == set(ServiceKind.values)
    call = Service.objects.get(kind=ServiceKind.CONSULTATION_CALL)
    assert (call.duration_minutes, call.by_phone, call.room_needed, call.price) == (15, True, False, 0)
    assert Service.objects.get(kind=ServiceKind.INITIAL_ASSESSMENT).duration_minutes == 60
    for practitioner in Staff.objects.filter(role=Role.PRACTITIONER):
        assert Shift.objects.filter(practitioner=practitioner).count() >= 5
    assert ShiftException.objects.filter(practitioner__isnull=False, reason="Annual leave").exists()
    rules = BookingRules.objects.get()
    assert rules.online_booking
    assert rules.public_slug == "demo"
    assert rules.approve_new_patients
    assert rules.reminder_offsets_hours == [48, 2]
    assert rules.front_desk_email


def _a_month_of_appointments_around_today(diary: dict[str, Any]) -> None:
    """At least 60 appointments within two weeks of today; courses from their plans with their review visits;
    the past marked as it went (done, did not attend, cancelled, cancelled late); a free call awaiting approval;
    people on the waitlist; the charted sessions linked to their appointments."""
    from sciatica_care.scheduling.models import (
        Appointment,
        AppointmentStatus,
        BookedVia,
        ServiceKind,
        WaitlistEntry,
        WaitlistStatus,
    )

    now, today = diary["now"], diary["today"]
    near = Appointment.objects.filter(start__date__gte=today - dt.timedelta(days=14),
                                      start__date__lte=today + dt.timedelta(days=14))
    assert near.count() >= 60
    statuses = set(near.values_list("status", flat=True))
    assert {AppointmentStatus.COMPLETED, AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED,
            AppointmentStatus.LATE_CANCELLED, AppointmentStatus.NO_SHOW} <= statuses
    reviews = Appointment.objects.filter(is_review=True, episode__isnull=False)
    assert reviews.filter(status=AppointmentStatus.COMPLETED).exists()
    assert reviews.filter(status=AppointmentStatus.BOOKED, booked_via=BookedVia.COURSE, start__gt=now).exists()
    for review in reviews:
        assert review.course_session is not None
    assert Appointment.objects.filter(booked_via=BookedVia.COURSE, start__gt=now).count() >= 10
    # Nothing left "booked" that is over, nothing done that has not begun.
    assert not Appointment.objects.filter(status=AppointmentStatus.BOOKED, end__lte=now).exists()
    assert not Appointment.objects.filter(status__in=(AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW),
                                          start__gt=now).exists()
    requested = Appointment.objects.get(status=AppointmentStatus.REQUESTED)
    assert requested.patient is None
    assert requested.prospect_name
    assert requested.service.kind == ServiceKind.CONSULTATION_CALL
    assert requested.booked_via == BookedVia.ONLINE
    assert Appointment.objects.filter(service__kind=ServiceKind.CONSULTATION_CALL,
                                      status=AppointmentStatus.BOOKED).exists()
    assert WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING).count() >= 3
    linked = Appointment.objects.filter(visit__isnull=False).select_related("visit")
    assert linked.count() >= 20
    assert all(a.visit.date == a.start.astimezone(LONDON).date() and a.visit.episode_id == a.episode_id
               for a in linked)
    assert len(diary["booked"]) == Appointment.objects.count()


def _nothing_double_booked_nor_outside_the_hours(diary: dict[str, Any]) -> None:
    """No practitioner and no room holds two live appointments at once (buffers included); every appointment lies
    in its practitioner's shift that weekday, at that shift's location (a call by phone: anywhere), and none on
    leave or when the clinic is closed."""
    from sciatica_care.scheduling.models import Appointment, Shift, ShiftException

    held: dict[tuple[str, int], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for a in _live(Appointment.objects.all()):
        held[("practitioner", a.practitioner_id)].append((a.blocked_from, a.blocked_until))
        if a.room_id:
            held[("room", a.room_id)].append((a.blocked_from, a.blocked_until))
    for times in held.values():
        times.sort()
        assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(times))
    shifts = defaultdict(list)
    for s in Shift.objects.all():
        shifts[(s.practitioner_id, s.weekday)].append(s)
    closed = list(ShiftException.objects.all())
    for a in Appointment.objects.select_related("service"):
        start, end = a.blocked_from.astimezone(LONDON), a.blocked_until.astimezone(LONDON)
        assert start.date() == end.date()
        assert any(s.start_time <= start.time() and end.time() <= s.end_time
                   and (a.service.by_phone or s.location_id == a.location_id)
                   for s in shifts[(a.practitioner_id, start.weekday())]), (a.pk, start)
        assert not any(c.starts_at < a.blocked_until and a.blocked_from < c.ends_at
                       and c.practitioner_id in (None, a.practitioner_id) for c in closed), a.pk


def test_the_demo_diary(diary: dict[str, Any]) -> None:
    """One load of the demo (it takes seconds), every check on it: the front desk, the month of appointments,
    nothing double booked or outside the hours, and a second load changing nothing."""
    _a_front_desk(diary)
    _a_month_of_appointments_around_today(diary)
    _nothing_double_booked_nor_outside_the_hours(diary)
    _it_loads_once(diary)


@pytest.mark.django_db(transaction=True)
def test_nobody_is_told(settings: Any) -> None:
    """Loading the diary, committed as `serve --demo` commits it, tells nobody anything (no confirmation of an
    appointment that is already over); the notices are told of later changes again."""
    from sciatica_care.clinic import demo
    from sciatica_care.scheduling import demo_bookings
    from sciatica_care.scheduling.models import Appointment, AppointmentStatus, Message

    # Were anything told, the notices would be queued at once (and the outbox would hold them).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    demo.load(n_patients=8)
    assert demo_bookings.load()
    assert Appointment.objects.exists()
    assert Message.objects.count() == 0
    from sciatica_care.clinic.models import Staff
    from sciatica_care.scheduling import booking

    ahead = Appointment.objects.filter(status=AppointmentStatus.BOOKED, start__gt=timezone.now()).first()
    booking.cancel(ahead, by=Staff.objects.get(username="reception"), reason="Unwell")
    assert Message.objects.exists()


def _it_loads_once(diary: dict[str, Any]) -> None:
    """Loading it again changes nothing."""
    from sciatica_care.scheduling import demo_bookings
    from sciatica_care.scheduling.models import Appointment, WaitlistEntry

    before = (Appointment.objects.count(), WaitlistEntry.objects.count())
    assert demo_bookings.load(now=diary["now"]) == []
    assert (Appointment.objects.count(), WaitlistEntry.objects.count()) == before


def test_the_same_seed_gives_the_same_diary() -> None:
    """Loaded twice from the same seed at the same moment, the diary is the same appointment for appointment."""
    from sciatica_care.clinic import demo
    from sciatica_care.scheduling import demo_bookings
    from sciatica_care.scheduling.models import Appointment, WaitlistEntry

    now = timezone.now().replace(second=0, microsecond=0)

    def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        with transaction.atomic():
            demo.load(n_patients=12)
            demo_bookings.load(now=now)
            rows = [(a.practitioner.username, str(a.patient) if a.patient else a.prospect_name, a.service.kind,
                     a.location.name, a.room.name if a.room else "", a.start, a.status, a.course_session,
                     a.is_review) for a in Appointment.objects.select_related(
                         "practitioner", "patient", "service", "location", "room").order_by("start", "practitioner")]
            waiting = [(str(w.patient) if w.patient else w.prospect_name, w.service.kind, w.earliest, w.latest,
                        w.weekdays) for w in WaitlistEntry.objects.select_related("patient", "service")]
            transaction.set_rollback(True)
        return rows, waiting

    first = snapshot()
    assert first[0]
    assert snapshot() == first
