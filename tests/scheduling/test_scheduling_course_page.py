"""Booking the course from the plan in the browser's page: the proposed series, adjusted and booked in one step;
nothing clinical for reception; a plan that is not for treatment offers no course and says why."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from calendar_fixtures import LONDON, book

pytestmark = pytest.mark.django_db


def course_url(diary: dict[str, Any], **query: Any) -> str:
    first = diary["monday"] + dt.timedelta(days=7)  # a week with nothing booked
    q = {"practitioner": diary["practitioner"].pk, "location": diary["location"].pk,
         "service": diary["services"]["follow_up_acupuncture"].pk, "first": first.isoformat(), "time": "10:00",
         **query}
    days = q.pop("days", [0, 3])
    return (f"/episodes/{diary['episode'].pk}/course/?" + "&".join(f"{k}={v}" for k, v in q.items())
            + "".join(f"&days={d}" for d in days))


def rows_of(html: str) -> dict[str, str]:
    """The course form's fields as the page fills them in."""
    form = html[html.index('class="course-rows"'):]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields.update(re.findall(r'<input type="(?:date|time)" name="(\w+)" value="([^"]*)"', form))
    fields.update((name, "1") for name in re.findall(r'name="(book_\d+)" value="1"[^>]*checked', form))
    fields["row"] = re.findall(r'name="row" value="(\d+)"', form)  # type: ignore[assignment]
    return fields


def test_the_course_is_proposed_at_the_preferred_days_with_the_review_marked(diary: dict[str, Any],
                                                                             login: Any) -> None:
    """The plan's course (2 a week, 8–10 sessions, review after 4) on Mondays and Thursdays at 10:00."""
    html = login(diary["reception"]).get(course_url(diary)).content.decode()
    fields = rows_of(html)
    assert fields["row"] == [str(n) for n in range(1, 11)]
    days = [dt.date.fromisoformat(fields[f"date_{n}"]) for n in range(1, 11)]
    assert {d.weekday() for d in days} == {0, 3}
    assert fields["time_1"] == "10:00"
    assert fields.get("review_5") == "1"
    assert "review_4" not in fields
    assert "2 sessions a week" in html
    assert "8–10 sessions" in html


def test_reception_sees_the_course_but_nothing_clinical(diary: dict[str, Any], login: Any) -> None:
    html = login(diary["reception"]).get(course_url(diary)).content.decode()
    plan = diary["world"]["a"]["plan"].typed
    for word in [p.code for p in plan.acupuncture.points] + [plan.triage.advice]:
        assert word not in html
    assert "Open the course" not in html


def test_the_course_is_booked_in_one_step_with_the_rows_as_adjusted(diary: dict[str, Any], login: Any) -> None:
    """Untick session 7, move session 3 to 11:30: nine sessions booked at once, numbered, the review marked."""
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import Appointment

    client = login(diary["reception"])
    fields = rows_of(client.get(course_url(diary)).content.decode())
    fields.pop("book_7")
    fields["time_3"] = "11:30"
    r = client.post(f"/episodes/{diary['episode'].pk}/course/", fields)
    assert r.status_code == 302, r.content.decode()[:3000]
    made = Appointment.objects.filter(episode=diary["episode"], booked_via="course")
    assert sorted(made.values_list("course_session", flat=True)) == [1, 2, 3, 4, 5, 6, 8, 9, 10]
    assert made.get(course_session=3).start.astimezone(LONDON).time() == dt.time(11, 30)
    assert made.get(is_review=True).course_session == 5
    assert AuditEvent.objects.filter(action="book_appointment", patient_id=diary["patient"].pk).count() >= 9


def test_a_session_taken_meanwhile_books_nothing_and_is_marked(diary: dict[str, Any], login: Any) -> None:
    """A colleague books session 4's time while the form is open: 409, nothing booked, session 4 named."""
    from sciatica_care.scheduling.models import Appointment

    client = login(diary["reception"])
    fields = rows_of(client.get(course_url(diary)).content.decode())
    taken = dt.datetime.combine(dt.date.fromisoformat(fields["date_4"]), dt.time(10), tzinfo=LONDON)
    book(diary, taken, "massage")
    r = client.post(f"/episodes/{diary['episode'].pk}/course/", fields)
    assert r.status_code == 409
    html = r.content.decode()
    assert "Nothing was booked" in html
    assert "Session 4: " in html
    assert not Appointment.objects.filter(episode=diary["episode"], booked_via="course").exists()


