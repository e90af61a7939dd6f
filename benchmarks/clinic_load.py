"""Load the real clinic server with 20 logged-in clients on loopback: p50/p95 latency and requests/s per page.

Needs a database made by clinic_data.py (its manifest says where: SQLite file or PostgreSQL URL).

    python benchmarks/clinic_load.py --data-dir /tmp/scbench-sqlite [--duration 20] [--driver wrk|python]
    python benchmarks/clinic_load.py --data-dir /tmp/scbench-pg --json /tmp/scbench-pg/load.json

What it does, bounded in count and time, all on 127.0.0.1:
1. starts the app's own server exactly as `sciatica-care serve --data-dir DIR` does (waitress, 2 threads by
   default), with DJANGO_SETTINGS_MODULE=clinic_bench_settings: the app's settings with a URLconf that adds
   `/bench/trivial/` (and `/bench/trivial-auth/`, the same behind login_required);
2. logs in 20 clients as 20 practitioners through the real login form (CSRF, Argon2), concurrently;
3. for each page: a short warm-up, then `--duration` seconds of all 20 clients requesting as fast as they can
   (keep-alive; each client has its own session), random records drawn with a fixed seed:
   patient list, patient search (?q=), patient page, plan view, episode timeline, the charting form and a visit
   save (POST with CSRF token, ODI on one save in four; 302 expected), plus the two trivial views;
4. reports p50/p95/p99 latency, requests/s, errors, the plan view's requests/s as a ratio to the trivial view,
   and the server's resident memory (VmRSS, and its peak VmHWM) after the run; then stops the server.

Drivers: `wrk` (Debian package; a Lua script rotates the 20 session cookies and the request list) or `python`
(20 threads with http.client, standard library only). `auto` picks wrk when it is installed. On a 2-core machine
the load generator shares the CPU with the server either way; wrk takes much less of it.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"  # loopback only, always
MAX_REQUESTS_PER_CLIENT = 200_000  # a hard cap on top of the time bound
SEARCH_TERMS = ["pat", "evans", "chen", "ko", "silva", "07700 1", "ibra", "ward", "sato", "mens", "an", "rossi"]

ENDPOINTS = [  # (name, what it is) in run order; the visit save goes last, as it adds rows
    ("trivial", "trivial Django view (/bench/trivial/)"),
    ("trivial_auth", "trivial view behind login_required"),
    ("patient_list", "patient list (/patients/)"),
    ("patient_search", "patient search (/patients/?q=…)"),
    ("patient_page", "patient page (/patients/<id>/)"),
    ("plan_view", "plan view (/plans/<id>/)"),
    ("episode_timeline", "episode timeline (/episodes/<id>/)"),
    ("visit_form", "charting form (GET /episodes/<id>/visits/new/)"),
    ("visit_save", "visit save (POST /episodes/<id>/visits/new/)"),
]
MAIN = ["patient_list", "patient_page", "plan_view", "visit_save"]


# ------------------------------------------------------------------------------------------------- the server
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def proc_memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MiB, from /proc."""
    out: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return out


