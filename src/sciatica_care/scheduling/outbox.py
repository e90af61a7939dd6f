"""The outbox: every email and text message the clinic sends is a `Message` row, queued once and sent exactly once.

`queue(...)` stores a message under a unique dedupe key (a second call with the same key returns the first row and
changes nothing), due at once or later. A message to someone who opted out of its topic on its channel, or with
no usable address, is stored as skipped, with the reason.

`dispatch()` is what the worker runs: it claims due messages in batches and sends them one at a time.

Exactly once, even when a worker is killed mid-batch:

1. Claim: one short transaction takes up to `batch` due rows (PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED`, so
   workers never take the same row; SQLite: its transactions start IMMEDIATE, one writer at a time), marks
   them `sending` under a claim name unique to this batch, with a lease (`SCIATICA_CARE_OUTBOX_LEASE_SECONDS`),
   and audits the batch (`send_messages`: which messages, to which patients) before anything is sent.
2. Send in a fixed order (due time, then id) and record each outcome — sent (when, the provider's id), skipped,
   failed (audited), or back in the queue to retry. On a channel whose provider cannot say whether it holds a
   message (SMTP, most SMS providers, the console) the outcome is committed before the next message is handed to
   any provider. On a channel whose provider can (the file and locmem backends, a provider adapter with
   `delivered`) outcomes are committed in groups. The lease is renewed while the batch runs; a send never waits
   longer than the mail server's timeout, well inside it.
3. A claim whose lease ran out belongs to a dead (or frozen) worker. Because of 2, of its rows still `sending`,
   only those up to and including the first on a channel that cannot tell may have reached a provider; they go
   back to the queue marked `in_doubt`, the others (certainly never sent) simply go back.
4. Before an in-doubt message is sent, the provider is asked whether it already holds it, by the message's own
   name: the email's Message-ID and the SMS reference are derived from the dedupe key, the same on every attempt.
   Where the provider can tell, a message it holds is recorded sent and not sent again — no message is lost or
   sent twice. Where it cannot, the message is sent again with the same Message-ID and marked
   `possible_duplicate` (audited).

The window that remains is the one between a provider accepting a message and our commit of that fact. Where the
provider can tell, step 4 closes it. Where it cannot, a crash there leaves at most one message per dead worker in
doubt, which is sent again: at most one possible duplicate per crash, carrying the same Message-ID (mail systems
that keep one message per Message-ID show it once), and recorded as such. A send that failed in a way that leaves
its fate unknown (a timeout, a dropped connection) is treated the same way on its next attempt.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from sciatica_care.clinic import audit
from sciatica_care.scheduling import sms
from sciatica_care.scheduling.delivery import Courier, Refused
from sciatica_care.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Channel,
    Message,
    MessageStatus,
    OptOut,
    SkipReason,
    Topic,
)

__all__ = ["Attachment", "Outgoing", "Report", "dispatch", "opted_out", "queue", "queue_many", "recover",
           "skip_queued", "usable_address"]

log = logging.getLogger(__name__)

#: At most this many outcomes (or this many seconds' worth) on a channel whose provider can tell are committed at once.
GROUP = 200
GROUP_SECONDS = 1.0
#: Attempts before a message is marked failed; the wait after each failed attempt.
MAX_ATTEMPTS = 6
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15), dt.timedelta(hours=1),
           dt.timedelta(hours=3))


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    text: str


@dataclass(frozen=True)
class Outgoing:
    """One message to queue. `patient_id` (or `staff_id`) says whom it concerns; `appointment_id` and `about_start`
    tie it to an appointment still booked at that start (a reminder): it is skipped if that is no longer so."""

    clinic_id: int
    channel: str
    to: str
    body: str
    dedupe_key: str
    kind: str
    topic: str
    subject: str = ""
    due_at: dt.datetime | None = None
    patient_id: int | None = None
    staff_id: int | None = None
    appointment_id: int | None = None
    about_start: dt.datetime | None = None
    attachments: tuple[Attachment, ...] = ()
    unsubscribe_url: str = ""


_OUTGOING_FIELDS = {f.name for f in fields(Outgoing)}


# --- queueing -------------------------------------------------------------------------------------------------


def usable_address(channel: str, value: str) -> tuple[str, str]:
    """(the address as sent to, "") or ("", why it cannot be used)."""
    value = (value or "").strip()
    if not value:
        return "", SkipReason.NO_ADDRESS
    if channel == Channel.SMS:
        number = sms.normalise_number(value)
        return (number, "") if number else ("", SkipReason.BAD_ADDRESS)
    try:
        validate_email(value)
    except ValidationError:
        return "", SkipReason.BAD_ADDRESS
    return value, ""


def opted_out(clinic_id: int, patient_id: int | None, address: str, channel: str, topic: str) -> bool:
    if topic in (Topic.STAFF, Topic.CODES):  # a code is sent only because the person just asked for it
        return False
    who = Q(patient_id=patient_id) if patient_id else Q(patient__isnull=True, address=address)
    if patient_id and address:
        who |= Q(patient__isnull=True, address=address)
    return OptOut.objects.filter(who, clinic_id=clinic_id, channel=channel, topic=topic).exists()


def _storable(text: str) -> str:
    """Text as every database keeps it: PostgreSQL refuses NUL in text (an address that has one is unusable
    anyway, so the message is stored skipped with what remains of it)."""
    return text.replace("\x00", "")


def _build(outgoing: Outgoing, now: dt.datetime) -> Message:
    if outgoing.channel not in Channel.values:
        raise ValueError(f"unknown channel {outgoing.channel!r}")
    if outgoing.topic not in Topic.values:
        raise ValueError(f"unknown topic {outgoing.topic!r}")
    if not 0 < len(outgoing.dedupe_key) <= Message._meta.get_field("dedupe_key").max_length:  # type: ignore[operator]
        raise ValueError("a dedupe key is 1 to 200 characters")
    address, problem = usable_address(outgoing.channel, outgoing.to)
    if not problem and opted_out(outgoing.clinic_id, outgoing.patient_id, address, outgoing.channel, outgoing.topic):
        problem = SkipReason.OPTED_OUT
    return Message(
        clinic_id=outgoing.clinic_id, patient_id=outgoing.patient_id, staff_id=outgoing.staff_id,
        appointment_id=outgoing.appointment_id, about_start=outgoing.about_start, channel=outgoing.channel,
        kind=outgoing.kind, topic=outgoing.topic, to_address=_storable(address or outgoing.to)[:254],
        subject=_storable(outgoing.subject)[:200],
        body=_storable(outgoing.body), dedupe_key=outgoing.dedupe_key, due_at=outgoing.due_at or now,
        attachments=[{"filename": a.filename, "content_type": a.content_type, "text": a.text}
                     for a in outgoing.attachments],
        unsubscribe_url=outgoing.unsubscribe_url,
        status=MessageStatus.SKIPPED if problem else MessageStatus.QUEUED, skip_reason=problem, created_at=now)


def queue(outgoing: Outgoing | None = None, /, **values: Any) -> Message:
    """Queue one message (an `Outgoing`, or its fields as keywords) unless its dedupe key is taken; return the
    row under that key — the first one stored, unchanged."""
    if outgoing is None:
        unknown = set(values) - _OUTGOING_FIELDS
        if unknown:
            raise TypeError(f"unknown message fields: {sorted(unknown)}")
        outgoing = Outgoing(**values)
    existing = Message.objects.filter(dedupe_key=outgoing.dedupe_key).first()
    if existing is not None:
        return existing
    message = _build(outgoing, timezone.now())
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:  # queued by someone else meanwhile
        return Message.objects.get(dedupe_key=outgoing.dedupe_key)
    return message


def queue_many(outgoing: Iterable[Outgoing]) -> int:
    """Queue many messages at once (those whose dedupe key is taken are left as they are); return how many of them
    were new."""
    wanted = {o.dedupe_key: o for o in outgoing}
    taken = set(Message.objects.filter(dedupe_key__in=wanted).values_list("dedupe_key", flat=True))
    now = timezone.now()
    rows = [_build(o, now) for key, o in wanted.items() if key not in taken]
    Message.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def skip_queued(messages: Any, reason: str) -> int:
    """Mark the still-queued messages of a queryset skipped (a moved or cancelled appointment's reminders). Messages
    already claimed by a worker are checked again by it before they are sent."""
    return int(messages.filter(status=MessageStatus.QUEUED).update(status=MessageStatus.SKIPPED, skip_reason=reason))


# --- sending --------------------------------------------------------------------------------------------------


@dataclass
class Report:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0
    recovered: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.failed + self.retried


#: What recording an outcome may change.
OUTCOME_FIELDS = ("status", "skip_reason", "sent_at", "provider_id", "last_error", "due_at", "in_doubt",
                  "possible_duplicate")


def _record(outcomes: list[tuple[Message, dict[str, Any]]], claim: str) -> int:
    """Write each message's outcome and release its claim — only where this claim still holds it; return how many
    rows were written. One plain UPDATE per message, sent together: the ORM's query building cost more than the
    database's work (a worker records thousands a minute)."""
    table = Message._meta.db_table
    sets = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in OUTCOME_FIELDS)
    # Only the model's own table and column names are formatted in; every value is a parameter.
    sql = (f"UPDATE {table} SET {sets}, claim = '', claimed_until = NULL "  # noqa: S608
           f"WHERE id = %s AND claim = %s AND status = 'sending'")
    fields = {name: Message._meta.get_field(name) for name in OUTCOME_FIELDS}
    rows = [[*(fields[name].get_db_prep_save(values.get(name, getattr(m, name)), connection)
               for name in OUTCOME_FIELDS), m.id, claim] for m, values in outcomes]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)  # psycopg pipelines them; both drivers count every row written
        return int(cursor.rowcount)


