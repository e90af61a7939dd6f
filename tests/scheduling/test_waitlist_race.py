"""Two workers at once never offer a time twice: threads, each with its own connection, released together by a
barrier (PostgreSQL; on SQLite writers take turns — IMMEDIATE transactions — and test_waitlist.py runs the same
calls one after another)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from test_waitlist import BOOKED_AT, LATE, book, offers_to, wait

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 4


@pytest.fixture(autouse=True)
def _postgres_only_and_immediate_tasks(settings: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("threads need a database server; SQLite runs one writer at a time")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def together(call: Callable[[], Any]) -> list[Any]:
    from django.db import connection

    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(call())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_the_same_freed_time_offered_at_once_by_several_workers_is_offered_once(desk: dict[str, Any]) -> None:
    from sciatica_care.scheduling import booking, waitlist
    from sciatica_care.scheduling.models import WaitlistOffer

    with time_machine.travel(BOOKED_AT, tick=False):
        appointment = book(desk)
    with time_machine.travel(LATE, tick=False):
        booking.cancel(appointment, by=None, reason="cannot come")  # nobody waiting yet: nothing offered
    wait(desk, "Cat Early", at=LATE)
    wait(desk, "Dan Next", at=LATE + dt.timedelta(minutes=1))
    now = LATE + dt.timedelta(minutes=5)
    made = together(lambda: waitlist.slot_freed(appointment.clinic_id, appointment.service_id,
                                                appointment.practitioner_id, appointment.location_id,
                                                appointment.start.isoformat(), now=now))
    assert sum(1 for m in made if m is not None) == 1
    assert list(WaitlistOffer.objects.values_list("entry__prospect_name", "outcome")) == [("Cat Early", "open")]
    assert len(offers_to("cat@example.org")) == 1
    assert not offers_to("dan@example.org")


def test_several_workers_expiring_at_once_move_on_once(desk: dict[str, Any]) -> None:
    from sciatica_care.scheduling import booking, waitlist
    from sciatica_care.scheduling.models import WaitlistOffer

    with time_machine.travel(BOOKED_AT, tick=False):
        appointment = book(desk)
        wait(desk, "Cat Early", at=BOOKED_AT)
        wait(desk, "Dan Next", at=BOOKED_AT + dt.timedelta(minutes=1))
        wait(desk, "Eve Last", at=BOOKED_AT + dt.timedelta(minutes=2))
    with time_machine.travel(LATE, tick=False):
        booking.cancel(appointment, by=None, reason="cannot come")
    assert len(offers_to("cat@example.org")) == 1
    later = LATE + dt.timedelta(minutes=121)
    closed = together(lambda: waitlist.expire_due(later))
    assert sum(closed) == 1
    assert list(WaitlistOffer.objects.order_by("id").values_list("entry__prospect_name", "outcome")) == [
        ("Cat Early", "expired"), ("Dan Next", "open")]
    assert len(offers_to("dan@example.org")) == 1
    assert not offers_to("eve@example.org")
