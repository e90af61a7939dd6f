"""The letters to the patient's doctor, in process: the referral letter's content and its PDF for every worked
example, and a long discharge letter (60 lines of treatment) as PDF. Median and p95 per letter, and the process's
peak memory. No target in the issue: a letter is built on request, one at a time, so it should stay well under the
time a page takes (a few hundred milliseconds).

    python benchmarks/letters.py [--runs 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from sciatica_care.engine.plan import build_plan
from sciatica_care.reports.letter_content import (
    Course,
    PatientDetails,
    Recipient,
    ScoreChange,
    Sender,
    progress_letter,
    referral_letter,
)
from sciatica_care.reports.letter_pdf import letter_pdf

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PEOPLE = {"date": dt.date(2026, 3, 4), "sender": Sender("Mei Lin", "BSc (Hons) Acupuncture", "BAcC 012345",
                                                       "Riverside Clinic", "14 Mill Lane\nBristol", "0117 496 0123"),
          "recipient": Recipient("Dr A Patel", "Redland Green Surgery", "1 Redland Green\nBristol"),
          "patient": PatientDetails("Bea Jones", dt.date(1968, 2, 3), "7 Elm Road\nBristol")}


def timed(label: str, runs: int, work: Callable[[], object], per: int = 1) -> None:
    """Median and p95 of `runs` calls of `work`, divided by the `per` letters each call makes."""
    work()  # warm: fonts loaded, knowledge cached
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000 / per)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:<44} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    cases = [(p.stem, yaml.safe_load(p.read_text())) for p in sorted(EXAMPLES.glob("*.yaml"))]
    plans = [(name, intake, build_plan(intake)) for name, intake in cases]
    timed(f"referral content (per letter, {len(plans)} examples)", runs,
          lambda: [referral_letter(i, p, **PEOPLE) for _, i, p in plans], per=len(plans))
    letters = [referral_letter(i, p, **PEOPLE) for _, i, p in plans]
    for letter, (name, _, _) in zip(letters, plans, strict=True):
        if name in ("cauda-equina", "s1-disc-acute"):
            timed(f"referral PDF ({name})", runs, lambda letter=letter: letter_pdf(letter))
    course = Course(dt.date(2026, 1, 5), 60, ended=dt.date(2026, 6, 1), closed=True,
                    done=tuple(f"Session {n}: acupuncture at GB30 and BL40, 20 minutes" for n in range(60)),
                    measures=(ScoreChange("Leg pain (NRS)", 7, 2, -71.4, important_improvement=True),
                              ScoreChange("ODI", 42, 36, -14.3)))
    long_letter = progress_letter(course, **PEOPLE)
    timed("discharge PDF, 60 lines of treatment", runs, lambda: letter_pdf(long_letter))
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work slows every figure)")


if __name__ == "__main__":
    main()
