"""Where a clinic page's time goes, in-process on the generated data: queries per page, SQL vs Python time,
the query plans (EXPLAIN) of every query a page issues, and optionally a profile of one page.

Needs a database made by clinic_data.py. Uses Django's test client in this process (no server, no network) with
the app's settings, logged in as a practitioner; like the server it writes the audit events the pages write.

    python benchmarks/clinic_queries.py --data-dir /tmp/scbench-sqlite [--samples 30] [--explain]
    python benchmarks/clinic_queries.py --data-dir /tmp/scbench-pg --profile plan_view

A page whose query count changes from one record to another (a patient with 1 visit and one with 40) has an N+1;
the "queries" column shows min–max over the sampled records, largest and smallest courses included.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from clinic_load import request_lists  # noqa: E402 - after the path set-up

BIG_TABLES = ("clinic_patient", "clinic_episode", "clinic_intake", "clinic_planrevision", "clinic_visit",
              "clinic_outcomescore", "clinic_auditevent")
PAGES = ["trivial", "trivial_auth", "patient_list", "patient_search", "patient_page", "plan_view",
         "plan_view_again", "episode_timeline", "visit_form", "visit_save"]


@contextmanager
def recording(log: list[dict[str, Any]]) -> Iterator[None]:
    """Every query the database connection runs, with its parameters and its own time."""
    from django.db import connection

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            log.append({"sql": sql, "params": params, "ms": (time.perf_counter() - t0) * 1000})

    with connection.execute_wrapper(wrapper):
        yield


def explain(sql: str, params: Any) -> str:
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return "(not a SELECT)"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            return "\n".join(r[0] for r in cur.fetchall())
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(r[-1]) for r in cur.fetchall())


def extreme_records(manifest: dict[str, Any]) -> dict[str, list[int]]:
    """The patients and open episodes with the most and the fewest visits, so that an N+1 cannot hide."""
    from django.db.models import Count

    from sciatica_care.clinic.models import Episode, Patient

    open_ids = [e[0] for e in manifest["chart_episodes"] if manifest["pool"][e[1]]["treatable"]]
    eps = Episode.objects.filter(pk__in=open_ids).annotate(n=Count("visits")).order_by("n")
    pats = Patient.objects.annotate(n=Count("episodes__visits")).order_by("n")
    return {"episodes": [eps.first().pk, eps.last().pk], "patients": [pats.first().pk, pats.last().pk]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--samples", type=int, default=30, help="records per page (plus the extremes)")
    parser.add_argument("--explain", action="store_true", help="print the plan of every query of every page")
    parser.add_argument("--profile", choices=PAGES, help="cProfile this page over --samples requests")
    parser.add_argument("--settings", default="clinic_bench_settings", help="settings module from benchmarks/")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    data_dir = args.data_dir.expanduser().resolve()
    manifest = json.loads((data_dir / "bench_manifest.json").read_text())
    os.environ["SCIATICA_CARE_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    if manifest.get("database_url"):
        os.environ["DATABASE_URL"] = manifest["database_url"]
    os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic for a bench
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from sciatica_care.clinic.models import Staff

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(Staff.objects.get(username=manifest["practitioners"][0]))
    lists = request_lists(manifest, args.seed, size=max(args.samples, 1))
    lists["plan_view_again"] = lists["plan_view"]  # the same plans a second time: shows what a cache would save
    ext = extreme_records(manifest)
    extra = {
        "patient_page": [("GET", f"/patients/{pk}/", "") for pk in ext["patients"]],
        "episode_timeline": [("GET", f"/episodes/{pk}/", "") for pk in ext["episodes"]],
        "visit_form": [("GET", f"/episodes/{pk}/visits/new/", "") for pk in ext["episodes"]],
    }

    def call(method: str, path: str, body: str) -> Any:
        if method == "POST":
            return client.post(path, body, content_type="application/x-www-form-urlencoded")
        return client.get(path)

    db = connection.settings_dict
    print(f"{connection.vendor}: CONN_MAX_AGE={db.get('CONN_MAX_AGE')} (0 = a new connection for every request)")
    n = 50
    t0 = time.perf_counter()
    for _ in range(n):
        connection.close()
        connection.ensure_connection()
    print(f"  opening a connection (with its init commands): {(time.perf_counter() - t0) / n * 1000:.2f} ms "
          "(the test client keeps one; the server pays this per request when CONN_MAX_AGE=0)\n")

    if args.profile:
        reqs = lists[args.profile][: args.samples]
        for r in reqs if args.profile == "plan_view_again" else reqs[:3]:
            call(*r)  # warm (for plan_view_again: every one of these plans, once)
        prof = cProfile.Profile()
        prof.enable()
        for r in reqs:
            call(*r)
        prof.disable()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).sort_stats("tottime")
        stats.print_stats(25)
        stats.sort_stats("cumtime").print_stats(45)
        print(out.getvalue())
        return

    rng = random.Random(args.seed)  # noqa: S311 - a reproducible sample
    print(f"{'page':<17} {'queries':>8} {'wall ms':>8} {'CPU ms':>7} {'SQL ms':>7} {'other ms':>8}  slowest query")
    report: dict[str, Any] = {}
    explained: set[str] = set()
    for page in PAGES:
        reqs = lists[page][: args.samples] + extra.get(page, [])
        rng.shuffle(reqs)
        call(*reqs[0])  # warm: templates, content types
        counts, walls, cpus, sqls = [], [], [], []
        slow: dict[str, Any] | None = None
        shapes: dict[str, dict[str, Any]] = {}
        for method, path, body in reqs:
            log: list[dict[str, Any]] = []
            t0, c0 = time.perf_counter(), time.thread_time()
            with recording(log):
                resp = call(method, path, body)
            walls.append((time.perf_counter() - t0) * 1000)
            cpus.append((time.thread_time() - c0) * 1000)
            if resp.status_code not in (200, 302):
                raise SystemExit(f"{page}: {method} {path} answered {resp.status_code}")
            counts.append(len(log))
            sqls.append(sum(q["ms"] for q in log))
            for q in log:
                if slow is None or q["ms"] > slow["ms"]:
                    slow = q
                shapes.setdefault(q["sql"], q)
        report[page] = {"queries": (min(counts), max(counts)), "wall": statistics.median(walls),
                        "cpu": statistics.median(cpus), "sql": statistics.median(sqls)}
        qn = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"
        head = " ".join(slow["sql"].split())[:70] if slow else ""
        print(f"{page:<17} {qn:>8} {statistics.median(walls):8.2f} {statistics.median(cpus):7.2f} "
              f"{statistics.median(sqls):7.2f} "
              f"{statistics.median(walls) - statistics.median(sqls):8.2f}  {slow['ms'] if slow else 0:.2f} ms "
              f"{head}", flush=True)
        if args.explain:
            for q in shapes.values():
                shape = re.sub(r"(%s, )+%s", "%s…", q["sql"])  # an IN (…) list of any length is one shape
                if shape in explained or not any(f'"{t}"' in q["sql"] for t in BIG_TABLES):
                    continue  # each query shape once; the session, staff and clinic tables have a handful of rows
                explained.add(shape)
                print(f"    -- {' '.join(q['sql'].split())[:160]}")
                for line in explain(q["sql"], q["params"]).splitlines():
                    print(f"       {line}")
    print("\nwall = the whole request in-process; CPU = this thread's CPU time for it (what the server would "
          "spend; less disturbed by other work on the machine than wall); SQL = the database calls' own time; "
          "other = Django, templates, the engine. queries shows min–max over the records sampled, the biggest and "
          "smallest courses included.")


if __name__ == "__main__":
    main()
