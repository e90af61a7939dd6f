"""How a queued message leaves: email through Django's email backend (SMTP, the console, one file a message, or
locmem in tests), SMS through `sms.py`'s backend. One `Courier` per batch keeps one connection to each.

Every attempt at one message carries the same name at the provider (`Message.reference`): the email's Message-ID
is `<reference@domain-of-the-sender>`, the SMS's client reference is the reference itself. `Courier.delivered`
asks the provider whether it already holds it, where the provider can tell."""

from __future__ import annotations

import contextlib
import smtplib
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend

from sciatica_care.scheduling import sms
from sciatica_care.scheduling.models import Channel, Message

__all__ = ["Courier", "Refused", "message_id"]


class Refused(Exception):
    """The provider refused the message for good: it is marked failed, not tried again."""


def _domain() -> str:
    sender = str(settings.DEFAULT_FROM_EMAIL)
    domain = sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else "localhost"
    return domain or "localhost"


def message_id(message: Message) -> str:
    return f"<{message.reference}@{_domain()}>"


def email_for(message: Message, connection: Any = None) -> EmailMessage:
    headers = {"Message-ID": message_id(message), "Auto-Submitted": "auto-generated"}
    if message.unsubscribe_url:  # RFC 8058 one-click unsubscribe, for mail clients that offer it
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMessage(subject=message.subject, body=message.body, to=[message.to_address], headers=headers,
                         connection=connection)
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment["text"], attachment["content_type"])
    return email


class Courier:
    """Sends messages one at a time over connections opened once."""

    def __init__(self) -> None:
        self._email: Any = None
        self._sms: sms.SmsBackend | None = None
        self._can_tell: dict[str, bool] = {}

    def can_tell(self, channel: str) -> bool:
        """Whether this channel's provider can say if it already holds a message (`delivered`)."""
        if channel not in self._can_tell:
            if channel == Channel.SMS:
                backend = type(self._sms_backend())
                self._can_tell[channel] = backend.delivered is not sms.SmsBackend.delivered
            else:
                connection = mail.get_connection(fail_silently=False)
                self._can_tell[channel] = isinstance(connection, LocmemEmailBackend) or hasattr(connection,
                                                                                              "delivered")
        return self._can_tell[channel]

    def _email_connection(self) -> Any:
        if self._email is None:
            self._email = mail.get_connection(fail_silently=False)
            self._email.open()
        return self._email

    def _sms_backend(self) -> sms.SmsBackend:
        if self._sms is None:
            self._sms = sms.get_backend()
        return self._sms

    def send(self, message: Message) -> str:
        """Hand the message to its provider; return the provider's id for it. `Refused`: never worth another try;
        any other exception: try again later (the provider may or may not have it)."""
        if message.channel == Channel.SMS:
            try:
                return self._sms_backend().send(message.to_address, message.body, reference=message.reference)
            except sms.SmsRefused as exc:
                raise Refused(str(exc)) from exc
        connection = self._email_connection()
        try:
            sent = connection.send_messages([email_for(message, connection)])
        except smtplib.SMTPRecipientsRefused as exc:
            raise Refused("the mail server refused the address") from exc
        except (TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError):
            self.close()  # a fresh connection for the next message
            raise
        if not sent:
            raise Refused("the email backend sent nothing (no recipient)")
        return message_id(message)

    def delivered(self, message: Message) -> str | None:
        """The provider's id if it already holds this message, "" if it does not, None if it cannot tell."""
        if message.channel == Channel.SMS:
            return self._sms_backend().delivered(message.reference)
        connection = self._email_connection()
        wanted = message_id(message)
        if isinstance(connection, LocmemEmailBackend):
            return wanted if any(m.extra_headers.get("Message-ID") == wanted for m in mail.outbox) else ""
        lookup = getattr(connection, "delivered", None)
        if lookup is None:
            return None
        return wanted if lookup(wanted) else ""

    def close(self) -> None:
        if self._email is not None:
            with contextlib.suppress(Exception):  # closing a broken connection: nothing left to do
                self._email.close()
            self._email = None