def proc_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_cpu() -> tuple[float, float]:
    """(busy, total) seconds of all cores since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(fields[:8]) / os.sysconf("SC_CLK_TCK")
    idle = (fields[3] + fields[4]) / os.sysconf("SC_CLK_TCK")
    return total - idle, total


def cpu_snapshot(pid: int) -> dict[str, float]:
    busy, total = machine_cpu()
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has exited
    return {"wall": time.monotonic(), "busy": busy, "total": total, "server": proc_cpu_seconds(pid),
            "driver": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime}


def cpu_split(a: dict[str, float], b: dict[str, float], requests: int) -> dict[str, float]:
    """How many cores the server, the load generator and everything else (the database, other work) kept busy."""
    wall = max(1e-9, b["wall"] - a["wall"])
    server, driver = b["server"] - a["server"], b["driver"] - a["driver"]
    busy = b["busy"] - a["busy"]
    return {"server_cpu_per_request_ms": 1000 * server / max(1, requests), "cpu_server_cores": server / wall,
            "cpu_driver_cores": driver / wall, "cpu_other_cores": max(0.0, busy - server - driver) / wall}


# Cores kept busy by neither the server nor the load generator above which a run is flagged: on SQLite nothing else
# should run; on PostgreSQL its backends do (about 0.1-0.3 of a core here).
OTHER_CPU_WARN = {"sqlite": 0.15, "postgresql": 0.45}


class Server:
    """`sciatica-care serve` on loopback in its own process group, stopped by its pid."""

    def __init__(self, data_dir: Path, database_url: str | None, threads: int,
                 settings: str = "clinic_bench_settings") -> None:
        self.port = free_port()
        self.log_path = data_dir / f"bench_server-{settings}.log"
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = settings
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH", "")) if p)
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        cmd = [sys.executable, "-c", "import sys; sys.argv[0] = 'sciatica-care'; "
               "from sciatica_care.cli.main import main; main()",
               "serve", "--data-dir", str(data_dir), "--host", HOST, "--port", str(self.port),
               "--threads", str(threads)]
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self, timeout: float = 90.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/bench/trivial/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return time.monotonic() - started
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"the server did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.log.close()


# ------------------------------------------------------------------------------------------------- the clients
class Client:
    """One logged-in browser-like client: its own keep-alive connection and cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str = "", extra: dict[str, str] | None = None,
                keep_cookies: bool = True) -> tuple[int, bytes, dict[str, str]]:
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        headers.update(extra or {})
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body.encode() if body else None, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt == 2:
                    raise
        if keep_cookies:
            for header in resp.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        return resp.status, data, dict(resp.headers)

    def login(self, username: str, password: str) -> float:
        status, page, _ = self.request("GET", "/login/")
        m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not m:
            raise SystemExit(f"login page: {status}")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": m.group(1).decode(), "username": username,
                                       "password": password, "next": ""})
        t0 = time.perf_counter()
        status, page, _ = self.request("POST", "/login/", body)
        took = time.perf_counter() - t0
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login as {username} failed: {status} {page[-400:]!r}")
        return took


# --------------------------------------------------------------------------------------------- request lists
def visit_body(entry: dict[str, Any], rng: random.Random, with_odi: bool) -> str:
    """The charting form as a practitioner submits it: the plan's points needled, e-stim and massage done."""
    today = dt.datetime.now(dt.UTC).date().isoformat()  # the clinic's TIME_ZONE is UTC
    fields: list[tuple[str, str]] = [("date", today), ("red_flags_rechecked", "1")]
    for i, (code, side) in enumerate(entry["points"]):
        fields += [(f"pt_code_{i}", code), (f"pt_side_{i}", side), (f"pt_done_{i}", "1")]
    pairs = [p for p in entry["ea_pairs"].split(", ") if p]  # as pre-filled, Huatuojiaji pairs (EX-B2-L4-EX-B2-L5) too
    if pairs:
        fields += [("ea_pairs", ", ".join(pairs)), ("ea_frequency_hz", entry["ea_frequency_hz"]),
                   ("ea_minutes", str(entry["ea_minutes"] or ""))]
    fields += [("massage_done", t) for t in entry["massage"]]
    leg = rng.randint(1, 7)
    fields += [("subjective", rng.choice(["Sleeping better.", "Sitting still hurts after 30 minutes.",
                                          "Leg pain less sharp."])),
               ("objective", "SLR improved by 10°."), ("assessment", "Progressing as expected."),
               ("plan_notes", "Continue plan."), ("leg_nrs", str(leg)), ("back_nrs", str(max(0, leg - 1))),
               ("adverse_events", "")]
    if with_odi:
        level = rng.randint(0, 4)
        fields += [(f"odi_{k}", str(max(0, min(5, level + rng.choice([-1, 0, 1]))))) for k in range(10)]
    return urllib.parse.urlencode(fields)


