"""Opting out: the signed link at the foot of every email to a patient, and the choices it changes.

The link carries a token signed with the site's secret key (Django's `signing`, its own salt): the clinic, the
channel and who — a patient's id, or for someone not yet a patient the appointment whose contact details they gave.
No address and no name are in it (a link ends up in proxies' logs), nothing can be forged or altered without the
key, and it works without signing in for as long as the key is the same. It lets its holder change only that
person's choices about messages, on that channel.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import Clinic, Patient
from sciatica_care.scheduling.models import PATIENT_TOPICS, Appointment, Channel, OptOut, Topic

SALT = "sciatica_care.scheduling.unsubscribe"


@dataclass(frozen=True)
class Subscriber:
    """Whose choices a link changes: a patient, or the prospective patient of one appointment (by address)."""

    clinic: Clinic
    channel: str
    patient: Patient | None
    address: str

    @property
    def masked_address(self) -> str:
        """Enough of the address to recognise it, not enough to learn it: j•••@example.org, •••• 1234."""
        if self.channel == Channel.EMAIL and "@" in self.address:
            local, domain = self.address.split("@", 1)
            return f"{local[:1]}•••@{domain}"
        return f"•••• {self.address[-4:]}" if self.address else ""


def token(clinic_id: int, channel: str, *, patient_id: int | None = None, appointment_id: int | None = None) -> str:
    if (patient_id is None) == (appointment_id is None):
        raise ValueError("a patient or an appointment, not both")
    who = ["p", patient_id] if patient_id is not None else ["a", appointment_id]
    return signing.dumps([clinic_id, channel, *who], salt=SALT, compress=True)


def url(clinic_id: int, channel: str, topic: str, *, patient_id: int | None = None,
        appointment_id: int | None = None) -> str:
    path = reverse("scheduling:unsubscribe", args=[token(clinic_id, channel, patient_id=patient_id,
                                                         appointment_id=appointment_id)])
    return f"{settings.SCIATICA_CARE_BASE_URL}{path}?topic={topic}"


def read(value: str) -> Subscriber | None:
    """The subscriber a token names, or None for a token that is forged, altered or names nobody now."""
    try:
        clinic_id, channel, kind, pk = signing.loads(value, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if channel not in Channel.values or kind not in ("p", "a") or not isinstance(pk, int):
        return None
    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None:
        return None
    if kind == "p":
        patient = Patient.objects.filter(pk=pk, clinic=clinic).first()
        if patient is None:
            return None
        return Subscriber(clinic, channel, patient, patient.email if channel == Channel.EMAIL else patient.phone)
    appointment = Appointment.objects.filter(pk=pk, clinic=clinic).first()
    if appointment is None:
        return None
    if appointment.patient is not None:
        patient = appointment.patient
        return Subscriber(clinic, channel, patient, patient.email if channel == Channel.EMAIL else patient.phone)
    address = appointment.prospect_email if channel == Channel.EMAIL else appointment.prospect_phone
    return Subscriber(clinic, channel, None, _normalised(channel, address)) if address else None


def _normalised(channel: str, address: str) -> str:
    from sciatica_care.scheduling import sms

    return (sms.normalise_number(address) or address) if channel == Channel.SMS else address.strip()


def _rows(subscriber: Subscriber) -> object:
    rows = OptOut.objects.filter(clinic=subscriber.clinic, channel=subscriber.channel)
    if subscriber.patient is not None:
        return rows.filter(patient=subscriber.patient)
    return rows.filter(patient__isnull=True, address=subscriber.address)


def stopped(subscriber: Subscriber) -> set[str]:
    """The topics this subscriber has stopped on this channel."""
    return set(_rows(subscriber).values_list("topic", flat=True))  # type: ignore[attr-defined]


def choose(subscriber: Subscriber, stop: set[str], *, via: str, actor: object = None) -> tuple[set[str], set[str]]:
    """Make `stop` the topics stopped on this channel (the others started again); audited. Return (newly stopped,
    started again)."""
    stop = {t for t in stop if t in PATIENT_TOPICS}
    with transaction.atomic():
        before = stopped(subscriber)
        added, removed = stop - before, (before & set(PATIENT_TOPICS)) - stop
        for topic in sorted(added):
            OptOut.objects.create(clinic=subscriber.clinic, patient=subscriber.patient,
                                  address="" if subscriber.patient else subscriber.address,
                                  channel=subscriber.channel, topic=topic, via=via)
        if removed:
            _rows(subscriber).filter(topic__in=removed).delete()  # type: ignore[attr-defined]
        if added or removed:
            audit.record(actor if actor is not None else None, "message_choices",  # type: ignore[arg-type]
                         subscriber.patient, clinic_id=subscriber.clinic.pk, channel=subscriber.channel,
                         stopped=sorted(added), started=sorted(removed), via=via,
                         **({} if subscriber.patient else {"prospect": True}))
    return added, removed


def topic_label(topic: str) -> str:
    return str(Topic(topic).label) if topic in Topic.values else topic
