"""Choosing a time on the public booking page: the times of a week as chips by day, each time once with "anyone"
(the practitioner is chosen when booking, and chosen again if taken meanwhile), the weeks before and after within
the clinic's horizon, and a week with no free times pointing to the first week that has some and to the waitlist."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from online_booking_steps import LONDON, MONDAY, PAGE, at, service, slot_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(online: dict[str, Any], make_staff: Any) -> dict[str, Any]:
    """Two practitioners at the same place and hours: Mei Lin and Chidi Okafor."""
    from sciatica_care.clinic.models import Role, Staff
    from sciatica_care.scheduling.models import Shift

    lin = online["practitioner"]
    Staff.objects.filter(pk=lin.pk).update(first_name="Mei", last_name="Lin")
    okafor = make_staff(online["clinic"], Role.PRACTITIONER, "chidi")
    Staff.objects.filter(pk=okafor.pk).update(first_name="Chidi", last_name="Okafor")
    for day in range(5):
        Shift.objects.create(practitioner=okafor, location=online["location"], weekday=day, start_time=dt.time(9),
                             end_time=dt.time(17))
    lin.refresh_from_db()
    okafor.refresh_from_db()
    return {**online, "lin": lin, "okafor": okafor}


def anyone(online: dict[str, Any], start: dt.datetime, kind: str = "consultation_call") -> dict[str, str]:
    return {"service": str(service(online, kind).pk), "practitioner": "any", "location": str(online["location"].pk),
            "start": start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")}


def book_for(online: dict[str, Any], who: Any, start: dt.datetime) -> Any:
    from sciatica_care.scheduling import booking

    return booking.book(clinic=online["clinic"], practitioner=who, service=service(online),
                        location=online["location"], start=start, by=online["reception"], prospect_name="Walk In")


def test_with_anyone_each_time_is_one_chip_under_its_day(two: dict[str, Any], client: Any) -> None:
    html = client.get(PAGE, {"service": service(two).pk, "practitioner": "any", "week": MONDAY.isoformat()}
                      ).content.decode()
    links = slot_links(html)
    assert len(links) == 5 * 32  # two practitioners, yet each quarter hour of the week shown once
    assert {x["practitioner"] for x in links} == {"any"}
    assert len({x["start"] for x in links}) == len(links)
    assert html.count('<h3 class="ob-day">') == 5  # only the days with times, the day as the heading
    assert '<h3 class="ob-day">Monday 4 January</h3>' in html
    assert "Saturday" not in re.sub(r"<select.*?</select>", "", html, flags=re.S)
    assert 'class="ob-chips"' in html
    assert "Mei Lin</span>" not in html  # no practitioner per time


def test_one_practitioner_chosen_shows_their_times_only(two: dict[str, Any], client: Any) -> None:
    book_for(two, two["lin"], at(MONDAY, 10))
    html = client.get(PAGE, {"service": service(two).pk, "practitioner": two["lin"].pk,
                             "week": MONDAY.isoformat()}).content.decode()
    links = slot_links(html)
    assert {x["practitioner"] for x in links} == {str(two["lin"].pk)}
    assert at(MONDAY, 10).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ") not in {x["start"] for x in links}
    assert "with Mei Lin" in html


def test_booking_with_anyone_picks_the_practitioner_with_the_fewest_appointments_that_day(
        two: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import Appointment

    book_for(two, two["lin"], at(MONDAY, 14))
    r = client.post(f"{PAGE}details/", {**anyone(two, at(MONDAY, 10)), "who": "new", "name": "Ben Jones",
                                        "email": "ben@example.org"})
    assert r.status_code == 302
    assert Appointment.objects.get(prospect_name="Ben Jones").practitioner == two["okafor"]
    # On a day when both are equally free, the one first by name.
    r = client.post(f"{PAGE}details/", {**anyone(two, at(MONDAY + dt.timedelta(days=1), 10)), "who": "new",
                                        "name": "Cy Doe", "email": "cy@example.org"})
    assert r.status_code == 302
    assert Appointment.objects.get(prospect_name="Cy Doe").practitioner == two["lin"]


def test_the_details_page_says_who_is_free_and_carries_anyone_on(two: dict[str, Any], client: Any) -> None:
    html = client.get(f"{PAGE}details/", anyone(two, at(MONDAY, 10))).content.decode()
    assert "Mei Lin, or another practitioner free then" in html
    assert '<input type="hidden" name="practitioner" value="any">' in html


def test_a_practitioner_taken_meanwhile_is_replaced_and_a_time_gone_is_said_kindly(two: dict[str, Any],
                                                                                   client: Any) -> None:
    from sciatica_care.scheduling.models import Appointment

    start = at(MONDAY, 10)
    assert client.get(f"{PAGE}details/", anyone(two, start)).status_code == 200
    book_for(two, two["lin"], start)  # the practitioner the page named is booked meanwhile
    r = client.post(f"{PAGE}details/", {**anyone(two, start), "who": "new", "name": "Ben Jones",
                                        "email": "ben@example.org"})
    assert r.status_code == 302
    assert Appointment.objects.get(prospect_name="Ben Jones").practitioner == two["okafor"]
    r = client.post(f"{PAGE}details/", {**anyone(two, start), "who": "new", "name": "Cy Doe",
                                        "email": "cy@example.org"})
    html = r.content.decode()
    assert r.status_code == 409
    assert "someone booked this time a moment ago" in html
    assert slot_links(html)
    assert not Appointment.objects.filter(prospect_name="Cy Doe").exists()
    assert client.get(f"{PAGE}details/", anyone(two, start)).status_code == 409


def test_the_weeks_before_and_after_stay_within_the_horizon(two: dict[str, Any], client: Any) -> None:
    first = client.get(PAGE, {"service": service(two).pk, "practitioner": "any"}).content.decode()
    assert "Previous week" not in first
    assert "week=2027-01-08" in first
    assert "Next week" in first
    later = client.get(PAGE, {"service": service(two).pk, "practitioner": "any", "week": "2027-01-08"}
                       ).content.decode()
    assert "week=2027-01-01" in later
    assert "Previous week" in later
    last = client.get(PAGE, {"service": service(two).pk, "practitioner": "any", "week": "2027-03-26"}
                      ).content.decode()  # the horizon is ninety days from 1 January
    assert "Next week" not in last


def test_a_week_with_no_free_times_points_to_the_first_week_with_some_and_the_waitlist(
        two: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import ShiftException

    ShiftException.objects.create(clinic=two["clinic"], starts_at=dt.datetime(2027, 1, 4, tzinfo=LONDON),
                                  ends_at=dt.datetime(2027, 1, 16, tzinfo=LONDON), reason="Closed")
    html = client.get(PAGE, {"service": service(two).pk, "practitioner": "any", "week": MONDAY.isoformat()}
                      ).content.decode()
    assert not slot_links(html)
    assert "There are no free times this week" in html
    assert "week=2027-01-18" in html
    assert "See the week of 18 January" in html
    assert f'href="/book/high-street/waitlist/?service={service(two).pk}"' in html
    assert "No time that suits? Join the waitlist" in html


def test_nothing_free_within_the_horizon_says_so(two: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import BookingRules, ShiftException

    BookingRules.objects.filter(clinic=two["clinic"]).update(horizon_days=20)
    ShiftException.objects.create(clinic=two["clinic"], starts_at=dt.datetime(2027, 1, 1, tzinfo=LONDON),
                                  ends_at=dt.datetime(2027, 2, 1, tzinfo=LONDON), reason="Closed")
    html = client.get(PAGE, {"service": service(two).pk, "practitioner": "any"}).content.decode()
    assert "There are no free times this week" in html
    assert "See the week of" not in html
    assert "no free times in the weeks ahead" in html
    assert "Join the waitlist" in html


def test_a_returning_patient_booking_with_anyone_gets_whoever_is_free_when_the_code_is_typed(
        two: dict[str, Any], client: Any) -> None:
    from online_booking_steps import code_sent_to

    from sciatica_care.scheduling.models import Appointment

    start = at(MONDAY, 10)
    r = client.post(f"{PAGE}details/", {**anyone(two, start, "follow_up_acupuncture"), "who": "returning",
                                        "contact": "ann@example.org"})
    assert r.status_code == 302
    book_for(two, two["lin"], start)  # the practitioner first named is booked while the code is on its way
    r = client.post(f"{PAGE}code/", {"code": code_sent_to("ann@example.org")})
    assert r.status_code == 302
    booked = Appointment.objects.get(patient=two["patient"])
    assert (booked.practitioner, booked.start) == (two["okafor"], start)


def test_a_call_with_anyone_is_one_time_wherever_the_practitioners_work(online: dict[str, Any], client: Any,
                                                                       make_staff: Any) -> None:
    from sciatica_care.clinic.models import Role, Staff
    from sciatica_care.scheduling.models import Appointment, Location, Shift

    Staff.objects.filter(pk=online["practitioner"].pk).update(first_name="Mei", last_name="Lin")
    other = Location.objects.create(clinic=online["clinic"], name="Riverside", time_zone="Europe/London")
    okafor = make_staff(online["clinic"], Role.PRACTITIONER, "chidi")
    Staff.objects.filter(pk=okafor.pk).update(first_name="Chidi", last_name="Okafor")
    for day in range(5):
        Shift.objects.create(practitioner=okafor, location=other, weekday=day, start_time=dt.time(9),
                             end_time=dt.time(17))
    html = client.get(PAGE, {"service": service(online).pk, "practitioner": "any", "week": MONDAY.isoformat()}
                      ).content.decode()
    links = slot_links(html)
    assert len(links) == 5 * 32
    assert "At Riverside" not in html  # a call has no place to name
    book_for(online, online["practitioner"], at(MONDAY, 10))
    r = client.post(f"{PAGE}details/", {**anyone(online, at(MONDAY, 10)), "who": "new", "name": "Ben Jones",
                                        "email": "ben@example.org"})
    assert r.status_code == 302
    booked = Appointment.objects.get(prospect_name="Ben Jones")
    assert (booked.practitioner, booked.location) == (okafor, other)


def test_times_at_two_places_are_grouped_under_the_place(two: dict[str, Any], client: Any) -> None:
    from sciatica_care.scheduling.models import Location, Room, Shift

    other = Location.objects.create(clinic=two["clinic"], name="Riverside", time_zone="Europe/London")
    Room.objects.create(location=other, name="Room 1")
    Shift.objects.filter(practitioner=two["okafor"]).update(location=other)
    html = client.get(PAGE, {"service": service(two, "initial_assessment").pk, "practitioner": "any",
                             "week": MONDAY.isoformat()}).content.decode()
    monday = html.split('<h3 class="ob-day">Monday 4 January</h3>')[1].split('<h3 class="ob-day">')[0]
    assert monday.index("At High Street") < monday.index("At Riverside")
    assert " on Monday 4 January at Riverside</span>" in monday


@pytest.mark.parametrize("start", ["9999-12-31T23:59Z", "1999-01-01T10:00Z", "2027-01-04T10:00", "soon"])
def test_a_time_out_of_reach_with_anyone_is_named_never_a_server_error(two: dict[str, Any], client: Any,
                                                                       start: str) -> None:
    fields = {**anyone(two, at(MONDAY, 10)), "start": start}
    assert client.get(f"{PAGE}details/", fields).status_code == 422
    r = client.post(f"{PAGE}details/", {**fields, "who": "new", "name": "Ben", "email": "ben@example.org"})
    assert r.status_code == 422
    assert 'data-field="start"' in r.content.decode()
