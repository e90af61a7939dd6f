"""Where things sit on the calendar's time grid: plain arithmetic on minutes since local midnight, no Django.

The grid draws a day column from `first_hour` to `last_hour`; a block's position is given as classes of the static
stylesheet (`calendar.css`): the hour and the minute it starts at (`at-h9 at-m15`), its length in steps of five
minutes (`len-9`), and, where blocks overlap, its lane among the lanes of its group (`lane-1 lanes-2`). The page's
Content-Security-Policy forbids inline styles, so positions are classes, never `style=` attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DAY = 24 * 60
STEP = 5
#: The longest block the stylesheet draws: a whole day.
MAX_STEPS = DAY // STEP
#: Lanes the stylesheet knows; beyond them, blocks share the last lane (their text still lists them all).
MAX_LANES = 6
DEFAULT_HOURS = (8, 18)


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of one day, in minutes since local midnight (`end` may be DAY)."""

    start: int
    end: int

    def classes(self, first_hour: int) -> str:
        """The stylesheet's position classes for this span on a grid starting at `first_hour`."""
        start = max(self.start, first_hour * 60)
        hour, minute = divmod(start - first_hour * 60, 60)
        steps = max(1, min(MAX_STEPS, -(-(self.end - start) // STEP)))
        return f"at-h{hour} at-m{minute - minute % STEP} len-{steps}"


def clip(start: int, end: int) -> Span | None:
    """The part of [start, end) that falls within the day, or None."""
    start, end = max(0, start), min(DAY, end)
    return Span(start, end) if end > start else None


def window(spans: Sequence[Span], default: tuple[int, int] = DEFAULT_HOURS) -> tuple[int, int]:
    """The hours the grid shows: the default working day, widened to whole hours to hold every span."""
    first, last = default
    for span in spans:
        first = min(first, span.start // 60)
        last = max(last, -(-span.end // 60))
    return max(0, first), min(24, last)


def lanes(spans: Sequence[Span]) -> list[tuple[int, int]]:
    """(lane, lanes of its group) for each span, in the order given: overlapping spans side by side, each group of
    spans that overlap one another (directly or through others) sharing one lane count."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start, -spans[i].end))
    out: list[tuple[int, int]] = [(0, 1)] * len(spans)
    group: list[int] = []
    lane_ends: list[int] = []
    group_end = -1

    def close() -> None:
        width = min(MAX_LANES, max(1, len(lane_ends)))
        for i in group:
            out[i] = (min(out[i][0], width - 1), width)

    for i in order:
        span = spans[i]
        if span.start >= group_end and group:
            close()
            group, lane_ends = [], []
        lane = next((n for n, end in enumerate(lane_ends) if end <= span.start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(span.end)
        else:
            lane_ends[lane] = span.end
        out[i] = (lane, 0)
        group.append(i)
        group_end = max(group_end, span.end) if len(group) > 1 else span.end
    if group:
        close()
    return out


def free(work: Sequence[Span], busy: Sequence[Span]) -> list[Span]:
    """The parts of the working spans that no busy span covers."""
    out: list[Span] = []
    for w in sorted(work, key=lambda s: s.start):
        cursor = w.start
        for b in sorted(busy, key=lambda s: s.start):
            if b.end <= cursor or b.start >= w.end:
                continue
            if b.start > cursor:
                out.append(Span(cursor, b.start))
            cursor = max(cursor, b.end)
        if cursor < w.end:
            out.append(Span(cursor, w.end))
    return out


def steps(spans: Sequence[Span], step: int) -> list[int]:
    """The starts, every `step` minutes on the clock, that fall inside the spans (where a click books)."""
    out: list[int] = []
    for span in spans:
        t = -(-span.start // step) * step
        while t < span.end:
            out.append(t)
            t += step
    return out
