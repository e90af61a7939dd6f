"""The clinic's public booking page (/book/<slug>/): what it shows, someone new booking the free call, the clinic's
rules, a time taken meanwhile, a form sent twice, staff approving a request, and the switch."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from online_booking_steps import (
    MONDAY,
    PAGE,
    at,
    queued,
    service,
    slot_links,
    time_fields,
    token,
)

pytestmark = pytest.mark.django_db


def test_the_page_is_not_there_while_online_booking_is_off(online: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import BookingRules

    assert client.get(PAGE).status_code == 200
    assert client.get("/book/no-such-clinic/").status_code == 404
    BookingRules.objects.filter(clinic=online["clinic"]).update(online_booking=False)
    for address in (PAGE, f"{PAGE}details/?{'service=1'}", f"{PAGE}code/"):
        assert client.get(address).status_code == 404


def test_only_active_services_bookable_online_are_offered_with_price_and_duration(online: dict[str, Any],
                                                                                   client: Any) -> None:
    massage = service(online, "massage")
    massage.online_bookable = False
    massage.save()
    html = client.get(PAGE).content.decode()
    assert "Therapeutic massage" not in html
    assert "Initial assessment and treatment" in html
    assert "75 minutes · £85.00" in html
    assert "15 minutes · free" in html
    assert '<label for="service-' in html
    assert "<h1>Book an appointment</h1>" in html
    assert "<script" not in html  # strict CSP: no inline script or style
    assert "style=" not in html
    r = client.get(PAGE, {"service": massage.pk})
    assert r.status_code == 422
    assert 'data-field="service"' in r.content.decode()


def test_the_free_times_shown_are_bookable_in_the_locations_time(online: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import Appointment
    from sciatica_care.scheduling.online.booking_choices import read_choice

    r = client.get(PAGE, {"service": service(online).pk, "practitioner": "any", "week": MONDAY.isoformat()})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Monday 4 January" in html
    assert ">09:00<" in html  # the first time of a 09:00 London shift, shown in London's time
    links = slot_links(html)
    assert len(links) == 5 * 32  # 09:00–17:00 in quarter hours, Monday to Friday
    for fields in links[:3] + links[-3:]:
        picked = read_choice(online["clinic"], fields, need_time=True).picked()
        assert picked is not None
        with transaction.atomic():
            booking.book(clinic=online["clinic"], practitioner=picked.practitioner, service=picked.service,
                         location=picked.location, start=picked.start, by=None, via="online",
                         prospect_name="Try", prospect_email="t@example.org")
            transaction.set_rollback(True)
    assert not Appointment.objects.exists()


def test_someone_new_books_the_free_call_and_staff_are_told(online: dict[str, Any], client: Any,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import Appointment

    start = at(MONDAY, 10)
    assert client.get(f"{PAGE}details/", time_fields(online, start)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"{PAGE}details/", {**time_fields(online, start), "who": "new", "name": "Ben Jones",
                                            "email": "ben@example.org", "phone": ""})
    assert r.status_code == 302
    appt = Appointment.objects.get()
    assert (appt.patient, appt.prospect_name, appt.prospect_email, appt.booked_via, appt.status, appt.booked_by) \
        == (None, "Ben Jones", "ben@example.org", "online", "booked", None)
    page = client.get(r["Location"]).content.decode()
    assert "<h1>You're booked</h1>" in page
    assert "Monday 4 January 2027 at 10:00" in page
    assert "confirmation email with a calendar file (.ics) is on its way" in page
    to = {(m.to_address, m.kind) for m in queued()} - {("ben@example.org", "reminder")}
    assert to == {("ben@example.org", "confirmation"), ("prac@clinic.example", "staff_booked"),
                  ("desk@clinic.example", "staff_booked")}
    event = AuditEvent.objects.get(action="book_appointment", object_id=appt.pk)
    assert event.actor_id is None
    assert event.detail["via"] == "online"


def test_a_new_persons_booking_waits_for_approval_when_the_clinic_says_so(
        online: dict[str, Any], client: Any, login: Any, django_capture_on_commit_callbacks: Any) -> None:
    from sciatica_care.scheduling.models import Appointment, BookingRules

    BookingRules.objects.filter(clinic=online["clinic"]).update(approve_new_patients=True)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"{PAGE}details/", {**time_fields(online, at(MONDAY, 11)), "who": "new",
                                            "name": "Cy Doe", "email": "cy@example.org"})
    appt = Appointment.objects.get()
    assert appt.status == "requested"
    page = client.get(r["Location"]).content.decode()
    assert "awaiting approval" in page
    assert [m.kind for m in queued(to_address="cy@example.org")] == ["request_received"]
    # Reception approves it on the calendar: the confirmation (with its calendar file) follows.
    staff = login(online["reception"])
    assert "Approve" in staff.get(f"/appointments/{appt.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = staff.post(f"/appointments/{appt.pk}/mark/", {"version": appt.version, "status": "booked"})
    assert r.status_code == 302
    appt.refresh_from_db()
    assert appt.status == "booked"
    confirmation = queued(to_address="cy@example.org", kind="confirmation")
    assert len(confirmation) == 1
    assert confirmation[0].attachments[0]["filename"].endswith(".ics")


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"name": ""}, "name", "Name"),
    ({"email": "", "phone": ""}, "email", "at least one"),
    ({"email": "not-an-email"}, "email", "Email"),
    ({"phone": "call me"}, "phone", "Phone"),
])
def test_a_new_persons_details_are_checked_naming_the_field(online: dict[str, Any], client: Any,
                                                           fields: dict[str, str], field: str, words: str) -> None:
    from sciatica_care.scheduling.models import Appointment

    data = {**time_fields(online, at(MONDAY, 10)), "who": "new", "name": "Ben", "email": "ben@example.org",
            **fields}
    r = client.post(f"{PAGE}details/", data)
    assert r.status_code == 422
    assert f'data-field="{field}"' in r.content.decode()
    assert words in r.content.decode()
    assert not Appointment.objects.exists()


def test_someone_new_cannot_book_a_service_for_existing_patients(online: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import Appointment

    fields = time_fields(online, at(MONDAY, 10), "follow_up_acupuncture")
    assert "I'm new" in client.get(f"{PAGE}details/", time_fields(online, at(MONDAY, 10))).content.decode()
    assert "I'm new" not in client.get(f"{PAGE}details/", fields).content.decode()
    r = client.post(f"{PAGE}details/", {**fields, "who": "new", "name": "Ben", "email": "ben@example.org"})
    assert r.status_code == 422
    assert 'data-field="service"' in r.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(("start", "words"), [
    (dt.datetime(2027, 1, 1, 15, tzinfo=dt.UTC), "hours&#x27; notice"),  # Friday 15:00: six hours' notice
    (at(dt.date(2027, 4, 5), 10), "days ahead"),  # beyond the 90-day horizon
])
def test_the_clinics_notice_and_horizon_are_kept_and_named(online: dict[str, Any], client: Any,
                                                          start: dt.datetime, words: str) -> None:
    from sciatica_care.scheduling.models import Appointment

    r = client.post(f"{PAGE}details/", {**time_fields(online, start), "who": "new", "name": "Ben",
                                        "email": "ben@example.org"})
    assert r.status_code == 422
    assert 'data-field="start"' in r.content.decode()
    assert words in r.content.decode()
    assert not Appointment.objects.exists()
    # The page that offers the time says at once that it is not free.
    assert client.get(f"{PAGE}details/", time_fields(online, start)).status_code == 409


def test_a_time_taken_meanwhile_is_said_kindly_with_the_free_times_again(online: dict[str, Any],
                                                                         client: Any) -> None:
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import Appointment

    start = at(MONDAY, 10)
    booking.book(clinic=online["clinic"], practitioner=online["practitioner"], service=service(online),
                 location=online["location"], start=start, by=online["reception"], prospect_name="First")
    r = client.post(f"{PAGE}details/", {**time_fields(online, start), "who": "new", "name": "Ben",
                                        "email": "ben@example.org"})
    html = r.content.decode()
    assert r.status_code == 409
    assert "someone booked this time a moment ago" in html
    links = slot_links(html)
    assert links
    assert time_fields(online, start)["start"] not in {x["start"] for x in links}
    assert Appointment.objects.count() == 1


def test_a_form_sent_twice_books_once(online: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import Appointment

    fields = time_fields(online, at(MONDAY, 12))
    form = client.get(f"{PAGE}details/", fields).content.decode()
    data = {**fields, "who": "new", "name": "Ben", "email": "ben@example.org", "submission_token": token(form)}
    first = client.post(f"{PAGE}details/", data)
    second = client.post(f"{PAGE}details/", data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Appointment.objects.count() == 1


def test_the_confirmation_link_is_a_token_and_shows_only_online_bookings(online: dict[str, Any],
                                                                         client: Any) -> None:
    from django.core import signing

    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.online.public_booking import DONE_SALT

    staff_booked = booking.book(clinic=online["clinic"], practitioner=online["practitioner"],
                                service=service(online), location=online["location"], start=at(MONDAY, 10),
                                by=online["reception"], prospect_name="Someone")
    forged = signing.dumps({"a": staff_booked.pk, "i": ""}, salt=DONE_SALT, compress=True)
    assert client.get(f"{PAGE}booked/{forged}/").status_code == 404
    assert client.get(f"{PAGE}booked/{staff_booked.pk}/").status_code == 404


def test_bookings_by_someone_new_are_throttled_per_address(online: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import Appointment
    from sciatica_care.scheduling.online.booking_codes import NEW_BOOKINGS_PER_ADDRESS

    for n in range(NEW_BOOKINGS_PER_ADDRESS):
        r = client.post(f"{PAGE}details/", {**time_fields(online, at(MONDAY, 10 + n)), "who": "new",
                                            "name": f"Person {n}", "email": f"p{n}@example.org"})
        assert r.status_code == 302
    r = client.post(f"{PAGE}details/", {**time_fields(online, at(MONDAY, 16)), "who": "new", "name": "One more",
                                        "email": "more@example.org"})
    assert r.status_code == 429
    assert 'data-field="booking"' in r.content.decode()
    assert Appointment.objects.count() == NEW_BOOKINGS_PER_ADDRESS
