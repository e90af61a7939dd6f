"""Slot search on a busy front desk: 20 practitioners, 3 locations (two in London, one in New York) with 8 rooms
each, 12 weeks of shifts and 10,000 appointments; the search for four weeks, timed in process (no server).

Uses the app's own settings and migrations (`clinic_data.setup_django`), in a data folder (SQLite) or a dedicated
PostgreSQL database whose name contains "bench" (dropped and created again):

    python benchmarks/scheduling_slots.py --data-dir /tmp/scbench-slots --force
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/schedcore_bench \\
        python benchmarks/scheduling_slots.py --data-dir /tmp/scbench-slots-pg --force

Searches: a follow-up that needs a room, over four weeks — any practitioner anywhere, one location, one
practitioner — and the free call by phone, any practitioner. For each: p50/p95/max wall time, p50/p95 CPU time of
this thread (on SQLite that includes the database's own work, which runs in process; on PostgreSQL the server's is
not in it — on a busy machine the CPU time says what the search costs, the wall time what it also waited), the
slots found and the queries it takes. `--json FILE` writes the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PRACTITIONERS = 20
ROOMS_PER_LOCATION = 8
WEEKS = 12
APPOINTMENTS = 10_000
OPENS, CLOSES = dt.time(8), dt.time(19)  # weekday shifts: long days, so that 10,000 appointments fit in 12 weeks
ZONES = ("Europe/London", "Europe/London", "America/New_York")


def prepare(data_dir: Path, force: bool) -> None:
    from clinic_data import pg_recreate, setup_django

    url = os.environ.get("DATABASE_URL", "")
    if url:
        pg_recreate(url)
    else:
        db = data_dir / "clinic.sqlite3"
        if db.exists() and not force:
            raise SystemExit(f"{db} exists: pass --force to replace it")
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(seed: int) -> dict[str, Any]:
    """The front desk, written with bulk_create; no two appointments of a practitioner or a room overlap."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from sciatica_care.clinic.models import Clinic, Patient, Role, Staff
    from sciatica_care.scheduling import models as m

    Appointment, Location, Room, Service, ServiceKind, Shift = (m.Appointment, m.Location, m.Room, m.Service,
                                                                m.ServiceKind, m.Shift)

    rng = random.Random(seed)  # noqa: S311 - benchmark data, reproducible by seed
    clinic = Clinic.objects.create(name="Bench Front Desk")
    m.BookingRules.objects.create(clinic=clinic)
    staff = [Staff(username=f"desk{n:02d}", clinic=clinic, role=Role.PRACTITIONER,
                   password="!")  # noqa: S106 - Django's mark of an unusable password
             for n in range(1, PRACTITIONERS + 1)]
    Staff.objects.bulk_create(staff)
    staff = list(Staff.objects.filter(clinic=clinic).order_by("pk"))
    patients = Patient.objects.bulk_create([Patient(clinic=clinic, first_name=f"P{n}", last_name="Bench",
                                                    date_of_birth=dt.date(1970, 1, 1)) for n in range(500)])
    locations = [Location.objects.create(clinic=clinic, name=f"Site {n}", time_zone=zone)
                 for n, zone in enumerate(ZONES, 1)]
    rooms = {loc.pk: Room.objects.bulk_create([Room(location=loc, name=f"Room {r}")
                                               for r in range(1, ROOMS_PER_LOCATION + 1)]) for loc in locations}
    kinds = [(ServiceKind.CONSULTATION_CALL, 15, 0, 0, True), (ServiceKind.FOLLOW_UP_ACUPUNCTURE, 45, 0, 15, False),
             (ServiceKind.ELECTROACUPUNCTURE, 60, 0, 15, False), (ServiceKind.MASSAGE, 45, 5, 10, False),
             (ServiceKind.INITIAL_ASSESSMENT, 75, 0, 15, False)]
    services = [Service.objects.create(clinic=clinic, name=kind.label, kind=kind, duration_minutes=d,
                                       buffer_before_minutes=b, buffer_after_minutes=a, by_phone=phone,
                                       room_needed=not phone) for kind, d, b, a, phone in kinds]
    today = timezone.localdate()
    first = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)  # next Monday
    last = first + dt.timedelta(weeks=WEEKS, days=-1)
    shifts = []
    home = {p.pk: locations[i % len(locations)] for i, p in enumerate(staff)}
    for i, p in enumerate(staff):
        for day in range(5):
            shifts.append(Shift(practitioner=p, location=home[p.pk], weekday=day, start_time=OPENS,
                                end_time=CLOSES, valid_from=first, valid_until=last))
        if i % 4 == 0:  # some also work Saturday mornings at another site
            shifts.append(Shift(practitioner=p, location=locations[(i + 1) % len(locations)], weekday=5,
                                start_time=dt.time(9), end_time=dt.time(13), valid_from=first, valid_until=last))
    Shift.objects.bulk_create(shifts)
    # Appointments: each working day, each practitioner's day filled from 09:00 with random services and gaps,
    # rooms taken at the location as they are free, until 10,000 are placed (days end up nearly full: the hard case
    # for the search, which must find the few gaps).
    room_busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {r.pk: [] for rs in rooms.values() for r in rs}
    rows: list[Appointment] = []
    days = [first + dt.timedelta(days=d) for d in range(WEEKS * 7) if (first + dt.timedelta(days=d)).weekday() < 5]
    per_day = APPOINTMENTS / (len(days) * len(staff))
    for day in days:
        for p in staff:
            loc = home[p.pk]
            zone = ZoneInfo(loc.time_zone)
            cursor = dt.datetime.combine(day, OPENS, tzinfo=zone)
            close = dt.datetime.combine(day, CLOSES, tzinfo=zone)
            wanted = int(per_day) + (rng.random() < per_day - int(per_day))
            placed = 0
            while placed < wanted and len(rows) < APPOINTMENTS:
                service = rng.choice(services)
                cursor += dt.timedelta(minutes=15 * rng.choice((0, 0, 0, 1)))
                held_from = cursor
                start = held_from + dt.timedelta(minutes=service.buffer_before_minutes)
                end = start + dt.timedelta(minutes=service.duration_minutes)
                held_until = end + dt.timedelta(minutes=service.buffer_after_minutes)
                if held_until > close:
                    break
                room = None
                if service.room_needed:
                    room = next((r for r in rooms[loc.pk] if all(b <= held_from or a >= held_until
                                                                 for a, b in room_busy[r.pk])), None)
                    if room is None:
                        cursor = held_until
                        continue
                    room_busy[room.pk].append((held_from, held_until))
                rows.append(Appointment(clinic=clinic, patient=rng.choice(patients), practitioner=p,
                                        service=service, location=loc, room=room, start=start, end=end,
                                        blocked_from=held_from, blocked_until=held_until))
                placed += 1
                cursor = held_until
    Appointment.objects.bulk_create(rows, batch_size=1000)
    return {"first": first, "services": {s.kind: s for s in services}, "locations": locations, "staff": staff,
            "appointments": len(rows)}


