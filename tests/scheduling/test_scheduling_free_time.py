"""Free time as plain values: working windows from weekly shifts (DST-correct), and the free slots inside them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sciatica_care.scheduling.free_time import Closure, WeeklyShift, Window, free_slots, shift_windows, subtract

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MIN = dt.timedelta(minutes=1)


def t(hour: int, minute: int = 0, day: dt.date = dt.date(2027, 1, 4), zone: ZoneInfo = LONDON) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def window(a: dt.datetime, b: dt.datetime, who: int = 1, where: int = 1) -> Window:
    return Window(who, where, a, b)


def starts(slots: list) -> list[str]:  # type: ignore[type-arg]
    return [s.start.astimezone(LONDON).strftime("%H:%M") for s in slots]


# --- subtract -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cuts", "left"), [
    ([], [(9, 17)]),
    ([(12, 13)], [(9, 12), (13, 17)]),
    ([(8, 10)], [(10, 17)]),
    ([(16, 18)], [(9, 16)]),
    ([(8, 18)], []),
    ([(10, 11), (10, 12), (14, 15)], [(9, 10), (12, 14), (15, 17)]),
    ([(17, 18), (6, 9)], [(9, 17)]),  # touching the edges takes nothing
])
def test_subtract(cuts: list[tuple[int, int]], left: list[tuple[int, int]]) -> None:
    """What is left of 09–17 once the cuts are taken out."""
    got = subtract((t(9), t(17)), [(t(a), t(b)) for a, b in cuts])
    assert got == [(t(a), t(b)) for a, b in left]


# --- windows from shifts ------------------------------------------------------------------------------------------

def test_a_weekly_shift_makes_one_window_a_matching_day() -> None:
    """Monday 09–17 over a week makes one window, on the Monday."""
    shift = WeeklyShift(1, 1, 0, dt.time(9), dt.time(17), "Europe/London")
    got = shift_windows([shift], [], dt.date(2027, 1, 4), dt.date(2027, 1, 10))
    assert got == [window(t(9), t(17))]


@pytest.mark.parametrize(("valid_from", "valid_until", "mondays"), [
    (None, None, 3),
    (dt.date(2027, 1, 5), None, 2),
    (None, dt.date(2027, 1, 11), 2),
    (dt.date(2027, 1, 11), dt.date(2027, 1, 11), 1),
])
def test_a_shift_counts_only_while_valid(valid_from: dt.date | None, valid_until: dt.date | None,
                                         mondays: int) -> None:
    """valid_from and valid_until (inclusive) bound the Mondays a shift works."""
    shift = WeeklyShift(1, 1, 0, dt.time(9), dt.time(17), "Europe/London", valid_from, valid_until)
    assert len(shift_windows([shift], [], dt.date(2027, 1, 4), dt.date(2027, 1, 24))) == mondays


@pytest.mark.parametrize(("closure", "left"), [
    (Closure(t(12), t(13), 1), [(t(9), t(12)), (t(13), t(17))]),          # the practitioner's lunch-time leave
    (Closure(t(0), t(0, day=dt.date(2027, 1, 5)), None), []),            # the clinic closed all day
    (Closure(t(0), t(23), 2), [(t(9), t(17))]),                          # someone else's leave
    (Closure(t(0), t(23), None, 2), [(t(9), t(17))]),                    # another location closed
    (Closure(t(0), t(23), 1, 1), []),                                    # leave at this location
])
def test_closures_cut_the_windows(closure: Closure, left: list[tuple[dt.datetime, dt.datetime]]) -> None:
    """Leave and clinic-wide closures apply to whom and where they say."""
    shift = WeeklyShift(1, 1, 0, dt.time(9), dt.time(17), "Europe/London")
    got = shift_windows([shift], [closure], dt.date(2027, 1, 4), dt.date(2027, 1, 4))
    assert [(w.start, w.end) for w in got] == left


@pytest.mark.parametrize(("zone", "before", "after"), [
    ("Europe/London", dt.date(2027, 3, 26), dt.date(2027, 3, 29)),    # clocks forward Sunday 28 March
    ("Europe/London", dt.date(2027, 10, 29), dt.date(2027, 11, 1)),   # clocks back Sunday 31 October
    ("America/New_York", dt.date(2027, 3, 12), dt.date(2027, 3, 15)),  # forward Sunday 14 March
    ("America/New_York", dt.date(2027, 11, 5), dt.date(2027, 11, 8)),  # back Sunday 7 November
])
def test_a_nine_oclock_shift_stays_at_nine_across_a_clock_change(zone: str, before: dt.date,
                                                                 after: dt.date) -> None:
    """The Friday before and the Monday after a clock change both start at 09:00 local; in UTC they differ by
    the hour the clocks moved."""
    shifts = [WeeklyShift(1, 1, day, dt.time(9), dt.time(17), zone) for day in range(7)]
    got = shift_windows(shifts, [], before, after)
    local = [(w.start.astimezone(ZoneInfo(zone)).time(), w.end.astimezone(ZoneInfo(zone)).time()) for w in got]
    assert set(local) == {(dt.time(9), dt.time(17))}
    first, last = got[0].start.astimezone(dt.UTC), got[-1].start.astimezone(dt.UTC)
    assert first.time() != last.time()
    assert all(w.end - w.start == dt.timedelta(hours=8) for w in got)


def test_slots_keep_local_time_across_the_change() -> None:
    """New York: the first slot is 09:00 local on the Friday before and the Monday after clocks go forward."""
    shifts = [WeeklyShift(1, 1, day, dt.time(9), dt.time(12), "America/New_York") for day in range(7)]
    windows = shift_windows(shifts, [], dt.date(2027, 3, 12), dt.date(2027, 3, 15))
    slots = free_slots(windows, busy={}, duration=dt.timedelta(minutes=60), step=dt.timedelta(minutes=60))
    firsts = {}
    for s in slots:
        local = s.start.astimezone(NEW_YORK)
        firsts.setdefault(local.date(), local.time())
    assert set(firsts.values()) == {dt.time(9)}
    assert len(slots) == 4 * 3


def test_a_time_skipped_by_the_clock_change_is_read_after_it() -> None:
    """A shift starting at 01:30 on the spring-forward night starts at 02:30 BST, the hour that does exist."""
    shift = WeeklyShift(1, 1, 6, dt.time(1, 30), dt.time(5), "Europe/London")
    (w,) = shift_windows([shift], [], dt.date(2027, 3, 28), dt.date(2027, 3, 28))
    assert w.start.astimezone(dt.UTC) == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)
    assert w.start.astimezone(LONDON).time() == dt.time(2, 30)


# --- free slots ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("busy", "duration", "before", "after", "expected"), [
    ([], 60, 0, 0, ["09:00", "10:00", "11:00"]),
    ([], 45, 0, 15, ["09:00", "10:00", "11:00"]),
    ([], 45, 5, 10, ["10:00", "11:00"]),  # the first hour's buffer before would start at 08:55
    ([(10, 11)], 60, 0, 0, ["09:00", "11:00"]),
    ([(9, 12)], 60, 0, 0, []),
    ([(10, 10)], 60, 0, 0, ["09:00", "10:00", "11:00"]),  # an empty interval holds nothing
])
def test_free_slots_on_an_hourly_grid(busy: list[tuple[int, int]], duration: int, before: int, after: int,
                                      expected: list[str]) -> None:
    """09–12 with an hourly step: the starts whose held time fits and is free."""
    got = free_slots([window(t(9), t(12))], busy={1: [(t(a), t(b)) for a, b in busy]},
                     duration=duration * MIN, before=before * MIN, after=after * MIN, step=60 * MIN)
    assert starts(got) == expected


def test_free_slots_stay_on_the_grid_after_a_busy_time() -> None:
    """After an appointment ending at 10:20, the next start on a quarter-hour grid is 10:30."""
    got = free_slots([window(t(9), t(11))], busy={1: [(t(9), t(10, 20))]}, duration=30 * MIN, step=15 * MIN)
    assert starts(got) == ["10:30"]


def test_notice_and_horizon_bound_the_starts() -> None:
    """Starts before `earliest` or after `latest` are not offered."""
    got = free_slots([window(t(9), t(17))], busy={}, duration=60 * MIN, step=60 * MIN, earliest=t(11, 5),
                     latest=t(14))
    assert starts(got) == ["12:00", "13:00", "14:00"]


def test_rooms_limit_the_slots() -> None:
    """With the location's only room busy 10–11, no slot is offered then; the free room is named."""
    got = free_slots([window(t(9), t(12))], busy={}, duration=60 * MIN, step=60 * MIN, rooms={1: [7]},
                     room_busy={7: [(t(10), t(11))]})
    assert starts(got) == ["09:00", "11:00"]
    assert {s.room_id for s in got} == {7}


