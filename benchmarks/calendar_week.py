"""The staff calendar's speed: the week view (and the day view) over a full diary, in-process.

Generates, with the app's settings and migrations, one clinic with 3 locations (a room for each practitioner),
5 services, 20 practitioners working Monday to Friday 08:00-18:00 at one location each for 12 weeks (around today), 400
patients with a course each, and 10,000 appointments in those 12 weeks (never overlapping; a tenth cancelled, the
past ones completed or not attended, a third of them sessions of a course); then requests each calendar page
through Django's test client as the receptionist (who sees every name) and prints p50/p95/p99 in milliseconds and
the queries per page. The view writes its audit event, as in the server. Beside the wall time, the CPU time of
this process (the view, the ORM, the template, the client; not the database server's, nor time waiting for a
shared core), which a busy machine disturbs less. Target (issue 12): week view p95 <= 100 ms.

    python benchmarks/calendar_week.py --data-dir /tmp/calbench-sqlite [--requests 300]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/calendar_bench \\
        python benchmarks/calendar_week.py --data-dir /tmp/calbench-pg

The PostgreSQL database named must contain "bench": it is dropped and created again. Everything is on loopback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from clinic_data import pg_recreate  # noqa: E402 - after the path set-up

PRACTITIONERS, LOCATIONS, APPOINTMENTS, PATIENTS, WEEKS = 20, 3, 10_000, 400, 12
ZONE = ZoneInfo("Europe/London")


def setup(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SCIATICA_CARE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciatica_care.site.settings")
    url = os.environ.get("DATABASE_URL", "")
    if url:
        pg_recreate(url)
    else:
        (data_dir / "clinic.sqlite3").unlink(missing_ok=True)
    from sciatica_care.site.paths import ensure_secret_key

    ensure_secret_key(data_dir)
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(rng: random.Random) -> dict[str, Any]:
    from decimal import Decimal

    from sciatica_care.clinic.models import Clinic, Episode, Patient, Role, Staff
    from sciatica_care.scheduling.models import (
        Appointment,
        AppointmentStatus,
        BookingRules,
        Location,
        Room,
        Service,
        ServiceKind,
        Shift,
    )

    t0 = time.perf_counter()
    clinic = Clinic.objects.create(name="Bench clinic")
    BookingRules.objects.create(clinic=clinic)
    reception = Staff.objects.create_user(username="front", clinic=clinic, role=Role.RECEPTION)
    pracs = Staff.objects.bulk_create([Staff(username=f"prac{n:02d}", first_name=f"Prac{n:02d}", last_name="Bench",
                                             clinic=clinic, role=Role.PRACTITIONER) for n in range(PRACTITIONERS)])
    locations = [Location.objects.create(clinic=clinic, name=f"Location {n}", time_zone="Europe/London")
                 for n in range(LOCATIONS)]
    per_location = -(-PRACTITIONERS // LOCATIONS)
    rooms = {loc.pk: Room.objects.bulk_create([Room(location=loc, name=f"Room {n}") for n in range(per_location)])
             for loc in locations}
    services = [Service.objects.create(clinic=clinic, name=name, kind=kind, duration_minutes=minutes,
                                       buffer_after_minutes=10, price=Decimal("60.00"))
                for name, kind, minutes in (("Follow-up", ServiceKind.FOLLOW_UP_ACUPUNCTURE, 45),
                                            ("Electroacupuncture", ServiceKind.ELECTROACUPUNCTURE, 45),
                                            ("Massage", ServiceKind.MASSAGE, 45),
                                            ("Initial assessment", ServiceKind.INITIAL_ASSESSMENT, 45))]
    today = dt.datetime.now(ZONE).date()
    first = today - dt.timedelta(days=today.weekday(), weeks=WEEKS // 2)
    last = first + dt.timedelta(weeks=WEEKS) - dt.timedelta(days=1)
    home = {p.pk: locations[i % LOCATIONS] for i, p in enumerate(pracs)}
    own_room = {p.pk: rooms[home[p.pk].pk][i // LOCATIONS] for i, p in enumerate(pracs)}  # never two at once
    Shift.objects.bulk_create([Shift(practitioner=p, location=home[p.pk], weekday=d, start_time=dt.time(8),
                                     end_time=dt.time(18), valid_from=first, valid_until=last)
                               for p in pracs for d in range(5)])
    patients = Patient.objects.bulk_create([Patient(clinic=clinic, first_name=f"First{n}", last_name=f"Last{n}",
                                                    date_of_birth=dt.date(1970, 1, 1)) for n in range(PATIENTS)])
    episodes = Episode.objects.bulk_create([Episode(clinic=clinic, patient=p) for p in patients])
    days = [first + dt.timedelta(days=n) for n in range(WEEKS * 7) if (first + dt.timedelta(days=n)).weekday() < 5]
    cells = [(p, d, h) for p in pracs for d in days for h in range(8, 18)]  # one-hour cells, 08:00-17:00 starts
    now = dt.datetime.now(ZONE)
    rows = []
    sessions: dict[int, int] = {}
    for prac, day, hour in rng.sample(cells, APPOINTMENTS):
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE)
        service = rng.choice(services)
        end = start + dt.timedelta(minutes=service.duration_minutes)
        who = rng.randrange(PATIENTS)
        status = AppointmentStatus.BOOKED
        if rng.random() < 0.1:
            status = AppointmentStatus.CANCELLED
        elif end < now:
            status = AppointmentStatus.NO_SHOW if rng.random() < 0.05 else AppointmentStatus.COMPLETED
        course = rng.random() < 0.33
        if course:
            sessions[who] = sessions.get(who, 0) + 1
        rows.append(Appointment(
            clinic=clinic, patient=patients[who], practitioner=prac, service=service, location=home[prac.pk],
            room=own_room[prac.pk], start=start, end=end, blocked_from=start,
            blocked_until=end + dt.timedelta(minutes=10), status=status, booked_by=reception,
            episode=episodes[who] if course else None, course_session=sessions[who] if course else None,
            is_review=course and sessions[who] == 4))
    Appointment.objects.bulk_create(rows, batch_size=1000)
    print(f"generated {Appointment.objects.count():,} appointments, {len(pracs)} practitioners, "
          f"{len(locations)} locations, {WEEKS} weeks of shifts in {time.perf_counter() - t0:.1f} s")
    return {"reception": reception, "pracs": pracs, "locations": locations, "rooms": rooms, "first": first,
            "days": days}


def measure(data: dict[str, Any], requests: int, rng: random.Random) -> list[tuple[str, list[float], int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(data["reception"])
    rooms = [r for rs in data["rooms"].values() for r in rs]

    def day() -> str:
        return rng.choice(data["days"]).isoformat()

    pages = {
        "practitioner week": lambda: f"/calendar/?who=practitioner:{rng.choice(data['pracs']).pk}&date={day()}",
        "practitioner day": lambda: f"/calendar/?who=practitioner:{rng.choice(data['pracs']).pk}&view=day"
                                    f"&date={day()}",
        "location week": lambda: f"/calendar/?who=location:{rng.choice(data['locations']).pk}&date={day()}",
        "location day": lambda: f"/calendar/?who=location:{rng.choice(data['locations']).pk}&view=day"
                                f"&date={day()}",
        "room week": lambda: f"/calendar/?who=room:{rng.choice(rooms).pk}&date={day()}",
    }
    out = []
    for name, url in pages.items():
        for _ in range(10):  # warm-up
            client.get(url())
        times, cpu = [], []
        queries = set()
        for _ in range(requests):
            address = url()
            with CaptureQueriesContext(connection) as ctx:
                t0, c0 = time.perf_counter(), time.process_time()
                r = client.get(address)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            assert r.status_code == 200, (address, r.status_code)
            queries.add(len(ctx.captured_queries))
        out.append((name, times, max(queries)))
        print(f"{name:18} wall p50 {_pct(times, 50):6.1f}  p95 {_pct(times, 95):6.1f}  p99 {_pct(times, 99):6.1f} ms"
              f" | this process's CPU p50 {_pct(cpu, 50):5.1f}  p95 {_pct(cpu, 95):5.1f} ms"
              f" | queries {min(queries)}-{max(queries)}")
    return out


def _pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    setup(args.data_dir.expanduser().resolve())
    from django.db import connection

    rng = random.Random(args.seed)  # noqa: S311 - a reproducible diary, not a secret
    data = generate(rng)
    print(f"{connection.vendor}, {args.requests} requests a page as reception:")
    measure(data, args.requests, rng)


if __name__ == "__main__":
    main()