def test_sessions_booked_already_are_not_proposed_again(diary: dict[str, Any], login: Any) -> None:
    """With session 1 booked (the first visit), the proposal goes on from session 2 on the first proposed day."""
    from sciatica_care.scheduling.models import Appointment

    Appointment.objects.filter(pk=diary["ann"].pk).update(episode=diary["episode"], course_session=1)
    html = login(diary["reception"]).get(course_url(diary)).content.decode()
    fields = rows_of(html)
    assert fields["row"][0] == "2"
    assert "Session 1 is booked already" in html


def test_a_plan_not_for_treatment_offers_no_course(diary: dict[str, Any], login: Any) -> None:
    """A red flag at intake: no rows, and the reason — the practitioner's words for them, a plain one for
    reception."""
    from clinic_fixtures import base_intake

    from sciatica_care.clinic import records

    records.record_intake(diary["practitioner"], diary["episode"], base_intake(red_flags=["saddle_anaesthesia"]))
    practitioner = login(diary["practitioner"]).get(course_url(diary)).content.decode()
    assert "No course to book" in practitioner
    assert "not for treatment" in practitioner
    assert 'class="course-rows"' not in practitioner
    reception = login(diary["reception"]).get(course_url(diary)).content.decode()
    assert "not cleared for treatment" in reception
    assert "red flag" not in reception.lower()


def test_a_course_booked_on_a_plan_stopped_meanwhile_is_refused(diary: dict[str, Any], login: Any) -> None:
    """The form was opened on a treatable plan; a red flag stopped it before the form was sent: 422, nothing."""
    from clinic_fixtures import base_intake

    from sciatica_care.clinic import records
    from sciatica_care.scheduling.models import Appointment

    client = login(diary["reception"])
    fields = rows_of(client.get(course_url(diary)).content.decode())
    records.record_intake(diary["practitioner"], diary["episode"], base_intake(red_flags=["saddle_anaesthesia"]))
    r = client.post(f"/episodes/{diary['episode'].pk}/course/", fields)
    assert r.status_code == 422
    assert not Appointment.objects.filter(episode=diary["episode"], booked_via="course").exists()


@pytest.mark.parametrize(("change", "words"), [
    ({"time_2": "25:99"}, "Session 2: the time"), ({"date_2": "2027-02-30"}, "Session 2: the date"),
    ({"row": []}, "the form has no sessions"), ({"override_reason": "x" * 301}, "Reason: at most 300"),
])
def test_a_course_form_that_cannot_be_read_names_the_field(diary: dict[str, Any], login: Any,
                                                           change: dict[str, Any], words: str) -> None:
    client = login(diary["reception"])
    fields = {**rows_of(client.get(course_url(diary)).content.decode()), **change}
    r = client.post(f"/episodes/{diary['episode'].pk}/course/", fields)
    assert r.status_code == 422
    assert words in r.content.decode()


def test_another_clinics_course_is_not_found(diary: dict[str, Any], login: Any) -> None:
    other = diary["world"]["b"]["episode"]
    assert login(diary["reception"]).get(f"/episodes/{other.pk}/course/").status_code == 404


def test_book_a_course_finds_the_patients_open_courses(diary: dict[str, Any], login: Any) -> None:
    html = login(diary["reception"]).get("/calendar/course/", {"q": "Smitha"}).content.decode()
    assert f"/episodes/{diary['episode'].pk}/course/" in html


def test_the_episode_page_shows_the_booked_appointments_of_the_course(diary: dict[str, Any],
                                                                       login: Any) -> None:
    from sciatica_care.scheduling.models import Appointment

    Appointment.objects.filter(pk=diary["ann"].pk).update(episode=diary["episode"], course_session=1)
    html = login(diary["practitioner"]).get(f"/episodes/{diary['episode'].pk}/").content.decode()
    assert "Appointments of this course" in html
    start = diary["ann"].start.astimezone(LONDON)
    assert f"{start:%H:%M}" in html
    assert "session 1" in html
    assert f"/episodes/{diary['episode'].pk}/course/" in html


def test_a_calendar_appointment_leads_to_the_course(diary: dict[str, Any], login: Any) -> None:
    html = login(diary["reception"]).get(f"/appointments/{diary['ann'].pk}/").content.decode()
    assert f"/episodes/{diary['episode'].pk}/course/" in html
