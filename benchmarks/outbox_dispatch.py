"""10,000 due reminders dispatched by one worker (issue 12: target ≤ 30 s), on SQLite or PostgreSQL.

Generates a clinic with 20 practitioners, 10,000 patients and 10,000 booked appointments over the next days, and
each appointment's reminder, queued through the app's own code (`appointment_reminders.outgoing`: the real wording,
channel choice, unsubscribe link), all due now: half by text message (patients with a phone only), half by email.
Then one worker sends them (`outbox.dispatch`, the function the worker's loop runs), timed: every message claimed
in batches, checked against its appointment and the patient's opt-outs, handed to the provider, recorded sent and
audited, one commit each.

Providers: `--backend locmem` (in memory) or `--backend file` (one file per message, fsynced: email `.eml` files
and SMS `.json` files in the data folder). `--process` runs the real command instead (`sciatica-care worker
--once`) and times the process from start to exit (Django's start-up included).

SQLite (default): a fresh data folder.

    python benchmarks/outbox_dispatch.py --data-dir /tmp/sc-outbox-sqlite [--backend file] [--process]

PostgreSQL: `DATABASE_URL` names a dedicated database whose name contains "bench"; it is dropped and created.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sciatica_outbox_bench \\
        python benchmarks/outbox_dispatch.py --data-dir /tmp/sc-outbox-pg [--backend file]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def prepare(data_dir: Path, backend: str) -> None:
    os.environ["SCIATICA_CARE_ENV"] = "development"
    if backend == "file":
        os.environ["SCIATICA_CARE_EMAIL_FILES"] = str(data_dir / "mail")
        os.environ["SCIATICA_CARE_SMS_BACKEND"] = "file"
        os.environ["SCIATICA_CARE_SMS_FILES"] = str(data_dir / "sms")
    else:
        os.environ["SCIATICA_CARE_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        os.environ["SCIATICA_CARE_SMS_BACKEND"] = "locmem"


def generate(n: int) -> float:
    """The clinic, its appointments and their reminders (queued, due now); return the seconds it took."""
    from django.utils import timezone

    from sciatica_care.clinic.models import Clinic, Patient, Role, Staff
    from sciatica_care.scheduling import appointment_reminders, outbox
    from sciatica_care.scheduling.models import Appointment, BookingRules, Location, Service

    started = time.perf_counter()
    clinic = Clinic.objects.create(name="Outbox bench clinic")
    BookingRules.objects.create(clinic=clinic, reminder_offsets_hours=[2])
    location = Location.objects.create(clinic=clinic, name="High Street", address="1 High Street\nLondon",
                                       phone="020 7946 0000")
    service = Service.objects.create(clinic=clinic, name="Follow-up acupuncture", kind="follow_up_acupuncture",
                                     duration_minutes=45)
    practitioners = Staff.objects.bulk_create(
        Staff(username=f"outbox{i:02d}", first_name="Prac", last_name=f"{i:02d}", clinic=clinic,
              role=Role.PRACTITIONER) for i in range(20))
    patients = Patient.objects.bulk_create(
        Patient(clinic=clinic, first_name=f"P{i}", last_name="Bench", date_of_birth=dt.date(1970, 1, 1),
                email="" if i % 2 else f"p{i}@example.org", phone=f"+4477009{i:05d}" if i % 2 else "")
        for i in range(n)) if n else []
    now = timezone.now()
    first = (now + dt.timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    appointments = Appointment.objects.bulk_create(
        Appointment(clinic=clinic, patient=patient, practitioner=practitioners[i % 20], service=service,
                    location=location, start=(start := first + dt.timedelta(hours=i // 20)),
                    end=start + dt.timedelta(minutes=45), blocked_from=start,
                    blocked_until=start + dt.timedelta(minutes=45))
        for i, patient in enumerate(patients))
    for a in appointments:
        a.clinic, a.location, a.service = clinic, location, service
    queued = outbox.queue_many(
        o for a in appointments for o in appointment_reminders.outgoing(a, now, [2]))
    from sciatica_care.scheduling.models import Message

    Message.objects.update(due_at=now)  # every reminder due at once
    assert queued == n, queued
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--backend", choices=("locmem", "file"), default="locmem")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--process", action="store_true", help="time `sciatica-care worker --once` as a process")
    args = parser.parse_args()

    data_dir = args.data_dir.resolve()
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        from clinic_data import pg_recreate

        pg_recreate(url)
    prepare(data_dir, args.backend)
    from sciatica_care.cli.clinic_commands import _setup

    _setup(data_dir)
    print(f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}; provider: {args.backend}")
    print(f"generated {args.messages} due reminders in {generate(args.messages):.1f} s")

    from django.db.models import Count

    from sciatica_care.scheduling import outbox
    from sciatica_care.scheduling.models import Message

    if args.process:
        code = "import sys; from sciatica_care.cli.main import main; sys.argv[0] = 'sciatica-care'; main()"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, "worker", "--data-dir", str(data_dir), "--once",
                        "--no-migrate", "--batch", str(args.batch)], check=True, env=os.environ.copy())
        seconds = time.perf_counter() - started
        what = "worker --once (process, start-up included)"
    else:
        started = time.perf_counter()
        report = outbox.dispatch(batch=args.batch)
        seconds = time.perf_counter() - started
        what = f"outbox.dispatch in process ({report.sent} sent)"
    counts = dict(Message.objects.values_list("status").annotate(n=Count("id")))
    print(f"{what}: {seconds:.1f} s, {args.messages / seconds:.0f} messages/s; outbox now {counts}")
    if args.backend == "file":
        files = len(list((data_dir / "mail").glob("*.eml"))) + len(list((data_dir / "sms").glob("*.json")))
        print(f"files written: {files}")
    if url.startswith(("postgres://", "postgresql://")):
        from django.db import connections

        connections.close_all()
        from clinic_data import pg_recreate

        pg_recreate(url, create=False)


if __name__ == "__main__":
    main()
