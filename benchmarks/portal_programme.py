"""The patient's home programme page and its "done" round trip: in-process, Django's test client, a fresh database.

Builds one clinic with `--patients` patients, each with a portal account and an open course planned (real engine)
from one of the treatable worked cases in examples/ (in turn), then for `--rounds` rounds signs in as each patient
and measures: the programme page (`GET /portal/programme/`; the first showing of each distinct plan builds its
figures, later ones come from the cache) and the "done" round trip (the POST of a point's form with its one-time
token, answered by the redirect, plus the GET of the page it redirects to). Also the content builder alone per case
(`reports/home_programme.build_programme`, no cache). Reports the median and p95 of wall time and of this
process's CPU time (the test client runs the view here) and the queries per request.

    python benchmarks/portal_programme.py [--patients 30 --rounds 5 --json out.json]

The database is set up as `visit_save.py` sets up its own (`fresh_database`: a temporary SQLite folder, or the
PostgreSQL database a DATABASE_URL names, which must contain "bench"). Production settings (DEBUG off).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from visit_save import fresh_database, stats  # noqa: E402 - after the path set-up

CASES = ["piriformis-chronic", "pregnancy-third-trimester", "l5-stenosis-older", "l4-anterior-medial-man",
         "anticoagulated-older", "spinal-cord-stimulator"]
BACKEND = "sciatica_care.portal.patient_auth.PatientBackend"


def build(patients: int) -> list[tuple[Any, Any]]:
    """(patient account, plan revision) for each patient; every account signs in through the portal's backend."""
    import yaml

    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Role, Staff
    from sciatica_care.portal import accounts

    clinic = Clinic.objects.create(name="Portal bench")
    prac = Staff.objects.create_user(username="bench01", clinic=clinic, role=Role.PRACTITIONER, first_name="Bench")
    out = []
    for n in range(patients):
        intake = yaml.safe_load((ROOT / "examples" / f"{CASES[n % len(CASES)]}.yaml").read_text())
        patient = records.create_patient(prac, first_name="Home", last_name=f"Bench{n:03d}",
                                         date_of_birth=dt.date(1970, 1, 1 + n % 28), sex="female",
                                         email=f"home{n}@bench.example.org", consent_treatment=True)
        revision = records.record_intake(prac, records.open_episode(prac, patient), intake)
        invitation = accounts.invite(patient, by=prac)
        user = accounts.accept(invitation.link.rstrip("/").rsplit("/", 1)[1], f"bench-portal-{n:03d}-passphrase")
        out.append((user, revision))
    return out


def timed(call: Callable[[], Any]) -> tuple[Any, float, float, int]:
    """The call's result, wall and CPU milliseconds, and the SQL statements it ran."""
    from django.db import connection

    count = [0]

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        c0, w0 = time.process_time(), time.perf_counter()
        result = call()
        w1, c1 = time.perf_counter(), time.process_time()
    return result, (w1 - w0) * 1000, (c1 - c0) * 1000, count[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with fresh_database("sc-portal-"):
        from django.conf import settings

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the invitations
        from django.db import connection
        from django.test import Client

        from sciatica_care.clinic import clinical
        from sciatica_care.reports.home_programme import build_programme

        builder: dict[str, float] = {}
        for case in CASES:
            import yaml

            intake = yaml.safe_load((ROOT / "examples" / f"{case}.yaml").read_text())
            plan = clinical.plan_for(intake).plan
            assert plan is not None
            runs = []
            for _ in range(10):
                t0 = time.perf_counter()
                build_programme(intake, plan, clinical.knowledge())
                runs.append((time.perf_counter() - t0) * 1000)
            builder[case] = statistics.median(runs)
        people = build(args.patients)
        page: dict[str, list[float]] = {"wall": [], "cpu": [], "queries": []}
        first: list[float] = []
        done: dict[str, list[float]] = {"wall": [], "cpu": [], "queries": []}
        for r in range(args.rounds):
            for user, _ in people:
                client = Client(HTTP_HOST="127.0.0.1")
                client.force_login(user, backend=BACKEND)
                response, wall, cpu, queries = timed(lambda c=client: c.get("/portal/programme/"))
                if response.status_code != 200:
                    raise SystemExit(f"programme page gave {response.status_code}")
                (first if r == 0 else page["wall"]).append(wall)
                if r:
                    page["cpu"].append(cpu)
                    page["queries"].append(queries)
                html = response.content.decode()
                form = re.search(r'name="submission_token" value="([^"]+)">\s*<input type="hidden" name="plan" '
                                 r'value="(\d+)">\s*<input type="hidden" name="kind" value="(\w+)">\s*'
                                 r'<input type="hidden" name="item" value="([^"]*)">', html)
                if form is None:
                    raise SystemExit("no done form on the page")
                body = {"submission_token": form.group(1), "plan": form.group(2), "kind": form.group(3),
                        "item": form.group(4), "felt": "better", "note": ""}

                def round_trip(c: Any = client, b: dict[str, str] = body) -> Any:
                    answer = c.post("/portal/programme/done/", b)
                    if answer.status_code != 302:
                        raise SystemExit(f"done gave {answer.status_code}")
                    return c.get(answer["Location"])

                _, wall, cpu, queries = timed(round_trip)
                done["wall"].append(wall)
                done["cpu"].append(cpu)
                done["queries"].append(queries)
        out = {
            "database": connection.vendor, "patients": len(people), "rounds": args.rounds,
            "builder_ms_median": builder,
            "page_first_ms": stats(first),
            "page_ms": stats(page["wall"]), "page_cpu_ms": stats(page["cpu"]),
            "page_queries": [min(page["queries"]), max(page["queries"])],
            "done_round_trip_ms": stats(done["wall"]), "done_cpu_ms": stats(done["cpu"]),
            "done_queries": [min(done["queries"]), max(done["queries"])],
        }
        print(f"{connection.vendor}: builder (no cache) median per case: "
              + ", ".join(f"{c} {v:.1f} ms" for c, v in builder.items()))
        print(f"programme page, first showing per patient: median {out['page_first_ms']['median']:.1f} ms, "
              f"p95 {out['page_first_ms']['p95']:.1f} ms")
        print(f"programme page, {len(page['wall'])} showings: wall median {out['page_ms']['median']:.1f} ms, "
              f"p95 {out['page_ms']['p95']:.1f} ms; CPU median {out['page_cpu_ms']['median']:.1f} ms; "
              f"{out['page_queries'][0]}–{out['page_queries'][1]} queries")
        print(f"done round trip (POST + the page it returns to), {len(done['wall'])}: wall median "
              f"{out['done_round_trip_ms']['median']:.1f} ms, p95 {out['done_round_trip_ms']['p95']:.1f} ms; "
              f"{out['done_queries'][0]}–{out['done_queries'][1]} queries")
        if args.json:
            args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
