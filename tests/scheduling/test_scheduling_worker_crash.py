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
import signal
import subprocess
import time
from pathlib import Path

import pytest
from worker_processes import SEED, delivered, python, start_worker, state, wait_for

DEADLINE_S = 240.0

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")]


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
        assert last.wait(timeout=30) == 0  # a SIGTERM is a clean stop
    counts = collections.Counter(delivered(env))
    assert set(counts) == references(env, n)
    assert [ref for ref, times in counts.items() if times != 1] == []
    assert state(env)["possible_duplicates"] == 0


def test_a_worker_killed_between_the_provider_accepting_and_our_record_sends_nothing_twice(
        worker_env: dict[str, str], tmp_path: Path) -> None:
    """The worker is killed right after a provider accepted a message and before the outbox recorded it — the
    one window the outbox cannot close alone. After the lease the next worker finds that message in doubt, asks the
    provider, which has it, and records it sent; the rest of the dead worker's batch is sent once."""
    env = worker_env
    n = 60
    deadline = time.monotonic() + DEADLINE_S
    python(env, SEED, env["OUTBOX_TEST_PREFIX"], str(n))
    crashing = start_worker(env, tmp_path / "worker-1.log", OUTBOX_TEST_CRASH_AFTER="7")
    assert crashing.wait(timeout=60) == -signal.SIGKILL
    assert len(delivered(env)) == 7
    during = state(env)["status"]
    assert during.get("sending", 0) >= 1  # type: ignore[attr-defined]  # killed with a batch claimed
    assert during.get("sent", 0) < 7  # type: ignore[attr-defined]  # the seventh was accepted, not recorded
    finish(env, tmp_path, n, deadline)


def test_with_providers_that_cannot_tell_a_crash_costs_at_most_one_duplicate(worker_env: dict[str, str],
                                                                             tmp_path: Path) -> None:
    """The same crash with providers that cannot say what they hold (as SMTP): the message in the window is sent
    again — once, with the same Message-ID, recorded as a possible duplicate — and every other exactly once."""
    env = worker_env | {"SCIATICA_CARE_EMAIL_BACKEND": "outbox_test_backends.BlindEmail",
                        "SCIATICA_CARE_SMS_BACKEND": "outbox_test_backends.BlindSms"}
    n = 60
    deadline = time.monotonic() + DEADLINE_S
    python(env, SEED, env["OUTBOX_TEST_PREFIX"], str(n))
    crashing = start_worker(env, tmp_path / "worker-1.log", OUTBOX_TEST_CRASH_AFTER="7")
    assert crashing.wait(timeout=60) == -signal.SIGKILL
    assert state(env)["status"].get("sent") == 6  # type: ignore[attr-defined]  # each send recorded before the next
    last = start_worker(env, tmp_path / "worker-2.log")
    try:
        wait_for(lambda: state(env)["status"] == {"sent": n}, "every message recorded sent", deadline)
    finally:
        last.send_signal(signal.SIGTERM)
        assert last.wait(timeout=30) == 0
    counts = collections.Counter(delivered(env))
    assert set(counts) == references(env, n)
    assert sorted(counts.values()) == [1] * (n - 1) + [2]
    assert state(env)["possible_duplicates"] == 1


def test_workers_killed_mid_batch_again_and_again_deliver_each_message_once(worker_env: dict[str, str],
                                                                            tmp_path: Path) -> None:
    """A worker is SIGKILLed in the middle of its batch, three times over, while another works beside it (from the
    first kill on). Every message is still delivered exactly once."""
    env = worker_env
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