def measure(desk: dict[str, Any], runs: int) -> dict[str, dict[str, Any]]:
    from zoneinfo import ZoneInfo

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sciatica_care.scheduling import slots

    start = dt.datetime.combine(desk["first"] + dt.timedelta(weeks=2), dt.time(0), tzinfo=ZoneInfo("Europe/London"))
    end = start + dt.timedelta(weeks=4)
    follow_up = desk["services"]["follow_up_acupuncture"]
    cases = {
        "any practitioner, any location (room needed)": (follow_up, {}),
        "one location (room needed)": (follow_up, {"location_id": desk["locations"][0].pk}),
        "one practitioner (room needed)": (follow_up, {"practitioner_id": desk["staff"][0].pk}),
        "free call by phone, any practitioner": (desk["services"]["consultation_call"], {}),
    }
    out = {}
    for name, (service, kw) in cases.items():
        times, cpu = [], []
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.thread_time()
            found = slots.search(service, start, end, apply_policy=False, **kw)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
        with CaptureQueriesContext(connection) as queries:
            slots.search(service, start, end, apply_policy=False, **kw)
        times.sort()
        cpu.sort()
        out[name] = {"min_ms": round(times[0], 2), "p50_ms": round(statistics.median(times), 2),
                     "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2), "max_ms": round(times[-1], 2),
                     "cpu_p50_ms": round(statistics.median(cpu), 2),
                     "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 2),
                     "slots": len(found), "queries": len(queries)}
    return out


def arguments(doc: str) -> argparse.ArgumentParser:
    """The options every front-desk benchmark takes: where the data go, replacing them, a JSON report."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--force", action="store_true", help="replace the SQLite database of --data-dir")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    return parser


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    prepare(args.data_dir, args.force)
    t0 = time.perf_counter()
    desk = generate(args.seed)
    generated = time.perf_counter() - t0
    from django.db import connection

    # The generated diary stays in memory here as it would not in the server; like `serve` after start-up, put
    # what exists now out of the collector's reach so its full collections do not walk it.
    gc.collect()
    gc.freeze()
    figures = measure(desk, max(1, min(args.runs, 5000)))
    report = {"database": connection.vendor, "appointments": desk["appointments"], "practitioners": PRACTITIONERS,
              "locations": len(ZONES), "weeks_of_shifts": WEEKS, "generate_s": round(generated, 1),
              "load_average": os.getloadavg()[0], "cpus": os.cpu_count(), "searches": figures}
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
