"""The clinic's commands for `sciatica-care` (loaded lazily by main.py): serve, createuser, createtoken, backup,
restore.

Django is imported only inside the command bodies, so `plan`, `score` and `points` never pay for it.
"""

from __future__ import annotations

import gc
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import click


def _private_files() -> None:
    """Everything this process creates is its user's only (the database, its WAL, backups, the key)."""
    if os.name == "posix":
        os.umask(0o077)


def _setup(data_dir: Path | None, *, demo: bool = False, migrate: bool = True) -> Path:
    """Point the settings at the data folder, create its secret, set Django up and migrate (unless the caller knows
    it is done: the worker `serve` starts)."""
    from sciatica_care.site.backups import secure_data_dir
    from sciatica_care.site.paths import default_data_dir, ensure_secret_key

    _private_files()
    if demo:
        os.environ.setdefault("SCIATICA_CARE_ENV", "development")
        data_dir = data_dir or default_data_dir() / "demo"
    data_dir = (data_dir or default_data_dir()).expanduser().resolve()
    os.environ["SCIATICA_CARE_DATA_DIR"] = str(data_dir)
    secure_data_dir(data_dir)
    if not os.environ.get("SCIATICA_CARE_SECRET_KEY"):
        ensure_secret_key(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciatica_care.site.settings")
    from sciatica_care.site.config import UnsafeSettings

    try:
        import django

        django.setup()
    except UnsafeSettings as exc:
        raise click.ClickException(str(exc)) from None
    from django.conf import settings
    from django.core.management import call_command

    if not migrate:
        pass
    elif settings.SCIATICA_CARE_DATABASE_OWNER:  # PostgreSQL: migrate as the owner, then narrow the app's grants
        _migrate_as_owner()
    else:
        call_command("migrate", verbosity=0, interactive=False)
    secure_data_dir(data_dir)  # the database and its WAL/SHM files, created or left by an older version
    return data_dir


def _migrate_as_owner() -> None:
    """Run `migrate` through the owner's connection (DATABASE_OWNER_URL), then re-apply `db roles` for
    DATABASE_URL's role, refusing an unsafe one (a superuser, the owner). The default connection itself is
    pointed at the owner meanwhile: a migration's Python step may query it, and a second connection would wait
    forever on the locks the migration holds."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections, transaction

    from sciatica_care.clinic import db_roles

    connection = connections["default"]
    app_settings = dict(connection.settings_dict)
    app_role = str(app_settings.get("USER") or "")
    owner = settings.SCIATICA_CARE_DATABASE_OWNER
    connection.close()
    connection.settings_dict.update({k: owner[k] for k in ("NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
                                     if k in owner})
    try:
        call_command("migrate", verbosity=0, interactive=False)
        with transaction.atomic(), connection.cursor() as cursor:
            problems = db_roles.role_problems(cursor, app_role)
            if problems:
                raise click.ClickException("DATABASE_URL's role is not safe for the app: " + "; ".join(problems))
            db_roles.apply(cursor, app_role)
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(app_settings)


data_dir_option = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                               help="Folder for the database and secret key (default: your user data folder).")


@click.command()
@click.option("--demo", is_flag=True, help="Serve a demo clinic with made-up patients (its own data folder).")
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--open", "open_browser", is_flag=True, help="Open the clinic in your web browser.")
# One process serves every request (Python runs one thread at a time), so threads add waiting room, not speed: on
# a 2-core machine 2 threads served 1.2–1.3× the pages per second of 4 or 8 (which fight over the interpreter),
# with shorter tails and less memory (benchmarks/README.md). More threads help pages that wait on a remote
# database, or a clinic where slow downloads (PDFs, the dashboard's CSV) often run at the same time.
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Requests served at once; raise it for a remote database or many slow downloads.")
@click.option("--no-worker", is_flag=True,
              help="Do not start the background worker (messages, reminders): run `sciatica-care worker` yourself.")
def serve(demo: bool, data_dir: Path | None, host: str, port: int, open_browser: bool, threads: int,
          no_worker: bool) -> None:
    """Run the clinic: create the database if needed, apply migrations and serve it, with the background worker
    that sends its messages beside it (stopped with it)."""
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"  # noqa: S104
    os.environ.setdefault("SCIATICA_CARE_BASE_URL", address.rstrip("/"))  # the links in messages
    if demo:
        _demo_message_files(data_dir)
    folder = _setup(data_dir, demo=demo)
    from django.conf import settings

    from sciatica_care.clinic.models import Clinic, Staff

    if demo and not Clinic.objects.exists():
        from sciatica_care.clinic import demo as demo_data

        click.echo("Loading the demo clinic (patients, plans and sessions from the engine)…")
        demo_data.load()
        from sciatica_care.portal import demo_diary
        from sciatica_care.scheduling import demo_bookings

        click.echo("Filling its diary (locations, services, shifts and a month of appointments)…")
        demo_bookings.load()
        demo_diary.load(demo_data.DEMO_PASSWORD)
    click.echo(f"Sciatica Care on {address}")
    click.echo(f"Data: {settings.DATABASES['default']['NAME'] if not os.environ.get('DATABASE_URL') else 'PostgreSQL'}"
               f" (folder {folder})")
    if demo:
        from sciatica_care.clinic.demo import DEMO_PASSWORD, DEMO_STAFF

        click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, first, last, role in DEMO_STAFF:
            click.echo(f"  {username:<12} {first} {last}, {role.label}")
        click.echo("  The clinic admin runs staff, settings, API tokens and the audit log from the app's header,")
        click.echo("  and sets up a second factor (an authenticator app) at the first sign-in.")
        from sciatica_care.portal.models import PatientAccount

        account = PatientAccount.objects.select_related("user").order_by("id").first()
        if account is not None:
            click.echo(f"Patient portal: {address}portal/ — {account.user.email} (same password), a phone-sized page")
    elif not Staff.objects.exists():
        click.echo("No accounts yet: make the first one with `sciatica-care createuser --role clinic_admin`.")
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        from django.db import connection

        from sciatica_care.clinic import db_roles

        with connection.cursor() as cursor:
            for warning in db_roles.connection_warnings(cursor):
                click.echo(f"warning: {warning}; run the app as its own role (see `sciatica-care db roles --help`)",
                           err=True)
    if settings.SCIATICA_CARE_ADMIN_PATH:
        click.echo(f"Deployment admin (superusers only): {address}{settings.SCIATICA_CARE_ADMIN_PATH}/")
    if open_browser:
        import webbrowser

        webbrowser.open(address)
    from waitress import serve as waitress_serve

    from sciatica_care.site.wsgi import application

    worker = None if no_worker else _start_worker(folder)
    if worker is not None:
        _say_where_messages_go()
    # What start-up loaded (Django, the knowledge base, the URL and template machinery) lives as long as the
    # server: moved out of the collector's reach, a full collection no longer walks it in the middle of a request.
    gc.collect()
    gc.freeze()
    try:
        signal.signal(signal.SIGTERM, _stop_serving)
        waitress_serve(application, host=host, port=port, threads=threads, ident="sciatica-care")
    except KeyboardInterrupt:
        pass
    finally:
        if worker is not None:
            _stop_worker(worker)


def _stop_serving(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt  # SIGTERM: stop the worker too, as Ctrl+C does


def _demo_message_files(data_dir: Path | None) -> None:
    """The demo writes its emails and text messages into files in its folder, to be looked at (unless an SMTP
    server is configured)."""
    from sciatica_care.site.paths import default_data_dir

    base = (data_dir or default_data_dir() / "demo").expanduser().resolve()
    if not os.environ.get("SCIATICA_CARE_SMTP_HOST"):
        os.environ.setdefault("SCIATICA_CARE_EMAIL_FILES", str(base / "mail"))
    if not os.environ.get("SCIATICA_CARE_SMS_BACKEND"):
        os.environ["SCIATICA_CARE_SMS_BACKEND"] = "file"
        os.environ.setdefault("SCIATICA_CARE_SMS_FILES", str(base / "sms"))


def _say_where_messages_go() -> None:
    from django.conf import settings

    backend = str(settings.EMAIL_BACKEND)
    email = (f"written to {settings.EMAIL_FILE_PATH}" if settings.EMAIL_FILE_PATH and "mail_files" in backend
             else f"through {settings.EMAIL_HOST}" if backend.endswith("smtp.EmailBackend") else "printed here")
    sms = {"console": "printed here", "file": f"written to {settings.SCIATICA_CARE_SMS_FILES}"}.get(
        settings.SCIATICA_CARE_SMS_BACKEND, f"through {settings.SCIATICA_CARE_SMS_BACKEND}")
    click.echo(f"Background worker started: emails {email}; text messages {sms}.")


def _start_worker(folder: Path) -> subprocess.Popen[bytes]:
    """`sciatica-care worker` as a child process, on the same data folder and settings (the environment)."""
    code = "import sys; from sciatica_care.cli.main import main; sys.argv[0] = 'sciatica-care'; main()"
    # Its own session: Ctrl+C at the terminal reaches the server only, which then stops the worker once.
    return subprocess.Popen([sys.executable, "-c", code, "worker", "--data-dir", str(folder),  # noqa: S603
                             "--no-migrate", "--parent-pid", str(os.getpid())], start_new_session=True)


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Ask the worker to stop (it finishes the message in hand), and make sure it has."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@click.command()
@data_dir_option
@click.option("--username", prompt=True)
@click.option("--role", type=click.Choice(["practitioner", "clinic_admin", "reception"]), default="clinic_admin",
              show_default=True)
@click.option("--clinic", "clinic_name", default=None, help="Clinic name (created if it does not exist; "
              "default: the only clinic, or a new one called 'My clinic').")
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
def createuser(data_dir: Path | None, username: str, role: str, clinic_name: str | None, first_name: str,
               last_name: str, password_stdin: bool) -> None:
    """Create a staff account (the first one should be a clinic admin)."""
    _setup(data_dir)
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from sciatica_care.clinic import audit
    from sciatica_care.clinic.models import Clinic, Staff

    if Staff.objects.filter(username=username).exists():
        raise click.ClickException(f"there is already an account called {username!r}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = Staff(username=username, first_name=first_name, last_name=last_name, role=role)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise click.ClickException(" ".join(exc.messages)) from None
    with transaction.atomic():
        if clinic_name:
            clinic, _ = Clinic.objects.get_or_create(name=clinic_name)
        else:
            clinics = list(Clinic.objects.all()[:2])
            if len(clinics) > 1:
                raise click.ClickException("several clinics exist: say which with --clinic")
            clinic = clinics[0] if clinics else Clinic.objects.create(name="My clinic")
        user.clinic = clinic
        user.is_staff = False  # Django's admin is the deployment superuser's only (site/admin_site.py)
        user.set_password(password)
        user.save()
        audit.record(None, "create_staff", user, username=username, role=role, via="cli")
    click.echo(f"Created {username} ({role}) at {clinic.name}.")


@click.command()
@data_dir_option
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="What the token is for (the clinic admin sees it).")
@click.option("--days", type=int, default=None,
              help="How long it lasts: 90 days unless said otherwise, at most the clinic's longest (a setting).")
@click.option("--scope", type=click.Choice(["read", "read_write"]), default="read", show_default=True,
              help="read: refused every change; read_write: may change records too.")
def createtoken(data_dir: Path | None, username: str, name: str, days: int | None, scope: str) -> None:
    """Create an API token owned by USERNAME and print it once (only its hash is kept).

    API clients send it as `Authorization: Bearer TOKEN`; it acts as that account, with its clinic and role, until
    it expires or is revoked. Its every use is audited with the token's number. A clinic admin sees and revokes
    tokens on the clinic's "API tokens" page.
    """
    _setup(data_dir)
    from sciatica_care.clinic import api_tokens
    from sciatica_care.clinic.models import Staff
    from sciatica_care.errors import InputRefused

    staff = Staff.objects.filter(username=username).select_related("clinic").first()
    if staff is None:
        raise click.ClickException(f"there is no account called {username!r}")
    if not staff.is_active:
        raise click.ClickException(f"the account {username!r} is deactivated")
    if staff.clinic_id is None:
        raise click.ClickException(f"the account {username!r} belongs to no clinic: its token could read nothing")
    try:
        row, token = api_tokens.issue(staff, name, days=days, scope=scope, via="cli")
    except InputRefused as exc:
        raise click.ClickException("; ".join(f"--{p.path}: {p.message}" for p in exc.problems)) from None
    click.echo(f"API token {name!r} (no. {row.pk}) for {username} ({staff.get_role_display()}), "
               f"{row.get_scope_display().lower()}, expires {row.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only "
               "this once: store it now.", err=True)
    click.echo(token)


POSTGRESQL_BACKUP_ADVICE = (
    "backup/restore copy the SQLite database; for PostgreSQL use its own tools: "
    "`pg_dump --format=custom --file FILE DBNAME` and `pg_restore --clean --dbname DBNAME FILE`. "
    "Encrypt the dump (`gpg --symmetric --cipher-algo AES256 FILE` or `age --passphrase -o FILE.age FILE`, "
    "then delete FILE), keep it 0600, and after a restore sign everyone out: "
    "`psql DBNAME -c 'DELETE FROM django_session'`")


def _refuse_postgresql() -> None:
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise click.ClickException(POSTGRESQL_BACKUP_ADVICE)


def _sqlite_path() -> Path:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        raise click.ClickException(POSTGRESQL_BACKUP_ADVICE)
    return Path(str(db["NAME"]))


def _copy(src: sqlite3.Connection, dst: sqlite3.Connection) -> None:
    src.backup(dst, pages=1024)  # online backup API: a consistent copy while the clinic keeps working


def _bad(path: Path | str, message: str) -> NoReturn:
    """Refuse like every other command: one `error: <path>: <message>` line, exit 2, no traceback."""
    click.echo(f"error: {path}: {message}", err=True)
    sys.exit(2)


def _passphrase(passphrase_file: Path | None, *, confirm: bool) -> str:
    """The backup passphrase: from --passphrase-file, else $SCIATICA_CARE_BACKUP_PASSPHRASE, else asked for."""
    from sciatica_care.site.backups import MIN_PASSPHRASE, PASSPHRASE_ENV

    if passphrase_file is not None:
        text = passphrase_file.read_text(encoding="utf-8").splitlines()
        passphrase = text[0] if text else ""
    elif os.environ.get(PASSPHRASE_ENV):
        passphrase = os.environ[PASSPHRASE_ENV]
    else:
        passphrase = click.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm)
    if confirm and len(passphrase) < MIN_PASSPHRASE:
        _bad("passphrase", f"use {MIN_PASSPHRASE} or more characters (a few random words)")
    return passphrase


passphrase_file_option = click.option(
    "--passphrase-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="Read the passphrase from this file's first line (for scripts; or set SCIATICA_CARE_BACKUP_PASSPHRASE).")


@click.command()
@data_dir_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--encrypt", is_flag=True, help="Encrypt the backup with a passphrase (asked for, or see below).")
@passphrase_file_option
def backup(data_dir: Path | None, file: Path, encrypt: bool, passphrase_file: Path | None) -> None:
    """Write a consistent copy of the clinic's database to FILE (safe while serving).

    The copy leaves out the signed-in sessions, is readable by you only (0600), and with --encrypt is
    encrypted with a passphrase (keep the passphrase apart from the backups: without it nothing can be restored).
    """
    _refuse_postgresql()
    _setup(data_dir)
    source = _sqlite_path()
    if file.exists():
        raise click.ClickException(f"{file} exists: choose a new file name")
    passphrase = _passphrase(passphrase_file, confirm=True) if encrypt else None
    from sciatica_care.site import backups

    with sqlite3.connect(source) as src, sqlite3.connect(":memory:") as copy:
        _copy(src, copy)
        # Sessions stay out of backups: a copy must never open the live clinic. secure_delete + VACUUM leave no
        # trace of them in free pages.
        copy.execute("PRAGMA secure_delete = ON")
        copy.execute("DELETE FROM django_session")
        copy.commit()
        copy.execute("VACUUM")
        (result,) = copy.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise click.ClickException(f"the copy failed its integrity check: {result}")
        data = copy.serialize()
    data = _without_wal_flag(data)
    backups.write_private(file, backups.encrypt(data, passphrase) if passphrase is not None else data)
    click.echo(f"Backed up {source} to {file}{' (encrypted)' if encrypt else ''}, without signed-in sessions.")


def _without_wal_flag(data: bytes) -> bytes:
    """A database image with the live database's WAL flag (header bytes 18–19) set back to a rollback journal:
    the copy is one self-contained file, and it can be opened in memory."""
    if data[:16] == b"SQLite format 3\x00" and data[18:20] == b"\x02\x02":
        return data[:18] + b"\x01\x01" + data[20:]
    return data


def _read_backup(file: Path, passphrase_file: Path | None) -> bytes:
    from sciatica_care.site import backups

    blob = file.read_bytes()
    if not backups.is_encrypted(blob):
        return blob
    try:
        return backups.decrypt(blob, _passphrase(passphrase_file, confirm=False))
    except ValueError as exc:  # WrongPassphrase too
        _bad(file, str(exc))


@click.command()
@data_dir_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@passphrase_file_option
def restore(data_dir: Path | None, file: Path, yes: bool, passphrase_file: Path | None) -> None:
    """Replace the clinic's database with the backup in FILE (stop the server first).

    An encrypted backup is recognised and asks for its passphrase. Everyone is signed out: sessions in the
    database are cleared, so no session from before the restore opens the clinic.
    """
    _refuse_postgresql()
    _private_files()
    data = _read_backup(file, passphrase_file)
    with sqlite3.connect(":memory:") as check:
        try:
            check.deserialize(_without_wal_flag(data))
            (result,) = check.execute("PRAGMA integrity_check").fetchone()
            tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"{file} is not a SQLite database: {exc}") from None
        if result != "ok" or "clinic_patient" not in tables:
            raise click.ClickException(f"{file} is not a sound Sciatica Care backup ({result})")
        target = _setup_without_migrate(data_dir)
        if not yes:
            click.confirm(f"Replace {target} with {file}? Everything written since that backup is lost", abort=True)
        with sqlite3.connect(target) as dst:
            _copy(check, dst)
            dst.execute("DELETE FROM django_session")  # sign everyone out (a backup made before 0011 kept them)
    _setup(data_dir)  # apply any migrations newer than the backup; the files' modes
    click.echo(f"Restored {file} into {target}. Everyone is signed out.")


def _setup_without_migrate(data_dir: Path | None) -> Path:
    from sciatica_care.site.paths import default_data_dir

    folder = (data_dir or default_data_dir()).expanduser().resolve()
    os.environ["SCIATICA_CARE_DATA_DIR"] = str(folder)
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise click.ClickException("for PostgreSQL use `pg_restore --clean --dbname DBNAME FILE`")
    from sciatica_care.site.backups import secure_data_dir

    secure_data_dir(folder)
    return folder / "clinic.sqlite3"
