"""Shared steps of the public booking page's tests: the clinic's page switched on, the clock held on a Friday, and
the forms filled in as a visitor would."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)  # a Friday
MONDAY = dt.date(2027, 1, 4)
SLUG = "high-street"
PAGE = f"/book/{SLUG}/"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def online(desk: dict[str, Any], clock: Any, settings: Any, sms_outbox: list[Any]) -> dict[str, Any]:
    """Clinic A's booking page on at /book/high-street/; its patient Ann reachable by email and phone; notices run
    at once."""
    from sciatica_care.scheduling.models import BookingRules

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    BookingRules.objects.filter(clinic=desk["clinic"]).update(online_booking=True, public_slug=SLUG,
                                                              front_desk_email="desk@clinic.example")
    patient = desk["patient"]
    patient.email, patient.phone = "ann@example.org", "07700 900123"
    patient.save()
    prac = desk["practitioner"]
    prac.email = "prac@clinic.example"
    prac.save()
    return {**desk, "clock": clock}


def service(online: dict[str, Any], kind: str = "consultation_call") -> Any:
    return online["services"][kind]


def time_fields(online: dict[str, Any], start: dt.datetime, kind: str = "consultation_call") -> dict[str, str]:
    return {"service": str(service(online, kind).pk), "practitioner": str(online["practitioner"].pk),
            "location": str(online["location"].pk),
            "start": start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def slot_links(html: str) -> list[dict[str, str]]:
    """The free times on the page, as the fields of their links."""
    out = []
    for href in re.findall(r'href="([^"]*/details/\?[^"]*)"', html):
        query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        out.append({k: v[0] for k, v in query.items()})
    return out


def token(html: str) -> str:
    found = re.search(r'name="submission_token" value="([^"]+)"', html)
    assert found, "the form carries a one-time submission token"
    return found.group(1)


def queued(**filters: Any) -> list[Any]:
    from sciatica_care.scheduling.models import Message

    return list(Message.objects.filter(**filters).order_by("id"))


def code_sent_to(address: str) -> str:
    """The code in the latest message queued to `address`."""
    message = queued(to_address=address, kind="booking_code")[-1]
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found
    return found.group(1)


def ask_for_code(client: Any, online: dict[str, Any], contact: str, start: dt.datetime,
                 kind: str = "follow_up_acupuncture") -> Any:
    return client.post(f"{PAGE}details/", {**time_fields(online, start, kind), "who": "returning",
                                           "contact": contact})