def request_lists(manifest: dict[str, Any], seed: int, size: int = 4000) -> dict[str, list[tuple[str, str, str]]]:
    """Per endpoint, `size` requests (method, path, body) over random records, the same for every run."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible request mix, not a secret
    lo, hi = manifest["patient_ids"]
    plans = manifest["plan_ids"]
    chart = [e for e in manifest["chart_episodes"] if manifest["pool"][e[1]]["treatable"]]
    pool = manifest["pool"]
    out: dict[str, list[tuple[str, str, str]]] = {
        "trivial": [("GET", "/bench/trivial/", "")],
        "trivial_auth": [("GET", "/bench/trivial-auth/", "")],
        "patient_list": [("GET", "/patients/", "")],
        "patient_search": [("GET", "/patients/?" + urllib.parse.urlencode({"q": t}), "") for t in SEARCH_TERMS],
        "patient_page": [("GET", f"/patients/{rng.randint(lo, hi)}/", "") for _ in range(size)],
        "plan_view": [("GET", f"/plans/{rng.choice(plans)}/", "") for _ in range(size)],
        "episode_timeline": [("GET", f"/episodes/{rng.choice(chart)[0]}/", "") for _ in range(size)],
        "visit_form": [("GET", f"/episodes/{rng.choice(chart)[0]}/visits/new/", "") for _ in range(size)],
        "visit_save": [],
    }
    for i in range(size):
        eid, idx = rng.choice(chart)
        out["visit_save"].append(("POST", f"/episodes/{eid}/visits/new/", visit_body(pool[idx], rng, i % 4 == 0)))
    return out


EXPECTED = {"visit_save": 302}


def smoke(client: Client, name: str, reqs: list[tuple[str, str, str]], manifest: dict[str, Any]) -> None:
    """One request of each kind (and a save for every plan in the pool) must answer as a browser expects."""
    want = EXPECTED.get(name, 200)
    sample = reqs[:1]
    if name == "visit_save":
        seen: set[str] = set()
        pool_of = {e[0]: e[1] for e in manifest["chart_episodes"]}
        for r in reqs:
            idx = pool_of[int(r[1].split("/")[2])]
            if idx not in seen:
                seen.add(idx)
                sample.append(r)
    for method, path, body in sample:
        status, page, _ = client.request(method, path, body, keep_cookies=False)
        if status != want:
            raise SystemExit(f"{name}: {method} {path} answered {status}, expected {want}:\n"
                             f"{page.decode(errors='replace')[-1500:]}")


# ------------------------------------------------------------------------------------------------- the drivers
def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = max(0, min(len(sorted_ms) - 1, round(p / 100 * len(sorted_ms) + 0.5) - 1))
    return sorted_ms[k]


def run_python(clients: list[Client], reqs: list[tuple[str, str, str]], seconds: float, want: int) -> dict[str, Any]:
    n = len(clients)
    latencies: list[list[float]] = [[] for _ in range(n)]
    errors = [0] * n
    barrier = threading.Barrier(n + 1)
    deadline = [0.0]

    def work(i: int) -> None:
        c = clients[i]
        barrier.wait()
        k = i
        mine = latencies[i]
        while time.perf_counter() < deadline[0] and len(mine) < MAX_REQUESTS_PER_CLIENT:
            method, path, body = reqs[k % len(reqs)]
            k += n
            t0 = time.perf_counter()
            try:
                status, _, _ = c.request(method, path, body, keep_cookies=False)
            except (http.client.HTTPException, OSError):
                status = 0
            mine.append((time.perf_counter() - t0) * 1000)
            if status != want:
                errors[i] += 1

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - started
    allms = sorted(x for lst in latencies for x in lst)
    return {"requests": len(allms), "seconds": elapsed, "rps": len(allms) / elapsed, "errors": sum(errors),
            "p50": percentile(allms, 50), "p95": percentile(allms, 95), "p99": percentile(allms, 99),
            "max": allms[-1] if allms else float("nan")}


WRK_LUA = r"""
-- clinic_load.py's wrk script: rotate the logged-in clients' cookies and the request list.
local reqs, auth, counter = {}, {}, 0
local function split(line)
  local out = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do out[#out + 1] = field end
  return out
end
function setup(thread)
  thread:set("tid", (_G.nthreads or 0))
  _G.nthreads = (_G.nthreads or 0) + 1
end
function init(args)
  for line in io.lines(args[1]) do reqs[#reqs + 1] = split(line) end
  for line in io.lines(args[2]) do auth[#auth + 1] = split(line) end
  counter = (tid or 0) * 7919
end
function request()
  counter = counter + 1
  local r = reqs[(counter % #reqs) + 1]
  local a = auth[(counter % #auth) + 1]
  local headers = { ["Cookie"] = a[1] }
  if r[1] == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["X-CSRFToken"] = a[2]
  end
  return wrk.format(r[1], r[2], headers, r[3] ~= "" and r[3] or nil)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "p50": %f, "p95": %f, "p99": %f, "max": %f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


def run_wrk(port: int, clients: list[Client], reqs: list[tuple[str, str, str]], seconds: float,
            workdir: Path) -> dict[str, Any]:
    req_file, auth_file, lua = workdir / "requests.tsv", workdir / "auth.tsv", workdir / "clinic_load.lua"
    req_file.write_text("".join(f"{m}\t{p}\t{b}\n" for m, p, b in reqs))
    auth_file.write_text("".join(
        "{}\t{}\n".format("; ".join(f"{k}={v}" for k, v in c.cookies.items()), c.cookies.get("csrftoken", ""))
        for c in clients))
    lua.write_text(WRK_LUA)
    cmd = ["wrk", f"-t{min(2, len(clients))}", f"-c{len(clients)}", f"-d{max(1, round(seconds))}s",
           "--timeout", "10s", "-s", str(lua),
           f"http://{HOST}:{port}/", "--", str(req_file), str(auth_file)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    m = re.search(r"WRKJSON (\{.*\})", out.stdout)
    if not m:
        raise SystemExit(f"wrk failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    r = json.loads(m.group(1))
    elapsed = r["duration_us"] / 1e6
    # wrk counts a status >= 400 as an error (a 302 from the visit save is a success, as it should be).
    errors = r["status"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
    return {"requests": r["requests"], "seconds": elapsed, "rps": r["requests"] / elapsed, "errors": errors,
            "p50": r["p50"], "p95": r["p95"], "p99": r["p99"], "max": r["max"]}


# ----------------------------------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True, help="a folder made by clinic_data.py")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per page (max 120)")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds per page first")
    parser.add_argument("--driver", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--threads", type=int, default=2, help="waitress threads (serve's default: 2)")
    parser.add_argument("--only", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--settings", default="clinic_bench_settings", help="settings module from benchmarks/")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    duration = min(max(args.duration, 1.0), 120.0)
    warmup = min(max(args.warmup, 0.0), 30.0)
    data_dir = args.data_dir.expanduser().resolve()
    manifest = json.loads((data_dir / "bench_manifest.json").read_text())
    driver = args.driver
    if driver == "auto":
        driver = "wrk" if shutil.which("wrk") else "python"
    if driver == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --driver python")
    names = [n for n, _ in ENDPOINTS if not args.only or n in args.only.split(",")]

    db = manifest["database"]
    print(f"{db}: {manifest['counts']['patients']:,} patients, {manifest['counts']['visits']:,} visits; "
          f"{args.clients} clients, {duration:.0f} s per page after {warmup:.0f} s warm-up, driver {driver}, "
          f"{os.cpu_count()} cores, settings {args.settings}", flush=True)
    b0, t0 = machine_cpu()
    time.sleep(2)
    b1, t1 = machine_cpu()
    idle_busy = (b1 - b0) / max(1e-9, t1 - t0) * (os.cpu_count() or 1)
    print(f"machine before the run: {idle_busy:.2f} cores busy"
          + ("  <- other work is running: figures will be low and noisy" if idle_busy > 0.2 else ""), flush=True)
    server = Server(data_dir, manifest.get("database_url"), args.threads, args.settings)
    results: dict[str, Any] = {}
    try:
        ready = server.wait_ready()
        pid = server.proc.pid
        mem_start = proc_memory(pid)
        print(f"server pid {pid} on {HOST}:{server.port}, ready in {ready:.1f} s, "
              f"RSS {mem_start.get('VmRSS', 0):.0f} MiB", flush=True)

        clients = [Client(server.port) for _ in range(args.clients)]
        users = manifest["practitioners"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.clients) as ex:
            login_ms = sorted(1000 * t for t in ex.map(
                lambda ic: ic[1].login(users[ic[0] % len(users)], manifest["password"]), enumerate(clients)))
        print(f"logged in {len(clients)} clients concurrently: login POST p50 {percentile(login_ms, 50):.0f} ms, "
              f"max {login_ms[-1]:.0f} ms", flush=True)

        lists = request_lists(manifest, args.seed)
        for name in names:
            smoke(clients[0], name, lists[name], manifest)
        mem_ready = proc_memory(pid)

        workdir = Path(tempfile.mkdtemp(prefix="clinic_load_"))
        for name in names:
            want = EXPECTED.get(name, 200)
            if driver == "wrk":
                if warmup:
                    run_wrk(server.port, clients, lists[name], warmup, workdir)
                before = cpu_snapshot(pid)
                r = run_wrk(server.port, clients, lists[name], duration, workdir)
            else:
                if warmup:
                    run_python(clients, lists[name], warmup, want)
                before = cpu_snapshot(pid)
                r = run_python(clients, lists[name], duration, want)
            r.update(cpu_split(before, cpu_snapshot(pid), r["requests"]))
            r["rss_mib"] = proc_memory(pid).get("VmRSS", 0)
            results[name] = r
            flag = "  <- other work on the machine" if r["cpu_other_cores"] > OTHER_CPU_WARN[db] else ""
            print(f"  {name:<17} {r['rps']:8.1f} req/s  p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  "
                  f"p99 {r['p99']:7.1f} ms  errors {r['errors']}  (n={r['requests']}, server CPU "
                  f"{r['server_cpu_per_request_ms']:.1f} ms/req, RSS {r['rss_mib']:.0f} MiB; cores busy: server "
                  f"{r['cpu_server_cores']:.2f}, load generator {r['cpu_driver_cores']:.2f}, other "
                  f"{r['cpu_other_cores']:.2f}){flag}", flush=True)
            if server.proc.poll() is not None:
                raise SystemExit(f"the server died:\n{server.log_tail()}")
        shutil.rmtree(workdir, ignore_errors=True)
        mem_end = proc_memory(pid)
    finally:
        server.stop()

    summary: dict[str, Any] = {
        "database": db, "driver": driver, "settings": args.settings, "clients": args.clients,
        "duration_s": duration, "cores": os.cpu_count(), "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "machine_busy_cores_before": idle_busy, "counts": manifest["counts"],
        "generation_seconds": manifest.get("generation_seconds"), "login_ms_p50": percentile(login_ms, 50),
        "memory_mib": {"start": mem_start, "after_login": mem_ready, "end": mem_end}, "pages": results,
    }
    if "plan_view" in results and "trivial" in results:
        summary["plan_to_trivial_ratio"] = results["plan_view"]["rps"] / results["trivial"]["rps"]
        print(f"plan view / trivial view requests/s: {summary['plan_to_trivial_ratio']:.2f} (target >= 0.5)")
    if "plan_view" in results and "trivial_auth" in results:
        summary["plan_to_trivial_auth_ratio"] = results["plan_view"]["rps"] / results["trivial_auth"]["rps"]
        print(f"plan view / trivial view behind login_required: {summary['plan_to_trivial_auth_ratio']:.2f}")
    print(f"server memory: RSS {mem_end.get('VmRSS', 0):.0f} MiB after the run, peak {mem_end.get('VmHWM', 0):.0f}"
          f" MiB (target < 300 MiB)")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
        print(f"results: {args.json}")


if __name__ == "__main__":
    main()
