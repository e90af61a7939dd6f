"""An email backend that writes each message whole into its own file, `<digest of its Message-ID>.eml`, in
`EMAIL_FILE_PATH` (`SCIATICA_CARE_EMAIL_FILES`): for a clinic trying the product without a mail server, the demo,
and the tests. Unlike Django's file backend (one log per connection, appended to) it can say whether it already
holds a message (`delivered`), so the outbox never writes one twice."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid


def file_name(message_id: str) -> str:
    return hashlib.sha256(message_id.strip().encode()).hexdigest()[:40] + ".eml"


class EmailBackend(BaseEmailBackend):
    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        folder = file_path or getattr(settings, "EMAIL_FILE_PATH", None)
        if not folder:
            raise ImproperlyConfigured("the file email backend needs EMAIL_FILE_PATH (SCIATICA_CARE_EMAIL_FILES)")
        self.folder = Path(folder)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            if "Message-ID" not in message.extra_headers:
                message.extra_headers["Message-ID"] = make_msgid()
            self._write(file_name(message.extra_headers["Message-ID"]), message.message().as_bytes())
            sent += 1
        return sent

    def _write(self, name: str, data: bytes) -> None:
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".sending-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.folder / name)  # the message appears whole or not at all
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def delivered(self, message_id: str) -> bool:
        return (self.folder / file_name(message_id)).exists()
