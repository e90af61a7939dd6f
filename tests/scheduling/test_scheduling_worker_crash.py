"""Exactly once, with real workers killed: `sciatica-care worker` processes are SIGKILLed in the middle of a batch
and started again, and every queued message is delivered exactly once.

Runs on a fresh SQLite data folder, or on a fresh PostgreSQL database of its own (dropped at the end) when
DATABASE_URL names PostgreSQL. The providers (tests/scheduling/outbox_test_backends.py) append one line per
accepted message to a log, so the log says exactly what was delivered, and how often; the lease is 2 seconds, so a
dead worker's claim is taken over quickly. Bounded in time.
"""

from __future__ import annotations

import collections
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
HERE = Path(__file__).resolve().parent
DEADLINE_S = 240.0

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")]

SEED = """
import os, sys
from pathlib import Path
from sciatica_care.cli.clinic_commands import _setup
_setup(Path(os.environ["SCIATICA_CARE_DATA_DIR"]))
from sciatica_care.clinic.models import Clinic
from sciatica_care.scheduling import outbox
clinic = Clinic.objects.create(name="Riverside")
prefix, n = sys.argv[1], int(sys.argv[2])
outbox.queue_many(outbox.Outgoing(
    clinic_id=clinic.pk, channel="email" if i % 2 else "sms",
    to=f"patient{i}@example.org" if i % 2 else f"+4477009{i:05d}", subject=f"Message {i}", body=f"Message {i}",
    dedupe_key=f"{prefix}:{i}", kind="test", topic="appointments") for i in range(n))
"""

STATE = """
import json, os
from pathlib import Path
from sciatica_care.cli.clinic_commands import _setup
_setup(Path(os.environ["SCIATICA_CARE_DATA_DIR"]), migrate=False)
from django.db.models import Count
from sciatica_care.scheduling.models import Message
ours = Message.objects.filter(dedupe_key__startswith=os.environ["OUTBOX_TEST_PREFIX"] + ":")
print(json.dumps({"status": dict(ours.values_list("status").annotate(n=Count("id"))),
                  "possible_duplicates": ours.filter(possible_duplicate=True).count()}))
"""

WORKER = "import sys; from sciatica_care.cli.main import main; sys.argv[0] = 'sciatica-care'; main()"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh SQLite folder or PostgreSQL database for this module's workers, migrated once; the logging
    providers; a short lease."""
    env = {k: v for k, v in os.environ.items() if k not in (
        "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SCIATICA_CARE_SECRET_KEY", "SCIATICA_CARE_DEBUG")}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(SRC), str(HERE), env.get("PYTHONPATH", "")]),
        "SCIATICA_CARE_ENV": "development", "SCIATICA_CARE_DATA_DIR": str(tmp_path_factory.mktemp("clinic")),
        "SCIATICA_CARE_OUTBOX_LEASE_SECONDS": "2",
        "SCIATICA_CARE_EMAIL_BACKEND": "outbox_test_backends.LoggingEmail",
        "SCIATICA_CARE_SMS_BACKEND": "outbox_test_backends.LoggingSms",
    })
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield env
        return
    import psycopg

    name = f"sc_outbox_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    try:
        yield env
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(database: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """One test's workers: its own messages (a dedupe-key prefix) and its own delivery log."""
    return database | {"OUTBOX_TEST_LOG": str(tmp_path / "deliveries.log"),
                       "OUTBOX_TEST_PREFIX": f"crash-{secrets.token_hex(4)}"}


def python(env: dict[str, str], code: str, *args: str) -> str:
    r = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,  # noqa: S603
                       timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


def start_worker(env: dict[str, str], log: Path, **extra: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", WORKER, "worker", "--data-dir", env["SCIATICA_CARE_DATA_DIR"], "--interval", "0.2",
             "--batch", "25", "--no-migrate"], env=env | extra, stdout=out, stderr=subprocess.STDOUT)


