"""`sciatica-care audit verify`, run as a user would: clean → exit 0 with the count; tampered → exit 1, the link."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def run(data_dir: Path, *args: str, stdin: str = "", env_extra: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL",
                                                            "SCIATICA_CARE_ENV", "SCIATICA_CARE_SECRET_KEY")}
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(env_extra or {})
    code = "import sys; from sciatica_care.cli.main import main; sys.argv[0] = 'sciatica-care'; main()"
    if args[0] == "db":  # `db roles` takes no data folder
        return subprocess.run([sys.executable, "-c", code, *args], input=stdin,  # noqa: S603
                              capture_output=True, text=True, env=env, timeout=120, check=False)
    return subprocess.run([sys.executable, "-c", code, *args, "--data-dir", str(data_dir)], input=stdin,  # noqa: S603
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def test_audit_verify_reports_the_first_broken_link(tmp_path: Path) -> None:
    data = tmp_path / "clinic"
    for name in ("boss", "helper"):
        r = run(data, "createuser", "--username", name, "--role", "clinic_admin", "--clinic", "Riverside",
                "--password-stdin", stdin="a-long-enough-passphrase\n")
        assert r.returncode == 0, r.stderr
    r = run(data, "audit", "verify")
    assert r.returncode == 0, r.stderr
    assert "2 events verified" in r.stdout
    head = r.stdout.split()[-1]
    r = run(data, "audit", "verify", "--anchor", head)
    assert r.returncode == 0
    assert "anchor" in r.stdout
    with sqlite3.connect(data / "clinic.sqlite3") as db:  # an attacker with the file: lift the trigger, edit
        _first, second = (row[0] for row in db.execute("SELECT id FROM clinic_auditevent ORDER BY id"))
        db.execute("DROP TRIGGER clinic_auditevent_no_update")
        db.execute("UPDATE clinic_auditevent SET detail = '{\"username\": \"someone-else\"}' WHERE id = ?",
                   [second])
    r = run(data, "audit", "verify")
    assert r.returncode == 1
    assert f"BROKEN at event {second}" in r.stderr
    assert "contents" in r.stderr
    assert "Traceback" not in r.stderr
