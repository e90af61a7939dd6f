"""Where blocks sit on the calendar's grid (calendar_layout.py: plain arithmetic), and that the stylesheet has a
class for every position the layout can give."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciatica_care.scheduling.calendar_layout import DAY, MAX_LANES, Span, clip, free, lanes, steps, window

CSS = (Path(__file__).resolve().parents[2] / "src" / "sciatica_care" / "scheduling" / "static" / "scheduling"
       / "calendar.css").read_text(encoding="utf-8")


@pytest.mark.parametrize(("span", "first", "classes"), [
    (Span(9 * 60, 9 * 60 + 45), 8, "at-h1 at-m0 len-9"),
    (Span(9 * 60 + 15, 10 * 60), 9, "at-h0 at-m15 len-9"),
    (Span(9 * 60 + 7, 9 * 60 + 22), 9, "at-h0 at-m5 len-3"),  # 09:07 is drawn from the 5-minute line before
    (Span(7 * 60, 9 * 60), 8, "at-h0 at-m0 len-12"),  # starts before the grid: drawn from its top
    (Span(0, DAY), 0, "at-h0 at-m0 len-288"),
    (Span(600, 601), 8, "at-h2 at-m0 len-1"),  # the now-line: one step
])
def test_position_classes(span: Span, first: int, classes: str) -> None:
    assert span.classes(first) == classes


@pytest.mark.parametrize(("start", "end", "expected"), [
    (-60, 30, Span(0, 30)), (1400, 1500, Span(1400, DAY)), (-10, 0, None), (DAY, DAY + 5, None), (5, 5, None),
])
def test_clip_to_the_day(start: int, end: int, expected: Span | None) -> None:
    assert clip(start, end) == expected


@pytest.mark.parametrize(("spans", "hours"), [
    ([], (8, 18)),
    ([Span(9 * 60, 17 * 60)], (8, 18)),
    ([Span(7 * 60 + 30, 19 * 60 + 15)], (7, 20)),
    ([Span(0, DAY)], (0, 24)),
])
def test_the_grid_widens_to_whole_hours(spans: list[Span], hours: tuple[int, int]) -> None:
    assert window(spans) == hours


@pytest.mark.parametrize(("spans", "expected"), [
    ([Span(0, 10), Span(10, 20)], [(0, 1), (0, 1)]),  # touching is not overlapping
    ([Span(0, 10), Span(5, 15)], [(0, 2), (1, 2)]),
    ([Span(0, 30), Span(5, 10), Span(20, 25)], [(0, 2), (1, 2), (1, 2)]),  # the second lane is reused
    ([Span(0, 10), Span(5, 15), Span(12, 20), Span(30, 40)], [(0, 2), (1, 2), (0, 2), (0, 1)]),
])
def test_overlapping_blocks_get_lanes(spans: list[Span], expected: list[tuple[int, int]]) -> None:
    assert lanes(spans) == expected


spans_strategy = st.lists(st.tuples(st.integers(0, DAY - 5), st.integers(5, 300)).map(
    lambda t: Span(t[0], min(DAY, t[0] + t[1]))), max_size=12)


@given(spans_strategy)
def test_blocks_in_one_lane_never_overlap(spans: list[Span]) -> None:
    """Whatever the appointments, two blocks given the same lane of a group do not overlap (below the cap)."""
    placed = lanes(spans)
    for i, a in enumerate(spans):
        for j, b in enumerate(spans[:i]):
            overlap = a.start < b.end and b.start < a.end
            if overlap and placed[i][1] < MAX_LANES:
                assert placed[i] != placed[j] or placed[i][0] != placed[j][0]
    assert all(0 <= lane < width <= MAX_LANES for lane, width in placed)


@pytest.mark.parametrize(("work", "busy", "expected"), [
    ([Span(540, 1020)], [], [Span(540, 1020)]),
    ([Span(540, 1020)], [Span(600, 660)], [Span(540, 600), Span(660, 1020)]),
    ([Span(540, 720), Span(780, 1020)], [Span(700, 800)], [Span(540, 700), Span(800, 1020)]),
    ([Span(540, 600)], [Span(500, 700)], []),
])
def test_free_time_is_work_less_busy(work: list[Span], busy: list[Span], expected: list[Span]) -> None:
    assert free(work, busy) == expected


def test_clickable_starts_fall_on_the_clock_grid() -> None:
    assert steps([Span(547, 600)], 15) == [555, 570, 585]


@given(st.integers(0, 23), st.integers(0, DAY - 1), st.integers(1, DAY))
def test_the_stylesheet_has_every_position_class(first: int, start: int, length: int) -> None:
    """Every class a block, the axis or the grid can be given is defined in calendar.css."""
    classes = Span(start, min(DAY, start + length)).classes(first).split()
    for name in classes:
        assert re.search(rf"\.{name}\{{", CSS), name


@pytest.mark.parametrize("name", [*(f"lanes-{n}" for n in range(1, MAX_LANES + 1)),
                                  *(f"lane-{n}" for n in range(MAX_LANES)), *(f"hours-{n}" for n in range(1, 25))])
def test_the_stylesheet_has_every_lane_and_size_class(name: str) -> None:
    assert re.search(rf"\.{name}\{{", CSS), name
