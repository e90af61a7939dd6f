"""The clinic's commands, run as a user would (a fresh data folder, a separate process)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def run(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL",
                                                            "SCIATICA_CARE_ENV", "SCIATICA_CARE_SECRET_KEY")}
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    code = "import sys; from sciatica_care.cli.main import main; sys.argv[0] = 'sciatica-care'; main()"
    return subprocess.run([sys.executable, "-c", code, *args, "--data-dir", str(data_dir)], input=stdin,  # noqa: S603
                          capture_output=True, text=True, env=env, timeout=120, check=False)


@pytest.mark.slow
def test_createuser_backup_restore(tmp_path: Path) -> None:
    """createuser makes the first admin in a fresh folder (with its own secret); backup and restore round-trip."""
    data = tmp_path / "clinic"
    r = run(data, "createuser", "--username", "boss", "--role", "clinic_admin", "--clinic", "Riverside",
            "--password-stdin", stdin="a-long-enough-passphrase\n")
    assert r.returncode == 0, r.stderr
    assert (data / "secret_key").stat().st_mode & 0o077 == 0
    with sqlite3.connect(data / "clinic.sqlite3") as db:
        assert db.execute("SELECT role FROM clinic_staff WHERE username='boss'").fetchone() == ("clinic_admin",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    r = run(data, "createuser", "--username", "weak", "--password-stdin", stdin="123\n")
    assert r.returncode != 0
    assert "too short" in r.stderr
    copy = tmp_path / "backup.sqlite3"
    r = run(data, "backup", str(copy))
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(data / "clinic.sqlite3") as db:
        db.execute("DELETE FROM clinic_staff WHERE username='boss'")
    r = run(data, "restore", str(copy), "--yes")
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(data / "clinic.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM clinic_staff WHERE username='boss'").fetchone() == (1,)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    """restore checks the file before touching the clinic's database."""
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database")
    r = run(tmp_path / "clinic", "restore", str(junk), "--yes")
    assert r.returncode != 0
    assert "not" in r.stderr
    assert not (tmp_path / "clinic" / "clinic.sqlite3").exists()
