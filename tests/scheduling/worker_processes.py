"""Real worker processes for the tests: a database of their own (a fresh SQLite folder, or a PostgreSQL database of
its own when DATABASE_URL names PostgreSQL), the logging providers of outbox_test_backends.py, a 2-second lease;
seeding messages, starting workers, reading what was delivered and what the outbox recorded."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

CLI = "import sys; from sciatica_care.cli.main import main; sys.argv[0] = 'sciatica-care'; main()"

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

def python(env: dict[str, str], code: str, *args: str) -> str:
    r = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,  # noqa: S603
                       timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


def start_worker(env: dict[str, str], log: Path, **extra: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", CLI, "worker", "--data-dir", env["SCIATICA_CARE_DATA_DIR"], "--interval", "0.2",
             "--batch", "25", "--no-migrate"], env=env | extra, stdout=out, stderr=subprocess.STDOUT)


def delivered(env: dict[str, str]) -> list[str]:
    """The reference of every delivery in the providers' log, in order (an email's Message-ID without its domain)."""
    log = Path(env["OUTBOX_TEST_LOG"])
    if not log.exists():
        return []
    return [json.loads(line)["id"].strip("<>").split("@")[0] for line in log.read_text().splitlines() if line]


def wait_for(condition: Callable[[], object], what: str, deadline: float) -> None:
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def state(env: dict[str, str]) -> dict[str, object]:
    return json.loads(python(env, STATE))  # type: ignore[no-any-return]
