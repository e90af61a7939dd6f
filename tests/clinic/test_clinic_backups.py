"""Protected files and backups, run as a user would (fresh data folder, separate processes).

The data folder is 0700 and the database, its WAL/SHM, the secret key and backups 0600; `backup --encrypt` writes
a file that is not readable as SQLite and that only its passphrase restores; backups leave the signed-in sessions
out, and `restore` signs everyone out, so a session cookie from before a backup does not open the restored clinic.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_clinic_audittrail_cli import run

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
PASSPHRASE = "correct horse battery staple"  # noqa: S105 - a test passphrase
SRC = Path(__file__).resolve().parents[2] / "src"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def make_clinic(tmp_path: Path) -> Path:
    data = tmp_path / "clinic"
    # a practitioner: a clinic admin would first be sent to set up a second factor
    r = run(data, "createuser", "--username", "boss", "--role", "practitioner", "--clinic", "Riverside",
            "--password-stdin", stdin="a-long-enough-passphrase\n")
    assert r.returncode == 0, r.stderr
    return data


def staff_names(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT username FROM clinic_staff ORDER BY username")]


SESSION_SCRIPT = """
import os, sys
os.environ["SCIATICA_CARE_DATA_DIR"] = sys.argv[1]
os.environ["DJANGO_SETTINGS_MODULE"] = "sciatica_care.site.settings"
import django
django.setup()
from django.test import Client
from django.urls import reverse
client = Client(HTTP_HOST="localhost")
if sys.argv[2] == "login":
    from sciatica_care.clinic.models import Staff
    client.force_login(Staff.objects.get(username="boss"))
    print(client.cookies["sessionid"].value)
else:
    client.cookies["sessionid"] = sys.argv[2]
    print(client.get(reverse("clinic:patient_list")).status_code)