class ClaimLost(Exception):
    """Another worker took this batch over (its lease had run out while this worker was stalled)."""


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SCIATICA_CARE_OUTBOX_LEASE_SECONDS)


def _claim_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex}"


def recover(now: dt.datetime | None = None, courier: Courier | None = None) -> int:
    """Put back in the queue the messages of claims whose lease ran out; return how many.

    Of a dead claim's unrecorded messages, in sending order, those up to and including the first whose provider
    cannot tell whether it holds a message may have been sent, and are marked in doubt; the rest certainly were not
    (see `_Batch`: an outcome on such a channel is committed before the next send)."""
    now = now or timezone.now()
    expired = Message.objects.filter(status=MessageStatus.SENDING, claimed_until__lt=now)
    if not expired.exists():  # a plain read first: no write lock taken (SQLite) when there is nothing to do
        return 0
    courier = courier or Courier()
    with transaction.atomic():
        rows = list(Message.objects.select_for_update(skip_locked=True)
                    .filter(status=MessageStatus.SENDING, claimed_until__lt=now)
                    .order_by("claim", "due_at", "id").values_list("id", "claim", "channel"))
        doubtful: list[int] = []
        closed: set[str] = set()
        for pk, claim, channel in rows:
            if claim in closed:
                continue
            doubtful.append(pk)
            if not courier.can_tell(channel):
                closed.add(claim)
        back = {"status": MessageStatus.QUEUED, "claim": "", "claimed_until": None}
        Message.objects.filter(id__in=doubtful).update(in_doubt=True, **back)
        # Never handed to a provider: the attempt counted when they were claimed did not happen.
        Message.objects.filter(id__in=[pk for pk, _, _ in rows if pk not in set(doubtful)]).update(
            attempts=F("attempts") - 1, **back)
    if rows:
        log.warning("outbox: put %d messages of %d expired claims back in the queue (%d in doubt)", len(rows),
                    len({claim for _, claim, _ in rows}), len(doubtful))
    return len(rows)


