"""Who on the waitlist a freed time goes to, and in what order (no Django: plain values in, plain values out).

A waiting entry matches a freed time when it is for the same service, with the same practitioner and at the same
location when it names them, on a day (the location's local date) inside its range and on one of its weekdays (any
day when it names none), and it has not been offered that time before. Matching entries are offered it in turn:
the one waiting longest first (ties by entry number, so the order never depends on how rows came back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

__all__ = ["FreedTime", "Wish", "in_turn", "matches"]


@dataclass(frozen=True)
class Wish:
    """One waiting entry, as far as matching goes."""

    id: int
    created_at: dt.datetime
    service_id: int
    practitioner_id: int | None
    location_id: int | None
    earliest: dt.date
    latest: dt.date
    weekdays: tuple[int, ...] = ()


@dataclass(frozen=True)
class FreedTime:
    """A time given up: the service it was held for, with whom, where, and its local date."""

    service_id: int
    practitioner_id: int
    location_id: int
    day: dt.date


def matches(wish: Wish, freed: FreedTime, offered_before: Collection[int] = ()) -> bool:
    """Whether `wish` may be offered `freed` (`offered_before`: the ids of entries offered this time already)."""
    return (wish.id not in offered_before
            and wish.service_id == freed.service_id
            and (wish.practitioner_id is None or wish.practitioner_id == freed.practitioner_id)
            and (wish.location_id is None or wish.location_id == freed.location_id)
            and wish.earliest <= freed.day <= wish.latest
            and (not wish.weekdays or freed.day.weekday() in wish.weekdays))


def in_turn(wishes: Iterable[Wish], freed: FreedTime, offered_before: Collection[int] = ()) -> list[Wish]:
    """The wishes that match `freed`, longest waiting first."""
    return sorted((w for w in wishes if matches(w, freed, offered_before)), key=lambda w: (w.created_at, w.id))
