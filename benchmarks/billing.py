"""Billing rules and the superbill, in process (no Django): CPT units for one day, a superbill's content for a
year of weekly visits, and its PDF.

    python benchmarks/billing.py [--days 1000]

Prints the median of each. The PDF's time is mostly fpdf2 parsing and subsetting the Unicode font, which every
PDF of the project pays.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable

from sciatica_care.interop.billing_units import DayMinutes, day_bill
from sciatica_care.interop.superbill import Billing, Insured, Provider, VisitCharge, build_superbill
from sciatica_care.reports.superbill_pdf import superbill_pdf

FEES = {"97810": "65.00", "97811": "45.00", "97813": "75.00", "97814": "50.00", "97124": "40.00",
        "97140": "45.00"}


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=1000, help="how many random days of minutes to bill")
    args = parser.parse_args()
    rng = random.Random(1)  # noqa: S311 - reproducible inputs
    days = [DayMinutes(acupuncture=rng.randint(0, 60), reinsertions=rng.randint(0, 3), massage=rng.randint(0, 40),
                       manual_therapy=rng.randint(0, 20)) for _ in range(args.days)]
    day_bill(days[0])  # the knowledge, loaded once
    start = time.perf_counter()
    for d in days:
        day_bill(d)
    print(f"day_bill: {(time.perf_counter() - start) * 1000 / len(days) * 1000:.1f} µs a day")
    clinic = Billing(name="Clinic", npi="1234567893", tax_id="12-3456789", place_of_service="11")
    patient = Insured(name="Ann Lee", date_of_birth=dt.date(1970, 1, 1), number="1")
    hart = Provider(name="Sam Hart", npi="1245319599")
    visits = [VisitCharge(date=dt.date(2026, 1, 5) + dt.timedelta(weeks=i), practitioner=hart, diagnoses=("M51.17",),
                          minutes=DayMinutes(electroacupuncture=30, reinsertions=1, massage=23)) for i in range(52)]
    print(f"build_superbill, 52 visits: {median_ms(lambda: build_superbill(clinic, patient, visits, FEES), 50):.2f} ms")
    one = build_superbill(clinic, patient, visits[:1], FEES)
    year = build_superbill(clinic, patient, visits, FEES)
    print(f"superbill PDF, 1 visit: {median_ms(lambda: superbill_pdf(one, dt.date(2026, 12, 31)), 5):.0f} ms")
    print(f"superbill PDF, 52 visits: {median_ms(lambda: superbill_pdf(year, dt.date(2026, 12, 31)), 3):.0f} ms")


if __name__ == "__main__":
    main()
