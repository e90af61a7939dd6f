"""`sciatica-care db roles`: the PostgreSQL GRANTs that make the app's role insert-only on the audit trail."""

from __future__ import annotations

import os
import sys
from urllib.parse import unquote, urlparse

import click


@click.group()
def db() -> None:
    """PostgreSQL set-up."""


@db.command()
@click.option("--owner-url", default=lambda: os.environ.get("DATABASE_OWNER_URL", ""),
              help="postgresql://OWNER@HOST/DBNAME: the role that owns the tables and runs migrations "
              "(default: $DATABASE_OWNER_URL).")
@click.option("--app-role", required=True, help="The role the app connects as (the user in DATABASE_URL).")
@click.option("--apply", "apply_", is_flag=True, help="Run the statements as the owner instead of printing them.")
def roles(owner_url: str, app_role: str, apply_: bool) -> None:
    """Print (or run) the GRANTs that let APP_ROLE read and write the clinic but only insert and read audit rows.

    Set-up, once: as a superuser, `CREATE ROLE clinic_owner LOGIN PASSWORD '…'`, `CREATE ROLE clinic_app LOGIN
    PASSWORD '…'` (neither a superuser) and `CREATE DATABASE clinic OWNER clinic_owner`. Then run this with
    --apply, and run the clinic with DATABASE_OWNER_URL=postgresql://clinic_owner…/clinic (used by migrate only)
    and DATABASE_URL=postgresql://clinic_app…/clinic. Every migrate re-applies these grants.
    """
    from sciatica_care.clinic import db_roles

    parsed = urlparse(owner_url)
    if parsed.scheme not in ("postgres", "postgresql"):
        click.echo("error: --owner-url: a postgresql://… URL is needed (or set DATABASE_OWNER_URL)", err=True)
        sys.exit(2)
    try:
        db_roles.check_name(app_role)
    except db_roles.RoleProblem as exc:
        click.echo(f"error: --app-role: {exc}", err=True)
        sys.exit(2)
    if not apply_:
        database = unquote(parsed.path.lstrip("/")) or "DBNAME"
        click.echo(f"-- Run as the owner ({parsed.username or 'the owner'}) after migrate:")
        for statement in db_roles.grant_statements(app_role):
            click.echo(statement.replace("{database}", db_roles._quote(database)) + ";")
        return
    import psycopg

    try:
        with psycopg.connect(owner_url) as conn, conn.cursor() as cursor:
            problems = db_roles.role_problems(cursor, app_role)
            if problems:
                for problem in problems:
                    click.echo(f"error: --app-role: {problem}", err=True)
                sys.exit(2)
            statements = db_roles.apply(cursor, app_role)
    except psycopg.Error as exc:
        click.echo(f"error: --owner-url: {str(exc).strip()}", err=True)
        sys.exit(2)
    click.echo(f"Applied {len(statements)} statements: {app_role} can read and write the clinic, and only insert "
               "and read its audit trail.")
