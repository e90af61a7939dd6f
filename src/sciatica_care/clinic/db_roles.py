"""PostgreSQL: the app's role can only insert and read audit rows; migrations run as the tables' owner.

The review found the app connecting as a superuser, which can `ALTER TABLE … DISABLE TRIGGER`, `SET
session_replication_role = replica` (no trigger fires) and `TRUNCATE` the audit table. The fix is the
database's own privilege system:

- the owner role (DATABASE_OWNER_URL) owns the tables and runs `migrate`;
- the app role (DATABASE_URL) is a plain login role (no superuser, not the owner): SELECT, INSERT, UPDATE, DELETE
  on the clinic's tables, but only SELECT and INSERT on `clinic_auditevent`, and no TRUNCATE anywhere. Only an
  owner may disable a trigger, only a superuser may set session_replication_role, so both fail too.

`grant_statements` is what `sciatica-care db roles` prints (or runs with --apply), and what every `migrate` run
through the owner re-applies, so tables added by later migrations are covered and the audit table stays
insert-only. No Django import: the command talks to PostgreSQL through psycopg.
"""

from __future__ import annotations

import re
from typing import Any

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
AUDIT_TABLE = "clinic_auditevent"


class RoleProblem(ValueError):
    """The app role is unsafe (a superuser, the owner) or its name cannot be used."""


def check_name(name: str) -> str:
    if not ROLE_NAME.fullmatch(name):
        raise RoleProblem(f"{name!r}: a role name here is lower-case letters, digits and '_' (at most 63)")
    return name


def grant_statements(app_role: str, schema: str = "public") -> list[str]:
    """The GRANTs (run as the owner, after `migrate`) that make `app_role` the clinic's insert-only-audit role."""
    role, schema = check_name(app_role), check_name(schema)
    return [
        f"GRANT CONNECT ON DATABASE {{database}} TO {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        # The audit trail: read and append, nothing else (no UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES).
        f"REVOKE ALL ON {schema}.{AUDIT_TABLE} FROM {role}",
        f"GRANT SELECT, INSERT ON {schema}.{AUDIT_TABLE} TO {role}",
        # Tables and sequences the owner creates later (the next migrations) are the app's to use too; the next
        # `migrate` re-runs these statements, which narrows the audit table again.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
    ]


def role_problems(cursor: Any, app_role: str) -> list[str]:
    """What makes `app_role` unsafe as the app's role (it must exist, not be a superuser, not own the tables)."""
    cursor.execute("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = %s", [app_role])
    row = cursor.fetchone()
    if row is None:
        return [f"there is no role {app_role!r}: create it first, as a superuser: "
                f"CREATE ROLE {app_role} LOGIN PASSWORD '…' NOSUPERUSER NOCREATEDB NOCREATEROLE"]
    problems = []
    if row[0]:
        problems.append(f"{app_role} is a superuser: it could disable the audit triggers")
    if row[1]:
        problems.append(f"{app_role} bypasses row-level security")
    if row[2]:
        problems.append(f"{app_role} can create roles")
    cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AUDIT_TABLE])
    owner = cursor.fetchone()
    if owner is not None and owner[0] == app_role:
        problems.append(f"{app_role} owns {AUDIT_TABLE}: an owner can disable its triggers; migrate as another "
                        "role (DATABASE_OWNER_URL) and give the tables to it (ALTER TABLE … OWNER TO …)")
    cursor.execute("SELECT current_user")
    (current,) = cursor.fetchone()
    if current == app_role:
        problems.append(f"{app_role} is the owner connection's own role: the app must connect as another role")
    return problems


def connection_warnings(cursor: Any) -> list[str]:
    """What the app's own connection could do to the audit trail that it should not (shown when serving)."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    warnings = []
    if row and row[0]:
        warnings.append("the app connects to PostgreSQL as a superuser: it could disable the audit triggers")
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL AND (has_table_privilege(%s, 'UPDATE') OR "
                   "has_table_privilege(%s, 'DELETE') OR has_table_privilege(%s, 'TRUNCATE'))",
                   [AUDIT_TABLE] * 4)
    if cursor.fetchone()[0]:
        warnings.append("the app's database role may update, delete or truncate audit rows")
    return warnings


def apply(cursor: Any, app_role: str) -> list[str]:
    """Run the statements through `cursor` (connected as the owner); return them as run."""
    cursor.execute("SELECT current_database(), current_schema()")
    database, schema = cursor.fetchone()
    statements = [s.replace("{database}", _quote(database)) for s in grant_statements(app_role, schema)]
    cursor.execute("SELECT to_regclass(%s)", [f"{schema}.{AUDIT_TABLE}"])
    if cursor.fetchone()[0] is None:  # before the first migrate: the default privileges cover the tables to come
        statements = [s for s in statements if AUDIT_TABLE not in s]
    for statement in statements:
        cursor.execute(statement)
    return statements


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
