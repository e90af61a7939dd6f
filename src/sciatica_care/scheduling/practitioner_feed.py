"""A practitioner's private iCalendar feed: their own appointments, for the calendar app on their phone.

The address carries a random secret (32 bytes, URL-safe); only its SHA-256 is stored, so it is shown once, when
issued. Issuing a new one revokes the old; revoking ends it at once (the address answers 404, as any unknown one).
The feed holds that practitioner's appointments only — a month back, a year ahead, live ones — with the service,
the place and the patient's initials: no names, no contact details, nothing clinical (it ends up on phones and in
other companies' calendar services). Each fetch is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

import icalendar
from django.db import IntegrityError, transaction
from django.utils import timezone

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import Staff
from sciatica_care.scheduling import ics
from sciatica_care.scheduling.models import Appointment, CalendarFeed
from sciatica_care.scheduling.models.appointments import LIVE_STATUSES

BACK = dt.timedelta(days=31)
AHEAD = dt.timedelta(days=366)
LIMIT = 3000
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def live_feed(practitioner: Staff) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(practitioner=practitioner, revoked_at__isnull=True).first()


def issue(practitioner: Staff, *, by: Staff) -> str:
    """A new feed address's secret for `practitioner` (the old one, if any, revoked); shown once."""
    token = secrets.token_urlsafe(32)
    for _ in range(3):
        try:
            with transaction.atomic():
                now = timezone.now()
                # Lock the practitioner's row: two issues at once make one feed, not a constraint error.
                Staff.objects.select_for_update().filter(pk=practitioner.pk).first()
                revoked = CalendarFeed.objects.filter(practitioner=practitioner, revoked_at__isnull=True).update(
                    revoked_at=now, revoked_by=by)
                feed = CalendarFeed.objects.create(clinic_id=practitioner.clinic_id, practitioner=practitioner,
                                                   digest=_digest(token), created_by=by)
                audit.record(by, "calendar_feed_issued", feed, replaced=bool(revoked),
                             practitioner=practitioner.pk)
                return token
        except IntegrityError:  # a concurrent issue won the live slot: revoke it and try again
            continue
    raise RuntimeError("could not issue a calendar feed")


def revoke(practitioner: Staff, *, by: Staff) -> bool:
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(practitioner=practitioner,
                                                               revoked_at__isnull=True).first()
        if feed is None:
            return False
        feed.revoked_at, feed.revoked_by = timezone.now(), by
        feed.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(by, "calendar_feed_revoked", feed, practitioner=practitioner.pk)
    return True


def find(token: str) -> CalendarFeed | None:
    """The live feed this secret opens, or None (unknown, malformed or revoked; an inactive practitioner's)."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    return (CalendarFeed.objects.select_related("practitioner")
            .filter(digest=_digest(token), revoked_at__isnull=True, practitioner__is_active=True).first())


def initials(appointment: Appointment) -> str:
    if appointment.patient is not None:
        names = [appointment.patient.first_name, appointment.patient.last_name]
    else:
        names = appointment.prospect_name.split()
    return "".join(f"{n.strip()[:1].upper()}." for n in names if n.strip())


def calendar(feed: CalendarFeed, *, now: dt.datetime | None = None) -> bytes:
    """The feed's calendar, and the fetch audited."""
    now = now or timezone.now()
    practitioner = feed.practitioner
    appointments = list(
        Appointment.objects.filter(practitioner=practitioner, clinic_id=feed.clinic_id, status__in=LIVE_STATUSES,
                                   start__gte=now - BACK, start__lte=now + AHEAD)
        .select_related("clinic", "patient", "practitioner", "service", "location", "room").order_by("start")[:LIMIT])
    cal = icalendar.Calendar()
    cal.add("prodid", ics.PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{practitioner.display()} — appointments")
    cal.add("refresh-interval", dt.timedelta(minutes=30), parameters={"VALUE": "DURATION"})
    for appointment in appointments:
        event = ics.event(appointment, audience="staff", stamp=now)
        who = initials(appointment)
        event["summary"] = icalendar.vText(f"{appointment.service.name} · {who}" if who else appointment.service.name)
        cal.add_component(event)
    cal.add_missing_timezones()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    audit.record(None, "calendar_feed_read", feed, clinic_id=feed.clinic_id, practitioner=practitioner.pk,
                 appointments=len(appointments))
    return bytes(cal.to_ical())
