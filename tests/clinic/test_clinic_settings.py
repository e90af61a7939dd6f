"""The settings object refuses unsafe values outside development."""

from __future__ import annotations

from pathlib import Path

import pytest

from sciatica_care.site.config import DEVELOPMENT_SECRET, UnsafeSettings, load


def test_production_without_secret_fails_fast(tmp_path: Path) -> None:
    """No secret key outside development stops the clinic before it serves anything."""
    with pytest.raises(UnsafeSettings, match="no secret key"):
        load({"SCIATICA_CARE_DATA_DIR": str(tmp_path)})


def test_debug_is_refused_outside_development(tmp_path: Path) -> None:
    """DEBUG in production is refused, and every problem is named at once."""
    with pytest.raises(UnsafeSettings) as err:
        load({"SCIATICA_CARE_DATA_DIR": str(tmp_path), "SCIATICA_CARE_DEBUG": "1"})
    assert "DEBUG" in str(err.value)
    assert "no secret key" in str(err.value)


def test_development_secret_is_refused_in_production(tmp_path: Path) -> None:
    """The development secret cannot be smuggled into production."""
    with pytest.raises(UnsafeSettings, match="development secret"):
        load({"SCIATICA_CARE_DATA_DIR": str(tmp_path), "SCIATICA_CARE_SECRET_KEY": DEVELOPMENT_SECRET})


def test_secret_key_file_in_data_dir_is_used(tmp_path: Path) -> None:
    """`serve` writes a secret into the data folder; settings read it from there."""
    (tmp_path / "secret_key").write_text("k" * 50)
    config = load({"SCIATICA_CARE_DATA_DIR": str(tmp_path)})
    assert config.secret_key == "k" * 50
    assert not config.debug


def test_development_allows_default_secret(tmp_path: Path) -> None:
    """Development (tests, demo) runs with the built-in secret and may turn DEBUG on."""
    config = load({"SCIATICA_CARE_DATA_DIR": str(tmp_path), "SCIATICA_CARE_ENV": "development",
                   "SCIATICA_CARE_DEBUG": "1"})
    assert config.development
    assert config.debug


def test_unsupported_database_url_is_refused(tmp_path: Path) -> None:
    """Only PostgreSQL (and SQLite) URLs are accepted."""
    with pytest.raises(UnsafeSettings, match="DATABASE_URL"):
        load({"SCIATICA_CARE_DATA_DIR": str(tmp_path), "SCIATICA_CARE_ENV": "development",
              "DATABASE_URL": "mysql://x"})


def test_django_settings_are_hardened() -> None:
    """Argon2 first, CSP without inline anything, no DEBUG."""
    from django.conf import settings

    from sciatica_care.site import settings as site_settings

    assert site_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.django_db
def test_database_connection_is_configured_for_its_engine() -> None:
    """SQLite: foreign keys on and a busy timeout; PostgreSQL (DATABASE_URL): reached through psycopg 3."""
    from django.db import connection

    if connection.vendor == "postgresql":
        import psycopg

        assert psycopg.__version__.startswith("3")
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            assert cur.fetchone()[0] == 1
        return
    assert connection.vendor == "sqlite"
    with connection.cursor() as cur:
        cur.execute("PRAGMA foreign_keys")
        assert cur.fetchone()[0] == 1
        cur.execute("PRAGMA busy_timeout")
        assert cur.fetchone()[0] >= 20000


def test_email_goes_to_the_console_unless_smtp_is_configured(tmp_path: Path) -> None:
    from sciatica_care.site import config

    base = {"SCIATICA_CARE_ENV": "development", "SCIATICA_CARE_DATA_DIR": str(tmp_path)}
    assert config.load(base).email_backend.endswith("console.EmailBackend")
    smtp = config.load({**base, "SCIATICA_CARE_SMTP_HOST": "mail.example.org", "SCIATICA_CARE_SMTP_PORT": "465"})
    assert smtp.email_backend.endswith("smtp.EmailBackend")
    assert (smtp.email_host, smtp.email_port) == (
        "mail.example.org", 465)
