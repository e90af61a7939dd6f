"""Providers for the outbox's tests.

`DownSms`, `RefusingSms`: an SMS provider that cannot be reached, one that refuses the number.

`LoggingEmail`, `LoggingSms`: providers whose every accepted message is one line appended to the file
`OUTBOX_TEST_LOG` (one `write` with O_APPEND, then fsync): the line *is* the delivery, so the log says exactly
what was delivered and how often, whatever happens to the worker. They can say whether they hold a message
(`delivered`), as the file backends do; `BlindEmail` and `BlindSms` cannot (as SMTP and most SMS providers).
`OUTBOX_TEST_DELAY` (seconds) slows each send; `OUTBOX_TEST_CRASH_AFTER=n` kills the worker (SIGKILL, its own
process) right after the n-th accepted message — between the provider accepting it and the outbox recording that,
the one window the outbox cannot close by itself.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from sciatica_care.scheduling.sms import SmsBackend, SmsRefused

_accepted = 0


class DownSms(SmsBackend):
    def send(self, to: str, body: str, *, reference: str) -> str:
        raise ConnectionRefusedError("provider down")

    def delivered(self, reference: str) -> str | None:
        return ""


class RefusingSms(SmsBackend):
    def send(self, to: str, body: str, *, reference: str) -> str:
        raise SmsRefused("number not in service")


def _log() -> Path:
    return Path(os.environ["OUTBOX_TEST_LOG"])


def _accept(name: str, to: str) -> None:
    global _accepted
    delay = float(os.environ.get("OUTBOX_TEST_DELAY", "0"))
    if delay:
        time.sleep(delay)
    line = (json.dumps({"id": name, "to": to, "pid": os.getpid(), "t": round(time.time(), 3)}) + "\n").encode()
    fd = os.open(_log(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    _accepted += 1
    if _accepted == int(os.environ.get("OUTBOX_TEST_CRASH_AFTER", "0") or -1):
        os.kill(os.getpid(), signal.SIGKILL)


def delivered_names() -> list[str]:
    if not _log().exists():
        return []
    return [json.loads(line)["id"] for line in _log().read_text().splitlines() if line.strip()]


class LoggingEmail(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            _accept(message.extra_headers["Message-ID"], message.to[0])
        return len(email_messages)

    def delivered(self, message_id: str) -> bool:
        return message_id in delivered_names()


class LoggingSms(SmsBackend):
    def send(self, to: str, body: str, *, reference: str) -> str:
        _accept(reference, to)
        return f"log-{reference}"

    def delivered(self, reference: str) -> str | None:
        return f"log-{reference}" if reference in delivered_names() else ""




class BlindEmail(BaseEmailBackend):
    """As LoggingEmail, but it cannot say what it holds (as SMTP)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            _accept(message.extra_headers["Message-ID"], message.to[0])
        return len(email_messages)


class BlindSms(SmsBackend):
    """As LoggingSms, but it cannot say what it holds (as most SMS providers)."""

    def send(self, to: str, body: str, *, reference: str) -> str:
        _accept(reference, to)
        return f"log-{reference}"
