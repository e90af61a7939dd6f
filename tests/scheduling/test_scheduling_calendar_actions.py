"""What is done from the calendar: book, move, cancel, mark, chart the session — each a POST with the one-time
token, audited, refusals naming the field, a 409 that says someone else took the time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from calendar_fixtures import LONDON, at, book
from django.test import Client

pytestmark = pytest.mark.django_db


def token(client: Client, url: str, form: str) -> str:
    """The one-time submission token a page's form carries."""
    import re

    html = client.get(url).content.decode()
    found = re.findall(r'name="submission_token" value="([^"]+)"', html)
    assert found, f"no token on {url}"
    return found[0]


def booking_post(diary: dict[str, Any], day: dt.date, time: str, **changes: Any) -> dict[str, Any]:
    return {"practitioner": diary["practitioner"].pk, "location": diary["location"].pk,
            "service": diary["services"]["follow_up_acupuncture"].pk, "patient": diary["patient"].pk,
            "date": day.isoformat(), "time": time, **changes}


def test_reception_books_a_free_time(diary: dict[str, Any], login: Any) -> None:
    """Book from the calendar: the appointment is made by the booking service, audited, and the page says so."""
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import Appointment

    client = login(diary["reception"])
    data = booking_post(diary, diary["monday"], "13:00", front_desk_note="Wheelchair user")
    data["submission_token"] = token(client, "/calendar/book/", "booking")
    r = client.post("/calendar/book/", data, follow=True)
    assert r.status_code == 200
    made = Appointment.objects.get(start=at(diary["monday"], 13))
    assert (made.patient, made.booked_by, made.front_desk_note) == (diary["patient"], diary["reception"],
                                                                    "Wheelchair user")
    assert "Booked: Ann Smitha, Follow-up acupuncture" in r.content.decode()
    assert AuditEvent.objects.filter(action="book_appointment", object_id=made.pk).exists()


def test_a_booking_sent_twice_is_stored_once(diary: dict[str, Any], login: Any) -> None:
    """A double click or Back-and-resend with the same token books once."""
    from sciatica_care.scheduling.models import Appointment

    client = login(diary["reception"])
    data = booking_post(diary, diary["monday"], "13:00")
    data["submission_token"] = token(client, "/calendar/book/", "booking")
    client.post("/calendar/book/", data)
    again = client.post("/calendar/book/", data)
    assert again.status_code == 302
    assert Appointment.objects.filter(start=at(diary["monday"], 13)).count() == 1


def test_a_time_someone_else_took_meanwhile_is_a_clear_409(diary: dict[str, Any], login: Any) -> None:
    """The form was opened when 13:00 was free; a colleague booked it first: 409, said in words, with what is
    free now; nothing else is booked."""
    from sciatica_care.scheduling.models import Appointment

    client = login(diary["reception"])
    data = booking_post(diary, diary["monday"], "13:00")
    data["submission_token"] = token(client, "/calendar/book/", "booking")
    book(diary, at(diary["monday"], 13), "massage")  # the colleague, first
    r = client.post("/calendar/book/", data)
    assert r.status_code == 409
    html = r.content.decode()
    assert "Someone else booked this time a moment ago" in html
    assert 'role="alert"' in html
    assert "14:00" in html  # a time free now is offered
    assert Appointment.objects.filter(start=at(diary["monday"], 13)).count() == 1


@pytest.mark.parametrize(("field", "value", "words"), [
    ("time", "25:00", "Time: give the time as hours:minutes"),
    ("date", "2027-02-30", "Date:"),
    ("service", "", "Service: choose one"),
    ("practitioner", "99999", "Practitioner: not found here"),
    ("patient", "", "Patient: choose the patient, or give a name for someone new"),
    ("prospect_email", "not an address", "Email: not an email address"),
    ("front_desk_note", "x" * 301, "Front-desk note: at most 300 characters"),
])
def test_a_refused_booking_names_the_field(diary: dict[str, Any], login: Any, field: str, value: str,
                                           words: str) -> None:
    """Bad input: 422, the message names the field, nothing is booked, the attempt is audited."""
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import Appointment

    before = Appointment.objects.count()
    data = {**booking_post(diary, diary["monday"], "13:00"), field: value}
    if field == "prospect_email":
        data.update(patient="", prospect_name="Rosa")
    r = login(diary["reception"]).post("/calendar/book/", data)
    assert r.status_code == 422
    assert words in r.content.decode()
    assert Appointment.objects.count() == before
    assert AuditEvent.objects.filter(action="attempted_book_appointment").exists()


