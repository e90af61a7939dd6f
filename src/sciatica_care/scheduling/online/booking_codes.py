"""One-time codes for booking online as an existing patient, and the throttles on asking for and guessing them.

Someone who has been to the clinic types the email or phone number the clinic has for them. Only when it matches
exactly one patient of the clinic is a code made (six digits, `CODE_MINUTES` long, `CODE_TRIES` tries) and sent
through the outbox to that contact; the page answers the same whatever happened, so it never says who is a
patient. Only keyed digests are stored (`models.BookingCode`). Asking and guessing are counted per client address
and per contact in the shared cache (`clinic.throttle`), known contacts or not alike.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from sciatica_care.clinic import audit, one_time_codes, throttle
from sciatica_care.clinic.models import Clinic, Patient
from sciatica_care.errors import InputRefused, Problem
from sciatica_care.scheduling import message_wording, outbox, sms
from sciatica_care.scheduling.models import BookingCode, Channel, Topic

CODE_MINUTES = 10
CODE_TRIES = 5
#: The throttles' window, and what one client address or one contact may do in it.
WINDOW_SECONDS = 15 * 60
REQUESTS_PER_ADDRESS = 10
REQUESTS_PER_CONTACT = 3
GUESSES_PER_ADDRESS = 20
GUESSES_PER_CONTACT = 10
#: Bookings by someone new from one client address in an hour (the diary is not filled by a script).
NEW_BOOKINGS_PER_ADDRESS = 5
NEW_BOOKINGS_SECONDS = 60 * 60

THROTTLED = ("too many tries from here or for this contact: wait a quarter of an hour and try again, or call "
             "the clinic")


class Throttled(InputRefused):
    """Too many code requests or guesses for now (HTTP 429), naming the field."""

    def __init__(self, field: str) -> None:
        super().__init__([Problem(field, THROTTLED)])


def contact_of(raw: str) -> tuple[str, str]:
    """(channel, the contact as compared): an email address in lower case, or a phone number without spaces.
    Refused, naming `contact`, when it is neither."""
    value = (raw or "").strip()
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise InputRefused([Problem("contact", "type an email address such as name@example.org, or a phone "
                                                   "number")]) from None
        return Channel.EMAIL, value.lower()
    number = sms.normalise_number(value)
    if not number:
        raise InputRefused([Problem("contact", "type the email address or the phone number the clinic has for "
                                               "you")])
    return Channel.SMS, number


def _contact_digest(clinic_id: int, channel: str, contact: str) -> str:
    return salted_hmac("sciatica_care.scheduling.booking_contact", f"{clinic_id}:{channel}:{contact}",
                       algorithm="sha256").hexdigest()


def _code_digest(contact_digest: str, code: str) -> str:
    return salted_hmac("sciatica_care.scheduling.booking_code", f"{contact_digest}:{code}",
                       algorithm="sha256").hexdigest()


def patients_with(clinic: Clinic, channel: str, contact: str) -> list[Patient]:
    """The clinic's patients (not anonymised) whose email or phone on file is this contact."""
    patients = Patient.objects.filter(clinic=clinic, anonymised_at__isnull=True)
    if channel == Channel.EMAIL:
        return list(patients.filter(email__iexact=contact))
    return [p for p in patients.exclude(phone="") if sms.normalise_number(p.phone) == contact]


def _keys(kind: str, address: str, contact_digest: str) -> tuple[str, str]:
    return f"online-{kind}:addr:{address}", f"online-{kind}:contact:{contact_digest}"


def _throttle(kind: str, address: str, contact_digest: str, per_address: int, per_contact: int) -> None:
    by_address, by_contact = _keys(kind, address, contact_digest)
    if throttle.hits(by_address) >= per_address or throttle.hits(by_contact) >= per_contact:
        raise Throttled("contact" if kind == "ask" else "code")


