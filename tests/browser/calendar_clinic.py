"""A clinic whose diary looks lived in, for the calendar's browser tests: one location in London with three
rooms, the five services, three practitioners (one on leave on Wednesday), a receptionist, and this week's
appointments — done, arrived, booked, cancelled, one who did not attend, a course with its review visit, and a
free call for someone new. Times are around the real today, so "today" is marked on the calendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
PATIENTS = [("Ann", "Smith"), ("Bilal", "Hussain"), ("Carmen", "Ortiz"), ("David", "Okoro"), ("Elena", "Petrova"),
            ("Farah", "Khan"), ("George", "Whitfield"), ("Hana", "Sato"), ("Ivan", "Novak"), ("Julia", "Brennan"),
            ("Kwame", "Asante"), ("Lucy", "Hartley"), ("Marco", "Bianchi"), ("Nadia", "Rahman"), ("Oliver", "Grant"),
            ("Priya", "Nair"), ("Quentin", "Blake"), ("Rosa", "Marin"), ("Sofia", "Lindqvist")]


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def lived_in_clinic(make_staff: Any, *, with_week: bool = True) -> dict[str, Any]:
    from clinic_fixtures import base_intake

    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Role, Staff
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import (
        Appointment,
        BookingRules,
        Location,
        Room,
        Service,
        ServiceKind,
        Shift,
        ShiftException,
    )

    clinic = Clinic.objects.create(name="Riverside Acupuncture")
    team = {}
    for username, first, last, role in (("dr.lin", "Mei", "Lin", Role.PRACTITIONER),
                                        ("dr.hughes", "Tom", "Hughes", Role.PRACTITIONER),
                                        ("dr.okafor", "Sara", "Okafor", Role.PRACTITIONER),
                                        ("jo.front", "Jo", "Front", Role.RECEPTION)):
        person = make_staff(clinic, role, username)
        Staff.objects.filter(pk=person.pk).update(first_name=first, last_name=last)
        person.refresh_from_db()
        team[username] = person
    location = Location.objects.create(clinic=clinic, name="Riverside", time_zone="Europe/London",
                                       address="12 Mill Lane")
    for n in (1, 2, 3):
        Room.objects.create(location=location, name=f"Room {n}")
    services = {
        ServiceKind.CONSULTATION_CALL: Service.objects.create(
            clinic=clinic, name="Free consultation call", kind=ServiceKind.CONSULTATION_CALL, duration_minutes=15,
            room_needed=False, by_phone=True),
        ServiceKind.INITIAL_ASSESSMENT: Service.objects.create(
            clinic=clinic, name="Initial assessment", kind=ServiceKind.INITIAL_ASSESSMENT, duration_minutes=75,
            buffer_after_minutes=15, price=Decimal("85.00")),
        ServiceKind.FOLLOW_UP_ACUPUNCTURE: Service.objects.create(
            clinic=clinic, name="Follow-up acupuncture", kind=ServiceKind.FOLLOW_UP_ACUPUNCTURE,
            duration_minutes=45, buffer_after_minutes=15, price=Decimal("60.00")),
        ServiceKind.ELECTROACUPUNCTURE: Service.objects.create(
            clinic=clinic, name="Electroacupuncture", kind=ServiceKind.ELECTROACUPUNCTURE, duration_minutes=60,
            buffer_after_minutes=15, price=Decimal("70.00")),
        ServiceKind.MASSAGE: Service.objects.create(
            clinic=clinic, name="Therapeutic massage", kind=ServiceKind.MASSAGE, duration_minutes=45,
            buffer_after_minutes=15, price=Decimal("55.00")),
    }
    hours = {"dr.lin": (range(6), 8, 18), "dr.hughes": (range(5), 9, 17), "dr.okafor": ((0, 2, 3, 4), 10, 18)}
    for username, (days, start, end) in hours.items():
        for day in days:
            Shift.objects.create(practitioner=team[username], location=location, weekday=day,
                                 start_time=dt.time(start), end_time=dt.time(end))
    BookingRules.objects.create(clinic=clinic, minimum_notice_hours=0, reminder_offsets_hours=[48, 2])
    today = dt.datetime.now(LONDON).date()
    monday = today - dt.timedelta(days=today.weekday())
    wednesday = monday + dt.timedelta(days=2)
    ShiftException.objects.create(clinic=clinic, practitioner=team["dr.hughes"], starts_at=local(wednesday, 0),
                                  ends_at=local(wednesday + dt.timedelta(days=1), 0), reason="Annual leave")
    patients = []
    for first, last in PATIENTS:
        patient = records.create_patient(team["dr.lin"], first_name=first, last_name=last,
                                         date_of_birth=dt.date(1975, 3, 14), consent_treatment=True,
                                         phone="07700 900" + str(100 + len(patients)))
        patients.append(patient)
    course_patient = patients[0]
    episode = records.open_episode(team["dr.lin"], course_patient)
    records.record_intake(team["dr.lin"], episode, base_intake())
    out: dict[str, Any] = {"clinic": clinic, "team": team, "location": location, "services": services,
                           "patients": patients,
           "episode": episode, "today": today, "monday": monday}
    if not with_week:
        return out
    plan: list[tuple[str, int, int, int, str, int, str]] = [
        # practitioner, day from Monday, hour, minute, service kind, patient index, status
        ("dr.lin", 0, 9, 0, "initial_assessment", 0, "completed"),
        ("dr.lin", 0, 11, 0, "follow_up_acupuncture", 1, "completed"),
        ("dr.lin", 0, 14, 0, "electroacupuncture", 2, "completed"),
        ("dr.lin", 1, 9, 30, "follow_up_acupuncture", 3, "completed"),
        ("dr.lin", 1, 12, 0, "massage", 4, "no_show"),
        ("dr.lin", 1, 15, 0, "follow_up_acupuncture", 5, "cancelled"),
        ("dr.lin", 2, 10, 0, "electroacupuncture", 6, "booked"),
        ("dr.lin", 2, 13, 30, "follow_up_acupuncture", 7, "booked"),
        ("dr.lin", 3, 9, 0, "follow_up_acupuncture", 1, "booked"),
        ("dr.lin", 3, 11, 30, "initial_assessment", 8, "booked"),
        ("dr.lin", 3, 16, 0, "consultation_call", -1, "booked"),
        ("dr.lin", 4, 10, 0, "follow_up_acupuncture", 9, "booked"),
        ("dr.lin", 4, 14, 0, "electroacupuncture", 2, "booked"),
        ("dr.lin", 5, 10, 0, "massage", 10, "booked"),
        ("dr.hughes", 0, 10, 0, "massage", 11, "completed"),
        ("dr.hughes", 1, 9, 0, "follow_up_acupuncture", 12, "completed"),
        ("dr.hughes", 3, 14, 0, "electroacupuncture", 13, "booked"),
        ("dr.hughes", 4, 11, 0, "initial_assessment", 5, "booked"),
        ("dr.okafor", 0, 13, 0, "massage", 4, "completed"),
        ("dr.okafor", 2, 11, 0, "follow_up_acupuncture", 10, "booked"),
        ("dr.okafor", 4, 15, 0, "massage", 12, "booked"),
    ]
    # The two weeks after: a steady diary around the course's usual times (Tuesdays and Fridays at 11:00).
    kinds = ["follow_up_acupuncture", "electroacupuncture", "massage", "follow_up_acupuncture", "initial_assessment"]
    n = 0
    for week in (1, 2):
        for offset in range(6):
            for username, hours in (("dr.lin", (9, 14, 15.5, 16.75)), ("dr.hughes", (9.5, 13)),
                                    ("dr.okafor", (10.5, 14.5))):
                if offset == 5 and username != "dr.lin":
                    continue
                for hour in hours:
                    n += 1
                    if n % 5 == 3:
                        continue  # a gap now and then
                    status = "cancelled" if n % 17 == 0 else "booked"
                    plan.append((username, 7 * week + offset, int(hour), int(hour % 1 * 60),
                                 kinds[n % len(kinds)], 1 + n % (len(PATIENTS) - 1), status))
    booked = []
    for username, offset, hour, minute, kind, who, status in plan:
        day = monday + dt.timedelta(days=offset)
        start = local(day, hour, minute)
        if day == today:  # today's: the morning done, someone in the waiting room, the afternoon to come
            status = "completed" if hour < 11 else "arrived" if hour < 13 else "booked"
        elif day < today and status == "booked":
            status = "completed"
        elif day > today and status != "cancelled":
            status = "booked"
        kwargs: dict[str, Any] = {"patient": patients[who]} if who >= 0 else {
            "prospect_name": "Rosa Delgado", "prospect_phone": "07700 900555"}
        if kind == "electroacupuncture" and who == 2:
            kwargs["front_desk_note"] = "Needs the ground-floor room"
        try:
            appointment = booking.book(clinic=clinic, practitioner=team[username], service=services[kind],
                                       location=location, start=start, by=team["jo.front"], apply_policy=False,
                                       override_reason="Set up for the demonstration", **kwargs)
        except booking.SlotTaken:
            continue  # a long visit before it runs into this time: leave it free
        if status != "booked":
            changes: dict[str, Any] = {"status": status}
            if status == "cancelled":
                changes.update(cancel_reason="Patient unwell", cancelled_at=start - dt.timedelta(days=2),
                               cancelled_by=team["jo.front"])
            Appointment.objects.filter(pk=appointment.pk).update(**changes)
        booked.append(appointment)
    # The course's first sessions, from its plan: session 1 done, the review visit at session 4 next week.
    Appointment.objects.filter(pk=booked[0].pk).update(episode=episode, course_session=1)
    out["appointments"] = booked
    return out
