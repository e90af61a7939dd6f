"""One settings object that fails fast on unsafe values.

Everything the clinic reads from the environment is read here, once, and checked: outside
`SCIATICA_CARE_ENV=development` there is no DEBUG and no default secret. `settings.py` only copies these values
into Django's names. No Django import, so it is cheap to test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sciatica_care.site.paths import default_data_dir

DEVELOPMENT_SECRET = "development-only-secret-never-use-in-a-clinic"  # noqa: S105 - refused outside development
ENVIRONMENTS = ("development", "production")
# Django's admin is for the deployment's superuser only, and off unless SCIATICA_CARE_ADMIN_PATH names where it is:
# a path nobody would guess (20 or more URL-safe characters, not a word), e.g. from
# `python -c "import secrets; print(secrets.token_urlsafe(24))"`.
ADMIN_PATH_MIN_LENGTH = 20
ADMIN_PATH_MIN_DISTINCT = 12
_ADMIN_PATH_CHARS = re.compile(r"[A-Za-z0-9_-]+")
_GUESSABLE_WORDS = ("admin", "django", "login", "manage", "root", "super", "staff", "secret", "password",
                    "sciatica", "clinic", "backend", "console", "dashboard")


#: SMS backends by short name (scheduling/sms.py); any other value is the dotted path of a backend class.
SMS_BACKENDS = ("console", "file", "locmem")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
#: A worker's claim on messages lasts at least three times the mail server's timeout (EMAIL_TIMEOUT, 20 s).
OUTBOX_LEASE_MIN = 60
#: One .eml file per message, named after its Message-ID (SCIATICA_CARE_EMAIL_FILES).
FILE_EMAIL_BACKEND = "sciatica_care.scheduling.mail_files.EmailBackend"


class UnsafeSettings(RuntimeError):
    """A setting that would make the clinic unsafe; raised when settings load, before anything is served."""


@dataclass(frozen=True)
class Config:
    env: str
    debug: bool
    secret_key: str
    data_dir: Path
    database_url: str | None
    allowed_hosts: list[str] = field(default_factory=list)
    https: bool = False
    email_backend: str = "django.core.mail.backends.console.EmailBackend"
    email_host: str = "localhost"
    email_port: int = 587
    email_from: str = "sciatica-care@localhost"
    email_user: str = ""
    email_password: str = ""
    admin_path: str | None = None  # where Django's admin is served (superuser only); None: not served at all
    # Shared cache and login throttles in Redis (redis://…); None: in the database, which every process shares.
    cache_url: str | None = None
    # Addresses of the reverse proxies whose X-Forwarded-For is believed (addresses or networks); none by default.
    trusted_proxies: tuple[str, ...] = ()
    # PostgreSQL: the owner's connection, used by `migrate` only; the app connects (DATABASE_URL) as a role that
    # can only insert and read audit rows (`sciatica-care db roles`).
    database_owner_url: str | None = None
    # Outgoing messages (scheduling/outbox.py): email into one file per message in this folder instead of the
    # console (when no SMTP server is set); the SMS backend ("console", "file", "locmem" or a dotted path) and the
    # file backend's folder; the address links in messages start with (the worker has no request to ask).
    email_files: Path | None = None
    sms_backend: str = "console"
    sms_files: Path | None = None
    base_url: str = "http://127.0.0.1:8000"
    # How long a worker holds the messages it has claimed before another may take them over (seconds).
    outbox_lease_seconds: int = 120

    @property
    def development(self) -> bool:
        return self.env == "development"


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise UnsafeSettings(f"{name}={value!r}: expected 1/0, true/false, yes/no or on/off")


def check_admin_path(value: str) -> tuple[str | None, str | None]:
    """The configured admin path without its slashes, or a problem: refuses anything short or guessable."""
    path = value.strip().strip("/")
    if not path:
        return None, None
    hint = ("use 20 or more random URL-safe characters, e.g. "
            "`python -c \"import secrets; print(secrets.token_urlsafe(24))\"`")
    if not _ADMIN_PATH_CHARS.fullmatch(path):
        return None, f"SCIATICA_CARE_ADMIN_PATH: only letters, digits, '-' and '_' (one path segment); {hint}"
    if len(path) < ADMIN_PATH_MIN_LENGTH:
        return None, f"SCIATICA_CARE_ADMIN_PATH is shorter than {ADMIN_PATH_MIN_LENGTH} characters: {hint}"
    if len(set(path.lower())) < ADMIN_PATH_MIN_DISTINCT or any(w in path.lower() for w in _GUESSABLE_WORDS):
        return None, f"SCIATICA_CARE_ADMIN_PATH is guessable (a word or a repeated pattern): {hint}"
    return path, None


def check_trusted_proxies(value: str) -> tuple[tuple[str, ...], str | None]:
    """The configured trusted proxies (comma-separated addresses or networks), or a problem naming the bad one."""
    import ipaddress

    out: list[str] = []
    for item in (v.strip() for v in value.split(",")):
        if not item:
            continue
        try:
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            return (), f"SCIATICA_CARE_TRUSTED_PROXIES: {item!r} is not an address or a network"
    return tuple(out), None


def _email_backend(named: str, smtp_host: str, files: str) -> str:
    """A named backend; else SMTP when a host is set; else one file per message when a folder is; else the console."""
    if named:
        return named
    if smtp_host:
        return "django.core.mail.backends.smtp.EmailBackend"
    return FILE_EMAIL_BACKEND if files else "django.core.mail.backends.console.EmailBackend"


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Read and check the environment; raise `UnsafeSettings` naming every problem at once."""
    environ = os.environ if environ is None else environ
    problems: list[str] = []
    env = environ.get("SCIATICA_CARE_ENV", "production").strip().lower()
    if env not in ENVIRONMENTS:
        problems.append(f"SCIATICA_CARE_ENV={env!r}: expected one of {', '.join(ENVIRONMENTS)}")
    development = env == "development"

    debug = False
    try:
        debug = _flag(environ, "SCIATICA_CARE_DEBUG")
        https = _flag(environ, "SCIATICA_CARE_HTTPS")
    except UnsafeSettings as exc:
        problems.append(str(exc))
        https = False
    if debug and not development:
        problems.append("SCIATICA_CARE_DEBUG is on outside development: DEBUG leaks patient data in error pages")

    data_dir = Path(environ["SCIATICA_CARE_DATA_DIR"]).expanduser() if environ.get(
        "SCIATICA_CARE_DATA_DIR") else default_data_dir()

    secret = environ.get("SCIATICA_CARE_SECRET_KEY", "").strip()
    if not secret:
        key_file = data_dir / "secret_key"
        if key_file.exists():
            secret = key_file.read_text(encoding="utf-8").strip()
    if not secret:
        if development:
            secret = DEVELOPMENT_SECRET
        else:
            problems.append(
                "no secret key: set SCIATICA_CARE_SECRET_KEY or let `sciatica-care serve` create "
                f"{data_dir / 'secret_key'}"
            )
    elif secret == DEVELOPMENT_SECRET and not development:
        problems.append("the development secret key is used outside development")
    elif len(secret) < 32 and not development:
        problems.append("SCIATICA_CARE_SECRET_KEY is shorter than 32 characters")

    database_url = environ.get("DATABASE_URL", "").strip() or None
    if database_url and not database_url.startswith(("postgres://", "postgresql://", "sqlite:")):
        problems.append("DATABASE_URL: only postgresql://… (or sqlite:///…) is supported")

    database_owner_url = environ.get("DATABASE_OWNER_URL", "").strip() or None
    if database_owner_url and not (database_url or "").startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_OWNER_URL is for PostgreSQL: set DATABASE_URL=postgresql://… (the app's role) too")
    elif database_owner_url and not database_owner_url.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_OWNER_URL: only postgresql://… is supported")

    hosts = [h.strip() for h in environ.get(
        "SCIATICA_CARE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()]
    if "*" in hosts and not development:
        problems.append("SCIATICA_CARE_ALLOWED_HOSTS='*' outside development")

    admin_path, problem = check_admin_path(environ.get("SCIATICA_CARE_ADMIN_PATH", ""))
    if problem:
        problems.append(problem)

    cache_url = environ.get("CACHE_URL", "").strip() or None
    if cache_url and not cache_url.startswith(("redis://", "rediss://", "unix://")):
        problems.append("CACHE_URL: only redis://… (or rediss://…) is supported")
    trusted_proxies, problem = check_trusted_proxies(environ.get("SCIATICA_CARE_TRUSTED_PROXIES", ""))
    if problem:
        problems.append(problem)

    email_host = environ.get("SCIATICA_CARE_SMTP_HOST", "").strip()
    email_port = 587
    try:
        email_port = int(environ.get("SCIATICA_CARE_SMTP_PORT", "587"))
    except ValueError:
        problems.append("SCIATICA_CARE_SMTP_PORT: expected a port number")
    email_from = environ.get("SCIATICA_CARE_EMAIL_FROM", "").strip() or "sciatica-care@localhost"
    email_files = environ.get("SCIATICA_CARE_EMAIL_FILES", "").strip()
    # A provider's Django email backend (e.g. django-anymail's), by dotted path; wins over the SMTP settings.
    email_backend = environ.get("SCIATICA_CARE_EMAIL_BACKEND", "").strip()
    if email_backend and not _DOTTED.fullmatch(email_backend):
        problems.append(f"SCIATICA_CARE_EMAIL_BACKEND={email_backend!r}: expected the dotted path of a Django email "
                        "backend class")
    sms_backend = environ.get("SCIATICA_CARE_SMS_BACKEND", "").strip() or "console"
    if sms_backend not in SMS_BACKENDS and not _DOTTED.fullmatch(sms_backend):
        problems.append(f"SCIATICA_CARE_SMS_BACKEND={sms_backend!r}: expected one of {', '.join(SMS_BACKENDS)} "
                        "or the dotted path of a backend class")
    sms_files = environ.get("SCIATICA_CARE_SMS_FILES", "").strip()
    base_url = environ.get("SCIATICA_CARE_BASE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", base_url):
        problems.append(f"SCIATICA_CARE_BASE_URL={base_url!r}: expected the address the clinic is reached at, "
                        "e.g. https://clinic.example.org")
    lease = 120
    try:
        lease = int(environ.get("SCIATICA_CARE_OUTBOX_LEASE_SECONDS", "120"))
        if lease < 1:
            raise ValueError
    except ValueError:
        problems.append("SCIATICA_CARE_OUTBOX_LEASE_SECONDS: expected a whole number of seconds, 1 or more")
    else:
        if lease < OUTBOX_LEASE_MIN and not development:
            # A live worker must never lose its claim while it waits on a slow mail server (EMAIL_TIMEOUT).
            problems.append(f"SCIATICA_CARE_OUTBOX_LEASE_SECONDS={lease}: at least {OUTBOX_LEASE_MIN} outside "
                            "development (three times the mail server's timeout)")

    if problems:
        raise UnsafeSettings("unsafe settings:\n  " + "\n  ".join(problems))
    return Config(env=env, debug=debug, secret_key=secret, data_dir=data_dir, database_url=database_url,
                  database_owner_url=database_owner_url,
                  allowed_hosts=hosts, https=https, admin_path=admin_path, cache_url=cache_url,
                  trusted_proxies=trusted_proxies,
                  email_backend=_email_backend(email_backend, email_host, email_files),
                  email_host=email_host or "localhost", email_port=email_port, email_from=email_from,
                  email_user=environ.get("SCIATICA_CARE_SMTP_USER", "").strip(),
                  email_password=environ.get("SCIATICA_CARE_SMTP_PASSWORD", ""),
                  email_files=Path(email_files).expanduser() if email_files else None,
                  sms_backend=sms_backend, sms_files=Path(sms_files).expanduser() if sms_files else None,
                  base_url=base_url, outbox_lease_seconds=lease)
