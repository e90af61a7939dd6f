"""The background worker (`sciatica-care worker`, and the one `sciatica-care serve` starts beside the web server).

One process, one thread, one loop:

- the tasks the app queued through django-tasks (`task.enqueue(...)`) are run by django_tasks_db's own worker
  (the engine of its `db_worker` command), every ready one, each time round;
- the periodic jobs run when their interval has passed: sending the messages that are due (every `interval`
  seconds, by default 1), queuing missing appointment reminders (every 5 minutes), the portal's reminders for the
  home programme and the diary (every minute, when the portal app is installed), and putting back in the queue
  the tasks of a worker that died while running them (every minute).

Periodic jobs live here rather than in the task queue because django-tasks has no schedule of its own; a job is a
plain function, and `SCIATICA_CARE_WORKER_JOBS` adds more: `{"name": ("dotted.path.to.function", seconds)}`, each
function called with no arguments.

SIGTERM or SIGINT: the worker finishes the message or task in hand, gives back the messages it had claimed but not
sent, and exits; a second signal exits at once. `parent_pid`: stop when that process is gone (a worker started by
`serve` never outlives it).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from sciatica_care.scheduling import appointment_reminders, outbox

log = logging.getLogger(__name__)

#: A task still marked running this long after it started belongs to a dead worker (if it is one of ours).
STALLED_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Job:
    name: str
    every: float  # seconds
    run: Callable[[], object]


def requeue_stalled(now: dt.datetime | None = None) -> int:
    """Put back in the queue our idempotent tasks left `running` by a worker that died (django_tasks_db marks a task
    running when a worker takes it and never looks at it again if that worker is killed)."""
    from django_tasks_db.models import DBTaskResult

    from sciatica_care.scheduling.tasks import IDEMPOTENT

    now = now or timezone.now()
    paths = [t.module_path for t in IDEMPOTENT]
    return int(DBTaskResult.objects.running().filter(task_path__in=paths, started_at__lt=now - STALLED_AFTER)
               .update(status="READY", started_at=None))


def portal_reminders(now: dt.datetime | None = None) -> int:
    """The patients' reminders for their home programme and diary: `sciatica_care.portal.reminders.messages(now)`,
    when the portal app is installed, gives what to send (each an `outbox.Outgoing`, or a dict of its fields, with a
    dedupe key per patient and occasion); they are queued in the outbox. Nothing happens without the portal."""
    if not apps.is_installed("sciatica_care.portal"):
        return 0
    try:
        reminders = importlib.import_module("sciatica_care.portal.reminders")
    except ImportError:
        return 0
    due = getattr(reminders, "messages", None)
    if due is None:
        return 0
    return outbox.queue_many(item if isinstance(item, outbox.Outgoing) else outbox.Outgoing(**item)
                             for item in due(now or timezone.now()))


class Worker:
    def __init__(self, *, interval: float = 1.0, batch: int = 100, once: bool = False,
                 parent_pid: int | None = None) -> None:
        from django_tasks_db.management.commands.db_worker import Worker as TaskWorker

        self.interval = interval
        self.batch = batch
        self.once = once
        self.parent_pid = parent_pid
        self.stopping = False
        # django_tasks_db's worker in batch mode: every ready task, then back to this loop.
        self.tasks = TaskWorker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                                startup_delay=False, max_tasks=None, worker_id=get_random_string(32),
                                excluded_queue_names=[])
        self.jobs = [
            Job("send due messages", interval, self.send_due),
            Job("queue appointment reminders", 300, appointment_reminders.ensure_upcoming),
            Job("portal reminders", 60, portal_reminders),
            Job("requeue stalled tasks", 60, requeue_stalled),
            *(Job(name, float(every), import_string(path))
              for name, (path, every) in getattr(settings, "SCIATICA_CARE_WORKER_JOBS", {}).items()),
        ]
        self._last: dict[str, float] = {}

    def send_due(self) -> outbox.Report:
        # A time budget, so tasks and the other jobs get their turn during a long run of messages (`--once`: all
        # that is due).
        return outbox.dispatch(batch=self.batch, budget_seconds=None if self.once else 10,
                               stop=lambda: self.stopping)

    def _signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:
            raise SystemExit(1)
        log.warning("worker: %s received, stopping after the message or task in hand", signal.strsignal(signum))
        self.stopping = True
        self.tasks.running = False

    def _orphaned(self) -> bool:
        return self.parent_pid is not None and os.getppid() != self.parent_pid

    def run_once(self) -> dict[str, Any]:
        """One turn: the ready tasks, then every job that is due. Return what the jobs returned, by name."""
        close_old_connections()
        self.tasks.running = not self.stopping
        self.tasks.run()
        results: dict[str, Any] = {}
        for job in self.jobs:
            if self.stopping:
                break
            now = time.monotonic()
            if now - self._last.get(job.name, -1e9) < job.every:
                continue
            self._last[job.name] = now
            try:
                results[job.name] = job.run()
            except Exception:
                log.exception("worker: the job %r failed; it runs again in %s s", job.name, job.every)
        close_old_connections()
        return results

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._signal)
        signal.signal(signal.SIGINT, self._signal)
        while not self.stopping and not self._orphaned():
            self.run_once()
            if self.once:
                return
            deadline = time.monotonic() + self.interval
            while not self.stopping and not self._orphaned() and time.monotonic() < deadline:
                time.sleep(min(0.2, self.interval))