def send_code(clinic: Clinic, raw_contact: str, *, address: str, now: dt.datetime | None = None) -> str:
    """Send a code to the contact when it is exactly one patient's of the clinic; say nothing either way, and
    return the contact's digest (what the code is later checked against, whoever it belongs to). Refused
    (`InputRefused`) for a contact that is neither an email nor a phone number, `Throttled` when this address or
    this contact asked too often."""
    channel, contact = contact_of(raw_contact)
    digest = _contact_digest(clinic.pk, channel, contact)
    _throttle("ask", address, digest, REQUESTS_PER_ADDRESS, REQUESTS_PER_CONTACT)
    for key in _keys("ask", address, digest):
        throttle.hit(key, WINDOW_SECONDS)
    found = patients_with(clinic, channel, contact)
    if len(found) != 1:
        audit.record(None, "online_booking_code_not_sent", clinic_id=clinic.pk, via="online",
                     reason="no patient" if not found else "several patients", channel=channel, address=address)
        return digest
    patient = found[0]
    now = now or timezone.now()
    code = one_time_codes.new_code()
    with transaction.atomic():
        row = BookingCode.objects.create(clinic=clinic, patient=patient, contact_digest=digest,
                                         digest=_code_digest(digest, code), created_at=now,
                                         expires_at=now + dt.timedelta(minutes=CODE_MINUTES))
        wording = message_wording.booking_code(clinic.name, code, CODE_MINUTES)
        outbox.queue(outbox.Outgoing(
            clinic_id=clinic.pk, channel=channel, to=patient.email if channel == Channel.EMAIL else patient.phone,
            body=wording.email if channel == Channel.EMAIL else wording.sms,
            subject=wording.subject if channel == Channel.EMAIL else "", dedupe_key=f"online-code:{row.pk}",
            kind="booking_code", topic=Topic.CODES, patient_id=patient.pk))
        audit.record(None, "online_booking_code_sent", row, patient_id=patient.pk, clinic_id=clinic.pk,
                     via="online", channel=channel, address=address)
    return digest


def check_code(clinic: Clinic, digest: str, code: str, *, address: str,
               now: dt.datetime | None = None) -> Patient | None:
    """The patient whose live code for the contact (its `digest`, from `send_code`) this is (the code is spent),
    or None: each live code of the contact loses a try, and the wrong guess is counted against the address and
    the contact. `Throttled` when either has guessed too often."""
    _throttle("guess", address, digest, GUESSES_PER_ADDRESS, GUESSES_PER_CONTACT)
    typed = one_time_codes.typed(code)
    now = now or timezone.now()
    patient = None
    if typed is not None:
        code = typed
        with transaction.atomic():
            live = list(BookingCode.objects.select_for_update().filter(
                clinic=clinic, contact_digest=digest, used_at__isnull=True, expires_at__gt=now,
                tries__lt=CODE_TRIES).select_related("patient"))
            right = next((r for r in live if constant_time_compare(r.digest, _code_digest(digest, code))), None)
            if right is not None and right.patient.anonymised_at is None:
                BookingCode.objects.filter(pk=right.pk).update(used_at=now)
                patient = right.patient
            else:
                BookingCode.objects.filter(pk__in=[r.pk for r in live]).update(tries=F("tries") + 1)
    if patient is None:
        for key in _keys("guess", address, digest):
            throttle.hit(key, WINDOW_SECONDS)
        audit.record(None, "online_booking_code_wrong", clinic_id=clinic.pk, via="online", address=address)
        return None
    audit.record(None, "online_booking_code_right", patient, clinic_id=clinic.pk, via="online", address=address)
    return patient


def new_booking_allowed(address: str) -> bool:
    """Whether someone new may book from this address now (a few bookings an hour)."""
    return throttle.hits(f"online-new:addr:{address}") < NEW_BOOKINGS_PER_ADDRESS


def new_booking_made(address: str) -> None:
    throttle.hit(f"online-new:addr:{address}", NEW_BOOKINGS_SECONDS)


#: A patient signed in to the portal books as themselves: at most this many online bookings a day (a course is
#: booked by the clinic from the plan, not time by time online).
ACCOUNT_BOOKINGS_PER_DAY = 10


def account_booking_allowed(account_id: int) -> bool:
    return throttle.hits(f"online-account:{account_id}") < ACCOUNT_BOOKINGS_PER_DAY


def account_booking_made(account_id: int) -> None:
    throttle.hit(f"online-account:{account_id}", 24 * 60 * 60)
