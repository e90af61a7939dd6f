"""Crash safety on SQLite: the real server is killed with SIGKILL in the middle of a burst of API writes; after a
restart on the same data folder every acknowledged write is there and the database passes its integrity checks.

Runs `sciatica-care serve` (waitress) as its own process on a fresh data folder, on loopback only; bounded in
writes and in time. An acknowledged write is a 201 with an id: the server commits before it answers, so what it
acknowledged must survive (see the durability note in site/settings.py).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
CLIENTS = 6
KILL_AFTER_ACKS = 90  # acknowledged writes before the kill; the clients are still writing when it lands
MAX_WRITES_PER_CLIENT = 200  # a bound, never reached in practice
DEADLINE_S = 90.0

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")]


def clean_env(data_dir: Path) -> dict[str, str]:
    """A user's environment: the clinic on SQLite in `data_dir`, production settings, no test settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL",
                                                            "SCIATICA_CARE_ENV", "SCIATICA_CARE_SECRET_KEY",
                                                            "SCIATICA_CARE_DATA_DIR", "SCIATICA_CARE_DEBUG")}
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def command(name: str, data_dir: Path, *args: str) -> list[str]:
    code = (f"from sciatica_care.cli.clinic_commands import {name}; "
            f"{name}.main(prog_name='sciatica-care {name}')")
    return [sys.executable, "-c", code, *args, "--data-dir", str(data_dir)]


def run(name: str, data_dir: Path, *args: str, stdin: str = "") -> str:
    r = subprocess.run(command(name, data_dir, *args), input=stdin, capture_output=True, text=True,  # noqa: S603
                       env=clean_env(data_dir), timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`sciatica-care serve` in its own process on 127.0.0.1."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603
            command("serve", data_dir, "--host", "127.0.0.1", "--port", str(self.port), "--threads", "8"),
            stdout=self.log, stderr=subprocess.STDOUT, env=clean_env(data_dir))

    def wait_ready(self, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert self.proc.poll() is None, "the server exited while starting"
            try:
                urllib.request.urlopen(f"{self.base}/api/patients", timeout=2)  # noqa: S310 - loopback
            except urllib.error.HTTPError as exc:
                if exc.code == 401:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not start in time")

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}/api{path}", data=data, method=method, headers={  # noqa: S310
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, None


def burst(api: Api, client: int, acked: list[tuple[str, int, Any]], lock: threading.Lock,
          stop: threading.Event, failures: list[str]) -> None:
    """Write patients, each with an episode and an NRS score, until the server dies or `stop` is set."""
    for i in range(MAX_WRITES_PER_CLIENT):
        if stop.is_set():
            return
        try:
            name = f"Crash{client}x{i}"
            status, patient = api.call("POST", "/patients", {"first_name": "Kill", "last_name": name,
                                                              "date_of_birth": "1970-01-01"})
            if status != 201:
                failures.append(f"patient: HTTP {status}")
                return
            with lock:
                acked.append(("patient", patient["id"], name))
            status, episode = api.call("POST", f"/patients/{patient['id']}/episodes", {"title": f"Ep {name}"})
            if status != 201:
                failures.append(f"episode: HTTP {status}")
                return
            with lock:
                acked.append(("episode", episode["id"], patient["id"]))
            status, score = api.call("POST", f"/episodes/{episode['id']}/scores",
                                     {"instrument": "nrs", "answers": [i % 11]})
            if status != 201:
                failures.append(f"score: HTTP {status}")
                return
            with lock:
                acked.append(("score", score["id"], episode["id"]))
        except (OSError, http.client.HTTPException) as exc:  # killed before or mid-answer: never acknowledged
            failures.append(f"connection: {type(exc).__name__}")
            return


