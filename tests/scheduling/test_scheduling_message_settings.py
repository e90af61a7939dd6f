"""The settings of the messages (site/config.py): refused when unsafe or unreadable, named in the refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from sciatica_care.site.config import FILE_EMAIL_BACKEND, UnsafeSettings, load


@pytest.mark.parametrize(("environ", "named"), [
    ({"SCIATICA_CARE_OUTBOX_LEASE_SECONDS": "30"}, "SCIATICA_CARE_OUTBOX_LEASE_SECONDS=30"),
    ({"SCIATICA_CARE_OUTBOX_LEASE_SECONDS": "0"}, "SCIATICA_CARE_OUTBOX_LEASE_SECONDS"),
    ({"SCIATICA_CARE_OUTBOX_LEASE_SECONDS": "two"}, "SCIATICA_CARE_OUTBOX_LEASE_SECONDS"),
    ({"SCIATICA_CARE_SMS_BACKEND": "carrier pigeon"}, "SCIATICA_CARE_SMS_BACKEND"),
    ({"SCIATICA_CARE_EMAIL_BACKEND": "not a path"}, "SCIATICA_CARE_EMAIL_BACKEND"),
    ({"SCIATICA_CARE_BASE_URL": "clinic.example.org"}, "SCIATICA_CARE_BASE_URL"),
    ({"SCIATICA_CARE_BASE_URL": "javascript:alert(1)"}, "SCIATICA_CARE_BASE_URL"),
])
def test_an_unsafe_or_unreadable_message_setting_is_refused(tmp_path: Path, environ: dict[str, str],
                                                            named: str) -> None:
    """Outside development a short lease (a live worker could lose its claim to a slow mail server) and any value
    that cannot be read are refused at start, naming the setting."""
    with pytest.raises(UnsafeSettings, match=named):
        load({"SCIATICA_CARE_DATA_DIR": str(tmp_path), "SCIATICA_CARE_SECRET_KEY": "k" * 40, **environ})


def test_a_short_lease_is_allowed_in_development(tmp_path: Path) -> None:
    """Tests and trials may use a lease of a few seconds."""
    config = load({"SCIATICA_CARE_DATA_DIR": str(tmp_path), "SCIATICA_CARE_ENV": "development",
                   "SCIATICA_CARE_OUTBOX_LEASE_SECONDS": "2"})
    assert config.outbox_lease_seconds == 2


@pytest.mark.parametrize(("environ", "backend"), [
    ({}, "django.core.mail.backends.console.EmailBackend"),
    ({"SCIATICA_CARE_EMAIL_FILES": "mail-folder"}, FILE_EMAIL_BACKEND),
    ({"SCIATICA_CARE_SMTP_HOST": "mail.example.org", "SCIATICA_CARE_EMAIL_FILES": "mail-folder"},
     "django.core.mail.backends.smtp.EmailBackend"),
    ({"SCIATICA_CARE_SMTP_HOST": "mail.example.org",
      "SCIATICA_CARE_EMAIL_BACKEND": "anymail.backends.ses.EmailBackend"},
     "anymail.backends.ses.EmailBackend"),
])
def test_the_email_backend_follows_the_settings(tmp_path: Path, environ: dict[str, str], backend: str) -> None:
    """A named backend wins; then SMTP when a host is set; then one file a message; else the console."""
    config = load({"SCIATICA_CARE_DATA_DIR": str(tmp_path), "SCIATICA_CARE_ENV": "development", **environ})
    assert config.email_backend == backend
