"""The patient's link to reschedule or cancel one appointment without signing in (`/book/manage/<token>/`).

The design:

- Each appointment gets, the first time a link is wanted, a random value kept in `Appointment.manage_digest`: the
  SHA-256 of a fresh random nonce that is then thrown away. It is a key id, not the secret.
- The link's token is `<appointment id in base 36>-<mac>`, the mac an HMAC-SHA256, keyed by the site's secret key
  (Django's `salted_hmac`, its own salt), over the appointment's id and that stored value. So the token is the
  same every time it is made — a link in an earlier confirmation, reminder or "moved" message keeps working after
  the appointment moves — yet neither a copy of the database nor the stored value alone gives it: making or
  checking one needs the secret key. The token itself is stored nowhere.
- Revoking (`revoke`) stores a new value: every earlier link stops working at once, and new messages carry the
  new one.
- Reading (`read`) compares in constant time and answers None for anything unknown, altered or revoked, so the
  page cannot tell a guesser which it was. The pages throttle unknown tokens per address (clinic/throttle.py).

A link is given only for an appointment that may still change (booked, or awaiting approval) and whose patient,
or prospective patient, has an email address or a phone number to receive it; never for a cancelled one.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from sciatica_care.scheduling.models import Appointment, AppointmentStatus

__all__ = ["read", "revoke", "token", "url"]

SALT = "sciatica_care.scheduling.manage_link"
#: The statuses an appointment's link is made for.
CHANGEABLE = (AppointmentStatus.BOOKED, AppointmentStatus.REQUESTED)
#: The mac's length in the token, in URL-safe base 64 characters.
MAC_CHARS = 32
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
#: The most base 36 digits an id may have in a token: any more could overflow the database's integer.
ID_CHARS = 12


def _new_value() -> str:
    return hashlib.sha256(secrets.token_bytes(32)).hexdigest()


def _b36(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
        if n == 0:
            return out


def _mac(appointment_id: int, stored: str, secret: str | bytes | None = None) -> str:
    digest = salted_hmac(SALT, f"{appointment_id}:{stored}", secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:MAC_CHARS]


def _stored(appointment: Appointment) -> str:
    """The appointment's stored value, made once (a concurrent maker's value wins if it came first)."""
    if not appointment.manage_digest:
        Appointment.objects.filter(pk=appointment.pk, manage_digest="").update(manage_digest=_new_value())
        appointment.manage_digest = (Appointment.objects.filter(pk=appointment.pk)
                                     .values_list("manage_digest", flat=True).get())
    return appointment.manage_digest


def token(appointment: Appointment) -> str:
    return f"{_b36(appointment.pk)}-{_mac(appointment.pk, _stored(appointment))}"


def _has_contact(appointment: Appointment) -> bool:
    if appointment.patient_id is not None:
        patient = appointment.patient
        return bool((patient.email or "").strip() or (patient.phone or "").strip())
    return bool(appointment.prospect_email.strip() or appointment.prospect_phone.strip())


def url(appointment: Appointment) -> str:
    """The absolute link for the messages about this appointment ("" when it gets none). This is the
    `SCIATICA_CARE_MANAGE_LINK` hook of notices.py."""
    if appointment.status not in CHANGEABLE or not _has_contact(appointment):
        return ""
    return f"{settings.SCIATICA_CARE_BASE_URL}{reverse('booking:manage', args=[token(appointment)])}"


def read(value: str) -> Appointment | None:
    """The appointment a token opens, or None (malformed, altered, revoked or unknown)."""
    if not isinstance(value, str) or len(value) > 80 or "-" not in value:
        return None
    head, mac = value.split("-", 1)  # the id has no dash; the mac may
    if not head or len(head) > ID_CHARS or any(c not in ALPHABET for c in head) or len(mac) != MAC_CHARS:
        return None
    appointment = (Appointment.objects.select_related("clinic", "patient", "practitioner", "service", "location")
                   .filter(pk=int(head, 36)).exclude(manage_digest="").first())
    if appointment is None:
        return None
    keys = [None, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if any(constant_time_compare(mac, _mac(appointment.pk, appointment.manage_digest, secret=k)) for k in keys):
        return appointment
    return None


def revoke(appointment: Appointment) -> None:
    """Stop every link to this appointment made so far; the next message carries a new one."""
    appointment.manage_digest = _new_value()
    Appointment.objects.filter(pk=appointment.pk).update(manage_digest=appointment.manage_digest)
