"""The staff calendar's pages: who sees what, in the location's time zone, and nothing clinical for anyone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from calendar_fixtures import LONDON, at, book

pytestmark = pytest.mark.django_db

#: Words that only the clinical record holds: a session's note, the plan's points and advice, red flags.
CLINICAL_NOTE = "Numbness spreading to the outer foot since Tuesday"


@pytest.fixture
def charted(diary: dict[str, Any]) -> dict[str, Any]:
    """Ann has a charted session with a note only practitioners may read."""
    from sciatica_care.clinic import records

    world = diary["world"]["a"]
    records.chart_visit(world["practitioner"], world["episode"], world["plan"],
                        {"red_flags_rechecked": True, "subjective": CLINICAL_NOTE, "leg_nrs": 6})
    return diary


def clinical_words(diary: dict[str, Any]) -> list[str]:
    """Text of the clinical record that must never reach reception's calendar: the note, the plan's point codes
    and its advice, the names of the red flags, the course's title."""
    from sciatica_care.clinic import vocab

    plan = diary["world"]["a"]["plan"].typed
    words = [CLINICAL_NOTE, plan.triage.advice, *(p.code for p in plan.acupuncture.points)]
    words += [vocab.RED_FLAG_LABELS[k] for k in list(vocab.RED_FLAG_LABELS)[:5]]
    return [w for w in words if w]


@pytest.mark.parametrize("path", ["calendar", "day", "location", "location_day", "room", "panel", "book"])
def test_reception_sees_who_and_when_but_nothing_clinical(charted: dict[str, Any], login: Any, path: str) -> None:
    """Reception's calendar, appointment panel and booking form name the patient, service, time and status; no
    note, plan, point or red flag appears in the HTML."""
    d = charted
    pages = {
        "calendar": d["calendar"], "day": d["calendar"] + "&view=day",
        "location": f"/calendar/?who=location:{d['location'].pk}&date={d['monday']}",
        "location_day": f"/calendar/?who=location:{d['location'].pk}&date={d['monday']}&view=day",
        "room": f"/calendar/?who=room:{d['ann'].room_id}&date={d['monday']}",
        "panel": f"/appointments/{d['ann'].pk}/", "book": f"/calendar/book/?patient={d['patient'].pk}",
    }
    html = login(d["reception"]).get(pages[path]).content.decode()
    assert "Smitha" in html
    if path != "book":
        assert "Follow-up acupuncture" in html
    for word in clinical_words(d):
        assert word not in html, (path, word)
    assert "Chart this session" not in html
    assert "Open the course" not in html


def test_the_week_shows_blocks_with_name_service_and_status(diary: dict[str, Any], login: Any) -> None:
    """A block says the time, the patient, the service; a screen reader hears all of it in one label."""
    html = login(diary["reception"]).get(diary["calendar"]).content.decode()
    assert "10:00–10:45" in html
    assert 'aria-label="10:00–10:45, Ann Smitha, Follow-up acupuncture, Booked"' in html
    assert "Rosa Delgado" in html
    assert "New enquiry" in html


def test_times_are_in_the_locations_time_zone(diary: dict[str, Any], login: Any) -> None:
    """A location in New York shows its appointments at New York's clock."""
    from sciatica_care.scheduling.models import Location

    Location.objects.filter(pk=diary["location"].pk).update(time_zone="America/New_York")
    html = login(diary["reception"]).get(
        f"/calendar/?who=location:{diary['location'].pk}&date={diary['monday']}&view=day").content.decode()
    ny = diary["ann"].start.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert f"{ny:%H:%M}–" in html
    assert "Times in America/New_York" in html


def test_today_is_marked(diary: dict[str, Any], login: Any) -> None:
    """Today's column says so to a screen reader and is styled as today."""
    html = login(diary["reception"]).get(
        f"/calendar/?who=practitioner:{diary['practitioner'].pk}&view=day").content.decode()
    assert '<span class="vh">Today, </span>' in html
    assert "cal-col today" in html


def test_working_hours_and_leave_are_drawn(diary: dict[str, Any], login: Any) -> None:
    """The shift is shaded as working time; a day of leave says so with its reason."""
    from sciatica_care.scheduling.models import ShiftException

    tuesday = diary["monday"] + dt.timedelta(days=1)
    ShiftException.objects.create(clinic=diary["clinic"], practitioner=diary["practitioner"],
                                  starts_at=at(tuesday, 0), ends_at=at(tuesday + dt.timedelta(days=1), 0),
                                  reason="Annual leave")
    html = login(diary["reception"]).get(diary["calendar"]).content.decode()
    assert 'class="work at-h1 at-m0 len-96"' in html  # 09:00–17:00 on a grid from 08:00
    assert "Annual leave" in html


