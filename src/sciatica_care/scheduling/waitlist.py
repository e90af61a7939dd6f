"""The waitlist: people waiting for a time, and the freed times offered to them in turn.

- `join` puts a patient (by staff) or someone known by name and contact only (the public page, or staff) on it.
- A time is freed when an appointment is cancelled (late or not) or moved away (`appointment_changed`, received
  here: a background task looks, so the request that cancelled returns at once). If the time is still free and
  far enough ahead for the clinic's minimum notice, it is offered to the first matching waiting entry
  (`waitlist_order`): the entry is marked offered, an offer is recorded with the digest of a secret link (the link
  itself goes only into the message), and the message is queued in the outbox — all in one transaction.
- An offer expires after the clinic's `waitlist_offer_minutes`, and never later than the start less the minimum
  notice (so an accepted offer always books within the rules). Declined or expired, the entry waits again and the
  time goes to the next in turn; nobody is offered the same time twice (the offer history).
- `accept` books the time through the booking service (`via=waitlist`); taken meanwhile or expired, it says so.

Two workers, a restart or a task run twice never offer a time twice: the database holds one open offer a time
and one a entry (partial unique constraints), an offer is closed by a conditional update that only one caller
wins, and the entry is claimed the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import Clinic, Patient, Role, Staff
from sciatica_care.errors import InputRefused, Problem
from sciatica_care.scheduling import booking, message_wording, outbox, recipients
from sciatica_care.scheduling.models import (
    Appointment,
    BookedVia,
    Channel,
    Location,
    MessageStatus,
    OfferOutcome,
    Service,
    Topic,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from sciatica_care.scheduling.waitlist_order import FreedTime, Wish, in_turn

__all__ = ["Answer", "Freed", "accept", "connect", "decline", "digest", "expire_due", "find_offer", "join",
           "offer_next", "slot_freed", "withdraw"]

#: The changes that free an appointment's time (for `moved`, the time it had before).
FREEING = ("cancelled", "late_cancelled", "moved")
#: An offer is worth making only when there is at least this long to answer it.
SHORTEST_OFFER = dt.timedelta(minutes=5)
MAX_WEEKS = 26


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Freed:
    """A time given up: the service it was held for, with whom, where, when it starts."""

    clinic_id: int
    service_id: int
    practitioner_id: int
    location_id: int
    start: dt.datetime


# --- joining and leaving ------------------------------------------------------------------------------------------


def join(*, clinic: Clinic, service: Service, earliest: dt.date, latest: dt.date, by: Staff | None,
         weekdays: Sequence[int] = (), practitioner: Staff | None = None, location: Location | None = None,
         patient: Patient | None = None, prospect_name: str = "", prospect_email: str = "",
         prospect_phone: str = "", now: dt.datetime | None = None) -> WaitlistEntry:
    """Put someone on the clinic's waitlist for `service` between `earliest` and `latest` (dates), on `weekdays`
    (0 = Monday; none = any). Refused with `InputRefused`, each problem naming its field; nothing is written then."""
    now = now or timezone.now()
    today = now.date()
    problems = []
    if service.clinic_id != clinic.pk or not service.active:
        problems.append(Problem("service", "not a service this clinic offers"))
    if practitioner is not None and (practitioner.clinic_id != clinic.pk or not practitioner.is_active
                                     or practitioner.role not in (Role.PRACTITIONER, Role.CLINIC_ADMIN)):
        problems.append(Problem("practitioner", "not a practitioner of this clinic"))
    if location is not None and (location.clinic_id != clinic.pk or not location.active):
        problems.append(Problem("location", "not an open location of this clinic"))
    if patient is not None and patient.clinic_id != clinic.pk:
        problems.append(Problem("patient", "not a patient of this clinic"))
    if patient is None:
        if not prospect_name.strip():
            problems.append(Problem("prospect_name", "give a name"))
        if not prospect_email.strip() and not prospect_phone.strip():
            problems.append(Problem("prospect_email", "give an email address or a phone number to reach you on"))
    if latest < earliest:
        problems.append(Problem("latest", "the last day comes before the first"))
    elif latest < today:
        problems.append(Problem("latest", "this day has passed"))
    elif latest > today + dt.timedelta(weeks=MAX_WEEKS):
        problems.append(Problem("latest", f"the waitlist looks at most {MAX_WEEKS} weeks ahead"))
    days = sorted(set(weekdays))
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
        problems.append(Problem("weekdays", "days of the week, 0 (Monday) to 6 (Sunday)"))
    if problems:
        raise InputRefused(problems)
    entry = WaitlistEntry.objects.create(
        clinic=clinic, patient=patient, service=service, practitioner=practitioner, location=location,
        earliest=max(earliest, today), latest=latest, weekdays=days, created_at=now,
        prospect_name="" if patient else prospect_name.strip(), prospect_email="" if patient else
        prospect_email.strip(), prospect_phone="" if patient else prospect_phone.strip())
    audit.record(by, "waitlist_join", entry, patient_id=entry.patient_id, clinic_id=clinic.pk,
                 service=service.pk, public=by is None)
    return entry


def withdraw(entry: WaitlistEntry, *, by: Staff | None, now: dt.datetime | None = None) -> bool:
    """Take an entry off the waitlist; an offer it holds goes to the next in turn. False when it had already left
    (booked, withdrawn)."""
    now = now or timezone.now()
    with transaction.atomic():
        n = WaitlistEntry.objects.filter(pk=entry.pk, status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED,
                                                                  WaitlistStatus.EXPIRED)) \
            .update(status=WaitlistStatus.WITHDRAWN, offer_digest="", offer_expires_at=None)
        if n != 1:
            return False
        open_offer = WaitlistOffer.objects.filter(entry=entry, outcome=OfferOutcome.OPEN).first()
        if open_offer is not None:
            WaitlistOffer.objects.filter(pk=open_offer.pk, outcome=OfferOutcome.OPEN).update(
                outcome=OfferOutcome.WITHDRAWN, answered_at=now)
        audit.record(by, "waitlist_withdraw", entry, patient_id=entry.patient_id, clinic_id=entry.clinic_id)
    entry.status = WaitlistStatus.WITHDRAWN
    if open_offer is not None:
        offer_next(_freed(open_offer), now=now)
    return True


# --- freed times --------------------------------------------------------------------------------------------------


def connect() -> None:
    from sciatica_care.scheduling.signals import appointment_changed

    appointment_changed.connect(_changed, dispatch_uid="sciatica_care.scheduling.waitlist")


def _changed(sender: Any, *, appointment: Appointment, change: str, previous: dict[str, Any] | None = None,
             **_: Any) -> None:
    if change not in FREEING:
        return
    from sciatica_care.scheduling.tasks import offer_freed_time

    start = previous.get("start") if change == "moved" and previous else appointment.start
    prac = previous.get("practitioner_id") if change == "moved" and previous else appointment.practitioner_id
    if not isinstance(start, dt.datetime) or prac is None:
        return
    if not WaitlistEntry.objects.filter(clinic_id=appointment.clinic_id, service_id=appointment.service_id,
                                        status=WaitlistStatus.WAITING).exists():
        return  # nobody waiting for this service: no task
    offer_freed_time.enqueue(appointment.clinic_id, appointment.service_id, int(prac), appointment.location_id,
                             start.isoformat())


def slot_freed(clinic_id: int, service_id: int, practitioner_id: int, location_id: int, start: str,
               now: dt.datetime | None = None) -> WaitlistOffer | None:
    """A freed time (the task's arguments): offer it to the first in turn, if anyone."""
    return offer_next(Freed(clinic_id, service_id, practitioner_id, location_id, dt.datetime.fromisoformat(start)),
                      now=now)


def _freed(offer: WaitlistOffer) -> Freed:
    return Freed(offer.clinic_id, offer.service_id, offer.practitioner_id, offer.location_id, offer.start)


def _wishes(freed: Freed, service: Service) -> Iterable[Wish]:
    waiting = WaitlistEntry.objects.filter(clinic_id=freed.clinic_id, service_id=freed.service_id,
                                           status=WaitlistStatus.WAITING)
    if not service.new_patients_allowed:
        # a service for existing patients goes to entries linked to their patient record only
        waiting = waiting.filter(patient__isnull=False)
    for row in waiting.values_list(
            "pk", "created_at", "service_id", "practitioner_id", "location_id", "earliest", "latest", "weekdays"):
        yield Wish(*row[:7], weekdays=tuple(d for d in row[7] or () if isinstance(d, int)))


def offer_next(freed: Freed, *, now: dt.datetime | None = None) -> WaitlistOffer | None:
    """Offer `freed` to the first matching entry that has not had it, unless it is on offer already, no longer
    free, or too near; return the offer made (None when none was)."""
    now = now or timezone.now()
    service = Service.objects.filter(pk=freed.service_id, clinic_id=freed.clinic_id).first()
    location = Location.objects.filter(pk=freed.location_id, clinic_id=freed.clinic_id).first()
    if service is None or location is None:
        return None
    rules = booking.rules_for(freed.clinic_id)
    last_answer = freed.start - dt.timedelta(hours=rules.minimum_notice_hours)
    expires = min(now + dt.timedelta(minutes=rules.waitlist_offer_minutes), last_answer)
    if expires - now < SHORTEST_OFFER:
        return None
    if not booking.bookable(service, freed.practitioner_id, location, freed.start, now=now):
        return None
    same_time = Q(practitioner_id=freed.practitioner_id, start=freed.start)
    day = freed.start.astimezone(ZoneInfo(location.time_zone)).date()
    target = FreedTime(freed.service_id, freed.practitioner_id, freed.location_id, day)
    with transaction.atomic():
        if WaitlistOffer.objects.filter(same_time, outcome=OfferOutcome.OPEN).exists():
            return None
        offered = set(WaitlistOffer.objects.filter(same_time).values_list("entry_id", flat=True))
        for wish in in_turn(_wishes(freed, service), target, offered):
            token = secrets.token_urlsafe(32)
            hashed = digest(token)
            try:
                with transaction.atomic():
                    claimed = WaitlistEntry.objects.filter(pk=wish.id, status=WaitlistStatus.WAITING).update(
                        status=WaitlistStatus.OFFERED, offered_start=freed.start,
                        offered_practitioner_id=freed.practitioner_id, offer_expires_at=expires,
                        offer_digest=hashed)
                    if claimed != 1:
                        continue  # taken off the list, or offered another time, since it was read
                    offer = WaitlistOffer.objects.create(
                        entry_id=wish.id, clinic_id=freed.clinic_id, service=service,
                        practitioner_id=freed.practitioner_id, location=location, start=freed.start,
                        created_at=now, expires_at=expires, digest=hashed)
            except IntegrityError:
                return None  # someone else offered this time at the same moment
            entry = WaitlistEntry.objects.select_related("patient", "clinic").get(pk=wish.id)
            message = outbox.queue(_message(entry, offer, token))
            audit.record(None, "waitlist_offer", entry, patient_id=entry.patient_id, clinic_id=freed.clinic_id,
                         offer=offer.pk, start=freed.start.isoformat(), practitioner=freed.practitioner_id,
                         expires=expires.isoformat(), told=message.status != MessageStatus.SKIPPED)
            if message.status == MessageStatus.SKIPPED:
                # nobody can be told (no usable address, or they asked for no such messages): the next in turn
                _close(offer, OfferOutcome.EXPIRED, now)
                continue
            return offer
    return None


def offer_url(token: str) -> str:
    return f"{settings.SCIATICA_CARE_BASE_URL}{reverse('booking:offer', args=[token])}"


def _message(entry: WaitlistEntry, offer: WaitlistOffer, token: str) -> outbox.Outgoing:
    clinic = entry.clinic.name
    practitioner = Staff.objects.get(pk=offer.practitioner_id)
    location = offer.location
    service = offer.service
    place = "By telephone or video" if service.by_phone else ", ".join(
        p for p in [location.name, location.address.replace("\n", ", ").strip(", ")] if p)
    patient = entry.patient
    name = patient.first_name if patient is not None else entry.prospect_name.split(" ")[0]
    wording = message_wording.waitlist_offer(
        clinic=clinic, name=name, service=service.name, practitioner=practitioner.display(), place=place,
        phone=location.phone, start=offer.start, expires=offer.expires_at, zone=location.time_zone,
        link=offer_url(token))
    key = f"waitlist:offer:{offer.pk}"
    if patient is not None:
        who = recipients.Recipient(entry.clinic_id, name, patient.email, patient.phone, patient.pk, None)
        return recipients.message(who, kind="waitlist_offer", topic=Topic.APPOINTMENTS, dedupe_key=key,
                                  wording=wording, clinic_name=clinic)
    # Someone not yet a patient asked for this message; it goes to the address they gave.
    email = bool(entry.prospect_email)
    return outbox.Outgoing(
        clinic_id=entry.clinic_id, channel=Channel.EMAIL if email else Channel.SMS,
        to=entry.prospect_email if email else entry.prospect_phone, subject=wording.subject if email else "",
        body=wording.email if email else wording.sms, dedupe_key=key, kind="waitlist_offer",
        topic=Topic.APPOINTMENTS)


# --- answering an offer -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What became of an answer: `booked`, `declined`, `expired`, `taken` (someone else has the time), `answered`
    (the offer was answered or withdrawn before), `unknown` (no such link)."""

    outcome: str
    offer: WaitlistOffer | None = None
    appointment: Appointment | None = None


def find_offer(token: str) -> WaitlistOffer | None:
    if not token or len(token) > 100:
        return None
    return (WaitlistOffer.objects.select_related("entry", "entry__patient", "clinic", "service", "location",
                                                 "practitioner").filter(digest=digest(token)).first())


def _close(offer: WaitlistOffer, outcome: str, now: dt.datetime, *, only_expired: bool = False) -> bool:
    """Close an open offer (only one caller wins) and put its entry back to waiting."""
    qs = WaitlistOffer.objects.filter(pk=offer.pk, outcome=OfferOutcome.OPEN)
    if only_expired:
        qs = qs.filter(expires_at__lte=now)
    if qs.update(outcome=outcome, answered_at=now) != 1:
        return False
    WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistStatus.OFFERED).update(
        status=WaitlistStatus.WAITING, offer_digest="", offer_expires_at=None)
    offer.outcome = outcome
    return True


def decline(token: str, *, now: dt.datetime | None = None) -> Answer:
    """The person lets the time go: it goes to the next in turn; they stay on the waitlist."""
    now = now or timezone.now()
    offer = find_offer(token)
    if offer is None:
        return Answer("unknown")
    with transaction.atomic():
        if offer.outcome != OfferOutcome.OPEN:
            return Answer("answered", offer)
        if not _close(offer, OfferOutcome.DECLINED, now):
            return Answer("answered", offer)
        audit.record(None, "waitlist_offer_declined", offer.entry, patient_id=offer.entry.patient_id,
                     clinic_id=offer.clinic_id, offer=offer.pk)
    offer_next(_freed(offer), now=now)
    return Answer("declined", offer)


def accept(token: str, *, now: dt.datetime | None = None) -> Answer:
    """Book the offered time for the entry's person, if the offer is still open and the time still free."""
    now = now or timezone.now()
    found = find_offer(token)
    if found is None:
        return Answer("unknown")
    expired = False
    with transaction.atomic():
        offer = WaitlistOffer.objects.select_for_update().get(pk=found.pk)
        offer.entry, offer.clinic, offer.service, offer.location = (found.entry, found.clinic, found.service,
                                                                     found.location)
        if offer.outcome != OfferOutcome.OPEN:
            return Answer("answered", offer)
        if offer.expires_at <= now:
            expired = _close(offer, OfferOutcome.EXPIRED, now, only_expired=True)
        else:
            entry = offer.entry
            try:
                appointment = booking.book(
                    clinic=offer.clinic, practitioner=found.practitioner, service=offer.service,
                    location=offer.location, start=offer.start, by=None, via=BookedVia.WAITLIST,
                    patient=entry.patient, now=now, **({} if entry.patient_id else {
                        "prospect_name": entry.prospect_name, "prospect_email": entry.prospect_email,
                        "prospect_phone": entry.prospect_phone}))
            except InputRefused as exc:
                _close(offer, OfferOutcome.TAKEN, now)
                audit.record(None, "waitlist_offer_refused", entry, patient_id=entry.patient_id,
                             clinic_id=offer.clinic_id, offer=offer.pk, problems=[p.path for p in exc.problems])
                return Answer("taken", offer)
            WaitlistOffer.objects.filter(pk=offer.pk).update(outcome=OfferOutcome.ACCEPTED, answered_at=now,
                                                             appointment=appointment)
            WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.BOOKED, appointment=appointment,
                                                             offer_digest="", offer_expires_at=None)
            audit.record(None, "waitlist_offer_accepted", entry, patient_id=entry.patient_id,
                         clinic_id=offer.clinic_id, offer=offer.pk, appointment=appointment.pk)
            offer.outcome = OfferOutcome.ACCEPTED
            return Answer("booked", offer, appointment)
    if expired:
        offer_next(_freed(offer), now=now)
    return Answer("expired", offer)