def delivered(env: dict[str, str]) -> list[str]:
    """The reference of every delivery in the providers' log, in order (an email's Message-ID without its domain)."""
    log = Path(env["OUTBOX_TEST_LOG"])
    if not log.exists():
        return []
    return [json.loads(line)["id"].strip("<>").split("@")[0] for line in log.read_text().splitlines() if line]


def wait_for(condition: object, what: str, deadline: float) -> None:
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def state(env: dict[str, str]) -> dict[str, object]:
    return json.loads(python(env, STATE))  # type: ignore[no-any-return]


def references(env: dict[str, str], n: int) -> set[str]:
    from sciatica_care.scheduling.models.messages import reference_for

    return {reference_for(f"{env['OUTBOX_TEST_PREFIX']}:{i}") for i in range(n)}


def finish(env: dict[str, str], tmp_path: Path, n: int, deadline: float) -> None:
    """A last worker sends what is left; then each message was delivered exactly once and is recorded sent."""
    last = start_worker(env, tmp_path / "worker-last.log")
    try:
        wait_for(lambda: len(set(delivered(env))) >= n, f"all {n} messages delivered", deadline)
        wait_for(lambda: state(env)["status"] == {"sent": n}, "every message recorded sent", deadline)
    finally:
        last.send_signal(signal.SIGTERM)
        last.wait(timeout=30)
    counts = collections.Counter(delivered(env))
    assert set(counts) == references(env, n)
    assert [ref for ref, times in counts.items() if times != 1] == []
    assert state(env)["possible_duplicates"] == 0


def test_a_worker_killed_between_the_provider_accepting_and_our_record_sends_nothing_twice(
        env: dict[str, str], tmp_path: Path) -> None:
    """The worker is killed right after a provider accepted a message and before the outbox recorded it — the
    one window the outbox cannot close alone. After the lease the next worker finds that message in doubt, asks the
    provider, which has it, and records it sent; the rest of the dead worker's batch is sent once."""
    n = 60
    deadline = time.monotonic() + DEADLINE_S
    python(env, SEED, env["OUTBOX_TEST_PREFIX"], str(n))
    crashing = start_worker(env, tmp_path / "worker-1.log", OUTBOX_TEST_CRASH_AFTER="7")
    assert crashing.wait(timeout=60) == -signal.SIGKILL
    assert len(delivered(env)) == 7
    during = state(env)["status"]
    assert during.get("sending", 0) >= 1  # type: ignore[attr-defined]  # killed with a batch claimed
    assert during.get("sent", 0) == 6  # type: ignore[attr-defined]  # the seventh was accepted, not recorded
    finish(env, tmp_path, n, deadline)


def test_workers_killed_mid_batch_again_and_again_deliver_each_message_once(env: dict[str, str],
                                                                            tmp_path: Path) -> None:
    """A worker is SIGKILLed in the middle of its batch, three times over, while another works beside it (from the
    first kill on). Every message is still delivered exactly once."""
    n = 400
    deadline = time.monotonic() + DEADLINE_S
    python(env, SEED, env["OUTBOX_TEST_PREFIX"], str(n))
    steady: subprocess.Popen[bytes] | None = None
    try:
        for round_ in range(3):
            victim = start_worker(env, tmp_path / f"worker-victim-{round_}.log", OUTBOX_TEST_DELAY="0.01")
            wait_for(lambda v=victim: sent_by(env, v.pid) >= 5, "the victim to be sending", deadline)
            victim.send_signal(signal.SIGKILL)
            assert victim.wait(timeout=30) == -signal.SIGKILL
            if steady is None:
                steady = start_worker(env, tmp_path / "worker-steady.log", OUTBOX_TEST_DELAY="0.05")
    finally:
        if steady is not None:
            steady.send_signal(signal.SIGTERM)
            steady.wait(timeout=30)
    assert len(set(delivered(env))) < n  # the kills landed before the end
    finish(env, tmp_path, n, deadline)


def sent_by(env: dict[str, str], pid: int) -> int:
    log = Path(env["OUTBOX_TEST_LOG"])
    return sum(1 for line in log.read_text().splitlines() if json.loads(line)["pid"] == pid) if log.exists() else 0
