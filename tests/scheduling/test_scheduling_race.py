"""No double booking under load: fifty clients book the same slot at the same moment through the API — exactly
one 201, forty-nine clear 409s naming `start`, no other answer and no exception, one appointment stored.

PostgreSQL: in process, fifty threads each with its own connection (the exclusion constraint decides). SQLite: the
in-memory test database locks tables instead of waiting, so the race runs in a child process on a real SQLite
file with the app's own settings (WAL, IMMEDIATE transactions, busy timeout)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from booking_race import live_at, make_clinic, race

CLIENTS = 50
HERE = Path(__file__).resolve().parent
SRC = HERE.parents[1] / "src"


def assert_one_winner(outcome: dict[str, Any]) -> None:
    assert outcome["errors"] == []
    assert outcome["statuses"] == {201: 1, 409: CLIENTS - 1}, outcome
    assert len(outcome["refusals"]) == 1, outcome["refusals"]
    assert next(iter(outcome["refusals"])).startswith("start: this time is no longer free")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_clients_booking_one_slot_at_once_get_one_booking() -> None:
    """Fifty simultaneous POST /api/appointments of one slot: one 201, forty-nine 409, zero errors."""
    from django.db import connection

    if connection.vendor == "sqlite":
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
        import tempfile

        with tempfile.TemporaryDirectory() as data_dir:
            done = subprocess.run([sys.executable, str(HERE / "booking_race.py"), "--data-dir", data_dir,  # noqa: S603
                                   "--clients", str(CLIENTS)], capture_output=True, text=True, env=env,
                                  timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        (outcome,) = json.loads(done.stdout)
        assert outcome["vendor"] == "sqlite"
        outcome["statuses"] = {int(k): v for k, v in outcome["statuses"].items()}
    else:
        clinic = make_clinic()
        outcome = race(clinic["token"], clinic["body"], CLIENTS)
        outcome["live_at_slot"] = live_at(clinic["practitioner"], clinic["start"])
    assert_one_winner(outcome)
    assert outcome["live_at_slot"] == 1