def test_the_second_room_is_offered_when_the_first_is_busy() -> None:
    """A slot takes the first free room by id."""
    got = free_slots([window(t(9), t(10))], busy={}, duration=60 * MIN, step=60 * MIN, rooms={1: [7, 8]},
                     room_busy={7: [(t(9), t(10))]})
    assert [s.room_id for s in got] == [8]


def test_a_location_without_rooms_offers_nothing_for_a_service_that_needs_one() -> None:
    """No room at the location: no slot."""
    assert free_slots([window(t(9), t(12))], busy={}, duration=60 * MIN, rooms={}, room_busy={}) == []


def test_each_practitioner_is_free_on_their_own() -> None:
    """One practitioner's appointment does not take another's time."""
    got = free_slots([window(t(9), t(10), 1), window(t(9), t(10), 2)], busy={1: [(t(9), t(10))]},
                     duration=60 * MIN, step=60 * MIN)
    assert [(s.practitioner_id, starts([s])[0]) for s in got] == [(2, "09:00")]


@pytest.mark.parametrize(("duration", "step"), [(0, 15), (30, 0), (-5, 15)])
def test_duration_and_step_must_be_positive(duration: int, step: int) -> None:
    """Nonsense parameters are refused rather than looping."""
    with pytest.raises(ValueError, match="positive"):
        free_slots([window(t(9), t(10))], busy={}, duration=duration * MIN, step=step * MIN)


