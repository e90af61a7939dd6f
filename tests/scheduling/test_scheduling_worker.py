"""The worker: `sciatica-care worker` (alone, `--once`), the worker `serve` starts beside the web server and stops
with it, the loop's tasks and periodic jobs, and the hook for the portal's reminders."""

from __future__ import annotations

import datetime as dt
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from worker_processes import CLI, SEED, delivered, python, state, wait_for

DEADLINE_S = 240.0


def test_worker_once_sends_what_is_due_and_exits(worker_env: dict[str, str]) -> None:
    """`sciatica-care worker --once`: what is due is sent, recorded, and the command exits 0."""
    python(worker_env, SEED, worker_env["OUTBOX_TEST_PREFIX"], "5")
    r = subprocess.run([sys.executable, "-c", CLI, "worker", "--data-dir", worker_env["SCIATICA_CARE_DATA_DIR"],  # noqa: S603
                        "--once", "--no-migrate"], env=worker_env, capture_output=True, text=True, timeout=120,
                       check=False)
    assert r.returncode == 0, r.stderr
    assert len(delivered(worker_env)) == 5
    assert state(worker_env)["status"] == {"sent": 5}


def test_worker_refuses_a_bad_option_without_a_traceback(worker_env: dict[str, str]) -> None:
    """A bad interval: exit 2 naming the option."""
    r = subprocess.run([sys.executable, "-c", CLI, "worker", "--interval", "0"], env=worker_env,  # noqa: S603
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2
    assert "--interval" in r.stderr
    assert "Traceback" not in r.stderr


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(env: dict[str, str], log: Path, *extra: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _port()
    with log.open("ab") as out:
        server = subprocess.Popen([sys.executable, "-c", CLI, "serve", "--data-dir",  # noqa: S603
                                   env["SCIATICA_CARE_DATA_DIR"], "--port", str(port), *extra],
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as page:
                assert page.status == 200
            return server, port
        except OSError:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)


def _alive(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_serve_starts_a_worker_and_stops_it_when_it_stops(worker_env: dict[str, str], tmp_path: Path) -> None:
    """`sciatica-care serve` runs a worker beside the web server (messages go out while it serves) and stops it
    when it is stopped."""
    python(worker_env, SEED, worker_env["OUTBOX_TEST_PREFIX"], "3")
    log = tmp_path / "serve.log"
    server, _ = _serve(worker_env, log)
    try:
        wait_for(lambda: len(delivered(worker_env)) == 3, "the worker to send", time.monotonic() + DEADLINE_S)
        pid = int(re.search(r"Worker started \(pid (\d+)\)", log.read_text()).group(1))  # type: ignore[union-attr]
        assert _alive(pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert not _alive(pid)
    assert "Background worker started" in log.read_text()


@pytest.mark.slow
def test_serve_without_a_worker_sends_nothing(worker_env: dict[str, str], tmp_path: Path) -> None:
    """`serve --no-worker`: the web server alone; messages wait for a worker run separately."""
    python(worker_env, SEED, worker_env["OUTBOX_TEST_PREFIX"], "2")
    log = tmp_path / "serve.log"
    server, _ = _serve(worker_env, log, "--no-worker")
    try:
        time.sleep(3)
        assert delivered(worker_env) == []
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert "Worker started" not in log.read_text()


# --- in process -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_turn_runs_the_queued_tasks_and_sends_what_they_queued(desk: dict[str, Any],
                                                                  sms_outbox: list[Any],
                                                                  django_capture_on_commit_callbacks: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A booking queues its notice task in the database (django-tasks); one turn of the worker runs it, and the
    confirmation it queued goes out in the same turn."""
    from django.core import mail
    from django_tasks_db.management.commands import db_worker

    from sciatica_care.scheduling import worker

    # The test's own transaction holds the connection: the worker must not close it between turns here.
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    from django_tasks_db.models import DBTaskResult

    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.worker import Worker

    patient = desk["patient"]
    patient.email = "ann@example.org"
    patient.save()
    start = dt.datetime(2030, 1, 7, 10, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        booking.book(clinic=desk["clinic"], practitioner=desk["practitioner"], patient=patient,
                     service=desk["services"]["massage"], location=desk["location"], start=start,
                     by=desk["reception"], apply_policy=False, override_reason="test")
    assert DBTaskResult.objects.ready().count() == 1
    assert mail.outbox == []
    Worker(once=True).run_once()
    assert DBTaskResult.objects.successful().count() == 1
    assert [e.to for e in mail.outbox] == [["ann@example.org"]]


@pytest.mark.django_db
def test_a_task_left_running_by_a_dead_worker_is_run_again(db: Any) -> None:
    """django_tasks_db never looks again at a task whose worker was killed: ours (idempotent) go back to the
    queue after a while; anyone else's are left alone."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from sciatica_care.scheduling.tasks import send_appointment_notices
    from sciatica_care.scheduling.worker import STALLED_AFTER, requeue_stalled

    long_ago = timezone.now() - STALLED_AFTER - dt.timedelta(minutes=1)
    ours = send_appointment_notices.enqueue(1, "booked", 1).db_result
    other = send_appointment_notices.enqueue(2, "booked", 1).db_result
    recent = send_appointment_notices.enqueue(3, "booked", 1).db_result
    DBTaskResult.objects.filter(pk__in=[ours.pk, other.pk]).update(status="RUNNING", started_at=long_ago)
    DBTaskResult.objects.filter(pk=other.pk).update(task_path="somebody.elses.task")
    DBTaskResult.objects.filter(pk=recent.pk).update(status="RUNNING", started_at=timezone.now())
    assert requeue_stalled() == 1
    assert dict(DBTaskResult.objects.values_list("pk", "status")) == {
        ours.pk: "READY", other.pk: "RUNNING", recent.pk: "RUNNING"}


@pytest.mark.django_db
def test_the_portals_reminders_are_queued_when_the_portal_is_installed(world: dict[str, Any],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the portal app nothing happens; with it, what `portal.reminders.messages(now)` yields is queued in the
    outbox, once per dedupe key however often the job runs."""
    from django.apps import apps

    from sciatica_care.scheduling.models import Message
    from sciatica_care.scheduling.outbox import Outgoing
    from sciatica_care.scheduling.worker import portal_reminders

    assert portal_reminders() == 0
    clinic, patient = world["a"]["clinic"], world["a"]["patient"]
    reminders = ModuleType("sciatica_care.portal.reminders")
    reminders.messages = lambda now: [  # type: ignore[attr-defined]
        Outgoing(clinic_id=clinic.pk, channel="email", to="ann@example.org", subject="Your exercises",
                 body="Time for today's exercises.", dedupe_key=f"portal:home:{patient.pk}:{now:%Y-%m-%d}",
                 kind="home_programme", topic="home_programme", patient_id=patient.pk),
        {"clinic_id": clinic.pk, "channel": "sms", "to": "07700900123", "body": "Your diary for today",
         "dedupe_key": f"portal:diary:{patient.pk}:{now:%Y-%m-%d}", "kind": "diary", "topic": "diary",
         "patient_id": patient.pk}]
    monkeypatch.setitem(sys.modules, "sciatica_care.portal", ModuleType("sciatica_care.portal"))
    monkeypatch.setitem(sys.modules, "sciatica_care.portal.reminders", reminders)
    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name == "sciatica_care.portal" or real(name))
    assert portal_reminders() == 2
    assert portal_reminders() == 0
    assert set(Message.objects.values_list("topic", flat=True)) == {"home_programme", "diary"}
