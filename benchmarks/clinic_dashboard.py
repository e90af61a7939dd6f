"""The clinic dashboard and the episode progress page on a generated clinic, in-process, no server.

Needs a database made by clinic_data.py (`--charted-scores` gives the episodes the NRS series the charting form
stores). Uses the app's settings (as clinic_queries.py does) in this process, applies the app's migrations to the
bench database first (as `sciatica-care serve` does), then measures, warm:

1. `dashboard_stats.compute()` for the whole clinic and with filters (a year of courses, one practitioner, the
   commonest cause): median and p95 over `--repeat` runs, and the number of queries;
2. the same figures computed by HAND-WRITTEN SQL run directly on the same connection (`cursor.execute` and
   `fetchall`, same repetitions), in two or three forms, the fastest one counting: "union", one statement of
   UNION ALL GROUP BYs over the episodes, the medians by a running total (window function) over the responders
   counted per group and number of sessions; "cells", the same over a CTE that reads the episodes once, grouped by
   every dimension at once (what compute() asks the database for); on PostgreSQL also "grouping sets", one pass
   with GROUPING SETS and PERCENTILE_CONT (the database's own median). Each must give the dashboard's numbers
   (checked on every run, else the script stops); ratio = compute() median / the fastest hand SQL's median;
3. the `/dashboard/` page (with the same filters) and the CSV export through Django's test client, logged in as
   a practitioner, so that the view, the audit event and the template count;
4. the episode progress page: `/episodes/<id>/` (the timeline, with `progress.episode_progress`) and its chart
   `/episodes/<id>/progress.svg`, one request per episode over `--episodes` open courses (random, the longest
   ones included), p50/p95 of the in-process request time.

    python benchmarks/clinic_dashboard.py --data-dir /tmp/scdash-sqlite [--repeat 15] [--json out.json]
    python benchmarks/clinic_dashboard.py --data-dir /tmp/scdash-pg --profile episode
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from clinic_load import percentile  # noqa: E402 - after the path set-up
from clinic_queries import recording  # noqa: E402

GROUP_COLUMNS = ("top_cause", "phase_at_intake", "startback_band", "ea_used", "massage_used")
BOOLEAN_COLUMNS = ("ea_used", "massage_used")
AGGREGATE_SQL = """COUNT(*), COUNT(*) FILTER (WHERE responder IS NOT NULL), COUNT(*) FILTER (WHERE responder),
       AVG(latest_leg_nrs - baseline_leg_nrs) FILTER (WHERE latest_leg_nrs IS NOT NULL),
       AVG(latest_odi - baseline_odi) FILTER (WHERE latest_odi IS NOT NULL)"""


# ------------------------------------------------------------------------------------------------ set-up
def setup(data_dir: Path, settings: str, migrate: bool = True) -> dict[str, Any]:
    """The app's settings on the bench database named by the manifest (as clinic_queries.py sets them)."""
    manifest: dict[str, Any] = json.loads((data_dir / "bench_manifest.json").read_text())
    os.environ["SCIATICA_CARE_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    if manifest.get("database_url"):
        os.environ["DATABASE_URL"] = manifest["database_url"]
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic for a bench
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0, interactive=False)  # as `sciatica-care serve` does when it starts
    return manifest


