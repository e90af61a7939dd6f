"""Calendars: a practitioner's private feed (issued, read by a calendar app, revoked, issued again) and the `.ics`
of one appointment for staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)


def appointment(desk: dict[str, Any], start: dt.datetime, **kw: Any) -> Any:
    from sciatica_care.scheduling.models import Appointment

    service = desk["services"]["follow_up_acupuncture"]
    end = start + dt.timedelta(minutes=service.duration_minutes)
    kw.setdefault("patient", desk["patient"])
    return Appointment.objects.create(clinic=desk["clinic"], practitioner=kw.pop("practitioner", desk["practitioner"]),
                                      service=service, location=desk["location"], start=start, end=end,
                                      blocked_from=start, blocked_until=end, **kw)


def issue(client: Client) -> str:
    """Issue a feed from the page, as the practitioner would; return its address (path only)."""
    from sciatica_care.clinic.submission import FIELD

    page = client.get(reverse("scheduling:my_calendar_feed")).content.decode()
    token = page.split(f'name="{FIELD}" value="')[1].split('"')[0]
    r = client.post(reverse("scheduling:my_calendar_feed"), {FIELD: token, "action": "issue"})
    assert r.status_code == 302
    shown = client.get(reverse("scheduling:my_calendar_feed"))
    assert shown["Cache-Control"].startswith("max-age=0") or "no-store" in shown["Cache-Control"]
    url = shown.content.decode().split('id="new-feed-url">')[1].split("<")[0]
    assert "new-feed-url" not in client.get(reverse("scheduling:my_calendar_feed")).content.decode()  # shown once
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_practitioners_feed_holds_their_appointments_by_initials_only(desk: dict[str, Any], login: Any,
                                                                       make_staff: Any) -> None:
    """The feed: that practitioner's live appointments, the patient by initials, nothing else of theirs; read
    without signing in; each read audited."""
    from sciatica_care.clinic.models import AuditEvent

    colleague = make_staff(desk["clinic"])
    with time_machine.travel(NOW, tick=False):
        mine = appointment(desk, NOW + dt.timedelta(days=3))
        appointment(desk, NOW + dt.timedelta(days=4), status="cancelled")
        appointment(desk, NOW + dt.timedelta(days=3), practitioner=colleague)
        url = issue(login(desk["practitioner"]))
        r = Client().get(url)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(r.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"appointment-{mine.pk}-{desk['clinic'].pk}@sciatica-care"]
    patient = desk["patient"]
    assert str(events[0]["summary"]) == f"Follow-up acupuncture · {patient.first_name[0]}.{patient.last_name[0]}."
    assert patient.first_name.encode() not in r.content
    assert patient.last_name.encode() not in r.content
    assert AuditEvent.objects.filter(action="calendar_feed_read").count() == 1


def test_a_revoked_feed_is_gone_and_a_new_one_replaces_the_old(desk: dict[str, Any], login: Any) -> None:
    """Revoked: the address answers 404. Issued again: the new address works and the old one does not."""
    from sciatica_care.clinic.submission import FIELD

    client = login(desk["practitioner"])
    first = issue(client)
    second = issue(client)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    page = client.get(reverse("scheduling:my_calendar_feed")).content.decode()
    token = page.split(f'name="{FIELD}" value="')[1].split('"')[0]
    client.post(reverse("scheduling:my_calendar_feed"), {FIELD: token, "action": "revoke"})
    assert Client().get(second).status_code == 404


def test_the_clinic_admin_revokes_a_colleagues_feed_and_no_one_else_can(desk: dict[str, Any], login: Any,
                                                                       world: dict[str, Any]) -> None:
    """A lost phone: the clinic admin revokes the practitioner's feed; reception cannot (403), another clinic's
    admin finds no such colleague (404)."""
    prac = desk["practitioner"]
    url = issue(login(prac))
    revoke = reverse("scheduling:staff_calendar_feed_revoke", args=[prac.pk])
    assert login(world["a"]["reception"]).post(revoke).status_code == 403
    assert login(world["b"]["clinic_admin"]).post(revoke).status_code == 404
    assert Client().get(url).status_code == 200
    r = login(world["a"]["clinic_admin"]).post(revoke)
    assert r.status_code == 302
    assert Client().get(url).status_code == 404


def test_a_deactivated_practitioners_feed_stops(desk: dict[str, Any], login: Any) -> None:
    """Someone who left: their feed answers 404 even if nobody revoked it."""
    prac = desk["practitioner"]
    url = issue(login(prac))
    prac.is_active = False
    prac.save()
    assert Client().get(url).status_code == 404


@pytest.mark.parametrize("token", ["x", "a" * 43, "../../etc", "%00" * 10])
def test_a_wrong_feed_address_is_not_found(db: Any, token: str) -> None:
    """Anything but a live feed's secret: 404."""
    assert Client().get(f"/calendar/feed/{token}.ics").status_code == 404


def test_an_unknown_action_on_the_feed_page_names_the_field(desk: dict[str, Any], login: Any) -> None:
    """Neither issue nor revoke: 422 naming `action`; nothing issued."""
    from sciatica_care.scheduling.models import CalendarFeed

    r = login(desk["practitioner"]).post(reverse("scheduling:my_calendar_feed"), {"action": "publish"})
    assert r.status_code == 422
    assert "action" in r.content.decode()
    assert not CalendarFeed.objects.exists()


def test_staff_download_one_appointment_as_ics(desk: dict[str, Any], login: Any, world: dict[str, Any]) -> None:
    """Reception downloads an appointment's .ics (valid, audited); another clinic's staff get 404."""
    from sciatica_care.clinic.models import AuditEvent

    a = appointment(desk, NOW + dt.timedelta(days=3))
    url = reverse("scheduling:appointment_ics", args=[a.pk])
    r = login(world["a"]["reception"]).get(url)
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="appointment-{a.pk}.ics"'
    (event,) = icalendar.Calendar.from_ical(r.content).walk("VEVENT")
    assert event.decoded("dtstart") == a.start
    assert AuditEvent.objects.filter(action="download_appointment_ics", patient_id=a.patient_id).exists()
    assert login(world["b"]["reception"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
