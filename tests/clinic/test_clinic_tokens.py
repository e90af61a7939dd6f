"""API tokens: each member of staff makes their own (shown once), the clinic admin sees and revokes the clinic's;
`createtoken` makes one from the shell for the named account."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from sciatica_care.clinic.models import ApiToken, AuditEvent

SRC = Path(__file__).resolve().parents[2] / "src"


def make_token_on_page(client: Any, name: str = "booking system", *, page: str = "clinic:my_tokens",
                       days: int = 90, scope: str = "read_write", **extra: Any) -> tuple[Any, str]:
    r = client.post(reverse(page), {"name": name, "days": days, "scope": scope, **extra})
    match = re.search(r'<code id="new-token">([^<]+)</code>', r.content.decode())
    assert match, r.content.decode()
    return r, match.group(1)


@pytest.mark.django_db
def test_practitioner_makes_own_token_shown_once_that_the_api_accepts(world: dict[str, Any], login: Any) -> None:
    """A practitioner makes their own token: shown once (not cached), only its hash kept, it works."""
    a = world["a"]
    client = login(a["practitioner"])
    r, token = make_token_on_page(client)
    assert r.status_code == 200
    assert r["Cache-Control"] == "no-store"
    row = ApiToken.objects.get(name="booking system")
    assert row.staff == a["practitioner"]
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in client.get(reverse("clinic:my_tokens")).content.decode()  # never shown again
    api = client.get("/api/patients", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200
    assert [p["last_name"] for p in api.json()] == ["Smitha"]
    row.refresh_from_db()
    assert row.last_used_at is not None
    event = AuditEvent.objects.get(action="issue_api_token")
    assert (event.actor, event.detail["owner"], event.clinic_id_at_time) == (
        a["practitioner"], "prac_a", a["clinic"].pk)


@pytest.mark.django_db
def test_revoked_token_stops_working(world: dict[str, Any], login: Any) -> None:
    """Revoking on the page makes the token useless at once, and is audited."""
    a = world["a"]
    _, token = make_token_on_page(login(a["reception"]))
    client = login(a["clinic_admin"])
    row = ApiToken.objects.get()
    r = client.post(reverse("clinic:token_revoke", args=[row.pk]), follow=True)
    assert "revoked" in r.content.decode()
    assert client.get("/api/patients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert ApiToken.objects.get().revoked
    assert AuditEvent.objects.filter(action="revoke_api_token", actor=a["clinic_admin"], object_id=row.pk).exists()


@pytest.mark.django_db
def test_admin_cannot_make_a_token_for_someone_else(world: dict[str, Any], login: Any) -> None:
    """The review's impersonation: a clinic admin once made a token for a practitioner, audited as them. Now the
    page has no "for whom": a token made there is the admin's own, whatever the form is sent with."""
    a = world["a"]
    client = login(a["clinic_admin"])
    before = AuditEvent.objects.filter(actor=a["practitioner"]).count()
    page = client.get(reverse("clinic:tokens")).content.decode()
    assert 'name="staff"' not in page
    _, token = make_token_on_page(client, page="clinic:tokens", staff=a["practitioner"].pk)
    assert list(ApiToken.objects.values_list("staff__username", flat=True)) == ["admin_a"]
    assert not ApiToken.objects.filter(staff=a["practitioner"]).exists()
    assert client.get("/api/patients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert AuditEvent.objects.filter(actor=a["practitioner"]).count() == before  # nothing done as them
    assert AuditEvent.objects.filter(action="list", actor=a["clinic_admin"]).exists()


@pytest.mark.django_db
def test_other_clinics_token_cannot_be_revoked(world: dict[str, Any], login: Any) -> None:
    """Revoking another clinic's token is 404 (and audited), and the token stays live."""
    from sciatica_care.clinic import api_tokens

    row, _ = api_tokens.issue(world["b"]["practitioner"])
    r = login(world["a"]["clinic_admin"]).post(reverse("clinic:token_revoke", args=[row.pk]))
    assert r.status_code == 404
    assert not ApiToken.objects.get(pk=row.pk).revoked
    assert AuditEvent.objects.filter(action="denied_other_clinic", object_type="ApiToken").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["practitioner", "reception"])
def test_only_the_clinic_admin_manages_tokens(world: dict[str, Any], login: Any, role: str) -> None:
    """Practitioners and reception get 403 on the tokens page and cannot revoke."""
    from sciatica_care.clinic import api_tokens

    row, _ = api_tokens.issue(world["a"]["clinic_admin"])
    client = login(world["a"][role])
    assert client.get(reverse("clinic:tokens")).status_code == 403
    assert client.post(reverse("clinic:tokens"), {"staff": world["a"][role].pk, "name": "x"}).status_code == 403
    assert client.post(reverse("clinic:token_revoke", args=[row.pk])).status_code == 403
    assert ApiToken.objects.count() == 1
    assert ">API tokens<" not in client.get(reverse("clinic:patient_list")).content.decode()


