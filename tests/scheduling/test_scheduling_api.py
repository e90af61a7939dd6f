"""The booking API: services, slots, book (201 / 409 / 422 naming the field), read, cancel, .ics — per clinic,
reception allowed, audited, in the OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def next_monday(hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    today = timezone.localdate()
    day = today + dt.timedelta(days=7 - today.weekday() + 7)  # a Monday eight to fourteen days ahead
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


class Api:
    def __init__(self, staff: Any) -> None:
        from sciatica_care.api.rest import issue_token

        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(staff)}"}
        self.client = Client()

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(f"/api{path}", query, **self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api{path}", body, content_type="application/json", **self.headers)


@pytest.fixture
def reception(desk: dict[str, Any]) -> Api:
    return Api(desk["reception"])


def body(desk: dict[str, Any], start: dt.datetime | None = None, **kw: Any) -> dict[str, Any]:
    return {"patient": desk["patient"].pk, "service": desk["services"]["follow_up_acupuncture"].pk,
            "practitioner": desk["practitioner"].pk, "start": (start or next_monday()).isoformat(), **kw}


def test_services_lists_the_clinics_services(desk: dict[str, Any], reception: Api) -> None:
    """GET /api/services: the clinic's five services with durations and prices, in the clinic's currency."""
    r = reception.get("/services")
    assert r.status_code == 200
    assert {s["kind"] for s in r.json()} == {k.value for k in desk["services"]}
    assert {s["price"] for s in r.json()} >= {"60.00", "0.00"}
    assert {s["currency"] for s in r.json()} == {"GBP"}


def test_slots_are_given_in_the_locations_zone_with_offsets(desk: dict[str, Any], reception: Api) -> None:
    """GET /api/slots: ISO 8601 with the location's offset; the first is 09:00 local."""
    monday = next_monday(0)
    r = reception.get("/slots", service=desk["services"]["follow_up_acupuncture"].pk, **{
        "from": monday.isoformat(), "to": (monday + dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 200, r.content
    first = dt.datetime.fromisoformat(r.json()[0]["start"])
    assert first.utcoffset() == monday.utcoffset()
    assert first.time() == dt.time(9)
    assert r.json()[0]["practitioner"] == desk["practitioner"].pk


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "2027-01-04T00:00:00", "to": "2027-01-05T00:00:00+00:00"}, "from"),   # no offset
    ({"from": "2027-01-05T00:00:00Z", "to": "2027-01-04T00:00:00Z"}, "to"),         # backwards
    ({"from": "2027-01-01T00:00:00Z", "to": "2027-12-01T00:00:00Z"}, "to"),         # too long
    ({"from": "2027-02-30T00:00:00Z", "to": "2027-03-01T00:00:00Z"}, "from"),       # no such day
])
def test_slot_queries_that_cannot_be_read_name_the_field(desk: dict[str, Any], reception: Api,
                                                         query: dict[str, str], field: str) -> None:
    """A bad `from`/`to` is a 422 naming it."""
    r = reception.get("/slots", service=desk["services"]["massage"].pk, **query)
    assert r.status_code == 422
    assert r.json()["errors"][0]["path"] == field


def test_another_clinics_service_is_not_searched(desk: dict[str, Any], world: dict[str, Any]) -> None:
    """Clinic B's token cannot search clinic A's service: 422 naming `service`."""
    monday = next_monday(0)
    r = Api(world["b"]["reception"]).get("/slots", service=desk["services"]["massage"].pk, **{
        "from": monday.isoformat(), "to": (monday + dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 422
    assert r.json()["errors"][0]["path"] == "service"


def test_reception_books_and_gets_201(desk: dict[str, Any], reception: Api) -> None:
    """POST /api/appointments: 201 with the appointment in the location's time, booked through the API, audited."""
    from sciatica_care.clinic.models import AuditEvent

    r = reception.post("/appointments", body(desk))
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["status"] == "booked"
    assert out["booked_via"] == "api"
    assert out["location"] == desk["location"].pk  # where the practitioner works then
    assert dt.datetime.fromisoformat(out["start"]) == next_monday()
    assert AuditEvent.objects.filter(action="book_appointment", object_id=out["id"], actor=desk["reception"])


def test_the_same_time_again_is_409(desk: dict[str, Any], reception: Api) -> None:
    """A second booking of a taken time is a 409 naming `start`, and stores nothing."""
    from sciatica_care.scheduling.models import Appointment

    assert reception.post("/appointments", body(desk)).status_code == 201
    r = reception.post("/appointments", body(desk, next_monday() + dt.timedelta(minutes=30)))
    assert r.status_code == 409
    assert r.json()["errors"][0]["path"] == "start"
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"start": "2027-01-04T10:00:00"}, "start"),
    ({"start": "not a time"}, "start"),
    ({"patient": 999999}, "patient"),
    ({"service": 0}, "service"),
    ({"practitioner": 10**30}, "practitioner"),
    ({"room": 424242}, "room"),
    ({"front_desk_note": "a\x00b"}, "front_desk_note"),
])
def test_bad_bookings_name_the_field(desk: dict[str, Any], reception: Api, change: dict[str, Any],
                                     field: str) -> None:
    """400/422 naming the field, nothing stored."""
    from sciatica_care.scheduling.models import Appointment

    r = reception.post("/appointments", {**body(desk), **change})
    assert r.status_code in (400, 422), r.content
    assert r.json()["errors"][0]["path"].split(".")[0] == field
    assert not Appointment.objects.exists()