class _Batch:
    """The messages one claim holds, sent in order. The outcome of a message on a channel whose provider cannot tell
    whether it holds a message is committed before the next send (with any outcomes still pending). On a channel
    whose provider can tell, outcomes are committed together, up to `GROUP` at a time or every `GROUP_SECONDS`:
    after a crash each of them is looked up at the provider, so nothing is lost or sent twice, and a commit per
    message is saved."""

    def __init__(self, size: int, now: dt.datetime) -> None:
        self.name = _claim_name()
        self.until = now + _lease()
        self.pending: list[tuple[Message, dict[str, Any]]] = []
        self.pending_since = 0.0
        self.recorded = 0
        self.messages: list[Message] = []
        if not Message.objects.filter(status=MessageStatus.QUEUED, due_at__lte=now).exists():
            return  # a plain read first: no write lock taken (SQLite) when nothing is due
        with transaction.atomic():
            ids = list(Message.objects.select_for_update(skip_locked=True)
                       .filter(status=MessageStatus.QUEUED, due_at__lte=now)
                       .order_by("due_at", "id").values_list("id", flat=True)[:size])
            if ids:
                Message.objects.filter(id__in=ids).update(status=MessageStatus.SENDING, claim=self.name,
                                                          claimed_until=self.until, attempts=F("attempts") + 1)
            self.messages = list(Message.objects.filter(id__in=ids).order_by("due_at", "id"))
            self._audit()
        self._load_checks(now)

    def _audit(self) -> None:
        """One event per clinic of the batch, written with the claim (before anything is sent): which messages, to
        which patients. Each message's row then says what became of it."""
        by_clinic: dict[int, list[Message]] = defaultdict(list)
        for m in self.messages:
            by_clinic[m.clinic_id].append(m)
        for clinic_id, messages in by_clinic.items():
            audit.record(None, "send_messages", object_type="Message", clinic_id=clinic_id,
                         messages=[m.id for m in messages],
                         ids=sorted({m.patient_id for m in messages if m.patient_id}))

    def _load_checks(self, now: dt.datetime) -> None:
        """What decides whether a message is still wanted, for the whole batch in a few queries."""
        patients = {m.patient_id for m in self.messages if m.patient_id}
        addresses = {m.to_address for m in self.messages if m.to_address}
        self.opt_outs: set[tuple[Any, str, str]] = set()
        if self.messages:
            for patient_id, address, channel, topic in OptOut.objects.filter(
                    Q(patient_id__in=patients) | Q(patient__isnull=True, address__in=addresses)).values_list(
                    "patient_id", "address", "channel", "topic"):
                self.opt_outs.add((patient_id or address, channel, topic))
        tied = {m.appointment_id for m in self.messages if m.about_start is not None and m.appointment_id}
        self.appointments: Mapping[int, tuple[str, dt.datetime]] = {
            pk: (status, start) for pk, status, start in
            Appointment.objects.filter(id__in=tied).values_list("id", "status", "start")}
        # The latest due reminder of each appointment, channel and start: the earlier ones are not sent as well.
        self.latest_reminder: dict[tuple[int, str, dt.datetime], dt.datetime] = defaultdict(
            lambda: dt.datetime.min.replace(tzinfo=dt.UTC))
        for appointment_id, channel, start, due in Message.objects.filter(
                appointment_id__in=tied, topic=Topic.REMINDERS, due_at__lte=now,
                status__in=(MessageStatus.QUEUED, MessageStatus.SENDING)).values_list(
                "appointment_id", "channel", "about_start", "due_at"):
            key = (appointment_id, channel, start)
            self.latest_reminder[key] = max(self.latest_reminder[key], due)

    def skip_reason(self, m: Message, now: dt.datetime) -> str:
        if m.topic != Topic.STAFF and ((m.patient_id or m.to_address, m.channel, m.topic) in self.opt_outs
                                       or (m.to_address, m.channel, m.topic) in self.opt_outs):
            return SkipReason.OPTED_OUT
        if m.about_start is None:
            return ""
        status, start = self.appointments.get(m.appointment_id or 0, ("", None))
        if status in (AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED):
            return SkipReason.TOO_LATE
        if status not in (AppointmentStatus.BOOKED, AppointmentStatus.REQUESTED):
            return SkipReason.CANCELLED
        if start != m.about_start:
            return SkipReason.MOVED
        if start <= now:
            return SkipReason.TOO_LATE
        if m.topic == Topic.REMINDERS and m.due_at < self.latest_reminder[(m.appointment_id, m.channel, start)]:
            return SkipReason.SUPERSEDED
        return ""

    def keep(self, now: dt.datetime, unsent: int) -> None:
        """Renew the lease when half of it is gone; `ClaimLost` if another worker has taken any of it over."""
        if self.until - now > _lease() / 2:
            return
        until = now + _lease()
        renewed = Message.objects.filter(claim=self.name, status=MessageStatus.SENDING).update(claimed_until=until)
        if renewed < unsent:
            raise ClaimLost
        self.until = until

    def finish(self, m: Message, *, wait: bool = False, **values: Any) -> None:
        """Record the outcome of one message: now, with those pending (a failure, or a possible duplicate, audited
        with it), or — `wait`, its provider can tell — with the next group."""
        self.pending.append((m, values))
        if len(self.pending) == 1:
            self.pending_since = time.monotonic()
        if wait and len(self.pending) < GROUP and time.monotonic() - self.pending_since < GROUP_SECONDS:
            return
        self.flush()

    def flush(self) -> None:
        """Commit the pending outcomes, in one transaction."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        with transaction.atomic():
            done = _record([(m, {"in_doubt": False, **values}) for m, values in pending], self.name)
            if done < len(pending):
                raise ClaimLost
            for m, values in pending:
                if values.get("status") == MessageStatus.FAILED:
                    audit.record(None, "message_failed", m, clinic_id=m.clinic_id, kind=m.kind, channel=m.channel)
                elif values.get("possible_duplicate"):
                    audit.record(None, "message_possible_duplicate", m, clinic_id=m.clinic_id, kind=m.kind,
                                 channel=m.channel)
        self.recorded += len(pending)

    def release(self, messages: list[Message]) -> None:
        """Give back messages not yet handed to a provider (the worker is stopping)."""
        Message.objects.filter(id__in=[m.id for m in messages], claim=self.name,
                               status=MessageStatus.SENDING).update(
            status=MessageStatus.QUEUED, claim="", claimed_until=None, attempts=F("attempts") - 1)

    def run(self, courier: Courier, report: Report, stop: Callable[[], bool],
            clock: Callable[[], dt.datetime]) -> None:
        index = 0
        try:
            for index, m in enumerate(self.messages):
                if stop():
                    self.flush()
                    self.release(self.messages[index:])
                    return
                now = clock()
                self.keep(now, len(self.messages) - self.recorded)
                self._deliver(m, courier, report, now)
            self.flush()
        except ClaimLost:
            # Some of the batch may be sent and not yet recorded: leave all of it to `recover`, which knows which
            # of it may be in doubt, once the lease has run out.
            log.error("outbox: worker lost its claim on message %s (it was stalled longer than the lease); "
                      "the rest of its batch waits for its lease to run out", self.messages[index].id)

    def _deliver(self, m: Message, courier: Courier, report: Report, now: dt.datetime) -> None:
        wait = courier.can_tell(m.channel)
        reason = self.skip_reason(m, now)
        if reason:
            self.finish(m, wait=wait, status=MessageStatus.SKIPPED, skip_reason=reason)
            report.skipped += 1
            return
        possible_duplicate = False
        try:
            if m.in_doubt:
                found = courier.delivered(m)
                if found:
                    self.finish(m, wait=wait, status=MessageStatus.SENT, sent_at=now, provider_id=found[:200])
                    report.sent += 1
                    return
                possible_duplicate = found is None
            provider_id = courier.send(m)
        except Refused as exc:
            self.finish(m, status=MessageStatus.FAILED, last_error=_error(exc))
            report.failed += 1
        except Exception as exc:  # the provider may be down for a while: try again later
            if m.attempts >= MAX_ATTEMPTS:
                self.finish(m, status=MessageStatus.FAILED, last_error=_error(exc))
                report.failed += 1
            else:
                self.finish(m, status=MessageStatus.QUEUED, in_doubt=True, last_error=_error(exc),
                            due_at=now + BACKOFF[min(m.attempts, len(BACKOFF)) - 1])
                report.retried += 1
        else:
            self.finish(m, wait=wait and not possible_duplicate, status=MessageStatus.SENT, sent_at=timezone.now(),
                        provider_id=provider_id[:200], possible_duplicate=possible_duplicate)
            report.sent += 1


def _error(exc: BaseException) -> str:
    """What went wrong, without the provider's text (which may quote the address)."""
    if isinstance(exc, Refused) and exc.__cause__ is not None:
        exc = exc.__cause__
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__}{f' {code}' if code else ''}"[:200]


def dispatch(*, batch: int = 100, budget_seconds: float | None = None, stop: Callable[[], bool] = lambda: False,
             clock: Callable[[], dt.datetime] = timezone.now) -> Report:
    """Send what is due, batch after batch, until nothing is due, `stop()` says so or the time budget is spent."""
    courier = Courier()
    report = Report(recovered=recover(clock(), courier))
    started = time.monotonic()
    try:
        while not stop():
            claimed = _Batch(batch, clock())
            if not claimed.messages:
                break
            claimed.run(courier, report, stop, clock)
            if budget_seconds is not None and time.monotonic() - started >= budget_seconds:
                break
    finally:
        courier.close()
    return report