def test_cancelled_appointments_are_struck_through_or_hidden(diary: dict[str, Any], login: Any) -> None:
    """A cancelled appointment shows as cancelled; the toggle hides it."""
    from sciatica_care.scheduling import booking

    booking.cancel(diary["ann"], by=diary["reception"], reason="Patient unwell")
    client = login(diary["reception"])
    shown = client.get(diary["calendar"]).content.decode()
    assert "st-cancelled" in shown
    assert "Ann Smitha" in shown
    hidden = client.get(diary["calendar"] + "&cancelled=hide").content.decode()
    assert "Ann Smitha" not in hidden
    assert "Show cancelled" in hidden


def test_a_practitioner_sees_colleagues_as_busy_when_the_clinic_says_so(diary: dict[str, Any], login: Any,
                                                                        make_staff: Any) -> None:
    """With `practitioners_see_colleagues` off, a colleague's appointment is "Busy": no name, no link, no service."""
    from sciatica_care.clinic.models import Role

    colleague = make_staff(diary["clinic"], Role.PRACTITIONER, "dr_colleague")
    diary["rules"].practitioners_see_colleagues = False
    diary["rules"].save()
    client = login(colleague)
    html = client.get(diary["calendar"]).content.decode()
    assert "Smitha" not in html
    assert "Rosa" not in html
    assert "10:00–10:45, busy" in html
    assert client.get(f"/appointments/{diary['ann'].pk}/").status_code == 403
    assert "Smitha" in login(diary["practitioner"]).get(diary["calendar"]).content.decode()


def test_a_practitioner_sees_colleagues_by_default(diary: dict[str, Any], login: Any, make_staff: Any) -> None:
    from sciatica_care.clinic.models import Role

    colleague = make_staff(diary["clinic"], Role.PRACTITIONER, "dr_colleague")
    assert "Smitha" in login(colleague).get(diary["calendar"]).content.decode()


@pytest.mark.parametrize("who", ["practitioner", "room", "location", "appointment"])
def test_another_clinics_calendar_is_not_found(diary: dict[str, Any], login: Any, who: str) -> None:
    """Clinic B's practitioner, room, location or appointment: 404, and the attempt is audited."""
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import Location, Room

    b = diary["world"]["b"]
    location = Location.objects.create(clinic=b["clinic"], name="Elsewhere")
    room = Room.objects.create(location=location, name="B1")
    theirs = book({**diary, "clinic": b["clinic"], "practitioner": b["practitioner"], "location": location,
                   "patient": b["patient"], "reception": b["reception"],
                   "services": {"follow_up_acupuncture": _service(b["clinic"])}},
                  at(diary["monday"], 10), room=room)
    url = {"practitioner": f"/calendar/?who=practitioner:{b['practitioner'].pk}",
           "room": f"/calendar/?who=room:{room.pk}", "location": f"/calendar/?who=location:{location.pk}",
           "appointment": f"/appointments/{theirs.pk}/"}[who]
    assert login(diary["reception"]).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="denied_other_clinic", actor=diary["reception"]).exists()


def _service(clinic: Any) -> Any:
    from sciatica_care.scheduling.models import Service, ServiceKind

    return Service.objects.create(clinic=clinic, name="Follow-up", kind=ServiceKind.FOLLOW_UP_ACUPUNCTURE,
                                  duration_minutes=45)


def test_the_calendar_read_is_audited_with_the_patients_shown(diary: dict[str, Any], login: Any) -> None:
    """Which patients the calendar showed is kept by id (as the patient list's audit does)."""
    from sciatica_care.clinic.models import AuditEvent

    login(diary["reception"]).get(diary["calendar"])
    event = AuditEvent.objects.filter(action="list", object_type="Appointment").latest("id")
    assert event.detail["ids"] == [diary["patient"].pk]
    assert event.detail["appointments"] == 2


def test_the_header_offers_the_calendar_to_staff(diary: dict[str, Any], login: Any) -> None:
    html = login(diary["reception"]).get("/patients/").content.decode()
    assert '<a href="/calendar/">Calendar</a>' in html


