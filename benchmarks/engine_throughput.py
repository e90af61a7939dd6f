"""Plans per second in-process on one core over 1,000 generated intakes (knowledge loaded and indexed once).

    python benchmarks/engine_throughput.py [--count 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generated_intakes import generate

from sciatica_care import plan_for
from sciatica_care.knowledge.load import load_knowledge


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    intakes = generate(args.count)
    started = time.perf_counter()
    load_knowledge()
    plan_for(intakes[0])
    warm = time.perf_counter() - started
    rates = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for intake in intakes:
            plan_for(intake)
        rates.append(len(intakes) / (time.perf_counter() - t0))
    print(f"knowledge load + first plan: {warm * 1000:.1f} ms")
    print(f"plans per second over {len(intakes)} intakes, {args.rounds} rounds on one core: "
          f"median {statistics.median(rates):,.0f}, min {min(rates):,.0f}, max {max(rates):,.0f}")
    print(f"mean time per plan: {1e6 / statistics.median(rates):.0f} µs")


if __name__ == "__main__":
    main()