def test_booking_outside_working_hours_needs_a_reason(diary: dict[str, Any], login: Any) -> None:
    """Staff may book outside the practitioner's hours, but only saying why (the booking service's rule)."""
    from sciatica_care.scheduling.models import Appointment

    client = login(diary["reception"])
    r = client.post("/calendar/book/", booking_post(diary, diary["monday"], "19:00"))
    assert r.status_code == 422
    assert "not working then" in r.content.decode()
    r = client.post("/calendar/book/", booking_post(diary, diary["monday"], "19:00",
                                                    override_reason="Evening appointment agreed"))
    assert r.status_code == 302
    assert Appointment.objects.filter(start=at(diary["monday"], 19)).exists()


def test_booking_a_free_call_for_someone_new(diary: dict[str, Any], login: Any) -> None:
    from sciatica_care.scheduling.models import Appointment

    r = login(diary["reception"]).post("/calendar/book/", booking_post(
        diary, diary["monday"], "16:00", patient="", prospect_name="Sam New", prospect_phone="07700 900123",
        service=diary["services"]["consultation_call"].pk))
    assert r.status_code == 302
    made = Appointment.objects.get(prospect_name="Sam New")
    assert made.patient is None
    assert made.room is None


def test_the_booking_form_offers_the_free_times_of_the_service(diary: dict[str, Any], login: Any) -> None:
    """With a practitioner, a service and a day, the form lists the free starts (10:00 is Ann's)."""
    html = login(diary["reception"]).get(
        f"/calendar/book/?practitioner={diary['practitioner'].pk}&location={diary['location'].pk}"
        f"&service={diary['services']['follow_up_acupuncture'].pk}&date={diary['monday']}&time=10:00").content.decode()
    assert 'value="09:00"' in html
    assert 'value="11:00"' in html
    assert 'value="10:00"' not in html
    assert "10:00 is not free" in html


def test_a_click_on_the_calendar_fills_in_the_form(diary: dict[str, Any], login: Any) -> None:
    start = at(diary["monday"], 11, 30).isoformat()
    html = login(diary["reception"]).get(
        f"/calendar/book/?practitioner={diary['practitioner'].pk}&start={start.replace('+', '%2B')}").content.decode()
    assert f'value="{diary["monday"].isoformat()}"' in html
    assert 'value="11:30"' in html