def test_every_acknowledged_write_survives_sigkill(tmp_path: Path) -> None:
    """SIGKILL mid-burst, restart: all acknowledged patients, episodes and scores are there, integrity ok."""
    data = tmp_path / "clinic"
    run("createuser", data, "--username", "writer", "--role", "practitioner", "--clinic", "Riverside",
        "--password-stdin", stdin="a-long-enough-passphrase\n")
    token = run("createtoken", data, "writer", "--name", "crash test", "--scope", "read_write").strip()
    started = time.monotonic()

    server = Server(data, tmp_path / "server.log")
    try:
        server.wait_ready()
        api = Api(server.base, token)
        acked: list[tuple[str, int, Any]] = []
        failures: list[str] = []
        lock, stop = threading.Lock(), threading.Event()
        threads = [threading.Thread(target=burst, args=(api, c, acked, lock, stop, failures), daemon=True)
                   for c in range(CLIENTS)]
        for t in threads:
            t.start()
        while len(acked) < KILL_AFTER_ACKS and time.monotonic() - started < DEADLINE_S / 2:
            assert not failures, failures
            time.sleep(0.005)
        assert len(acked) >= KILL_AFTER_ACKS, "the burst was too slow to reach the kill point"
        assert all(t.is_alive() for t in threads), "the clients must still be writing when the server is killed"
        server.kill()
        for t in threads:
            t.join(timeout=30)
        stop.set()
        assert not any(t.is_alive() for t in threads)
    finally:
        server.stop()
    assert failures, "no write was cut off: the kill did not land in the middle of the burst"
    assert all(f.startswith("connection") for f in failures), failures
    kinds = {kind for kind, _, _ in acked}
    assert kinds == {"patient", "episode", "score"}

    server = Server(data, tmp_path / "server.log")
    try:
        server.wait_ready()
        api = Api(server.base, token)
        episodes_of: dict[int, set[int]] = {}
        scores_of: dict[int, set[int]] = {}
        for kind, pk, ref in acked:
            if kind == "patient":
                status, patient = api.call("GET", f"/patients/{pk}")
                assert (status, patient["last_name"]) == (200, ref)
            elif kind == "episode":
                if ref not in episodes_of:
                    episodes_of[ref] = {e["id"] for e in api.call("GET", f"/patients/{ref}/episodes")[1]}
                assert pk in episodes_of[ref]
            else:
                if ref not in scores_of:
                    scores_of[ref] = {s["id"] for s in api.call("GET", f"/episodes/{ref}/scores")[1]}
                assert pk in scores_of[ref]
        # The restarted clinic takes new writes.
        assert api.call("POST", "/patients", {"first_name": "After", "last_name": "Restart",
                                              "date_of_birth": "1980-01-01"})[0] == 201
    finally:
        server.stop()

    with contextlib.closing(sqlite3.connect(data / "clinic.sqlite3")) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        patients = [pk for kind, pk, _ in acked if kind == "patient"]
        marks = ",".join("?" * len(patients))
        audited = db.execute(f"SELECT count(DISTINCT object_id) FROM clinic_auditevent WHERE action = 'create' "  # noqa: S608
                             f"AND object_type = 'Patient' AND object_id IN ({marks})", patients).fetchone()[0]
        assert audited == len(patients)  # each write's audit event committed with it
    assert time.monotonic() - started < DEADLINE_S


def test_sqlite_connections_are_durable(tmp_path: Path) -> None:
    """The clinic's SQLite connections use WAL with synchronous=FULL (2) and foreign keys on."""
    code = ("import django; django.setup(); from django.db import connection; c = connection.cursor(); "
            "print(*[c.execute(f'PRAGMA {p}').fetchone()[0] for p in ('journal_mode', 'synchronous', "
            "'foreign_keys', 'busy_timeout')])")
    env = clean_env(tmp_path) | {"SCIATICA_CARE_ENV": "development", "SCIATICA_CARE_DATA_DIR": str(tmp_path),
                                 "DJANGO_SETTINGS_MODULE": "sciatica_care.site.settings"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,  # noqa: S603
                       timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["wal", "2", "1", "20000"]
