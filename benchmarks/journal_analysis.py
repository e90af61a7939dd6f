"""Trigger analysis over two years of daily diary entries with 20 factors (5 numeric, 10 activities,
5 medications; leg and back pain; lags 0 and 1 → 80 comparisons), validation included. Target ≤ 50 ms.

    python benchmarks/journal_analysis.py [--days 730] [--runs 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time
from typing import Any

from sciatica_care.journal import analyse_diary

ACTIVITIES = [f"activity {i}" for i in range(10)]
MEDICATIONS = [f"medicine {i}" for i in range(5)]


def diary(days: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data, not a secret
    start = dt.date(2023, 1, 1)
    entries = []
    for day in range(days):
        sitting = round(rng.uniform(0, 10), 1)
        entries.append({
            "date": (start + dt.timedelta(days=day)).isoformat(),
            "leg_nrs": max(0, min(10, round(4 + rng.gauss(0, 1.5) + (1.5 if sitting > 6 else 0)))),
            "back_nrs": rng.randint(0, 10),
            "sleep_hours": round(rng.uniform(3, 9), 1),
            "sleep_quality": rng.randint(0, 10),
            "sitting_hours": sitting,
            "walking_minutes": rng.randint(0, 90),
            "stress": rng.randint(0, 10),
            "activities": [a for a in ACTIVITIES if rng.random() < 0.3],
            "medications": [m for m in MEDICATIONS if rng.random() < 0.3],
        })
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    doc = diary(args.days)
    analysis = analyse_diary(doc)  # warm-up
    factors = len({r.factor for r in analysis.factors})
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        analyse_diary(doc)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(f"{args.days} days, {factors} factors, {len(analysis.factors)} comparisons, {args.runs} runs: "
          f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms (target ≤ 50 ms)")


if __name__ == "__main__":
    main()
