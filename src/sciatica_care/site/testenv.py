"""Configure Django for the clinic's own tests (called from tests/clinic and tests/browser conftests only).

The engine's tests never come here, so they run without Django.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse


def configure() -> None:
    os.environ.setdefault("SCIATICA_CARE_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciatica_care.site.settings")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        require_reachable(url)
    import django

    django.setup()


def require_reachable(url: str) -> None:
    """Fail loudly (never skip) when the PostgreSQL of DATABASE_URL cannot be reached."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5432
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as exc:
        raise RuntimeError(f"DATABASE_URL points at PostgreSQL on {host}:{port}, which is unreachable: {exc}") from exc
