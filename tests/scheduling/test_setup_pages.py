"""The clinic admin's setup pages (locations, rooms, services, shifts, time off, booking rules): set up through the
pages, the slot search offers what they say; anyone but the clinic admin is refused; bad input is refused naming
the field; a stale rules form is refused; a change that strands booked appointments lists them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from sciatica_care.clinic.models import AuditEvent, Role, Staff
from sciatica_care.scheduling import booking, slots
from sciatica_care.scheduling.models import BookingRules, Location, Room, Service, Shift, ShiftException

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _monday_after(days: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _post(client: Any, name: str, data: dict[str, Any], *args: Any) -> Any:
    return client.post(reverse(f"scheduling:{name}", args=args), data)


def test_an_admin_sets_up_the_diary_through_the_pages_and_the_search_follows(world: dict[str, Any],
                                                                              login: Any) -> None:
    """Location in New York, a room, a service, a Monday shift, a week's leave and the rules, all through the
    pages: the search offers Monday 09:00–12:00 New York time (14:00 UTC in winter) every 30 minutes, nothing in the
    leave, and the rules' online booking and reminders are stored."""
    a = world["a"]
    admin, prac = a["clinic_admin"], a["practitioner"]
    client = login(admin)
    r = _post(client, "setup_locations", {"name": "Broadway", "address": "1 Broadway", "phone": "555 0100",
                                          "time_zone": "America/New_York", "active": "on"})
    assert r.status_code == 302, r.content.decode()
    place = Location.objects.get(clinic=a["clinic"], name="Broadway")
    assert _post(client, "setup_room_add", {"name": "Room A", "active": "on"}, place.pk).status_code == 302
    assert Room.objects.filter(location=place, name="Room A", active=True).exists()
    r = _post(client, "setup_services", {"name": "Follow-up", "kind": "follow_up_acupuncture",
                                         "duration_minutes": "45", "buffer_before_minutes": "0",
                                         "buffer_after_minutes": "15", "price": "60.00", "online_bookable": "on",
                                         "new_patients_allowed": "on", "room_needed": "on", "active": "on"})
    assert r.status_code == 302, r.content.decode()
    service = Service.objects.get(clinic=a["clinic"], name="Follow-up")
    r = _post(client, "setup_shifts", {"practitioner": prac.pk, "location": place.pk, "weekday": "0",
                                       "start_time": "09:00", "end_time": "12:00"})
    assert r.status_code == 302, r.content.decode()
    leave_monday = _monday_after(14)
    r = _post(client, "setup_exceptions", {"kind": "leave", "practitioner": prac.pk, "location": "",
                                           "first_day": leave_monday.isoformat(),
                                           "last_day": (leave_monday + dt.timedelta(days=4)).isoformat(),
                                           "reason": "Conference"})
    assert r.status_code == 302, r.content.decode()
    off = ShiftException.objects.get(clinic=a["clinic"])
    assert off.starts_at == dt.datetime.combine(leave_monday, dt.time(0), tzinfo=NEW_YORK)
    assert off.reason == "Leave: Conference"
    rules_page = client.get(reverse("scheduling:setup_rules")).content.decode()
    assert 'name="version" value="1"' in rules_page
    r = _post(client, "setup_rules", {
        "version": "1", "minimum_notice_hours": "0", "horizon_days": "60", "late_cancel_hours": "24",
        "slot_step_minutes": "30", "waitlist_offer_minutes": "120", "reminders": "48, 2",
        "practitioners_see_colleagues": "on", "front_desk_email": "desk@example.org", "online_booking": "on",
        "public_slug": "broadway-clinic"})
    assert r.status_code == 302, r.content.decode()
    rules = BookingRules.objects.get(clinic=a["clinic"])
    assert (rules.reminder_offsets_hours, rules.online_booking, rules.public_slug, rules.slot_step_minutes) == (
        [48, 2], True, "broadway-clinic", 30)
    assert "/book/broadway-clinic/" in client.get(reverse("scheduling:setup_rules")).content.decode()

    working = _monday_after(7)
    found = slots.search(service, dt.datetime.combine(working, dt.time(0), tzinfo=NEW_YORK),
                         dt.datetime.combine(working + dt.timedelta(days=1), dt.time(0), tzinfo=NEW_YORK),
                         practitioner_id=prac.pk, location_id=place.pk)
    starts = [s.start.astimezone(NEW_YORK).time() for s in found]
    # 45 minutes and 15 kept free after, inside 09:00–12:00: the last start is 11:00
    assert starts == [dt.time(9), dt.time(9, 30), dt.time(10), dt.time(10, 30), dt.time(11)]
    on_leave = slots.search(service, dt.datetime.combine(leave_monday, dt.time(0), tzinfo=NEW_YORK),
                            dt.datetime.combine(leave_monday + dt.timedelta(days=1), dt.time(0), tzinfo=NEW_YORK),
                            practitioner_id=prac.pk, location_id=place.pk)
    assert on_leave == []
    actions = set(AuditEvent.objects.filter(actor=admin, action__in=["create", "update"]).values_list(
        "object_type", flat=True))
    assert {"Location", "Room", "Service", "Shift", "ShiftException", "BookingRules"} <= actions
    made = AuditEvent.objects.filter(actor=admin, action="create", object_type="Service").get()
    assert made.detail["changes"]["duration_minutes"] == {"from": None, "to": 45}