def stats(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {"median": statistics.median(ordered), "p50": percentile(ordered, 50), "p95": percentile(ordered, 95),
            "min": ordered[0], "max": ordered[-1], "n": len(ordered)}


def timed(fn: Callable[[], Any], repeat: int, warm: int = 2) -> tuple[list[float], Any]:
    result = None
    for _ in range(warm):
        result = fn()
    ms = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        ms.append((time.perf_counter() - t0) * 1000)
    return ms, result


# ---------------------------------------------------------------------------------------- hand-written SQL
def where_clause(clinic_id: int, filters: Any) -> tuple[str, list[Any]]:
    """The dashboard's episode filter (dashboard_stats.episodes) as SQL."""
    sql, params = ["clinic_id = %s"], [clinic_id]
    if filters.date_from:
        sql.append("opened_on >= %s")
        params.append(filters.date_from)
    if filters.date_to:
        sql.append("opened_on <= %s")
        params.append(filters.date_to)
    if filters.practitioner_id:
        sql.append("lead_practitioner_id = %s")
        params.append(filters.practitioner_id)
    if filters.cause:
        sql.append("top_cause = %s")
        params.append(filters.cause)
    return " AND ".join(sql), params


#: The tail both one-statement forms share: each group's median sessions to response from a running total over
#: `hist` (responders counted per number of sessions), joined to the groups' aggregates in `agg`.
MEDIANS_AND_RESULT = (
    "cum AS (SELECT dim, k, s, CAST(SUM(c) OVER (PARTITION BY dim, k ORDER BY s) AS INTEGER) AS upto, "
    "CAST(SUM(c) OVER (PARTITION BY dim, k) AS INTEGER) AS total FROM hist), "
    "med AS (SELECT dim, k, (MIN(s) FILTER (WHERE upto >= (total + 1) / 2) "
    "+ MIN(s) FILTER (WHERE upto >= (total + 2) / 2)) / 2.0 AS median FROM cum GROUP BY dim, k) "
    "SELECT agg.dim, agg.k, n, evaluable, responders, leg, odi, med.median FROM agg "
    "LEFT JOIN med ON med.dim = agg.dim AND med.k = agg.k ORDER BY agg.dim, agg.k")


def union_sql(clinic_id: int, filters: Any) -> tuple[str, list[Any]]:
    """One statement for SQLite and PostgreSQL: the counts and means of the whole clinic, of every group of every
    dimension and of every ODI category as a UNION ALL of GROUP BYs; the medians from how many responders of each
    group took each number of sessions (a UNION ALL of GROUP BY group, sessions), by a running total over that
    (SUM OVER PARTITION BY group ORDER BY sessions): the first values whose running total reaches the middle."""
    where, wparams = where_clause(clinic_id, filters)
    dims = ("", *GROUP_COLUMNS, "odi_category")

    def key(column: str) -> str:
        return f"CAST({column} AS TEXT)" if column else "''"

    agg, hist, params, hparams = [], [], [], []
    for i, column in enumerate(dims):
        group = f" GROUP BY {column}" if column else ""
        agg.append(f"SELECT {i} AS dim, {key(column)} AS k, {AGGREGATE_SQL} "  # noqa: S608 - our column names
                   f"FROM clinic_episodeoutcome WHERE {where}{group}")
        params += wparams
        if column != "odi_category":
            by = f"{column}, sessions_to_response" if column else "sessions_to_response"
            hist.append(f"SELECT {i} AS dim, {key(column)} AS k, sessions_to_response AS s, COUNT(*) AS c "  # noqa: S608
                        f"FROM clinic_episodeoutcome WHERE {where} AND responder AND sessions_to_response IS NOT NULL "
                        f"GROUP BY {by}")
            hparams += wparams
    sql = (f"WITH agg(dim, k, n, evaluable, responders, leg, odi) AS ({' UNION ALL '.join(agg)}), "
           f"hist AS ({' UNION ALL '.join(hist)}), "
           + MEDIANS_AND_RESULT)
    return sql, params + hparams


def cube_sql(clinic_id: int, filters: Any) -> tuple[str, list[Any]]:
    """One statement for SQLite and PostgreSQL that reads the episodes once: a CTE groups them by every dimension,
    the ODI category, the responder flag and the sessions to response (cells, with the sums and counts of the
    changes); the groups of each dimension are then a UNION ALL of GROUP BYs over the cells, the medians a running
    total over the responders' cells, as in union_sql."""
    where, params = where_clause(clinic_id, filters)
    keys = (*GROUP_COLUMNS, "odi_category", "responder", "sessions_to_response")
    dims = ("", *GROUP_COLUMNS, "odi_category")

    def key(column: str) -> str:
        return f"CAST({column} AS TEXT)" if column else "''"

    agg, hist = [], []
    for i, column in enumerate(dims):
        group = f" GROUP BY {column}" if column else ""
        agg.append(f"SELECT {i} AS dim, {key(column)} AS k, SUM(n), "  # noqa: S608 - our column names
                   "COALESCE(SUM(n) FILTER (WHERE responder IS NOT NULL), 0), "
                   "COALESCE(SUM(n) FILTER (WHERE responder), 0), "
                   "CAST(SUM(leg_sum) AS DOUBLE PRECISION) / SUM(leg_n), "
                   f"CAST(SUM(odi_sum) AS DOUBLE PRECISION) / SUM(odi_n) FROM cells{group}")
        if column != "odi_category":
            by = f"{column}, sessions_to_response" if column else "sessions_to_response"
            hist.append(f"SELECT {i} AS dim, {key(column)} AS k, sessions_to_response AS s, SUM(n) AS c "  # noqa: S608
                        f"FROM cells WHERE responder AND sessions_to_response IS NOT NULL GROUP BY {by}")
    sql = (f"WITH cells AS (SELECT {', '.join(keys)}, COUNT(*) AS n, "  # noqa: S608
           "SUM(latest_leg_nrs - baseline_leg_nrs) FILTER (WHERE latest_leg_nrs IS NOT NULL) AS leg_sum, "
           "COUNT(latest_leg_nrs - baseline_leg_nrs) FILTER (WHERE latest_leg_nrs IS NOT NULL) AS leg_n, "
           "SUM(latest_odi - baseline_odi) FILTER (WHERE latest_odi IS NOT NULL) AS odi_sum, "
           "COUNT(latest_odi - baseline_odi) FILTER (WHERE latest_odi IS NOT NULL) AS odi_n "
           f"FROM clinic_episodeoutcome WHERE {where} GROUP BY {', '.join(keys)}), "
           f"agg(dim, k, n, evaluable, responders, leg, odi) AS ({' UNION ALL '.join(agg)}), "
           f"hist AS ({' UNION ALL '.join(hist)}), "
           + MEDIANS_AND_RESULT)
    return sql, params


def grouping_sets_sql(clinic_id: int, filters: Any) -> tuple[str, list[Any]]:
    """PostgreSQL only: one pass with GROUPING SETS, the medians by PERCENTILE_CONT(0.5)."""
    where, params = where_clause(clinic_id, filters)
    cols = (*GROUP_COLUMNS, "odi_category")
    keys = ", ".join(f"CAST({c} AS TEXT)" for c in cols)
    sets = ", ".join(["()", *(f"({c})" for c in cols)])
    sql = (f"SELECT GROUPING({', '.join(cols)}), {keys}, {AGGREGATE_SQL}, "  # noqa: S608 - values are parameters
           "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY sessions_to_response) "
           "FILTER (WHERE responder AND sessions_to_response IS NOT NULL) "
           f"FROM clinic_episodeoutcome WHERE {where} GROUP BY GROUPING SETS ({sets})")
    return sql, params


def grouping_sets_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """GROUPING SETS rows as (dim, key, n, evaluable, responders, leg, odi, median), dim as in union_sql."""
    width = len(GROUP_COLUMNS) + 1
    out = []
    for g, *rest in rows:
        keys, values = rest[:width], rest[width:]
        if g == 2**width - 1:
            out.append((0, "", *values))
            continue
        i = next(i for i in range(width) if not g & (1 << (width - 1 - i)))
        out.append((i + 1, keys[i], *values))
    return out


def hand_figures(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Hand-SQL rows in the shape of `dashboard_figures`."""
    from sciatica_care.clinic import dashboard_stats
    from sciatica_care.outcomes import CATEGORY_DEFINITIONS

    groups: dict[tuple[str, str], tuple[Any, ...]] = {}
    categories: dict[str, int] = {}
    for dim, key, n, evaluable, responders, leg, odi, median in rows:
        numbers = (n, evaluable, responders, _num(median), _num(leg), _num(odi))
        if dim == 0:
            groups[("", "All episodes")] = numbers
        elif dim <= len(GROUP_COLUMNS):
            column = GROUP_COLUMNS[dim - 1]
            value = key in ("1", "true") if column in BOOLEAN_COLUMNS else key
            groups[(dashboard_stats.DIMENSIONS[dim - 1][1], dashboard_stats._label(column, value))] = numbers
        elif key:
            categories[key] = n
    labels = {d.id: d.label for d in CATEGORY_DEFINITIONS}
    return {"groups": groups, "categories": {labels[k]: v for k, v in categories.items()}}


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def dashboard_figures(d: Any) -> dict[str, Any]:
    groups = {("", d.overall.label): d.overall}
    for title, rows in d.breakdowns:
        for r in rows:
            groups[(title, r.label)] = r
    return {"groups": {k: (r.n, r.evaluable, r.responders, _num(r.median_sessions), _num(r.mean_leg_change),
                           _num(r.mean_odi_change)) for k, r in groups.items()},
            "categories": {label: n for label, _, n in d.categories if n}}


def same_figures(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """None if equal (counts exactly, means and medians to 1e-9 relative), else the first difference."""
    if a["categories"] != b["categories"]:
        return f"categories {a['categories']} != {b['categories']}"
    if set(a["groups"]) != set(b["groups"]):
        return f"groups differ: {sorted(set(a['groups']) ^ set(b['groups']))}"
    for key, x in a["groups"].items():
        y = b["groups"][key]
        for u, v in zip(x, y, strict=True):
            if (u is None) != (v is None) or (u is not None and abs(u - v) > 1e-9 * max(1.0, abs(u))):
                return f"{key}: {x} != {y}"
    return None


# ----------------------------------------------------------------------------------------------- the cases
def filter_cases(clinic_id: int) -> dict[str, Any]:
    from django.db.models import Count, Max

    from sciatica_care.clinic import dashboard_stats
    from sciatica_care.clinic.models import Episode, EpisodeOutcome, Staff

    newest = Episode.objects.filter(clinic_id=clinic_id).aggregate(d=Max("opened_on"))["d"]
    prac = Staff.objects.filter(clinic_id=clinic_id, role="practitioner").order_by("username").first()
    cause = (EpisodeOutcome.objects.filter(clinic_id=clinic_id).exclude(top_cause="").values("top_cause")
             .annotate(n=Count("episode_id")).order_by("-n", "top_cause").first())
    return {
        "whole clinic": (dashboard_stats.Filters(), ""),
        "one year": (dashboard_stats.Filters(date_from=newest - dt.timedelta(days=364), date_to=newest),
                     f"?from={newest - dt.timedelta(days=364)}&to={newest}"),
        "one practitioner": (dashboard_stats.Filters(practitioner_id=prac.pk if prac else None),
                             f"?practitioner={prac.pk if prac else ''}"),
        "one cause": (dashboard_stats.Filters(cause=cause["top_cause"] if cause else ""),
                      f"?cause={cause['top_cause'] if cause else ''}"),
    }


def episode_sample(manifest: dict[str, Any], size: int, longest: int, rng: random.Random) -> list[int]:
    """`size` open episodes: the `longest` courses (most visits) and the rest at random."""
    from django.db.models import Count

    from sciatica_care.clinic.models import Episode

    open_ids = [e[0] for e in manifest["chart_episodes"] if manifest["pool"][e[1]]["treatable"]]
    top = list(Episode.objects.filter(pk__in=open_ids).annotate(v=Count("visits")).order_by("-v", "id")
               .values_list("id", flat=True)[:longest])
    rest = [i for i in open_ids if i not in set(top)]
    return top + rng.sample(rest, min(len(rest), max(0, size - len(top))))


def machine() -> dict[str, Any]:
    import sqlite3

    import django
    from django.db import connection

    info: dict[str, Any] = {"cores": os.cpu_count(), "python": platform.python_version(),
                            "django": django.get_version(), "platform": platform.platform(),
                            "sqlite": sqlite3.sqlite_version}
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            info["postgresql"] = cur.fetchone()[0]
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            info["memory_gib"] = round(int(f.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    return info


# ----------------------------------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each dashboard measurement")
    parser.add_argument("--csv-repeat", type=int, default=5, help="timed runs of the CSV export")
    parser.add_argument("--episodes", type=int, default=200, help="open episodes for the progress page")
    parser.add_argument("--longest", type=int, default=10, help="of which the longest courses")
    parser.add_argument("--only", choices=["dashboard", "episode"], help="one half of the benchmark")
    parser.add_argument("--profile", choices=["compute", "dashboard_page", "episode", "chart"],
                        help="cProfile this measurement instead (top 30 by own time)")
    parser.add_argument("--settings", default="clinic_bench_settings")
    parser.add_argument("--no-migrate", action="store_true",
                        help="do not apply the app's migrations first (to time an older checkout on the same data)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    data_dir = args.data_dir.expanduser().resolve()
    manifest = setup(data_dir, args.settings, migrate=not args.no_migrate)

    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from sciatica_care.clinic import dashboard_stats
    from sciatica_care.clinic.models import Clinic, Episode, Staff, Visit

    clinic_id = Clinic.objects.order_by("id").values_list("id", flat=True).first()
    practitioner = Staff.objects.get(username=manifest["practitioners"][0])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(practitioner)
    rng = random.Random(args.seed)  # noqa: S311 - a reproducible sample
    cases = filter_cases(clinic_id)
    report: dict[str, Any] = {
        "database": connection.vendor, "machine": machine(), "repeat": args.repeat,
        "data": {"episodes": Episode.objects.count(), "visits": Visit.objects.count(),
                 "generation_seconds": manifest.get("generation_seconds"),
                 "database_bytes": manifest.get("database_bytes"), "counts": manifest.get("counts"),
                 "charted_scores": manifest.get("charted_scores", False)},
        "dashboard": {}, "episode": {}}

    def get(path: str) -> Any:
        resp = client.get(path)
        if resp.status_code != 200:
            raise SystemExit(f"GET {path} answered {resp.status_code}")
        return resp

    if args.profile:
        episode_id = episode_sample(manifest, 1, 1, rng)[0]
        what: Callable[[], Any] = {
            "compute": lambda: dashboard_stats.compute(clinic_id, dashboard_stats.Filters()),
            "dashboard_page": lambda: get("/dashboard/"),
            "episode": lambda: get(f"/episodes/{episode_id}/"),
            "chart": lambda: get(f"/episodes/{episode_id}/progress.svg"),
        }[args.profile]
        what()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.repeat):
            what()
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())
        return

    print(f"{connection.vendor}: {report['data']['episodes']:,} episodes, {report['data']['visits']:,} visits; "
          f"{args.repeat} warm runs each (median / p95 ms)\n")
    if args.only in (None, "dashboard"):
        hand = {"union": union_sql, "cells": cube_sql}
        if connection.vendor == "postgresql":
            hand["grouping sets"] = grouping_sets_sql
        print(f"{'dashboard':<17} {'queries':>7} {'compute()':>16} {'hand SQL (best)':>22} {'ratio':>6} "
              f"{'/dashboard/ page':>17}")
        for name, (filters, query) in cases.items():
            log: list[dict[str, Any]] = []
            with recording(log):
                d = dashboard_stats.compute(clinic_id, filters)
            ours = dashboard_figures(d)
            compute_ms, _ = timed(lambda f=filters: dashboard_stats.compute(clinic_id, f), args.repeat)
            hand_ms: dict[str, dict[str, float]] = {}
            for label, build in hand.items():
                sql, params = build(clinic_id, filters)

                def run(sql: str = sql, params: list[Any] = params, label: str = label) -> list[tuple[Any, ...]]:
                    with connection.cursor() as cur:
                        cur.execute(sql, params)
                        rows = cur.fetchall()
                    return grouping_sets_rows(rows) if label == "grouping sets" else rows

                ms, rows = timed(run, args.repeat)
                problem = same_figures(ours, hand_figures(rows))
                if problem:
                    raise SystemExit(f"{name}: hand SQL ({label}) and dashboard_stats.compute() differ: {problem}")
                hand_ms[label] = stats(ms)
            best = min(hand_ms, key=lambda k: hand_ms[k]["median"])
            page_ms, resp = timed(lambda q=query: get("/dashboard/" + q), args.repeat)
            c = stats(compute_ms)
            ratio = c["median"] / hand_ms[best]["median"]
            report["dashboard"][name] = {"queries": len(log), "compute": c, "hand_sql": hand_ms, "hand_best": best,
                                         "ratio": ratio, "page": stats(page_ms), "page_bytes": len(resp.content),
                                         "episodes": d.overall.n, "groups": sum(len(r) for _, r in d.breakdowns)}
            print(f"{name:<17} {len(log):>7} {c['median']:7.1f} / {c['p95']:6.1f} "
                  f"{hand_ms[best]['median']:7.1f} / {hand_ms[best]['p95']:6.1f} ({best[:5]}) {ratio:6.2f} "
                  f"{stats(page_ms)['median']:7.1f} / {stats(page_ms)['p95']:6.1f}   n={d.overall.n:,}", flush=True)
            for label, h in hand_ms.items():
                if label != best:
                    print(f"{'':<17} {'':>7} {'':>16} {h['median']:7.1f} / {h['p95']:6.1f} ({label[:5]})")
        csv_ms, resp = timed(lambda: get("/dashboard/analysis.csv"), args.csv_repeat, warm=1)
        report["dashboard"]["csv export"] = {"whole clinic": stats(csv_ms), "bytes": len(resp.content)}
        print(f"{'CSV export':<17} {'':>7} whole clinic: {stats(csv_ms)['median']:.0f} / {stats(csv_ms)['p95']:.0f} ms "
              f"({len(resp.content) / 2**20:.1f} MiB, {args.csv_repeat} runs)\n")
        print("ratio = compute() median / the faster hand-written SQL's median (same connection, fetchall "
              "included); the hand SQL's figures are checked equal to compute()'s every run.\n")

    if args.only in (None, "episode"):
        sample = episode_sample(manifest, args.episodes, args.longest, rng)
        sessions = dict(Visit.objects.filter(episode_id__in=sample).values_list("episode_id")
                        .annotate(n=Count("id")))
        print(f"episode progress: {len(sample)} open episodes ({args.longest} longest: "
              f"{max(sessions.values(), default=0)} visits; median {statistics.median(sessions.values()):.0f})")
        print(f"{'page':<28} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'slowest course':>15}")
        for label, path in (("/episodes/<id>/", "/episodes/{}/"), ("/episodes/<id>/progress.svg",
                                                                    "/episodes/{}/progress.svg")):
            for pk in sample[:3]:
                get(path.format(pk))  # warm: templates, matplotlib
            order = list(sample)
            rng.shuffle(order)
            ms, counts, by_ep = [], [], {}
            for pk in order:
                log = []
                t0 = time.perf_counter()
                with recording(log):
                    get(path.format(pk))
                ms.append((time.perf_counter() - t0) * 1000)
                counts.append(len(log))
                by_ep[pk] = ms[-1]
            s = stats(ms)
            slowest = max(by_ep, key=by_ep.__getitem__)
            report["episode"][label] = {**s, "queries": [min(counts), max(counts)],
                                        "slowest": {"episode": slowest, "visits": sessions.get(slowest, 0)}}
            qn = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"
            print(f"{label:<28} {qn:>8} {s['p50']:8.1f} {s['p95']:8.1f} {s['max']:8.1f} "
                  f"{sessions.get(slowest, 0):>6} visits", flush=True)
        print("\nin-process through Django's test client (no server, no network), logged in as a practitioner, one "
              "request per episode in random order after 3 warm-up requests; each writes its audit event.")

    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
