"""Who on the waitlist a freed time goes to, and in what order: plain values, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciatica_care.scheduling.waitlist_order import FreedTime, Wish, in_turn, matches

MONDAY = dt.date(2027, 1, 4)
FREED = FreedTime(service_id=1, practitioner_id=10, location_id=100, day=MONDAY)
T0 = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)


def wish(n: int = 1, **kw: object) -> Wish:
    base = Wish(id=n, created_at=T0 + dt.timedelta(minutes=n), service_id=1, practitioner_id=None,
                location_id=None, earliest=MONDAY - dt.timedelta(days=3), latest=MONDAY + dt.timedelta(days=3))
    return replace(base, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("change", "expected"), [
    ({}, True),
    ({"service_id": 2}, False),
    ({"practitioner_id": 10}, True),
    ({"practitioner_id": 11}, False),
    ({"location_id": 100}, True),
    ({"location_id": 101}, False),
    ({"earliest": MONDAY, "latest": MONDAY}, True),
    ({"earliest": MONDAY + dt.timedelta(days=1)}, False),
    ({"latest": MONDAY - dt.timedelta(days=1)}, False),
    ({"weekdays": (0, 2)}, True),
    ({"weekdays": (1, 2)}, False),
])
def test_a_wish_matches_the_freed_time_only_on_every_count(change: dict[str, object], expected: bool) -> None:
    assert matches(wish(**change), FREED) is expected  # type: ignore[arg-type]


def test_an_entry_offered_this_time_before_is_not_offered_it_again() -> None:
    assert matches(wish(7), FREED, offered_before={7}) is False
    assert [w.id for w in in_turn([wish(7), wish(8)], FREED, offered_before={7})] == [8]


def test_the_longest_waiting_goes_first_ties_by_number() -> None:
    late, early, same = wish(1, created_at=T0 + dt.timedelta(days=2)), wish(2, created_at=T0), wish(3, created_at=T0)
    assert [w.id for w in in_turn([late, same, early], FREED)] == [2, 3, 1]


wishes = st.lists(st.builds(
    Wish, id=st.integers(1, 10_000),
    created_at=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 1, 1),  # noqa: DTZ001
                            timezones=st.just(dt.UTC)),
    service_id=st.integers(1, 3), practitioner_id=st.none() | st.integers(9, 11),
    location_id=st.none() | st.integers(99, 101), earliest=st.dates(MONDAY - dt.timedelta(days=9), MONDAY),
    latest=st.dates(MONDAY, MONDAY + dt.timedelta(days=9)),
    weekdays=st.lists(st.integers(0, 6), unique=True, max_size=7).map(tuple)), unique_by=lambda w: w.id, max_size=30)


@given(wishes, st.sets(st.integers(1, 10_000), max_size=10))
def test_in_turn_is_exactly_the_matching_wishes_oldest_first(ws: list[Wish], offered: set[int]) -> None:
    out = in_turn(ws, FREED, offered)
    assert {w.id for w in out} == {w.id for w in ws if matches(w, FREED, offered)}
    assert all(w.id not in offered for w in out)
    keys = [(w.created_at, w.id) for w in out]
    assert keys == sorted(keys)


@given(wishes)
def test_the_order_does_not_depend_on_the_order_given(ws: list[Wish]) -> None:
    assert in_turn(ws, FREED) == in_turn(list(reversed(ws)), FREED)
