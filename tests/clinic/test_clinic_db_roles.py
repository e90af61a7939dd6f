"""PostgreSQL: the app runs as a role that can only insert and read audit rows; migrations run as the owner.

The review's attack — the app connecting as a superuser could `DISABLE TRIGGER`, `SET session_replication_role`
and `TRUNCATE` the audit table — repeated as the app's own role, in a database of its own on the CI PostgreSQL:
every attack fails, and the clinic's ordinary writes (a staff account, its audit event, the chain head) succeed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from test_clinic_audittrail_cli import run

from sciatica_care.clinic import db_roles

URL = os.environ.get("DATABASE_URL", "")
needs_postgresql = pytest.mark.skipif(not URL.startswith(("postgres://", "postgresql://")),
                                reason="PostgreSQL roles: run with DATABASE_URL=postgresql://…")


def with_user_and_db(url: str, user: str, database: str, password: str = "") -> str:
    parsed = urlparse(url)
    netloc = f"{user}:{password}@" if password else f"{user}@"
    netloc += parsed.hostname or "127.0.0.1"
    if parsed.port:
        netloc += f":{parsed.port}"
    return urlunparse(parsed._replace(netloc=netloc, path=f"/{database}"))


@pytest.fixture
def roles_db() -> Iterator[dict[str, str]]:
    """A fresh database owned by a fresh owner role, and a fresh app role (neither a superuser)."""
    import psycopg

    tag = secrets.token_hex(4)
    owner, app, database = f"sc_owner_{tag}", f"sc_app_{tag}", f"sc_roles_{tag}"
    password = secrets.token_urlsafe(16)
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {owner} LOGIN PASSWORD '{password}' NOSUPERUSER NOCREATEDB NOCREATEROLE")
        admin.execute(f"CREATE ROLE {app} LOGIN PASSWORD '{password}' NOSUPERUSER NOCREATEDB NOCREATEROLE")
        admin.execute(f"CREATE DATABASE {database} OWNER {owner}")
    try:
        yield {"owner": owner, "app": app, "database": database,
               "owner_url": with_user_and_db(URL, owner, database, password),
               "app_url": with_user_and_db(URL, app, database, password)}
    finally:
        with psycopg.connect(URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {app}")
            admin.execute(f"DROP ROLE IF EXISTS {owner}")


@needs_postgresql
def test_the_app_role_cannot_tamper_with_the_audit_trail(roles_db: dict[str, str], tmp_path: Path) -> None:
    import psycopg
    from psycopg import errors

    env = {"DATABASE_URL": roles_db["app_url"], "DATABASE_OWNER_URL": roles_db["owner_url"]}
    # The documented command, before the first migrate: default privileges for the tables to come.
    r = run(tmp_path, "db", "roles", "--owner-url", roles_db["owner_url"], "--app-role", roles_db["app"],
            "--apply", env_extra=env)
    assert r.returncode == 0, r.stderr
    # The clinic's ordinary writes, as the app role (migrate ran as the owner): an account and its audit event.
    r = run(tmp_path, "createuser", "--username", "boss", "--role", "clinic_admin", "--clinic", "Riverside",
            "--password-stdin", stdin="a-long-enough-passphrase\n", env_extra=env)
    assert r.returncode == 0, r.stderr
    r = run(tmp_path, "audit", "verify", env_extra=env)
    assert r.returncode == 0, r.stderr
    assert "1 events verified" in r.stdout

    attacks = {
        "UPDATE clinic_auditevent SET action = 'tampered'": errors.InsufficientPrivilege,
        "DELETE FROM clinic_auditevent": errors.InsufficientPrivilege,
        "TRUNCATE clinic_auditevent": errors.InsufficientPrivilege,
        "ALTER TABLE clinic_auditevent DISABLE TRIGGER clinic_auditevent_append_only": errors.InsufficientPrivilege,
        "SET session_replication_role = replica": errors.InsufficientPrivilege,
        "DROP TABLE clinic_auditevent": errors.InsufficientPrivilege,
    }
    with psycopg.connect(roles_db["app_url"], autocommit=True) as conn:
        assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == (False,)
        for statement, error in attacks.items():
            with pytest.raises(error):
                conn.execute(statement)
        # Reading and appending still work (and a forged append is what `audit verify` then finds).
        assert conn.execute("SELECT count(*) FROM clinic_auditevent").fetchone() == (1,)
        conn.execute("INSERT INTO clinic_auditevent (at, action, object_type, detail) "
                     "VALUES (now(), 'note', '', '{}')")
        conn.execute("UPDATE clinic_staff SET first_name = 'Bo' WHERE username = 'boss'")  # other tables: usual
    r = run(tmp_path, "audit", "verify", env_extra=env)
    assert r.returncode == 1
    with psycopg.connect(roles_db["app_url"]) as conn, conn.cursor() as cursor:
        assert db_roles.connection_warnings(cursor) == []
    with psycopg.connect(roles_db["owner_url"]) as conn, conn.cursor() as cursor:
        assert db_roles.connection_warnings(cursor) == ["the app's database role may update, delete or truncate "
                                                        "audit rows"]
    admin = urlparse(URL)
    with psycopg.connect(with_user_and_db(URL, admin.username or "postgres", roles_db["database"],
                                          admin.password or "")) as conn:
        assert "superuser" in db_roles.connection_warnings(conn.cursor())[0]


@needs_postgresql
def test_an_unsafe_app_role_is_refused(roles_db: dict[str, str], tmp_path: Path) -> None:
    """The owner itself as the app role (it could disable the triggers) is refused by `db roles` and by serve's
    migrate step."""
    r = run(tmp_path, "db", "roles", "--owner-url", roles_db["owner_url"], "--app-role", roles_db["owner"],
            "--apply")
    assert r.returncode == 2
    assert "owner" in r.stderr
    env = {"DATABASE_URL": roles_db["owner_url"], "DATABASE_OWNER_URL": roles_db["owner_url"]}
    r = run(tmp_path, "createuser", "--username", "boss", "--password-stdin", stdin="a-long-enough-passphrase\n",
            env_extra=env)
    assert r.returncode != 0
    assert "not safe" in r.stderr


def test_db_roles_prints_the_grants() -> None:
    statements = db_roles.grant_statements("clinic_app")
    assert "GRANT SELECT, INSERT ON public.clinic_auditevent TO clinic_app" in statements
    assert not any("TRUNCATE" in s and "GRANT" in s for s in statements)
    with pytest.raises(db_roles.RoleProblem):
        db_roles.grant_statements("app; DROP TABLE x")


def test_the_owner_url_is_for_postgresql_only() -> None:
    from sciatica_care.site.config import UnsafeSettings, load

    env = {"SCIATICA_CARE_ENV": "development", "DATABASE_OWNER_URL": "postgresql://owner@db/clinic"}
    with pytest.raises(UnsafeSettings, match="DATABASE_OWNER_URL"):
        load(env)
    config = load({**env, "DATABASE_URL": "postgresql://app@db/clinic"})
    assert config.database_owner_url == "postgresql://owner@db/clinic"