@pytest.mark.django_db
def test_django_admin_revoke_action_is_the_superusers_alone(world: dict[str, Any], login: Any,
                                                            django_admin_on: str) -> None:
    """In Django's admin (when configured) the deployment's superuser revokes tokens with an action, audited; a
    clinic admin gets 404 there and revokes on the clinic's own tokens page instead."""
    from sciatica_care.clinic import api_tokens
    from sciatica_care.clinic.models import Staff

    own, _ = api_tokens.issue(world["a"]["practitioner"], "own")
    url = f"{django_admin_on}clinic/apitoken/"
    assert login(world["a"]["clinic_admin"]).get(url).status_code == 404
    root = Staff.objects.create_superuser(username="root", password="x-long-password-1")
    client = login(root)
    assert ">own<" in client.get(url).content.decode()
    r = client.post(url, {"action": "revoke_selected", "_selected_action": [own.pk]})
    assert r.status_code == 302
    own.refresh_from_db()
    assert own.revoked
    event = AuditEvent.objects.get(action="revoke_api_token", object_id=own.pk)
    assert (event.actor, event.clinic_id_at_time, event.detail["via"]) == (root, world["a"]["clinic"].pk, "admin")


def run_createtoken(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command object itself, as cli/main.py runs it (its registration there is not the clinic's to test)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL",
                                                            "SCIATICA_CARE_ENV", "SCIATICA_CARE_SECRET_KEY")}
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    code = ("from sciatica_care.cli.clinic_commands import createtoken; "
            "createtoken.main(prog_name='sciatica-care createtoken')")
    return subprocess.run([sys.executable, "-c", code, *args, "--data-dir", str(data_dir)],  # noqa: S603
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def run_createuser(data_dir: Path, username: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL",
                                                            "SCIATICA_CARE_ENV", "SCIATICA_CARE_SECRET_KEY")}
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    code = "from sciatica_care.cli.clinic_commands import createuser; createuser.main(prog_name='x')"
    r = subprocess.run([sys.executable, "-c", code, "--username", username, "--role", "practitioner",  # noqa: S603
                        "--clinic", "Riverside", "--password-stdin", "--data-dir", str(data_dir)],
                       input="a-long-enough-passphrase\n", capture_output=True, text=True, env=env, timeout=120,
                       check=False)
    assert r.returncode == 0, r.stderr


@pytest.mark.slow
def test_createtoken_prints_a_token_once_and_keeps_its_hash(tmp_path: Path) -> None:
    """`createtoken USERNAME` prints the token alone on stdout; the database holds only its SHA-256."""
    data = tmp_path / "clinic"
    run_createuser(data, "dr.lin")
    r = run_createtoken(data, "dr.lin", "--name", "lab import")
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", token)
    assert "shown only this once" in r.stderr
    with sqlite3.connect(data / "clinic.sqlite3") as db:
        rows = db.execute("SELECT t.name, t.digest, t.revoked, s.username FROM clinic_apitoken t "
                          "JOIN clinic_staff s ON s.id = t.staff_id").fetchall()
        assert rows == [("lab import", hashlib.sha256(token.encode()).hexdigest(), 0, "dr.lin")]
        assert token not in str(db.execute("SELECT * FROM clinic_auditevent").fetchall())
        assert db.execute("SELECT count(*) FROM clinic_auditevent WHERE action = 'issue_api_token'").fetchone() == (1,)


def test_createtoken_refuses_an_unknown_account(tmp_path: Path) -> None:
    """A username that does not exist is a clear error and makes nothing."""
    r = run_createtoken(tmp_path / "clinic", "nobody")
    assert r.returncode != 0
    assert "no account called 'nobody'" in r.stderr
    assert not r.stdout.strip()


@pytest.mark.slow
def test_createtoken_takes_expiry_and_scope_within_the_clinics_maximum(tmp_path: Path) -> None:
    """`--days` beyond the clinic's maximum is refused (nothing made); `--scope` is kept; read-only by default."""
    data = tmp_path / "clinic"
    run_createuser(data, "dr.lin")
    r = run_createtoken(data, "dr.lin", "--days", "400")
    assert r.returncode != 0
    assert "--days" in r.stderr
    assert run_createtoken(data, "dr.lin", "--days", "7", "--scope", "read_write").returncode == 0
    assert run_createtoken(data, "dr.lin").returncode == 0
    with sqlite3.connect(data / "clinic.sqlite3") as db:
        rows = db.execute("SELECT scope, julianday(expires_at) - julianday(created_at) FROM clinic_apitoken "
                          "ORDER BY id").fetchall()
    assert [(s, round(d)) for s, d in rows] == [("read_write", 7), ("read", 90)]
