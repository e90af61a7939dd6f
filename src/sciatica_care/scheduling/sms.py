"""Text messages: a small backend interface, as Django's for email.

`SCIATICA_CARE_SMS_BACKEND` names the backend: "console" (printed, the default), "file" (one JSON file per message
in `SCIATICA_CARE_SMS_FILES`), "locmem" (kept in `sms.outbox`, for tests) or the dotted path of a provider's
adapter. An adapter subclasses `SmsBackend` and implements `send`; it implements `delivered` too when the provider
can say whether it already has a message with a given reference (then a message whose worker died between the
provider accepting it and our record of that is not sent twice).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = ["SmsBackend", "SmsRefused", "TextMessage", "get_backend", "normalise_number", "outbox"]

#: A phone number as the backends take it: "+" and 8 to 15 digits (E.164), or a local number of 6 to 15 digits.
_NUMBER = re.compile(r"\+?[0-9]{6,15}")


class SmsRefused(Exception):
    """The provider refused the message for good (a bad number, a blocked recipient): not worth trying again."""


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str
    reference: str
    provider_id: str


#: The messages the "locmem" backend has sent, oldest first (as `django.core.mail.outbox`).
outbox: list[TextMessage] = []


def normalise_number(value: str) -> str | None:
    """The number without spaces, dashes, dots or brackets, or None when it is not a phone number."""
    number = re.sub(r"[\s().-]", "", value or "")
    return number if _NUMBER.fullmatch(number) else None


class SmsBackend:
    """Send one text message; say whether a message with this reference was already accepted (None: cannot tell)."""

    def send(self, to: str, body: str, *, reference: str) -> str:
        """Hand the message to the provider and return its id for it; raise `SmsRefused` if it is refused for
        good, anything else when trying again later may work."""
        raise NotImplementedError

    def delivered(self, reference: str) -> str | None:
        """The provider's id of the message sent with this reference, "" when it has none, None when the provider
        cannot tell."""
        return None


class ConsoleBackend(SmsBackend):
    def send(self, to: str, body: str, *, reference: str) -> str:
        sys.stdout.write(f"SMS to {to} (ref {reference}):\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return f"console-{reference}"


class FileBackend(SmsBackend):
    """One file per message, `<reference>.json`, written whole (a temporary file renamed into place), so a message
    is in the folder completely or not at all, and `delivered` can look it up."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder or settings.SCIATICA_CARE_SMS_FILES)

    def _path(self, reference: str) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", reference):
            raise ValueError("an SMS reference is letters, digits, '-' and '_' only")
        return self.folder / f"{reference}.json"

    def send(self, to: str, body: str, *, reference: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._path(reference)
        data = json.dumps({"to": to, "body": body, "reference": reference}, ensure_ascii=False).encode()
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".sending-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return f"file-{reference}"

    def delivered(self, reference: str) -> str | None:
        return f"file-{reference}" if self._path(reference).exists() else ""


class LocmemBackend(SmsBackend):
    def send(self, to: str, body: str, *, reference: str) -> str:
        outbox.append(TextMessage(to=to, body=body, reference=reference, provider_id=f"locmem-{reference}"))
        return f"locmem-{reference}"

    def delivered(self, reference: str) -> str | None:
        return next((m.provider_id for m in outbox if m.reference == reference), "")


_BY_NAME: dict[str, type[SmsBackend]] = {"console": ConsoleBackend, "file": FileBackend, "locmem": LocmemBackend}


def get_backend(name: str | None = None) -> SmsBackend:
    """The configured backend (or the one named)."""
    name = name or settings.SCIATICA_CARE_SMS_BACKEND
    backend_class = _BY_NAME.get(name) or import_string(name)
    if not (isinstance(backend_class, type) and issubclass(backend_class, SmsBackend)):
        raise TypeError(f"{name} is not an SMS backend (a subclass of sciatica_care.scheduling.sms.SmsBackend)")
    return backend_class()