def test_the_patient_search_finds_by_name_and_audits_ids(diary: dict[str, Any], login: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent

    html = login(diary["reception"]).get("/calendar/patients/", {"q": "smitha"}).content.decode()
    assert f'value="{diary["patient"].pk}"' in html
    event = AuditEvent.objects.filter(action="list", object_type="Patient").latest("id")
    assert event.detail["ids"] == [diary["patient"].pk]
    assert "smitha" not in str(event.detail)


def test_another_clinics_patient_is_not_found(diary: dict[str, Any], login: Any) -> None:
    r = login(diary["reception"]).post("/calendar/book/", booking_post(
        diary, diary["monday"], "13:00", patient=diary["world"]["b"]["patient"].pk))
    assert r.status_code == 422
    assert "Patient: not found here" in r.content.decode()


def test_move_to_another_free_time(diary: dict[str, Any], login: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent

    appt = diary["ann"]
    client = login(diary["reception"])
    url = f"/appointments/{appt.pk}/move/"
    r = client.post(url, {"version": appt.version, "date": diary["monday"].isoformat(), "time": "14:00",
                          "submission_token": token(client, url, "appointment_move")})
    assert r.status_code == 302
    appt.refresh_from_db()
    assert appt.start == at(diary["monday"], 14)
    assert AuditEvent.objects.filter(action="move_appointment", object_id=appt.pk).exists()


def test_move_onto_a_taken_time_is_a_409(diary: dict[str, Any], login: Any) -> None:
    appt = diary["ann"]
    r = login(diary["reception"]).post(f"/appointments/{appt.pk}/move/", {
        "version": appt.version, "date": diary["monday"].isoformat(), "time": "15:00"})
    assert r.status_code == 409
    assert "Someone else booked this time" in r.content.decode()
    appt.refresh_from_db()
    assert appt.start == at(diary["monday"], 10)


def test_an_appointment_changed_meanwhile_is_a_409(diary: dict[str, Any], login: Any) -> None:
    """The move form was opened at version 1; a colleague moved it since: 409, nothing changed by us."""
    from sciatica_care.scheduling import booking

    appt = diary["ann"]
    seen = appt.version
    booking.move(appt, start=at(diary["monday"], 12), by=diary["reception"], apply_policy=False)
    r = login(diary["reception"]).post(f"/appointments/{appt.pk}/move/", {
        "version": seen, "date": diary["monday"].isoformat(), "time": "14:00"})
    assert r.status_code == 409
    assert "Someone else changed this appointment" in r.content.decode()
    appt.refresh_from_db()
    assert appt.start == at(diary["monday"], 12)


def test_cancel_with_a_reason(diary: dict[str, Any], login: Any) -> None:
    appt = diary["ann"]
    client = login(diary["reception"])
    url = f"/appointments/{appt.pk}/cancel/"
    r = client.post(url, {"version": appt.version, "reason": "Patient away",
                          "submission_token": token(client, url, "appointment_cancel")})
    assert r.status_code == 302
    appt.refresh_from_db()
    assert (appt.status, appt.cancel_reason) == ("cancelled", "Patient away")


def test_cancel_without_a_reason_is_refused(diary: dict[str, Any], login: Any) -> None:
    appt = diary["ann"]
    r = login(diary["reception"]).post(f"/appointments/{appt.pk}/cancel/", {"version": appt.version, "reason": ""})
    assert r.status_code == 422
    assert "Reason: say why the appointment is cancelled" in r.content.decode()


def test_a_late_cancellation_is_said_before_and_recorded(diary: dict[str, Any], login: Any) -> None:
    """Inside the clinic's late-cancel window the form warns, and the appointment is cancelled late."""
    appt = diary["now"]
    client = login(diary["reception"])
    form = client.get(f"/appointments/{appt.pk}/cancel/").content.decode()
    assert "Late cancellation" in form
    r = client.post(f"/appointments/{appt.pk}/cancel/", {"version": appt.version, "reason": "Stuck in traffic"})
    assert r.status_code == 302
    appt.refresh_from_db()
    assert appt.status == "late_cancelled"


@pytest.mark.parametrize("status", ["arrived", "no_show", "completed"])
def test_mark_an_appointment(diary: dict[str, Any], login: Any, status: str) -> None:
    from sciatica_care.clinic.models import AuditEvent

    appt = diary["now"]
    client = login(diary["reception"])
    assert "Did not attend" in client.get(f"/appointments/{appt.pk}/").content.decode()
    r = client.post(f"/appointments/{appt.pk}/mark/", {"version": appt.version, "status": status})
    assert r.status_code == 302
    appt.refresh_from_db()
    assert appt.status == status
    assert AuditEvent.objects.filter(action="mark_appointment", object_id=appt.pk).exists()


def test_a_future_appointment_cannot_be_marked_did_not_attend(diary: dict[str, Any], login: Any) -> None:
    appt = diary["ann"]
    r = login(diary["reception"]).post(f"/appointments/{appt.pk}/mark/", {"version": appt.version,
                                                                           "status": "no_show"})
    assert r.status_code == 422
    assert "has not started yet" in r.content.decode()


def test_a_mark_that_is_not_one_names_the_status(diary: dict[str, Any], login: Any) -> None:
    appt = diary["now"]
    r = login(diary["reception"]).post(f"/appointments/{appt.pk}/mark/", {"version": appt.version,
                                                                           "status": "cancelled"})
    assert r.status_code == 422
    assert "Status: one of" in r.content.decode()


# --- Chart this session -------------------------------------------------------------------------------------------


def _arrived(diary: dict[str, Any]) -> Any:
    from sciatica_care.scheduling import booking

    appt = diary["now"]
    booking.mark(appt, "arrived", by=diary["reception"])
    return appt


def test_chart_this_session_opens_the_charting_form_filled_in(diary: dict[str, Any], login: Any) -> None:
    """From an arrived appointment: the charting form of the patient's course, dated the day of the appointment,
    pre-filled from the plan, carrying the appointment."""
    appt = _arrived(diary)
    client = login(diary["practitioner"])
    assert "Chart this session" in client.get(f"/appointments/{appt.pk}/").content.decode()
    r = client.get(f"/appointments/{appt.pk}/chart/")
    assert r.status_code == 302
    form = client.get(r["Location"])
    html = form.content.decode()
    assert form.status_code == 200
    day = appt.start.astimezone(LONDON).date()
    assert f'name="date" value="{day.isoformat()}"' in html
    assert f'name="appointment" value="{appt.pk}"' in html
    assert "pre-filled from" in html


def test_a_session_charted_from_the_appointment_is_linked_and_completes_it(diary: dict[str, Any],
                                                                             login: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent, Visit

    appt = _arrived(diary)
    client = login(diary["practitioner"])
    url = client.get(f"/appointments/{appt.pk}/chart/")["Location"]
    day = appt.start.astimezone(LONDON).date()
    r = client.post(url.split("?")[0], {"red_flags_rechecked": "1", "date": day.isoformat(),
                                        "appointment": str(appt.pk), "leg_nrs": "5"})
    assert r.status_code == 302, r.content.decode()[:2000]
    appt.refresh_from_db()
    visit = Visit.objects.filter(episode=diary["episode"]).latest("id")
    assert appt.visit == visit
    assert appt.status == "completed"
    assert AuditEvent.objects.filter(action="link_visit", object_id=appt.pk).exists()


def test_chart_this_session_is_not_for_reception(diary: dict[str, Any], login: Any) -> None:
    appt = _arrived(diary)
    client = login(diary["reception"])
    assert "Chart this session" not in client.get(f"/appointments/{appt.pk}/").content.decode()
    assert client.get(f"/appointments/{appt.pk}/chart/").status_code == 403


def test_chart_before_arrival_is_refused_with_the_reason(diary: dict[str, Any], login: Any) -> None:
    client = login(diary["practitioner"])
    r = client.get(f"/appointments/{diary['ann'].pk}/chart/", follow=True)
    assert "has not been marked arrived" in r.content.decode()


def test_another_clinics_appointment_number_is_not_linked(diary: dict[str, Any], login: Any) -> None:
    """The number the charting form carries is checked: another patient's appointment is left alone."""
    from sciatica_care.clinic import records

    appt = book(diary, at(diary["monday"], 16), patient=diary["world"]["a"]["patient"])
    other = records.create_patient(diary["practitioner"], first_name="Other", last_name="Person",
                                   date_of_birth=dt.date(1980, 1, 1), consent_treatment=True)
    appt.patient = other
    appt.save(update_fields=["patient"])
    client = login(diary["practitioner"])
    client.post(f"/episodes/{diary['episode'].pk}/visits/new/", {
        "red_flags_rechecked": "1", "date": dt.datetime.now(LONDON).date().isoformat(), "appointment": str(appt.pk)})
    appt.refresh_from_db()
    assert appt.visit is None


@pytest.mark.parametrize("target", ["https://evil.example/calendar/", "//evil.example/calendar/", "/patients/",
                                    "/calendar/\x00"])
def test_after_an_action_only_a_calendar_address_of_this_site_is_followed(diary: dict[str, Any], login: Any,
                                                                          target: str) -> None:
    """The `next` a form carries is followed only when it is this site's calendar (no open redirect)."""
    appt = diary["ann"]
    r = login(diary["reception"]).post(f"/appointments/{appt.pk}/cancel/", {
        "version": appt.version, "reason": "Patient away", "next": target})
    assert r.status_code == 302
    assert r["Location"].startswith("/calendar/?who=practitioner%3A")
