"""The words of the messages about appointments, by kind: an email (subject and plain text) and a text message.

What a message may say: the clinic, the time (in the location's time zone), the place, the practitioner, the
service's name (email only) and how to change it. Nothing clinical, ever — no reason for a visit, no finding, no
red flag; a course stopped by the clinic is "cancelled, the clinic will contact you". A text message says even
less (no service name): it may be read on a locked phone's screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sciatica_care.scheduling.models import Appointment


@dataclass(frozen=True)
class Wording:
    subject: str
    email: str
    sms: str


def when(appointment: Appointment, start: dt.datetime | None = None) -> str:
    local = (start or appointment.start).astimezone(ZoneInfo(appointment.location.time_zone))
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def short_when(appointment: Appointment, start: dt.datetime | None = None) -> str:
    local = (start or appointment.start).astimezone(ZoneInfo(appointment.location.time_zone))
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


def greeting(name: str) -> str:
    return f"Dear {name}," if name else "Hello,"


def where(appointment: Appointment) -> str:
    if appointment.service.by_phone:
        return "By telephone or video: the clinic will call you on the number you gave."
    address = appointment.location.address.replace("\n", ", ").strip(", ")
    return f"{appointment.location.name}{f', {address}' if address else ''}"


def _sms_where(appointment: Appointment) -> str:
    return "by phone" if appointment.service.by_phone else f"at {appointment.location.name}"


def how_to_change(appointment: Appointment, manage_url: str = "") -> str:
    phone = appointment.location.phone
    parts = []
    if manage_url:
        parts.append(f"To change or cancel it online: {manage_url}")
    if phone:
        parts.append(f"{'Or call' if manage_url else 'To change or cancel it, call'} {phone}.")
    return "\n".join(parts)


def _details(appointment: Appointment) -> str:
    return (f"  {appointment.service.name} ({appointment.service.duration_minutes} minutes)\n"
            f"  {when(appointment)}\n"
            f"  With {appointment.practitioner.display()}\n"
            f"  {where(appointment)}")


def _email(name: str, *paragraphs: str, clinic: str) -> str:
    return "\n\n".join([greeting(name), *[p for p in paragraphs if p], clinic]) + "\n"


def confirmation(appointment: Appointment, name: str, manage_url: str = "") -> Wording:
    clinic = appointment.clinic.name
    return Wording(
        subject=f"Your appointment at {clinic} on {short_when(appointment)}",
        email=_email(name, "Your appointment is booked:", _details(appointment),
                     how_to_change(appointment, manage_url),
                     "The calendar file attached adds it to your calendar.", clinic=clinic),
        sms=f"{clinic}: your appointment is booked for {short_when(appointment)} {_sms_where(appointment)}."
            + (f" To change it call {appointment.location.phone}." if appointment.location.phone else ""))


def request_received(appointment: Appointment, name: str, manage_url: str = "") -> Wording:
    clinic = appointment.clinic.name
    return Wording(
        subject=f"We have your request for {short_when(appointment)} — {clinic}",
        email=_email(name, "Thank you: we have your request for this appointment.", _details(appointment),
                     "The clinic will confirm it soon; it is not booked until then.",
                     f"If you no longer need it, you can cancel it online: {manage_url}" if manage_url else "",
                     clinic=clinic),
        sms=f"{clinic}: we have your request for {short_when(appointment)}. We will confirm it soon.")


def course_confirmation(appointments: Sequence[Appointment], name: str,
                        manage_urls: Sequence[str] = ()) -> Wording:
    """A course booked in one step. The email gives each appointment its own link to change or cancel it online
    (`manage_urls`, in the same order; "" for none); the text message stays short, with no link."""
    first = appointments[0]
    clinic = first.clinic.name
    links = list(manage_urls) + [""] * (len(appointments) - len(manage_urls))
    listed = "\n".join(
        f"  {when(a)} — {a.service.name}, {a.location.name if not a.service.by_phone else 'by phone'}"
        + (f"\n    To change or cancel it online: {link}" if link else "")
        for a, link in zip(appointments, links, strict=False))
    phone = first.location.phone
    change = (f"{'Or call' if any(links) else 'To change or cancel one of them, call'} {phone}." if phone else "")
    return Wording(
        subject=f"Your {len(appointments)} appointments at {clinic}",
        email=_email(name, f"Your course of {len(appointments)} appointments is booked, with "
                           f"{first.practitioner.display()}:", listed, change,
                     "The calendar file attached adds them all to your calendar.", clinic=clinic),
        sms=f"{clinic}: {len(appointments)} appointments are booked for you, the first on {short_when(first)} "
            f"{_sms_where(first)}.")


def moved(appointment: Appointment, name: str, previous_start: dt.datetime | None, manage_url: str = "") -> Wording:
    clinic = appointment.clinic.name
    before = f" from {when(appointment, previous_start)}" if previous_start else ""
    return Wording(
        subject=f"Your appointment has moved to {short_when(appointment)} — {clinic}",
        email=_email(name, f"Your appointment has moved{before}. It is now:", _details(appointment),
                     how_to_change(appointment, manage_url),
                     "The calendar file attached updates it in your calendar.", clinic=clinic),
        sms=f"{clinic}: your appointment has moved"
            + (f" from {short_when(appointment, previous_start)}" if previous_start else "")
            + f" to {short_when(appointment)} {_sms_where(appointment)}.")


def cancelled(appointments: Sequence[Appointment], name: str, *, by_clinic: bool) -> Wording:
    """One appointment or several (what was left of a course), cancelled by the patient or by the clinic. When the
    clinic cancels, it says it will be in touch — and never why."""
    first = appointments[0]
    clinic = first.clinic.name
    if len(appointments) == 1:
        what, listed = "Your appointment", f"  {when(first)} — {first.service.name}"
        sms_what = f"your appointment on {short_when(first)} is"
    else:
        what = f"Your {len(appointments)} remaining appointments"
        listed = "\n".join(f"  {when(a)} — {a.service.name}" for a in appointments)
        sms_what = f"your {len(appointments)} remaining appointments from {short_when(first)} are"
    phone = first.location.phone
    if by_clinic:
        then = "The clinic will contact you about what happens next."
        sms_then = " The clinic will contact you."
    else:
        then = f"To book another time, call {phone}." if phone else "We hope to see you another time."
        sms_then = ""
    return Wording(
        subject=f"{what} at {clinic} {'is' if len(appointments) == 1 else 'are'} cancelled",
        email=_email(name, f"{what} {'has' if len(appointments) == 1 else 'have'} been cancelled:", listed, then,
                     clinic=clinic),
        sms=f"{clinic}: {sms_what} cancelled.{sms_then}")


def reminder(appointment: Appointment, name: str, manage_url: str = "") -> Wording:
    clinic = appointment.clinic.name
    return Wording(
        subject=f"Reminder: your appointment on {short_when(appointment)} — {clinic}",
        email=_email(name, "A reminder of your appointment:", _details(appointment),
                     how_to_change(appointment, manage_url), clinic=clinic),
        sms=f"{clinic}: reminder of your appointment on {short_when(appointment)} {_sms_where(appointment)}."
            + (f" To change it call {appointment.location.phone}." if appointment.location.phone else ""))


def staff_online(appointment: Appointment, change: str, link: str,
                 previous_start: dt.datetime | None = None) -> Wording:
    """To the practitioner and the front desk: an online booking, a request to approve, an online cancellation or
    move (with the time it was moved from, when known). The patient is not named (email is not a safe place for
    it): the link opens the calendar."""
    what = {"booked": "A new online booking", "requested": "An online booking request to approve",
            "cancelled": "An online cancellation", "late_cancelled": "A late online cancellation",
            "moved": "An appointment moved online by the patient"}[change]
    if appointment.booked_via == "waitlist" and change in ("booked", "requested"):
        what = {"booked": "A booking from the waitlist",
                "requested": "A booking from the waitlist to approve"}[change]
    moved = change == "moved" and previous_start is not None
    times = (f"  Was: {when(appointment, previous_start)}\n  Now: {when(appointment)}" if moved
             else f"  {when(appointment)}")
    text = (f"{what}:\n\n  {appointment.service.name}\n{times}\n"
            f"  With {appointment.practitioner.display()}, {appointment.location.name}\n\n"
            f"See it in the clinic's calendar: {link}\n")
    return Wording(subject=f"{what}: {short_when(appointment)}", email=text, sms="")


def waitlist_offer(*, clinic: str, name: str, service: str, practitioner: str, place: str, phone: str,
                   start: dt.datetime, expires: dt.datetime, zone: str, link: str) -> Wording:
    """To someone on the waitlist: a time has come free; the link shows it and takes it (or passes it on)."""
    local, until = start.astimezone(ZoneInfo(zone)), expires.astimezone(ZoneInfo(zone))
    at = f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"
    short = f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"
    hold = f"{until:%H:%M} on {until:%A} {until.day} {until:%B}"
    call = f"\nQuestions? Call {phone}." if phone else ""
    return Wording(
        subject=f"An earlier appointment at {clinic}: {short}",
        email=_email(name, "You asked us to let you know if a time came free. One has:",
                     f"  {service}\n  {at}\n  With {practitioner}\n  {place}",
                     f"To take it, or to let it go to the next person, open this link:\n{link}",
                     f"We keep it for you until {hold}; after that it goes to the next person waiting. If someone "
                     f"else has taken it meanwhile, the link will say so.{call}", clinic=clinic),
        sms=f"{clinic}: a time came free on {short}. It is held for you until {until:%H:%M}: {link}")


def footer(clinic: str, unsubscribe_url: str, topic_label: str) -> str:
    return (f"\n--\nYou receive this because you have an appointment with {clinic}.\n"
            f"To stop these emails ({topic_label.lower()}): {unsubscribe_url}\n")


def booking_code(clinic: str, code: str, minutes: int) -> Wording:
    """The one-time code someone asked for on the clinic's booking page."""
    sms = f"{code} is your code to book with {clinic}. It works once, for {minutes} minutes."
    return Wording(
        subject=f"Your code to book with {clinic}",
        email=(f"Hello,\n\nYour code to book with {clinic} online is {code}\n\nIt works once, for {minutes} "
               "minutes. If you did not ask for it, you can ignore this message: nothing is booked without the "
               f"code.\n\n{clinic}\n"),
        sms=sms)