SETUP_GETS = ["setup", "setup_locations", "setup_services", "setup_shifts", "setup_exceptions", "setup_rules"]


@pytest.mark.parametrize("role", ["practitioner", "reception"])
@pytest.mark.parametrize("name", SETUP_GETS)
def test_only_the_clinic_admin_opens_the_setup_pages(world: dict[str, Any], login: Any, role: str,
                                                     name: str) -> None:
    user = world["a"][role]
    r = login(user).get(reverse(f"scheduling:{name}"))
    assert r.status_code == 403
    assert AuditEvent.objects.filter(actor=user, action="denied_role").exists()


@pytest.mark.parametrize("role", ["practitioner", "reception", "patient"])
def test_nobody_but_the_clinic_admin_changes_the_setup(world: dict[str, Any], login: Any, role: str) -> None:
    a = world["a"]
    user = a[role] if role != "patient" else Staff.objects.create_user(
        username="patient_account", clinic=a["clinic"], role=Role.PATIENT, password="a long passphrase 1")
    client = login(user)
    r = _post(client, "setup_locations", {"name": "Sneaky", "time_zone": "Europe/London", "active": "on"})
    assert r.status_code in (302, 403, 404)
    assert r.status_code != 302 or "/setup" not in r.get("Location", "")
    r = _post(client, "setup_rules", {"version": "1", "minimum_notice_hours": "0", "horizon_days": "60",
                                      "late_cancel_hours": "0", "slot_step_minutes": "5",
                                      "waitlist_offer_minutes": "5", "online_booking": "on", "public_slug": "x"})
    assert r.status_code in (302, 403, 404)
    assert not Location.objects.filter(name="Sneaky").exists()
    assert not BookingRules.objects.filter(public_slug="x").exists()


