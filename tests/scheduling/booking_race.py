"""Many clients booking the same slot at the same moment, through the real API (Django's handler, token auth,
the booking service, the database's guard): each client a thread with its own database connection, all released
together by a barrier.

Used by tests/scheduling/test_scheduling_race.py (in process on PostgreSQL; on SQLite in a child process, as the
in-memory test database cannot show real SQLite locking) and by benchmarks/scheduling_concurrency.py.

Run alone it makes a clinic in a fresh SQLite data folder (the app's own settings: WAL, IMMEDIATE transactions,
busy timeout) and prints the outcome as JSON:

    python tests/scheduling/booking_race.py --data-dir /tmp/race --clients 50
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo


def make_clinic() -> dict[str, Any]:
    """A clinic with one practitioner working every day 08:00–20:00 in London, a room, a follow-up service, a
    patient and a read-write token of its receptionist; and a start eight days ahead at 10:00."""
    from django.utils import timezone

    from sciatica_care.api.rest import issue_token
    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Role, Staff
    from sciatica_care.scheduling.models import Location, Room, Service, ServiceKind, Shift

    clinic = Clinic.objects.create(name="Race Clinic")
    n = Staff.objects.count()
    prac = Staff.objects.create_user(username=f"race-prac-{n}", clinic=clinic, role=Role.PRACTITIONER)
    recep = Staff.objects.create_user(username=f"race-recep-{n}", clinic=clinic, role=Role.RECEPTION)
    patient = records.create_patient(recep, first_name="Rae", last_name="Cing", date_of_birth=dt.date(1980, 1, 1))
    location = Location.objects.create(clinic=clinic, name="Race Street", time_zone="Europe/London")
    Room.objects.create(location=location, name="Room 1")
    service = Service.objects.create(clinic=clinic, name="Follow-up", kind=ServiceKind.FOLLOW_UP_ACUPUNCTURE,
                                     duration_minutes=45, buffer_after_minutes=15)
    for day in range(7):
        Shift.objects.create(practitioner=prac, location=location, weekday=day, start_time=dt.time(8),
                             end_time=dt.time(20))
    day = timezone.localdate() + dt.timedelta(days=8)
    start = dt.datetime.combine(day, dt.time(10), tzinfo=ZoneInfo("Europe/London"))
    body = {"patient": patient.pk, "service": service.pk, "practitioner": prac.pk, "start": start.isoformat()}
    return {"token": issue_token(recep, "race"), "body": body, "practitioner": prac.pk, "start": start}


def race(token: str, body: dict[str, Any], clients: int) -> dict[str, Any]:
    """`clients` threads POST /api/appointments with `body` at once. Returns the status codes counted, any
    exception, the slowest answer and the wall time."""
    from django.db import connection
    from django.test import Client

    statuses: list[int] = []
    errors: list[str] = []
    answers: list[dict[str, Any]] = []
    took: list[float] = []
    lock = threading.Lock()
    gate = threading.Barrier(clients)

    def one() -> None:
        client = Client(SERVER_NAME="127.0.0.1")  # a host the app's own settings allow
        try:
            gate.wait(timeout=60)
            t0 = time.perf_counter()
            r = client.post("/api/appointments", json.dumps(body), content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {token}")
            with lock:
                took.append(time.perf_counter() - t0)
                statuses.append(r.status_code)
                if r.get("Content-Type", "").startswith("application/json"):
                    answers.append(r.json())
        except BaseException as exc:  # reported, never lost, with where it was raised in our code
            ours = [f for f in traceback.extract_tb(exc.__traceback__) if "sciatica_care" in f.filename]
            where = f" at {ours[-1].filename.rsplit('/', 2)[-1]}:{ours[-1].lineno} {ours[-1].name}" if ours else ""
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}{where}")
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    wall = time.perf_counter() - started
    refusals = Counter(e["path"] + ": " + e["message"] for a in answers for e in a.get("errors", []))
    return {"clients": clients, "statuses": dict(Counter(statuses)), "errors": errors,
            "refusals": dict(refusals), "slowest_s": round(max(took, default=0.0), 4),
            "wall_s": round(wall, 4)}


def live_at(practitioner_id: int, start: dt.datetime) -> int:
    """How many live appointments the practitioner holds that overlap `start`."""
    from sciatica_care.scheduling.models import Appointment
    from sciatica_care.scheduling.models.appointments import LIVE_STATUSES

    return Appointment.objects.filter(practitioner_id=practitioner_id, status__in=LIVE_STATUSES,
                                      blocked_from__lte=start, blocked_until__gt=start).count()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a fresh folder for the SQLite database")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1, help="races, each on a new slot")
    args = parser.parse_args(argv)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("SCIATICA_CARE_ENV", "development")
    os.environ["SCIATICA_CARE_DATA_DIR"] = str(args.data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sciatica_care.site.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    results = []
    for _ in range(args.rounds):
        clinic = make_clinic()
        connection.close()
        outcome = race(clinic["token"], clinic["body"], args.clients)
        outcome["live_at_slot"] = live_at(clinic["practitioner"], clinic["start"])
        outcome["vendor"] = connection.vendor
        results.append(outcome)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
