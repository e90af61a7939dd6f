"""The visit save against long courses: in-process, Django's test client, a fresh database of its own.

Builds one clinic with `--courses` courses of `--sessions` charted sessions each (real engine plan from
examples/s1-disc-acute.yaml; every session charts leg and back NRS, every fourth an ODI, through
`records.chart_visit` as the form does), then POSTs the charting form (as `clinic_load.py` does: the plan's
points, e-stim, massage, notes, NRS, ODI on one save in four) once per course, round after round (`--rounds`), so
every measured save lands on a course of `--sessions` to `--sessions + rounds - 1` sessions. Reports the median
and p95 of each save's wall time and of the process's CPU time (the test client runs the view in this process,
so that is the server's CPU; PostgreSQL's own backend is not in it), and the queries per save.

    python benchmarks/visit_save.py                                   # SQLite, in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sciatica_bench_visitsave python benchmarks/visit_save.py
    #  options: --courses 20 --sessions 50 --rounds 3 --json out.json

On PostgreSQL the database named must contain "bench"; it is dropped and created, and dropped again at the end.
Production settings (DEBUG off). Everything is on loopback; nothing runs longer than its loops.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from clinic_data import pg_recreate  # noqa: E402 - after the path set-up


def setup(data_dir: Path) -> None:
    from sciatica_care.site.paths import ensure_secret_key

    os.environ["SCIATICA_CARE_DATA_DIR"] = str(data_dir)
    if not os.environ.get("SCIATICA_CARE_SECRET_KEY"):
        ensure_secret_key(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sciatica_care.site.settings"
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@contextlib.contextmanager
def fresh_database(prefix: str) -> Iterator[None]:
    """The app set up on a database of its own: SQLite in a temporary folder, or the PostgreSQL database that
    DATABASE_URL names (its name must contain "bench"), dropped and created first and dropped again at the end."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        pg_recreate(url)
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        try:
            setup(Path(folder))
            yield
        finally:
            if url:
                from django.db import connections

                connections.close_all()
                pg_recreate(url, create=False)


def build(courses: int, sessions: int, rng: random.Random) -> tuple[Any, Any, list[int], dict[int, dict[str, Any]],
                                                                  float]:
    """The clinic, a logged-in client, the courses (each: an intake, then `sessions` sessions charted through the
    form, dated every other day up to two days ago) and each course's form as pre-filled from its plan."""
    import yaml
    from django.test import Client
    from django.utils import timezone

    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Episode, Role, Staff

    started = time.perf_counter()
    clinic = Clinic.objects.create(name="Visit save bench")
    prac = Staff.objects.create_user(username="bench01", password="bench-visit-save-2026", clinic=clinic,  # noqa: S106
                                     role=Role.PRACTITIONER, first_name="Bench")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(prac)
    intake = yaml.safe_load((ROOT / "examples" / "s1-disc-acute.yaml").read_text())
    today = timezone.localdate()
    ids, bodies = [], {}
    for c in range(courses):
        patient = records.create_patient(prac, first_name="Course", last_name=f"Bench{c:03d}",
                                         date_of_birth=dt.date(1975, 1, 1 + c % 28), sex="female",
                                         consent_treatment=True)
        episode = records.open_episode(prac, patient)
        Episode.objects.filter(pk=episode.pk).update(opened_on=today - dt.timedelta(days=2 * sessions + 10))
        episode.refresh_from_db()
        records.record_intake(prac, episode, intake)
        body = bodies[episode.pk] = form_body(client, episode.pk)
        leg = 8
        for s in range(sessions):
            leg = max(0, min(10, leg + rng.choice([-1, -1, 0, 1])))
            each = {**body, "date": (today - dt.timedelta(days=2 * (sessions - s))).isoformat(),
                    "leg_nrs": str(leg), "back_nrs": str(max(0, leg - 2))}
            if s % 4 == 0:
                each.update({f"odi_{k}": str(rng.randint(0, 4)) for k in range(10)})
            post(client, episode.pk, each)
        ids.append(episode.pk)
    return prac, client, ids, bodies, time.perf_counter() - started


def post(client: Any, episode_id: int, body: dict[str, Any]) -> None:
    path = f"/episodes/{episode_id}/visits/new/"
    response = client.post(path, urllib.parse.urlencode(body, doseq=True),
                           content_type="application/x-www-form-urlencoded")
    if response.status_code != 302:
        raise SystemExit(f"save on {path} gave {response.status_code}: {response.content.decode()[:3000]}")


def form_body(client: Any, episode_id: int) -> dict[str, Any]:
    """The charting form as pre-filled from the plan (points, sides, e-stim, massage), with notes and NRS."""
    import re

    from django.utils import timezone

    page = client.get(f"/episodes/{episode_id}/visits/new/").content.decode()
    fields: dict[str, Any] = {"date": timezone.localdate().isoformat(), "red_flags_rechecked": "1"}
    for name, value in re.findall(r'name="(pt_code_\d+|pt_side_\d+|ea_pairs|ea_frequency_hz|ea_minutes)"[^>]*'
                                  r'value="([^"]*)"', page):
        fields[name] = value
    for name in [n for n in fields if n.startswith("pt_code_")]:
        fields[name.replace("code", "done")] = "1"
    fields["massage_done"] = re.findall(r'name="massage_done" value="([^"]*)" checked', page)
    fields.update({"subjective": "Leg pain less sharp.", "objective": "SLR improved by 10°.",
                   "assessment": "Progressing as expected.", "plan_notes": "Continue plan.",
                   "leg_nrs": "5", "back_nrs": "4", "adverse_events": ""})
    return fields


def stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": statistics.median(ordered), "p95": p95, "max": ordered[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - benchmark data
    with fresh_database("sc-visitsave-"):
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        from sciatica_care.clinic.models import Visit

        _, client, ids, bodies, built = build(args.courses, args.sessions, rng)
        print(f"{connection.vendor}: {len(ids)} courses of {args.sessions} sessions built in {built:.1f} s")
        wall: list[float] = []
        cpu: list[float] = []
        queries: list[int] = []
        for r in range(args.rounds):
            for n, episode_id in enumerate(ids):
                body = {**bodies[episode_id], "leg_nrs": str(rng.randint(1, 7))}
                if (n + r) % 4 == 0:
                    body.update({f"odi_{k}": str(rng.randint(0, 4)) for k in range(10)})
                with CaptureQueriesContext(connection) as captured:
                    c0, w0 = time.process_time(), time.perf_counter()
                    post(client, episode_id, body)
                    w1, c1 = time.perf_counter(), time.process_time()
                wall.append((w1 - w0) * 1000)
                cpu.append((c1 - c0) * 1000)
                queries.append(len(captured.captured_queries))
                reset_queries()
        sizes = sorted(Visit.objects.filter(episode_id__in=ids).values_list("episode_id", flat=True))
        out = {"database": connection.vendor, "courses": len(ids), "sessions_before": args.sessions,
               "sessions_after": len(sizes) // len(ids), "saves": len(wall), "wall_ms": stats(wall),
               "cpu_ms": stats(cpu), "queries": {"min": min(queries), "max": max(queries)}}
        print(f"visit save, {out['saves']} saves on courses of {args.sessions}–{args.sessions + args.rounds - 1}"
              f" sessions: wall median {out['wall_ms']['median']:.1f} ms, p95 {out['wall_ms']['p95']:.1f} ms; "
              f"CPU median {out['cpu_ms']['median']:.1f} ms, p95 {out['cpu_ms']['p95']:.1f} ms; "
              f"{out['queries']['min']}–{out['queries']['max']} queries")
        if args.json:
            args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