def test_the_menu_links_the_setup_for_the_admin_only(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    setup = reverse("scheduling:setup")
    assert setup in login(a["clinic_admin"]).get(reverse("clinic:patient_list")).content.decode()
    assert setup not in login(a["practitioner"]).get(reverse("clinic:patient_list")).content.decode()
    assert setup not in login(a["practitioner"]).get(reverse("clinic:clinic_settings")).content.decode()
    assert setup in login(a["clinic_admin"]).get(reverse("clinic:clinic_settings")).content.decode()


def test_another_clinics_rows_are_not_found(world: dict[str, Any], login: Any) -> None:
    b = world["b"]
    theirs = Location.objects.create(clinic=b["clinic"], name="Theirs")
    client = login(world["a"]["clinic_admin"])
    assert client.get(reverse("scheduling:setup_location", args=[theirs.pk])).status_code == 404
    r = _post(client, "setup_location", {"name": "Mine now", "time_zone": "Europe/London"}, theirs.pk)
    assert r.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
    assert AuditEvent.objects.filter(action="denied_other_clinic", object_type="Location").exists()


def test_a_bad_time_zone_is_refused_naming_the_field(world: dict[str, Any], login: Any) -> None:
    client = login(world["a"]["clinic_admin"])
    r = _post(client, "setup_locations", {"name": "Nowhere", "time_zone": "Mars/Olympus_Mons", "active": "on"})
    assert r.status_code == 422
    assert "Time zone: choose one from the list" in r.content.decode()
    assert not Location.objects.filter(name="Nowhere").exists()
    assert AuditEvent.objects.filter(action="attempted_create", object_type="Location").exists()


def test_an_overlapping_shift_is_refused_naming_the_field(desk: dict[str, Any], login: Any) -> None:
    """The practitioner works Monday 09:00–17:00 at High Street: a Monday 16:00–18:00 shift anywhere overlaps."""
    other = Location.objects.create(clinic=desk["clinic"], name="Annex")
    client = login(_admin(desk))
    before = Shift.objects.count()
    r = _post(client, "setup_shifts", {"practitioner": desk["practitioner"].pk, "location": other.pk,
                                       "weekday": "0", "start_time": "16:00", "end_time": "18:00"})
    assert r.status_code == 422
    body = r.content.decode()
    assert "Starts:" in body
    assert "must not overlap" in body
    assert "High Street" in body
    assert Shift.objects.count() == before
    # from the day the Monday shift ends, the same hours are free to give elsewhere
    first = desk["shifts"][0]
    Shift.objects.filter(pk=first.pk).update(valid_until=dt.date(2030, 1, 6))
    r = _post(client, "setup_shifts", {"practitioner": desk["practitioner"].pk, "location": other.pk,
                                       "weekday": "0", "start_time": "16:00", "end_time": "18:00",
                                       "valid_from": "2030-01-07"})
    assert r.status_code == 302, r.content.decode()


def test_a_shift_ending_before_it_starts_is_refused(desk: dict[str, Any], login: Any) -> None:
    client = login(_admin(desk))
    r = _post(client, "setup_shifts", {"practitioner": desk["practitioner"].pk, "location": desk["location"].pk,
                                       "weekday": "5", "start_time": "12:00", "end_time": "09:00"})
    assert r.status_code == 422
    assert "Ends: must be after it starts." in r.content.decode()


def _admin(desk: dict[str, Any]) -> Staff:
    return Staff.objects.get(clinic=desk["clinic"], role=Role.CLINIC_ADMIN)


def _rules_post(at: int, **changes: str) -> dict[str, str]:
    return {"version": str(at), "minimum_notice_hours": "12", "horizon_days": "90", "late_cancel_hours": "24",
            "slot_step_minutes": "15", "waitlist_offer_minutes": "120", "reminders": "48, 2",
            "practitioners_see_colleagues": "on", **changes}


def test_a_stale_rules_form_is_refused(desk: dict[str, Any], login: Any) -> None:
    """Two admins open the rules at version 1; the first saves; the second is refused (409) with the rules as
    they are now, and nothing of theirs is written."""
    client = login(_admin(desk))
    assert _post(client, "setup_rules", _rules_post(1, horizon_days="30")).status_code == 302
    r = _post(client, "setup_rules", _rules_post(1, horizon_days="200"))
    assert r.status_code == 409
    body = r.content.decode()
    assert "Someone else saved the booking rules" in body
    assert "Book at most 30 days ahead" in body
    assert 'name="version" value="2"' in body
    rules = BookingRules.objects.get(pk=desk["clinic"].pk)
    assert (rules.horizon_days, rules.version) == (30, 2)
    assert AuditEvent.objects.filter(action="conflict", object_type="BookingRules").exists()
    assert _post(client, "setup_rules", _rules_post(2, horizon_days="200")).status_code == 302


@pytest.mark.parametrize(("changes", "named"), [
    ({"reminders": "48, two"}, "Reminders:"),
    ({"reminders": "0"}, "Reminders:"),
    ({"reminders": "1, 2, 3, 4, 5"}, "Reminders: at most"),
    ({"online_booking": "on"}, "Booking page address: give one"),
    ({"public_slug": "not a slug!"}, "Booking page address: letters"),
    ({"horizon_days": "0"}, "Book at most this far ahead (days): a whole number"),
    ({"front_desk_email": "nobody"}, "Front desk email:"),
    ({"version": ""}, "no version number"),
])
def test_bad_rules_are_refused_naming_the_field(desk: dict[str, Any], login: Any, changes: dict[str, str],
                                                named: str) -> None:
    client = login(_admin(desk))
    r = _post(client, "setup_rules", _rules_post(1, **changes))
    assert r.status_code == 422
    assert named in r.content.decode()
    assert BookingRules.objects.get(pk=desk["clinic"].pk).version == 1


def test_reminders_are_stored_earliest_first_once_each(desk: dict[str, Any], login: Any) -> None:
    client = login(_admin(desk))
    assert _post(client, "setup_rules", _rules_post(1, reminders="2; 48 2")).status_code == 302
    assert BookingRules.objects.get(pk=desk["clinic"].pk).reminder_offsets_hours == [48, 2]


def test_a_slug_taken_by_another_clinic_is_refused(desk: dict[str, Any], world: dict[str, Any],
                                                   login: Any) -> None:
    BookingRules.objects.create(clinic=world["b"]["clinic"], public_slug="taken")
    client = login(_admin(desk))
    r = _post(client, "setup_rules", _rules_post(1, public_slug="taken", online_booking="on"))
    assert r.status_code == 422
    assert "already taken" in r.content.decode()


def _booked(desk: dict[str, Any], day: dt.date, hour: int, minute: int = 0) -> Any:
    start = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    return booking.book(clinic=desk["clinic"], practitioner=desk["practitioner"],
                        service=desk["services"]["follow_up_acupuncture"], location=desk["location"], start=start,
                        patient=desk["patient"], by=desk["reception"], apply_policy=False, override_reason="test")


def test_a_shift_change_that_strands_appointments_lists_them_and_cancels_nothing(desk: dict[str, Any],
                                                                                 login: Any) -> None:
    """Monday 09:00–17:00 cut to 09:00–12:00: the Monday 14:00 appointment is listed (linked to its page, no
    patient named), still booked; the 10:00 one is not listed."""
    monday = _monday_after(7)
    late, early = _booked(desk, monday, 14), _booked(desk, monday, 10)
    client = login(_admin(desk))
    shift = desk["shifts"][0]
    r = _post(client, "setup_shift", {"practitioner": desk["practitioner"].pk, "location": desk["location"].pk,
                                      "weekday": "0", "start_time": "09:00", "end_time": "12:00"}, shift.pk)
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "now outside working hours" in page
    assert reverse("scheduling:appointment", args=[late.pk]) in page
    assert reverse("scheduling:appointment", args=[early.pk]) not in page
    assert desk["patient"].last_name not in page
    late.refresh_from_db()
    assert late.status == "booked"
    assert "now outside working hours" not in client.get(r["Location"]).content.decode()  # shown once
    changed = AuditEvent.objects.get(action="update", object_type="Shift", object_id=shift.pk)
    assert changed.detail["changes"] == {"end_time": {"from": "17:00:00", "to": "12:00:00"}}


def test_deleting_a_shift_or_adding_leave_lists_the_appointments_it_strands(desk: dict[str, Any],
                                                                            login: Any) -> None:
    monday = _monday_after(7)
    tuesday_appt = _booked(desk, monday + dt.timedelta(days=1), 10)
    monday_appt = _booked(desk, monday, 10)
    client = login(_admin(desk))
    r = _post(client, "setup_shift_delete", {}, desk["shifts"][1].pk)
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert reverse("scheduling:appointment", args=[tuesday_appt.pk]) in page
    assert not Shift.objects.filter(pk=desk["shifts"][1].pk).exists()
    r = _post(client, "setup_exceptions", {"kind": "closure", "first_day": monday.isoformat(),
                                           "last_day": monday.isoformat()})
    assert r.status_code == 302, r.content.decode()
    page = client.get(r["Location"]).content.decode()
    assert reverse("scheduling:appointment", args=[monday_appt.pk]) in page
    assert reverse("scheduling:appointment", args=[tuesday_appt.pk]) not in page  # stranded before: not news


def test_time_off_for_leave_needs_whose(desk: dict[str, Any], login: Any) -> None:
    client = login(_admin(desk))
    r = _post(client, "setup_exceptions", {"kind": "leave", "first_day": "2030-01-01", "last_day": "2030-01-02"})
    assert r.status_code == 422
    assert "Practitioner: choose whose leave it is." in r.content.decode()
    r = _post(client, "setup_exceptions", {"kind": "holiday", "first_day": "2030-01-03", "last_day": "2030-01-01"})
    assert r.status_code == 422
    assert "Until: must be after it starts." in r.content.decode()
    assert not ShiftException.objects.exists()


def test_time_off_is_listed_upcoming_first_in_the_locations_zone(desk: dict[str, Any], login: Any) -> None:
    london = zoneinfo.ZoneInfo("Europe/London")
    now = timezone.now()
    far = ShiftException.objects.create(clinic=desk["clinic"], starts_at=now + dt.timedelta(days=60),
                                        ends_at=now + dt.timedelta(days=61), reason="Holiday: far")
    near = ShiftException.objects.create(clinic=desk["clinic"], practitioner=desk["practitioner"],
                                         starts_at=dt.datetime.combine(timezone.localdate() + dt.timedelta(days=3),
                                                                       dt.time(9), tzinfo=london),
                                         ends_at=now + dt.timedelta(days=4), reason="Leave: near")
    past = ShiftException.objects.create(clinic=desk["clinic"], starts_at=now - dt.timedelta(days=9),
                                         ends_at=now - dt.timedelta(days=8), reason="Closure: past")
    body = login(_admin(desk)).get(
        reverse("scheduling:setup_exceptions")).content.decode()
    assert body.index(f"exception-{near.pk}") < body.index(f"exception-{far.pk}") < body.index(
        f"exception-{past.pk}")
    assert near.starts_at.astimezone(london).strftime("%H:%M") == "09:00"
    assert "09:00" in body


def test_a_location_with_appointments_is_closed_not_deleted(desk: dict[str, Any], login: Any) -> None:
    appt = _booked(desk, _monday_after(7), 10)
    client = login(_admin(desk))
    r = _post(client, "setup_location", {"name": "High Street", "time_zone": "Europe/London"},
              desk["location"].pk)
    assert r.status_code == 302
    desk["location"].refresh_from_db()
    assert not desk["location"].active
    assert reverse("scheduling:appointment", args=[appt.pk]) in client.get(r["Location"]).content.decode()
    appt.refresh_from_db()
    assert appt.location_id == desk["location"].pk
    assert appt.status == "booked"


def test_taking_a_room_out_of_use_lists_the_appointments_booked_in_it(desk: dict[str, Any], login: Any) -> None:
    """Room 1 out of use: its two future appointments are listed (linked, no patient named), still booked in it;
    the room free of bookings lists nothing. Moving one then puts it in a room still in use."""
    monday = _monday_after(7)
    first, second = _booked(desk, monday, 10), _booked(desk, monday, 14)
    room, other = desk["rooms"]
    assert first.room_id == second.room_id == room.pk
    client = login(_admin(desk))
    r = _post(client, "setup_room", {"name": room.name}, room.pk)
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "in the room just taken out of use" in page
    assert "now outside working hours" not in page
    for appt in (first, second):
        assert reverse("scheduling:appointment", args=[appt.pk]) in page
        appt.refresh_from_db()
        assert (appt.status, appt.room_id) == ("booked", room.pk)
    assert desk["patient"].last_name not in page
    assert "taken out of use" not in client.get(r["Location"]).content.decode()  # shown once
    empty = Room.objects.create(location=desk["location"], name="Room 3")
    r = _post(client, "setup_room", {"name": empty.name}, empty.pk)
    assert "taken out of use" not in client.get(r["Location"]).content.decode()
    booking.move(first, start=first.start + dt.timedelta(hours=1), by=desk["reception"], apply_policy=False,
                 override_reason="test")
    first.refresh_from_db()
    assert first.room_id == other.pk


def test_a_location_closed_still_says_outside_working_hours(desk: dict[str, Any], login: Any) -> None:
    appt = _booked(desk, _monday_after(7), 10)
    client = login(_admin(desk))
    _post(client, "setup_room", {"name": desk["rooms"][1].name}, desk["rooms"][1].pk)
    r = _post(client, "setup_location", {"name": "High Street", "time_zone": "Europe/London"}, desk["location"].pk)
    page = client.get(r["Location"]).content.decode()
    assert "now outside working hours" in page
    assert "taken out of use" not in page
    assert reverse("scheduling:appointment", args=[appt.pk]) in page


def test_a_name_already_used_is_refused(desk: dict[str, Any], login: Any) -> None:
    client = login(_admin(desk))
    r = _post(client, "setup_services", {"name": "therapeutic  MASSAGE", "kind": "massage",
                                         "duration_minutes": "30", "buffer_before_minutes": "0",
                                         "buffer_after_minutes": "0", "price": "1"})
    assert r.status_code == 422
    assert "Name: there is already one called" in r.content.decode()
    r = _post(client, "setup_room_add", {"name": "room 1", "active": "on"}, desk["location"].pk)
    assert r.status_code == 422
    assert "Name: there is already one called" in r.content.decode()


def test_time_off_across_time_zones_must_name_its_location(desk: dict[str, Any], login: Any) -> None:
    """With locations in two zones, time off for every location has no one local time: refused naming Location;
    for one location it is read in that location's zone."""
    far = Location.objects.create(clinic=desk["clinic"], name="Manhattan", time_zone="America/New_York")
    client = login(_admin(desk))
    r = _post(client, "setup_exceptions", {"kind": "closure", "first_day": "2030-01-01", "last_day": "2030-01-01"})
    assert r.status_code == 422
    assert "Location: your locations are in different time zones" in r.content.decode()
    r = _post(client, "setup_exceptions", {"kind": "closure", "location": far.pk, "first_day": "2030-01-01",
                                           "start_time": "09:00", "last_day": "2030-01-01", "end_time": "13:00"})
    assert r.status_code == 302, r.content.decode()
    off = ShiftException.objects.get()
    assert off.starts_at == dt.datetime(2030, 1, 1, 14, tzinfo=dt.UTC)
    assert off.ends_at == dt.datetime(2030, 1, 1, 18, tzinfo=dt.UTC)


def test_a_visit_across_back_to_back_shifts_or_by_phone_elsewhere_is_not_stranded(desk: dict[str, Any]) -> None:
    from sciatica_care.scheduling import stranded

    monday = _monday_after(7)
    Shift.objects.filter(pk=desk["shifts"][0].pk).update(end_time=dt.time(12))
    Shift.objects.create(practitioner=desk["practitioner"], location=desk["location"], weekday=0,
                         start_time=dt.time(12), end_time=dt.time(17))
    across = _booked(desk, monday, 11, 30)  # 11:30–12:15 runs across the join
    annex = Location.objects.create(clinic=desk["clinic"], name="Annex")
    call = booking.book(clinic=desk["clinic"], practitioner=desk["practitioner"],
                        service=desk["services"]["consultation_call"], location=annex,
                        start=dt.datetime.combine(monday, dt.time(15), tzinfo=zoneinfo.ZoneInfo("Europe/London")),
                        patient=desk["patient"], by=desk["reception"], apply_policy=False,
                        override_reason="test")
    saturday = _booked(desk, monday + dt.timedelta(days=5), 10)
    assert [a.pk for a in stranded.outside_hours(desk["clinic"].pk)] == [saturday.pk]
    assert {across.pk, call.pk}.isdisjoint(a.pk for a in stranded.outside_hours(desk["clinic"].pk))


def test_a_shift_of_a_colleague_since_deactivated_can_still_be_cut_short(desk: dict[str, Any], login: Any) -> None:
    Staff.objects.filter(pk=desk["practitioner"].pk).update(is_active=False)
    client = login(_admin(desk))
    shift = desk["shifts"][2]
    r = _post(client, "setup_shift", {"practitioner": desk["practitioner"].pk, "location": desk["location"].pk,
                                      "weekday": "2", "start_time": "09:00", "end_time": "17:00",
                                      "valid_until": "2030-01-01"}, shift.pk)
    assert r.status_code == 302, r.content.decode()
    shift.refresh_from_db()
    assert shift.valid_until == dt.date(2030, 1, 1)
    r = _post(client, "setup_shifts", {"practitioner": desk["practitioner"].pk, "location": desk["location"].pk,
                                       "weekday": "5", "start_time": "09:00", "end_time": "12:00"})
    assert r.status_code == 422
    assert "Practitioner: choose one from the list." in r.content.decode()


def test_time_off_is_changed_in_its_locations_zone_and_lists_what_it_newly_covers(desk: dict[str, Any],
                                                                                  login: Any) -> None:
    """A day's leave on Monday, shown as that day; stretched to Tuesday morning, the Tuesday 10:00 appointment is
    listed and the change audited."""
    london = zoneinfo.ZoneInfo("Europe/London")
    monday = _monday_after(7)
    tuesday_appt = _booked(desk, monday + dt.timedelta(days=1), 10)
    off = ShiftException.objects.create(
        clinic=desk["clinic"], practitioner=desk["practitioner"], reason="Leave: dentist",
        starts_at=dt.datetime.combine(monday, dt.time(0), tzinfo=london),
        ends_at=dt.datetime.combine(monday + dt.timedelta(days=1), dt.time(0), tzinfo=london))
    client = login(_admin(desk))
    body = client.get(reverse("scheduling:setup_exception", args=[off.pk])).content.decode()
    assert f'name="first_day" value="{monday.isoformat()}"' in body
    assert f'name="last_day" value="{monday.isoformat()}"' in body
    assert 'value="dentist"' in body
    r = _post(client, "setup_exception", {"kind": "leave", "practitioner": desk["practitioner"].pk,
                                          "first_day": monday.isoformat(),
                                          "last_day": (monday + dt.timedelta(days=1)).isoformat(),
                                          "end_time": "12:00", "reason": "dentist"}, off.pk)
    assert r.status_code == 302, r.content.decode()
    off.refresh_from_db()
    assert off.ends_at == dt.datetime.combine(monday + dt.timedelta(days=1), dt.time(12), tzinfo=london)
    assert reverse("scheduling:appointment", args=[tuesday_appt.pk]) in client.get(r["Location"]).content.decode()
    changed = AuditEvent.objects.get(action="update", object_type="ShiftException", object_id=off.pk)
    assert list(changed.detail["changes"]) == ["ends_at"]
