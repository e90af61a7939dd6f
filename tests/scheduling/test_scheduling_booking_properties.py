"""Properties of the booking service over random sequences of bookings, moves and cancellations (on SQLite and
PostgreSQL alike): no two live appointments of a practitioner or a room ever overlap, every refusal is a clear
`InputRefused` (SlotTaken, StatusRefused, …) and never a database error, and a refused call changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 1, 4, 8, tzinfo=dt.UTC)
KINDS = ["follow_up_acupuncture", "massage", "electroacupuncture", "consultation_call", "initial_assessment"]

operation = st.one_of(
    st.tuples(st.just("book"), st.integers(0, 40), st.sampled_from(KINDS), st.integers(0, 2)),
    st.tuples(st.just("move"), st.integers(0, 40), st.integers(0, 30), st.integers(0, 2)),
    st.tuples(st.just("cancel"), st.integers(0, 30), st.just(""), st.just(0)),
)


def overlapping(field: str) -> list[tuple[int, int]]:
    """Pairs of live appointments holding the same practitioner (or room) at once."""
    from sciatica_care.scheduling.models import Appointment
    from sciatica_care.scheduling.models.appointments import LIVE_STATUSES

    rows = list(Appointment.objects.filter(status__in=LIVE_STATUSES).exclude(**{f"{field}__isnull": True})
                .values_list("pk", field, "blocked_from", "blocked_until"))
    return [(a[0], b[0]) for i, a in enumerate(rows) for b in rows[i + 1:]
            if a[1] == b[1] and a[2] < b[3] and b[2] < a[3]]


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=14))
def test_no_sequence_of_calls_double_books(desk: dict[str, Any], make_staff: Any,
                                           operations: list[tuple[str, int, str, int]]) -> None:
    """Whatever is booked, moved and cancelled, in whatever order: never an overlap, never a database error."""
    from sciatica_care.errors import InputRefused
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import Appointment, Shift

    with transaction.atomic():
        practitioners = [desk["practitioner"], make_staff(desk["clinic"]), make_staff(desk["clinic"])]
        for p in practitioners[1:]:
            Shift.objects.create(practitioner=p, location=desk["location"], weekday=0, start_time=dt.time(8),
                                 end_time=dt.time(18))
        made: list[Any] = []
        for op, slot, kind, who in operations:
            before = sorted(Appointment.objects.values_list("pk", "status", "start", "practitioner_id", "room_id"))
            try:
                if op == "book":
                    made.append(booking.book(
                        clinic=desk["clinic"], practitioner=practitioners[who], service=desk["services"][kind],
                        location=desk["location"], start=T0 + dt.timedelta(minutes=15 * slot),
                        patient=desk["patient"], by=desk["reception"], apply_policy=False,
                        override_reason="property test", now=T0 - dt.timedelta(days=1)))
                elif op == "move" and made:
                    target = Appointment.objects.get(pk=made[slot % len(made)].pk)
                    booking.move(target, start=T0 + dt.timedelta(minutes=15 * slot), by=desk["reception"],
                                 practitioner=practitioners[who], apply_policy=False,
                                 override_reason="property test", now=T0 - dt.timedelta(days=1))
                elif op == "cancel" and made:
                    target = Appointment.objects.get(pk=made[slot % len(made)].pk)
                    booking.cancel(target, by=desk["reception"], reason="property test",
                                   now=T0 - dt.timedelta(days=1))
            except InputRefused as refused:
                assert all(p.path and p.message for p in refused.problems)  # noqa: PT017 - many calls, one test
                after = sorted(Appointment.objects.values_list("pk", "status", "start", "practitioner_id",
                                                               "room_id"))
                assert after == before
            assert overlapping("practitioner") == []
            assert overlapping("room") == []
        transaction.set_rollback(True)