"""


def session(data: Path, arg: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL",
                                                            "SCIATICA_CARE_ENV", "SCIATICA_CARE_SECRET_KEY")}
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    r = subprocess.run([sys.executable, "-c", SESSION_SCRIPT, str(data), arg], capture_output=True,  # noqa: S603
                       text=True, env=env, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


def test_loose_modes_are_corrected_at_start(tmp_path: Path) -> None:
    """A folder left 0755 with a 0644 database (the review's finding) is made private by the next command."""
    data = make_clinic(tmp_path)
    assert mode(data) == 0o700
    assert mode(data / "clinic.sqlite3") == 0o600
    assert mode(data / "secret_key") == 0o600
    os.chmod(data, 0o755)  # noqa: S103 - the loose mode the review found
    os.chmod(data / "clinic.sqlite3", 0o644)
    os.chmod(data / "secret_key", 0o644)
    assert run(data, "audit", "verify").returncode == 0
    assert mode(data) == 0o700
    assert mode(data / "clinic.sqlite3") == 0o600
    assert mode(data / "secret_key") == 0o600


def test_modes_while_serving(tmp_path: Path) -> None:
    """While the server runs, every file in the data folder (the WAL and shared-memory files too) is 0600."""
    data = make_clinic(tmp_path)
    os.chmod(data / "clinic.sqlite3", 0o644)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL",
                                                            "SCIATICA_CARE_ENV", "SCIATICA_CARE_SECRET_KEY")}
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    code = "import sys; from sciatica_care.cli.main import main; sys.argv[0] = 'sciatica-care'; main()"
    server = subprocess.Popen([sys.executable, "-c", code, "serve", "--data-dir", str(data),  # noqa: S603
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        files = sorted(p.name for p in data.iterdir())
        assert "clinic.sqlite3-wal" in files
        assert mode(data) == 0o700
        for path in data.iterdir():
            assert mode(path) & 0o077 == 0, (path.name, oct(mode(path)))
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_backup_is_private_and_leaves_sessions_out(tmp_path: Path) -> None:
    data = make_clinic(tmp_path)
    key = session(data, "login")
    assert session(data, key) == "200"  # the cookie opens the clinic before anything else happens
    copy = tmp_path / "backup.sqlite3"
    r = run(data, "backup", str(copy))
    assert r.returncode == 0, r.stderr
    assert mode(copy) == 0o600
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM django_session").fetchone() == (0,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert key.encode() not in copy.read_bytes()  # not even in a free page


def test_encrypted_backup_round_trips_and_refuses_a_wrong_passphrase(tmp_path: Path) -> None:
    data = make_clinic(tmp_path)
    key = session(data, "login")
    copy = tmp_path / "backup.enc"
    r = run(data, "backup", "--encrypt", str(copy), env_extra={"SCIATICA_CARE_BACKUP_PASSPHRASE": PASSPHRASE})
    assert r.returncode == 0, r.stderr
    assert mode(copy) == 0o600
    blob = copy.read_bytes()
    assert not blob.startswith(b"SQLite format 3")
    assert b"Riverside" not in blob  # (a name as short as the user's could turn up in the ciphertext's base64)
    with pytest.raises(sqlite3.DatabaseError), sqlite3.connect(copy) as conn:
        conn.execute("SELECT count(*) FROM clinic_staff").fetchone()
    # Something changes after the backup; a wrong passphrase restores nothing and says why, without a traceback.
    r = run(data, "createuser", "--username", "later", "--role", "reception", "--password-stdin",
            stdin="a-long-enough-passphrase\n")
    assert r.returncode == 0, r.stderr
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    r = run(data, "restore", str(copy), "--yes", "--passphrase-file", str(wrong))
    assert r.returncode == 2
    assert "wrong passphrase" in r.stderr
    assert "Traceback" not in r.stderr
    assert staff_names(data / "clinic.sqlite3") == ["boss", "later"]
    assert session(data, key) == "200"
    # The right passphrase restores it; the session from before the backup no longer opens the clinic.
    right = tmp_path / "right.txt"
    right.write_text(PASSPHRASE + "\n")
    r = run(data, "restore", str(copy), "--yes", "--passphrase-file", str(right))
    assert r.returncode == 0, r.stderr
    assert staff_names(data / "clinic.sqlite3") == ["boss"]
    assert mode(data / "clinic.sqlite3") == 0o600
    assert session(data, key) == "302"
    assert run(data, "audit", "verify").returncode == 0


def test_restoring_an_old_backup_with_sessions_signs_everyone_out(tmp_path: Path) -> None:
    """A backup made before sessions were left out (a plain file copy) still cannot open the restored clinic."""
    data = make_clinic(tmp_path)
    key = session(data, "login")
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(data / "clinic.sqlite3") as src, sqlite3.connect(old) as dst:
        src.backup(dst)
        assert dst.execute("SELECT count(*) FROM django_session").fetchone() == (1,)
    r = run(data, "restore", str(old), "--yes")
    assert r.returncode == 0, r.stderr
    assert session(data, key) == "302"


def test_encrypt_refuses_a_short_passphrase(tmp_path: Path) -> None:
    data = make_clinic(tmp_path)
    r = run(data, "backup", "--encrypt", str(tmp_path / "b.enc"),
            env_extra={"SCIATICA_CARE_BACKUP_PASSPHRASE": "short"})
    assert r.returncode == 2
    assert "10 or more" in r.stderr
    assert not (tmp_path / "b.enc").exists()


def test_postgresql_gets_the_pg_dump_advice_with_encryption(tmp_path: Path) -> None:
    """backup and restore do not copy PostgreSQL; they say how, encrypted, and to sign everyone out after."""
    blob = tmp_path / "dump.age"
    blob.write_bytes(b"x")
    for args in (("backup", "--encrypt", str(tmp_path / "b")), ("restore", str(blob), "--yes")):
        r = run(tmp_path / "clinic", *args, env_extra={"DATABASE_URL": "postgresql://app@db.invalid/clinic"})
        assert r.returncode == 1
        for advice in ("pg_dump", "pg_restore", "gpg --symmetric", "age --passphrase", "django_session"):
            assert advice in r.stderr
