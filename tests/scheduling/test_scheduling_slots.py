"""Slot search against the database: shifts, leave, live appointments with their buffers, rooms, notice, horizon
and the clinic's step — in a fixed number of queries, DST-correct."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)
MONDAY = dt.date(2027, 1, 4)


def at(hour: int, minute: int = 0, day: dt.date = MONDAY, zone: ZoneInfo = LONDON) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def search(desk: dict[str, Any], kind: str = "follow_up_acupuncture", day: dt.date = MONDAY, days: int = 1,
           **kw: Any) -> list[Any]:
    from sciatica_care.scheduling import slots

    kw.setdefault("now", NOW)
    start = at(0, day=day)
    return slots.search(desk["services"][kind], start, start + dt.timedelta(days=days), **kw)


def local_starts(found: list[Any], zone: ZoneInfo = LONDON) -> list[str]:
    return [s.start.astimezone(zone).strftime("%H:%M") for s in found]


def test_a_free_day_offers_every_quarter_hour_that_fits(desk: dict[str, Any]) -> None:
    """09:00 to 16:00 (45 minutes + 15 after must end by 17:00), every 15 minutes."""
    found = local_starts(search(desk))
    assert found[0] == "09:00"
    assert found[-1] == "16:00"
    assert len(found) == 29


def test_a_booked_appointment_and_its_buffers_are_not_offered(desk: dict[str, Any]) -> None:
    """A follow-up at 10:00 holds 10:00–11:00; a massage (5 before, 10 after) cannot end after 09:55 before it."""
    from sciatica_care.scheduling import booking

    booking.book(clinic=desk["clinic"], practitioner=desk["practitioner"],
                 service=desk["services"]["follow_up_acupuncture"], location=desk["location"], start=at(10),
                 patient=desk["patient"], by=desk["reception"], now=NOW)
    found = local_starts(search(desk, "massage"))
    assert "09:00" not in found  # its buffer before would start at 08:55, before the shift
    assert "09:15" not in found  # 09:10–10:10 held: into the booked hour
    assert "09:05" not in found  # off the grid
    assert [s for s in found if "09:00" < s < "11:15"] == []
    assert "11:15" in found  # 11:10–12:10: clear of 11:00


def test_the_step_comes_from_the_clinic(desk: dict[str, Any]) -> None:
    """A clinic on a half-hour step is offered half hours."""
    desk["rules"].slot_step_minutes = 30
    desk["rules"].save()
    assert local_starts(search(desk))[:3] == ["09:00", "09:30", "10:00"]


def test_minimum_notice_hides_times_too_soon(desk: dict[str, Any]) -> None:
    """Twelve hours' notice from Monday 02:00 leaves nothing before 14:00; staff (no policy) see them all."""
    now = at(2)
    assert local_starts(search(desk, now=now))[0] == "14:00"
    assert local_starts(search(desk, now=now, apply_policy=False))[0] == "09:00"


def test_the_horizon_hides_times_too_far_ahead(desk: dict[str, Any]) -> None:
    """With a 90-day horizon, a day four months ahead has no slots for patients."""
    assert search(desk, day=dt.date(2027, 5, 3)) == []


def test_leave_and_closures_hide_their_times(desk: dict[str, Any]) -> None:
    """The practitioner's afternoon off and a clinic-wide closure on Tuesday are not offered."""
    from sciatica_care.scheduling.models import ShiftException

    ShiftException.objects.create(clinic=desk["clinic"], practitioner=desk["practitioner"], starts_at=at(12),
                                  ends_at=at(18), reason="leave")
    tuesday = MONDAY + dt.timedelta(days=1)
    ShiftException.objects.create(clinic=desk["clinic"], starts_at=at(0, day=tuesday),
                                  ends_at=at(0, day=tuesday + dt.timedelta(days=1)), reason="bank holiday")
    found = search(desk, days=2)
    assert {s.start.astimezone(LONDON).date() for s in found} == {MONDAY}
    assert local_starts(found)[-1] == "11:00"