# --- the worker's job ---------------------------------------------------------------------------------------------


def expire_due(now: dt.datetime | None = None) -> int:
    """The worker's job: close the offers whose time to answer has passed and offer each time to the next in turn;
    mark expired the entries whose last day has passed. Safe to run in two workers at once, or again after a
    restart. Returns how many offers it closed."""
    now = now or timezone.now()
    closed = 0
    for offer in WaitlistOffer.objects.filter(outcome=OfferOutcome.OPEN, expires_at__lte=now).order_by("expires_at",
                                                                                                      "id")[:200]:
        with transaction.atomic():
            won = _close(offer, OfferOutcome.EXPIRED, now, only_expired=True)
        if won:
            closed += 1
            audit.record(None, "waitlist_offer_expired", offer.entry, patient_id=offer.entry.patient_id,
                         clinic_id=offer.clinic_id, offer=offer.pk)
            offer_next(_freed(offer), now=now)
    WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING, latest__lt=now.date()).update(
        status=WaitlistStatus.EXPIRED)
    _resume(now)
    return closed


def _resume(now: dt.datetime) -> None:
    """Offer again the times whose turn was broken off (an offer closed, and the worker stopped before the next was
    made): each future time with closed offers and none open or accepted. `offer_next` checks everything again."""
    closed = WaitlistOffer.objects.filter(start__gt=now, outcome__in=(
        OfferOutcome.DECLINED, OfferOutcome.EXPIRED, OfferOutcome.WITHDRAWN))
    settled = WaitlistOffer.objects.filter(start__gt=now, outcome__in=(OfferOutcome.OPEN, OfferOutcome.ACCEPTED,
                                                                        OfferOutcome.TAKEN))
    done = set(settled.values_list("practitioner_id", "start"))
    times = closed.values_list("clinic_id", "service_id", "practitioner_id", "location_id", "start")
    for row in times.order_by().distinct():
        if (row[2], row[4]) not in done:
            offer_next(Freed(*row), now=now)
