"""An episode's progress chart: scores over time with the band of the minimal important change around baseline.

Matplotlib is imported inside the function (the clinic loads it only for the chart) and drawn on a bare `Figure`
(no pyplot, no global state); the SVG is deterministic for the same input (no dates, salted ids). Each series'
points are grouped under an id `<gid>-points`, so that a test or a script can count them.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChartSeries:
    """One measure: its label, (day, score) points in date order, the scale's top and its minimal important
    change in points (None: no band)."""

    gid: str
    label: str
    points: Sequence[tuple[dt.date, float]]
    scale_high: float
    mcid: float | None


def progress_svg(series: Sequence[ChartSeries], title: str = "") -> str:
    """One panel per series, sharing the time axis; the shaded band is baseline ± the minimal important change
    (a later point below the band is an important improvement, above it an important worsening)."""
    import matplotlib

    # The garbage collector is left alone: switching it off would switch it off for every thread of the server
    # while the chart draws. The chart is kept fast by fixed margins and by the clinic's cache of drawn charts
    # (clinic/figures.py), which draws each distinct chart once.
    with matplotlib.rc_context({"svg.hashsalt": "sciatica-care", "svg.fonttype": "none"}):
        return _draw(series, title)


#: Fixed margins in inches (no tight_layout: measuring every label's extent and drawing twice was two thirds of
#: the chart's time): room for the y label and 3-digit ticks on the left, the slanted dates at the bottom.
LEFT_IN, RIGHT_IN, TOP_IN, BOTTOM_IN, GAP_IN, TITLE_IN = 0.85, 0.2, 0.15, 0.6, 0.25, 0.35
WIDTH_IN, PANEL_IN = 7.5, 1.95
MAX_DATE_TICKS = 8


def _draw(series: Sequence[ChartSeries], title: str) -> str:
    from matplotlib.figure import Figure

    shown = [s for s in series if s.points]
    n = max(1, len(shown))
    top = TOP_IN + (TITLE_IN if title else 0.0)
    height = top + BOTTOM_IN + n * PANEL_IN + (n - 1) * GAP_IN
    fig = Figure(figsize=(WIDTH_IN, height), dpi=100)
    fig.subplots_adjust(left=LEFT_IN / WIDTH_IN, right=1 - RIGHT_IN / WIDTH_IN, top=1 - top / height,
                        bottom=BOTTOM_IN / height, hspace=GAP_IN / PANEL_IN)
    axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    if not shown:
        axes[0].text(0.5, 0.5, "No scores yet", ha="center", va="center", transform=axes[0].transAxes)
        axes[0].set_axis_off()
    for ax, s in zip(axes, shown, strict=False):
        days = [p[0] for p in s.points]
        values = [p[1] for p in s.points]
        baseline = values[0]
        if s.mcid is not None:
            band = ax.axhspan(max(0.0, baseline - s.mcid), min(s.scale_high, baseline + s.mcid), color="#9ecae1",
                              alpha=0.35, lw=0, label=f"baseline ± {s.mcid:g} (minimal important change)")
            band.set_gid(f"{s.gid}-band")
        ax.axhline(baseline, color="#6b7b8c", lw=0.8, ls="--")
        (line,) = ax.plot(days, values, marker="o", color="#1f5f8b", lw=1.8, ms=5, label=s.label)
        line.set_gid(f"{s.gid}-points")
        ax.set_ylim(0, s.scale_high)
        ax.set_ylabel(s.label, fontsize=9)
        ax.grid(axis="y", color="#e3e7ec", lw=0.6)
        ax.legend(loc="upper right", fontsize=7, frameon=False)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    if shown:
        _date_ticks(axes[-1], sorted({p[0] for s in shown for p in s.points}))
    if title:
        fig.suptitle(title, fontsize=11)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _date_ticks(ax: Any, days: list[dt.date]) -> None:
    """The days scores were taken, at most MAX_DATE_TICKS of them evenly picked (the first and last always), as
    "05 Jan" slanted: the dates a practitioner charted, not a calendar's round numbers."""
    from matplotlib.dates import date2num

    step = max(1, -(-(len(days) - 1) // (MAX_DATE_TICKS - 1))) if len(days) > 1 else 1
    picked = days[::step]
    if picked[-1] != days[-1]:
        picked = [*picked[:-1], days[-1]] if len(picked) >= MAX_DATE_TICKS else [*picked, days[-1]]
    ax.set_xticks([date2num(d) for d in picked], [d.strftime("%d %b") for d in picked])  # type: ignore[no-untyped-call]
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    if len(days) == 1:
        ax.set_xlim(date2num(days[0]) - 3, date2num(days[0]) + 3)  # type: ignore[no-untyped-call]
