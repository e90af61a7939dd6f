"""FHIR export speed and memory on a big clinic (generate it first with clinic_data.py --charted-scores).

1. The bulk export (`sciatica-care export fhir`'s writer, the same one the API's $export job runs): the whole
   clinic as NDJSON files, wall time and the process's peak RSS (`resource.getrusage`), before and after;
2. `GET /api/fhir/Patient/{id}/$everything` for a patient with a course of 50 sessions (made in the bench database
   by copying a charted session, with its leg/back NRS scores and an ODI every fourth): p50/p95 over --repeat
   requests, in process through Django's test client with the app's settings (production, DEBUG off).

    python benchmarks/fhir_export.py --data-dir /tmp/scbench-sqlite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sciatica_bench python benchmarks/fhir_export.py \\
        --data-dir /tmp/scbench-pg

Options: --only export|everything, --repeat N, --out DIR (where the NDJSON goes; default a temporary folder,
deleted after), --profile (cProfile of the export, top 30 by own time).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from clinic_data import setup_django  # noqa: E402

SESSIONS = 50


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_export(out: Path, profile: bool) -> dict[str, Any]:
    from sciatica_care.clinic import fhir_bulk
    from sciatica_care.clinic.models import Clinic, Patient, Visit

    clinic_ids = list(Clinic.objects.values_list("pk", flat=True))
    patients, visits = Patient.objects.count(), Visit.objects.count()
    before = rss_mib()
    start, cpu = time.perf_counter(), time.process_time()
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        written = prof.runcall(fhir_bulk.write_export, out, clinic_ids)
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
    else:
        written = fhir_bulk.write_export(out, clinic_ids)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = sum(p.stat().st_size for p in out.iterdir())
    return {"patients": patients, "visits": visits, "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
            "resources": sum(w["count"] for w in written), "files": {w["type"]: w["count"] for w in written},
            "bytes": size, "rss_before_mib": round(before, 1), "peak_rss_mib": round(rss_mib(), 1)}


def fifty_session_patient() -> int:
    """A patient with one course of 50 charted sessions: the longest course in the database, its last session
    (and its scores) copied until the course has 50."""
    from django.db import transaction

    from sciatica_care.clinic.models import Episode, OutcomeScore, Visit

    episode = (Episode.objects.filter(visits__isnull=False).order_by("-id").first())
    assert episode is not None, "the bench database has no charted course"
    have = episode.visits.count()
    if have < SESSIONS:
        last = episode.visits.order_by("-date", "-id").first()
        scores = list(OutcomeScore.objects.filter(visit=last))
        odi = OutcomeScore.objects.filter(instrument="odi").first()
        with transaction.atomic():
            for n in range(have, SESSIONS):
                copy = Visit.objects.get(pk=last.pk)
                copy.pk = None
                copy.save()
                for s in scores:
                    s.pk, s.visit_id = None, copy.pk
                    s.save()
                if odi is not None and n % 4 == 0:
                    odi.pk, odi.visit_id, odi.episode_id, odi.clinic_id = None, copy.pk, episode.pk, episode.clinic_id
                    odi.save()
    return int(episode.patient_id)


def bench_everything(repeat: int) -> dict[str, Any]:
    from django.test import Client

    from sciatica_care.api.rest import issue_token
    from sciatica_care.clinic.models import Patient, Role, Staff

    pk = fifty_session_patient()
    patient = Patient.objects.get(pk=pk)
    staff = Staff.objects.filter(clinic_id=patient.clinic_id, role=Role.CLINIC_ADMIN).first() \
        or Staff.objects.filter(clinic_id=patient.clinic_id, role=Role.PRACTITIONER).first()
    assert staff is not None
    token = issue_token(staff, "fhir-bench")
    client = Client(HTTP_HOST="127.0.0.1")
    url = f"/api/fhir/Patient/{pk}/$everything"
    times, cpu_times = [], []
    body: dict[str, Any] = {}
    for n in range(repeat + 3):
        start, cpu = time.perf_counter(), time.process_time()
        r = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        elapsed, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
        assert r.status_code == 200, r.content[:300]
        if n >= 3:  # warm-up
            times.append(elapsed)
            cpu_times.append(cpu)
        body = r.json()
    times.sort()
    cpu_times.sort()
    sessions = sum(1 for e in body["entry"] if e["resource"]["resourceType"] == "Encounter")
    return {"patient": pk, "sessions": sessions, "resources": len(body["entry"]), "requests": len(times),
            "p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "max_ms": round(times[-1], 1), "cpu_p50_ms": round(statistics.median(cpu_times), 1),
            "cpu_p95_ms": round(cpu_times[int(len(cpu_times) * 0.95) - 1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--only", choices=("export", "everything"))
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    setup_django(args.data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    results: dict[str, Any] = {"database": connection.vendor}
    if args.only in (None, "export"):
        out = args.out or Path(tempfile.mkdtemp(prefix="fhir-export-"))
        try:
            results["export"] = bench_export(out, args.profile)
        finally:
            if args.out is None:
                shutil.rmtree(out, ignore_errors=True)
    if args.only in (None, "everything"):
        results["everything"] = bench_everything(args.repeat)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
