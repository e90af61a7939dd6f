"""One settings object that fails fast on unsafe values.

Everything the clinic reads from the environment is read here, once, and checked: outside
`SCIATICA_CARE_ENV=development` there is no DEBUG and no default secret. `settings.py` only copies these values
into Django's names. No Django import, so it is cheap to test.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sciatica_care.site.paths import default_data_dir

DEVELOPMENT_SECRET = "development-only-secret-never-use-in-a-clinic"  # noqa: S105 - refused outside development
ENVIRONMENTS = ("development", "production")


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

    hosts = [h.strip() for h in environ.get(
        "SCIATICA_CARE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()]
    if "*" in hosts and not development:
        problems.append("SCIATICA_CARE_ALLOWED_HOSTS='*' outside development")

    if problems:
        raise UnsafeSettings("unsafe settings:\n  " + "\n  ".join(problems))
    return Config(env=env, debug=debug, secret_key=secret, data_dir=data_dir, database_url=database_url,
                  allowed_hosts=hosts, https=https)