# --- properties ---------------------------------------------------------------------------------------------------

minutes = st.integers(min_value=0, max_value=24 * 60)
intervals = st.lists(st.tuples(minutes, st.integers(min_value=1, max_value=240)), max_size=12)
DAY = dt.datetime(2027, 3, 28, tzinfo=dt.UTC)  # the London spring-forward day


def at_minute(m: int) -> dt.datetime:
    return DAY + m * MIN


@settings(max_examples=200, deadline=None)
@given(shift_start=st.integers(min_value=0, max_value=20 * 60), shift_len=st.integers(min_value=15, max_value=600),
       busy=intervals, duration=st.integers(min_value=5, max_value=120), before=st.integers(0, 30),
       after=st.integers(0, 30), step=st.sampled_from([5, 10, 15, 30, 60]), rooms_busy=intervals)
def test_no_slot_overlaps_busy_time_or_leaves_its_window(shift_start: int, shift_len: int,
                                                         busy: list[tuple[int, int]], duration: int, before: int,
                                                         after: int, step: int,
                                                         rooms_busy: list[tuple[int, int]]) -> None:
    """Every slot's held time lies inside a window and clashes with no busy interval of its practitioner or of
    the room it names; and every grid start that would fit is offered (nothing free is lost)."""
    w = window(at_minute(shift_start), at_minute(shift_start + shift_len))
    busy_iv = [(at_minute(a), at_minute(a + n)) for a, n in busy]
    room_iv = [(at_minute(a), at_minute(a + n)) for a, n in rooms_busy]
    got = free_slots([w], busy={1: busy_iv}, duration=duration * MIN, before=before * MIN, after=after * MIN,
                     step=step * MIN, rooms={1: [5, 6]}, room_busy={5: room_iv})

    def clear(a: dt.datetime, b: dt.datetime, ivs: list[tuple[dt.datetime, dt.datetime]]) -> bool:
        return all(e <= a or s >= b for s, e in ivs)

    offered = set()
    for s in got:
        a, b = s.start - before * MIN, s.end + after * MIN
        assert w.start <= a
        assert b <= w.end
        assert clear(a, b, busy_iv)
        assert s.room_id in (5, 6)
        assert s.room_id == 6 or clear(a, b, room_iv)
        offered.add(s.start)
    k = 0
    while w.start + k * step * MIN + (duration + after) * MIN <= w.end:
        start = w.start + k * step * MIN
        a, b = start - before * MIN, start + (duration + after) * MIN
        if a >= w.start and clear(a, b, busy_iv):
            assert start in offered
        k += 1