def test_the_default_calendar_is_the_practitioners_own(diary: dict[str, Any], login: Any) -> None:
    """A practitioner with working hours opens their own week; reception the clinic's first location."""
    assert diary["practitioner"].display() in login(diary["practitioner"]).get("/calendar/").content.decode()
    html = login(diary["reception"]).get("/calendar/").content.decode()
    assert "High Street" in html


def test_overlapping_blocks_sit_side_by_side(diary: dict[str, Any], login: Any) -> None:
    """A cancelled appointment and the one booked in its place share the time in two lanes."""
    from sciatica_care.scheduling import booking

    booking.cancel(diary["ann"], by=diary["reception"], reason="moved to another patient")
    book(diary, at(diary["monday"], 10), "massage")
    html = login(diary["reception"]).get(diary["calendar"]).content.decode()
    assert "lane-0 lanes-2" in html
    assert "lane-1 lanes-2" in html


def test_the_location_week_lists_each_practitioners_days(diary: dict[str, Any], login: Any) -> None:
    html = login(diary["reception"]).get(
        f"/calendar/?who=location:{diary['location'].pk}&date={diary['monday']}").content.decode()
    assert "<table class=\"cal-rows\">" in html
    assert "09:00–17:00" in html
    assert "Ann Smitha" in html


def test_a_clinic_without_a_location_says_what_is_missing(world: dict[str, Any], login: Any) -> None:
    """No location yet: the calendar says so (reception has no diary of their own)."""
    r = login(world["a"]["reception"]).get("/calendar/")
    assert r.status_code == 200
    assert "no location yet" in r.content.decode()


@pytest.mark.parametrize("query", ["who=practitioner:²", "who=room:99999999999999999999", "who=x:1",
                                   "date=2024-02-30", "date=0001-01-01", "view=month", "who=location:-1"])
def test_a_calendar_address_that_cannot_be_read_shows_the_default(diary: dict[str, Any], login: Any,
                                                                  query: str) -> None:
    assert login(diary["reception"]).get(f"/calendar/?{query}").status_code == 200


def test_week_view_queries_do_not_grow_with_appointments(diary: dict[str, Any], login: Any,
                                                         django_assert_max_num_queries: Any) -> None:
    """One query per section (appointments, shifts, leave, course lengths, the menus), however full the week."""
    for hour in (11, 12, 13, 14, 16):
        for day in range(1, 5):
            book(diary, at(diary["monday"] + dt.timedelta(days=day), hour), "massage")
    client = login(diary["reception"])
    client.get(diary["calendar"])
    with django_assert_max_num_queries(16):
        client.get(diary["calendar"])


def test_phone_layout_is_a_list_in_time_order(diary: dict[str, Any], login: Any) -> None:
    """The day's blocks are an ordered list in time order: at phone width the stylesheet shows them as one."""
    html = login(diary["reception"]).get(diary["calendar"] + "&view=day").content.decode()
    first, second = html.index("10:00–10:45"), html.index("15:00–15:15")
    assert '<ol class="appts">' in html
    assert first < second


def test_start_of_a_clock_change_week_is_local(diary: dict[str, Any], login: Any) -> None:
    """In the week the clocks go back, an appointment at 10:00 London is drawn at 10:00."""
    sunday = dt.date(2030, 10, 27)  # BST ends
    monday = sunday + dt.timedelta(days=1)
    appt = book(diary, at(monday, 10))
    html = login(diary["reception"]).get(
        f"/calendar/?who=practitioner:{diary['practitioner'].pk}&date={monday}").content.decode()
    assert f'id="appt-{appt.pk}"' in html
    assert "10:00–10:45" in html
    assert appt.start.astimezone(LONDON).hour == 10


def test_htmx_gets_the_panel_alone_and_a_browser_without_it_a_page(diary: dict[str, Any], login: Any) -> None:
    """The appointment opens in the calendar's side panel (htmx) or, without script, as a page of its own."""
    client = login(diary["reception"])
    url = f"/appointments/{diary['ann'].pk}/"
    panel = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in panel
    assert "Ann Smitha" in panel
    page = client.get(url).content.decode()
    assert "<html" in page
    assert "Ann Smitha" in page


def test_a_receptionist_has_no_calendar_of_their_own(diary: dict[str, Any], login: Any) -> None:
    """Only those who see patients have a diary: another role's number is not found (and not audited as another
    clinic's)."""
    from sciatica_care.clinic.models import AuditEvent

    r = login(diary["reception"]).get(f"/calendar/?who=practitioner:{diary['reception'].pk}")
    assert r.status_code == 404
    assert not AuditEvent.objects.filter(action="denied_other_clinic").exists()
