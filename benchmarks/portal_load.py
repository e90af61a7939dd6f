"""The patient portal under 20 concurrent patients, on the 10,000-patient bench clinic: p50/p95 per page and the
diary entry's round trip.

Needs a clinic made by clinic_data.py (its manifest says SQLite or PostgreSQL). Adds, once, the portal's data:
`--patients` (20) patients with portal accounts and 90 days of diary each, and 90 days of diary for
`--diaries` (1,000) more patients, so the diary table is not tiny.

    python benchmarks/portal_load.py --data-dir /tmp/scbench-sqlite [--duration 20] [--json out.json]

With `--think 1` (the default) each patient pauses about a second between taps, as a person does; `--think 0`
has all 20 request without pause, saturating the server (its p50 is then about 20 / requests per second).
Then, all on 127.0.0.1 (the clinic's own server, as `sciatica-care serve` runs it; see clinic_load.py): signs
the 20 patients in through the portal's password form, and for each page has all 20 request as fast as they can
for `--duration` seconds: today (/portal/), the diary page, the progress page, settings, and the diary round trip
(POST /portal/api/diary/ with a new entry — its own UUID — each time: JSON in, stored, audited, JSON out).
Targets (issue 13): pages p95 ≤ 100 ms; the diary round trip p95 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import clinic_load  # noqa: E402 - the clinic's load harness: the server, the clients, the driver
from clinic_data import setup_django  # noqa: E402

PASSWORD = "portal-bench-2026"  # noqa: S105 - bench data only
PAGES = [("portal_home", "/portal/"), ("portal_diary", "/portal/diary/"), ("portal_progress", "/portal/progress/"),
         ("portal_settings", "/portal/settings/")]
TARGETS = {"pages_p95_ms": 100, "diary_round_trip_p95_ms": 150}


def prepare(data_dir: Path, patients: int, diaries: int, seed: int = 13) -> list[str]:
    """The portal's bench data (once): accounts with diaries, more diaries; returns the accounts' emails."""
    setup_django(data_dir)
    from django.db import transaction
    from django.utils import timezone

    from sciatica_care.clinic.models import Patient, Staff
    from sciatica_care.portal import accounts
    from sciatica_care.portal.models import JournalEntry, PatientAccount

    existing = list(PatientAccount.objects.select_related("user").order_by("id")[:patients])
    if len(existing) >= patients:
        return [a.user.email for a in existing]
    rng = random.Random(seed)  # noqa: S311 - bench data
    started = time.perf_counter()
    today = timezone.localdate()
    chosen = list(Patient.objects.filter(episodes__plans__isnull=False).order_by("id")
                  .values_list("id", flat=True).distinct()[: patients + diaries])
    emails = []
    with transaction.atomic():
        for i, pk in enumerate(chosen[:patients]):
            patient = Patient.objects.get(pk=pk)
            patient.email = f"bench-patient-{i:02d}@example.org"
            patient.save(update_fields=["email"])
            invitation = accounts.invite(patient, by=None)
            accounts.accept(invitation.link.rstrip("/").rsplit("/", 1)[1], PASSWORD)
            emails.append(patient.email)
        someone = Staff.objects.filter(role="practitioner").order_by("id").first()
        users = dict(PatientAccount.objects.values_list("patient_id", "user_id"))
        rows = []
        for pk in chosen:
            clinic_id = Patient.objects.filter(pk=pk).values_list("clinic_id", flat=True).get()
            for d in range(90):
                rows.append(JournalEntry(
                    clinic_id=clinic_id, patient_id=pk, client_id=uuid.uuid4(),
                    date=today - dt.timedelta(days=90 - d), leg_nrs=rng.randint(2, 8), back_nrs=rng.randint(0, 6),
                    sleep_hours=rng.choice([5.5, 6, 7, 8]), sleep_quality=rng.randint(2, 9),
                    sitting_hours=rng.choice([3, 5, 7, 9]), walking_minutes=rng.choice([10, 30, 45]),
                    stress=rng.randint(1, 8), activities=rng.sample(["driving", "desk work", "gardening"], 1),
                    medications=[], recorded_by_id=users.get(pk, someone.pk if someone else 1)))
            if len(rows) > 20_000:
                JournalEntry.objects.bulk_create(rows)
                rows = []
        JournalEntry.objects.bulk_create(rows)
    print(f"portal data: {patients} accounts, {len(chosen)} diaries of 90 days "
          f"({JournalEntry.objects.count()} entries) in {time.perf_counter() - started:.1f} s")
    return emails


def sign_in(client: Any, email: str) -> None:
    status, page, _ = client.request("GET", "/portal/sign-in/?with=password")
    m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not m:
        raise SystemExit(f"portal sign-in page: {status}")
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": m.group(1).decode(), "email": email, "password": PASSWORD})
    status, page, _ = client.request("POST", "/portal/sign-in/?with=password", body)
    if status != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"portal sign-in as {email} failed: {status} {page[-300:]!r}")


def diary_requests(n: int, seed: int = 5) -> list[tuple[str, str, str]]:
    """`n` distinct diary entries (each its own UUID: every one is a new entry, answered 201)."""
    rng = random.Random(seed)  # noqa: S311 - bench data
    today = dt.date.today()  # noqa: DTZ011 - the server's local date is the same machine's
    return [("POST", "/portal/api/diary/", json.dumps({
        "client_id": str(uuid.uuid4()), "date": (today - dt.timedelta(days=rng.randint(0, 3))).isoformat(),
        "leg_nrs": rng.randint(0, 10), "back_nrs": rng.randint(0, 10), "sleep_hours": 7, "sitting_hours": 6.5,
        "walking_minutes": 20, "stress": 4, "activities": ["driving"], "medications": [], "flare_up": False,
        "flare_trigger": "", "alarm_signs": []})) for _ in range(n)]


def run_with_think_time(clients: list[Any], reqs: list[tuple[str, str, str]], seconds: float, want: int,
                        think: float, seed: int = 3) -> dict[str, Any]:
    """Each client requests, waits a random 0.5–1.5 × `think` seconds (a person reading and tapping), requests
    again: 20 patients using the portal at once, rather than 20 clients saturating the server."""
    import threading

    n = len(clients)
    latencies: list[list[float]] = [[] for _ in range(n)]
    errors = [0] * n
    deadline = time.perf_counter() + seconds

    def work(i: int) -> None:
        rng = random.Random(seed + i)  # noqa: S311 - think times
        time.sleep(rng.uniform(0, think))
        k = i
        while time.perf_counter() < deadline:
            method, path, body = reqs[k % len(reqs)]
            k += n
            t0 = time.perf_counter()
            try:
                status, _, _ = clients[i].request(method, path, body, keep_cookies=False)
            except OSError:
                status = 0
            latencies[i].append((time.perf_counter() - t0) * 1000)
            errors[i] += status != want
            time.sleep(rng.uniform(0.5, 1.5) * think)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    allms = sorted(x for lst in latencies for x in lst)
    return {"requests": len(allms), "seconds": seconds, "rps": len(allms) / seconds, "errors": sum(errors),
            "p50": clinic_load.percentile(allms, 50), "p95": clinic_load.percentile(allms, 95),
            "p99": clinic_load.percentile(allms, 99), "max": allms[-1] if allms else float("nan")}


class JsonClient(clinic_load.Client):
    def request(self, method: str, path: str, body: str = "", extra: dict[str, str] | None = None,
                keep_cookies: bool = True) -> tuple[int, bytes, dict[str, str]]:
        if path.startswith("/portal/api/"):
            extra = {**(extra or {}), "Content-Type": "application/json"}
        return super().request(method, path, body, extra, keep_cookies)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--patients", type=int, default=20)
    ap.add_argument("--diaries", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2, help="waitress threads (`serve` runs 2)")
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--think", type=float, default=1.0,
                    help="seconds a patient takes between taps (0: no pause, every client saturating the server)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    args.duration = min(args.duration, 120.0)
    manifest = json.loads((args.data_dir / "bench_manifest.json").read_text())
    if manifest.get("database_url"):
        import os

        os.environ["DATABASE_URL"] = manifest["database_url"]
    emails = prepare(args.data_dir, max(args.patients, args.clients), args.diaries)
    server = clinic_load.Server(args.data_dir, manifest.get("database_url"), args.threads)
    results: dict[str, Any] = {"database": "postgresql" if manifest.get("database_url") else "sqlite",
                               "clients": args.clients, "duration_s": args.duration, "think_s": args.think,
                               "threads": args.threads, "pages": {}}
    try:
        server.wait_ready()
        clients = [JsonClient(server.port) for _ in range(args.clients)]
        for client, email in zip(clients, emails, strict=False):
            sign_in(client, email)
        runs = [(name, [("GET", path, "")] * 4000, 200) for name, path in PAGES]
        runs.append(("diary_round_trip", diary_requests(200_000), 201))
        for name, reqs, want in runs:
            clinic_load.run_python(clients, reqs[: len(reqs) // 50 or 1], 3.0, want)  # warm-up
            if name == "diary_round_trip":
                reqs = reqs[len(reqs) // 50:]  # the warm-up's entries are stored: never replay them
            cpu_before = clinic_load.proc_cpu_seconds(server.proc.pid)
            out = (run_with_think_time(clients, reqs, args.duration, want, args.think) if args.think > 0
                   else clinic_load.run_python(clients, reqs, args.duration, want))
            # The server's own CPU time per request: what a page costs, whatever else the machine is doing.
            out["server_cpu_ms_per_request"] = ((clinic_load.proc_cpu_seconds(server.proc.pid) - cpu_before)
                                                * 1000 / max(1, out["requests"]))
            results["pages"][name] = out
            print(f"{name:<18} {out['requests']:>6} req  {out['rps']:7.1f}/s  p50 {out['p50']:6.1f} ms  "
                  f"p95 {out['p95']:6.1f} ms  p99 {out['p99']:6.1f} ms  errors {out['errors']}  "
                  f"server CPU {out['server_cpu_ms_per_request']:.1f} ms/request")
        results["memory_mib"] = clinic_load.proc_memory(server.proc.pid)
    finally:
        server.stop()
    pages_p95 = max(results["pages"][n]["p95"] for n, _ in PAGES)
    trip = results["pages"]["diary_round_trip"]["p95"]
    results["verdict"] = {"pages_p95_ms": pages_p95, "diary_round_trip_p95_ms": trip, "targets": TARGETS,
                          "met": pages_p95 <= TARGETS["pages_p95_ms"] and trip <= TARGETS["diary_round_trip_p95_ms"]}
    print(f"portal pages p95 (worst page) {pages_p95:.1f} ms (target ≤ {TARGETS['pages_p95_ms']}); "
          f"diary round trip p95 {trip:.1f} ms (target ≤ {TARGETS['diary_round_trip_p95_ms']})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