def test_a_room_needed_is_a_room_free(desk: dict[str, Any], make_staff: Any) -> None:
    """Both rooms taken by two other practitioners at 10:00: no 10:00 slot for the desk's practitioner."""
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import Shift

    for _ in range(2):
        other = make_staff(desk["clinic"])
        Shift.objects.create(practitioner=other, location=desk["location"], weekday=0, start_time=dt.time(9),
                             end_time=dt.time(17))
        booking.book(clinic=desk["clinic"], practitioner=other, service=desk["services"]["follow_up_acupuncture"],
                     location=desk["location"], start=at(10), patient=desk["patient"], by=desk["reception"],
                     now=NOW)
    mine = search(desk, practitioner_id=desk["practitioner"].pk)
    assert "10:00" not in local_starts(mine)
    call = search(desk, "consultation_call", practitioner_id=desk["practitioner"].pk)
    assert "10:00" in local_starts(call)  # by phone: no room needed


def test_any_practitioner_lists_each_one_free(desk: dict[str, Any], make_staff: Any) -> None:
    """Without a practitioner, every practitioner's free slots are offered, each naming who."""
    from sciatica_care.scheduling.models import Shift

    other = make_staff(desk["clinic"])
    Shift.objects.create(practitioner=other, location=desk["location"], weekday=0, start_time=dt.time(9),
                         end_time=dt.time(10))
    found = [s for s in search(desk) if local_starts([s]) == ["09:00"]]
    assert {s.practitioner_id for s in found} == {desk["practitioner"].pk, other.pk}


def test_the_location_filter(desk: dict[str, Any]) -> None:
    """Another location where the practitioner has no shift offers nothing."""
    from sciatica_care.scheduling.models import Location

    elsewhere = Location.objects.create(clinic=desk["clinic"], name="Elsewhere")
    assert search(desk, location_id=elsewhere.pk) == []
    assert search(desk, location_id=desk["location"].pk)


def test_a_new_york_location_keeps_nine_oclock_across_its_clock_change(desk: dict[str, Any]) -> None:
    """A 09:00 shift in New York is 09:00 local on the Friday before and the Monday after clocks go forward."""
    from sciatica_care.scheduling.models import Location, Room, Shift

    ny = ZoneInfo("America/New_York")
    manhattan = Location.objects.create(clinic=desk["clinic"], name="Manhattan", time_zone="America/New_York")
    Room.objects.create(location=manhattan, name="A")
    for day in (0, 4):
        Shift.objects.create(practitioner=desk["practitioner"], location=manhattan, weekday=day,
                             start_time=dt.time(9), end_time=dt.time(12))
    from sciatica_care.scheduling import slots

    friday, monday = dt.date(2027, 3, 12), dt.date(2027, 3, 15)
    found = slots.search(desk["services"]["follow_up_acupuncture"], at(0, day=friday, zone=ny),
                         at(0, day=monday + dt.timedelta(days=1), zone=ny), location_id=manhattan.pk,
                         now=dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
    by_day: dict[dt.date, list[dt.datetime]] = {}
    for s in found:
        by_day.setdefault(s.start.astimezone(ny).date(), []).append(s.start)
    assert sorted(by_day) == [friday, monday]
    assert {d: v[0].astimezone(ny).time() for d, v in by_day.items()} == {friday: dt.time(9), monday: dt.time(9)}
    assert by_day[friday][0].astimezone(dt.UTC).hour == 14  # EST, UTC-5
    assert by_day[monday][0].astimezone(dt.UTC).hour == 13  # EDT, UTC-4


def test_a_search_takes_a_fixed_number_of_queries(desk: dict[str, Any], make_staff: Any,
                                                  django_assert_max_num_queries: Any) -> None:
    """Four weeks and several practitioners with appointments: still a handful of queries (no N+1)."""
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import Shift

    for _ in range(3):
        other = make_staff(desk["clinic"])
        for day in range(5):
            Shift.objects.create(practitioner=other, location=desk["location"], weekday=day,
                                 start_time=dt.time(9), end_time=dt.time(17))
    for week in range(4):
        booking.book(clinic=desk["clinic"], practitioner=desk["practitioner"],
                     service=desk["services"]["follow_up_acupuncture"], location=desk["location"],
                     start=at(10, day=MONDAY + dt.timedelta(weeks=week)), patient=desk["patient"],
                     by=desk["reception"], now=NOW)
    with django_assert_max_num_queries(6):
        found = search(desk, days=28)
    assert len(found) > 1000