def test_outside_hours_needs_an_override_reason(desk: dict[str, Any], reception: Api) -> None:
    """07:00 is outside the practitioner's hours: refused naming `start`, booked with a reason."""
    early = next_monday(7)
    r = reception.post("/appointments", body(desk, early, location=desk["location"].pk))
    assert r.status_code == 422
    assert r.json()["errors"][0]["path"] == "start"
    r = reception.post("/appointments", body(desk, early, location=desk["location"].pk,
                                             override_reason="only time the patient can come"))
    assert r.status_code == 201


def test_another_clinics_patient_cannot_be_booked(desk: dict[str, Any], world: dict[str, Any],
                                                  reception: Api) -> None:
    """Clinic B's patient named in clinic A's booking: 422 naming `patient`."""
    r = reception.post("/appointments", body(desk, patient=world["b"]["patient"].pk))
    assert r.status_code == 422
    assert r.json()["errors"][0]["path"] == "patient"


def test_read_an_appointment_is_audited_and_per_clinic(desk: dict[str, Any], reception: Api,
                                                       world: dict[str, Any]) -> None:
    """GET /api/appointments/{id}: the clinic's own (audited); another clinic's is a 404."""
    from sciatica_care.clinic.models import AuditEvent

    pk = reception.post("/appointments", body(desk)).json()["id"]
    r = reception.get(f"/appointments/{pk}")
    assert r.status_code == 200
    assert r.json()["id"] == pk
    assert AuditEvent.objects.filter(action="read", object_type="Appointment", object_id=pk).exists()
    assert Api(world["b"]["practitioner"]).get(f"/appointments/{pk}").status_code == 404


def test_an_appointment_carries_no_clinical_notes(desk: dict[str, Any], reception: Api) -> None:
    """Reception reads the appointment: no field of the charted visit's notes is in it."""
    pk = reception.post("/appointments", body(desk)).json()["id"]
    text = reception.get(f"/appointments/{pk}").content.decode()
    assert "better" not in text  # the world's visit's subjective note
    assert "subjective" not in text


def test_cancel_records_the_reason(desk: dict[str, Any], reception: Api) -> None:
    """POST /api/appointments/{id}/cancel: cancelled (well before the window), with the reason."""
    pk = reception.post("/appointments", body(desk)).json()["id"]
    r = reception.post(f"/appointments/{pk}/cancel", {"reason": "patient phoned", "version": 1})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "cancelled"
    assert r.json()["cancel_reason"] == "patient phoned"


def test_cancel_with_a_stale_version_is_409(desk: dict[str, Any], reception: Api) -> None:
    """A cancel that says an older version than the server's is a 409 naming `version`."""
    pk = reception.post("/appointments", body(desk)).json()["id"]
    r = reception.post(f"/appointments/{pk}/cancel", {"reason": "patient phoned", "version": 7})
    assert r.status_code == 409
    assert r.json()["errors"][0]["path"] == "version"


def test_cancel_twice_is_refused_naming_status(desk: dict[str, Any], reception: Api) -> None:
    """A cancelled appointment cannot be cancelled again: 409 (its state), naming `status`."""
    pk = reception.post("/appointments", body(desk)).json()["id"]
    reception.post(f"/appointments/{pk}/cancel", {"reason": "patient phoned"})
    r = reception.post(f"/appointments/{pk}/cancel", {"reason": "again"})
    assert r.status_code == 409
    assert r.json()["errors"][0]["path"] == "status"


def test_the_ics_download(desk: dict[str, Any], reception: Api, world: dict[str, Any]) -> None:
    """GET /api/appointments/{id}.ics: a calendar file at the local time; another clinic's is a 404."""
    pk = reception.post("/appointments", body(desk)).json()["id"]
    r = reception.get(f"/appointments/{pk}.ics")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/calendar")
    ev = next(iter(icalendar.Calendar.from_ical(r.content).walk("VEVENT")))
    assert ev.decoded("dtstart") == next_monday()
    assert Api(world["b"]["reception"]).get(f"/appointments/{pk}.ics").status_code == 404


def test_a_read_only_token_cannot_book(desk: dict[str, Any]) -> None:
    """A read-only token is refused the write (403)."""
    from sciatica_care.api.rest import issue_token

    token = issue_token(desk["reception"], scope="read")
    r = Client().post("/api/appointments", body(desk), content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 403


def test_the_booking_operations_are_in_the_openapi() -> None:
    """The OpenAPI document lists every booking operation."""
    from sciatica_care.api.rest import api

    paths = api.get_openapi_schema(path_prefix="/api")["paths"]
    assert {"/api/services", "/api/slots", "/api/appointments", "/api/appointments/{pk}",
            "/api/appointments/{pk}/cancel", "/api/appointments/{pk}.ics"} <= set(paths)
