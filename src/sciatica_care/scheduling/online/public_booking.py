"""The clinic's public booking page (`/book/<slug>/`), shown only while the clinic's online booking is on.

Plain GET and POST forms, step by step: the service → the practitioner (or anyone) and the week → the free times
(from `slots.search`, by day, in the location's time zone) → who is booking → the confirmation. Someone new books
with their name and a contact (only services open to new patients); someone who has been before gets a one-time
code sent to the contact on file (`booking_codes`), and the booking is made for that patient once the code is
right. A patient signed in to the clinic's portal is not asked who they are: they book for their own record at
once (a portal account of another clinic is treated like anyone). Bookings are made by
`booking.book(via=ONLINE, by=None)`, under the clinic's rules; a time taken meanwhile shows the free times again, a
rule broken is named. Every step that writes is audited, with the portal account as the actor when there is one.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import OrderedDict
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import Patient, Staff
from sciatica_care.clinic.signin import client_address
from sciatica_care.errors import InputRefused
from sciatica_care.scheduling import booking, slots
from sciatica_care.scheduling.models import (
    Appointment,
    AppointmentStatus,
    BookedVia,
    BookingRules,
    Location,
    Service,
)
from sciatica_care.scheduling.online import booking_codes
from sciatica_care.scheduling.online.booking_choices import (
    ANYONE,
    Choice,
    NewPerson,
    Picked,
    bookable_services,
    practitioners,
    read_choice,
    read_new_person,
)

#: The session key holding the time chosen and the contact's digest, between asking for a code and typing it.
PENDING = "online_booking_pending"
DONE_SALT = "sciatica_care.scheduling.online.done"
DONE_DAYS = 7
TAKEN = ("Sorry — someone booked this time a moment ago, so it was not booked for you. Here are the times that "
         "are free now.")
SENT = ("If we have you on file, we have sent a 6-digit code to the email address or phone number you gave. "
        "It works for {minutes} minutes.")


def _rules(slug: str) -> BookingRules:
    rules = (BookingRules.objects.select_related("clinic").filter(public_slug=slug, online_booking=True).first()
             if len(slug) <= 60 else None)
    if rules is None:
        raise Http404("No booking page here")
    return rules


def _zone(location: Location | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(location.time_zone) if location is not None else timezone.get_current_timezone()


def _home_location(rules: BookingRules) -> Location | None:
    return Location.objects.filter(clinic=rules.clinic, active=True).order_by("pk").first()


def _account_patient(request: HttpRequest, rules: BookingRules) -> Patient | None:
    """The patient signed in to the portal, when they are this clinic's patient; None for anyone else."""
    from sciatica_care.portal.access import patient_of

    patient = patient_of(request.user)
    return patient if patient is not None and patient.clinic_id == rules.clinic_id else None


def _page(request: HttpRequest, template: str, rules: BookingRules, context: dict[str, Any],
          status: int = 200) -> HttpResponse:
    response = render(request, f"scheduling/online/{template}", {"clinic": rules.clinic, "rules": rules,
                                                                 "slug": rules.public_slug,
                                                                 "account": _account_patient(request, rules),
                                                                 **context},
                      status=status)
    response["Cache-Control"] = "no-store"
    return response


def _say(start: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    local = start.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


#: How many weeks ahead a week with no free times looks for the next one that has some.
WEEKS_AHEAD = 26


def _week_slots(service: Service, practitioner: Staff | None, first: dt.date, zone: zoneinfo.ZoneInfo,
                people: dict[int, Staff]) -> list[slots.Slot]:
    begin = dt.datetime.combine(first, dt.time(0), tzinfo=zone)
    found = slots.search(service, begin, begin + dt.timedelta(days=7),
                         practitioner_id=practitioner.pk if practitioner is not None else None)
    return [s for s in found if s.practitioner_id in people]


def _next_week_with_times(service: Service, practitioner: Staff | None, first: dt.date, last_week: dt.date,
                          zone: zoneinfo.ZoneInfo, people: dict[int, Staff]) -> dt.date | None:
    """The first later week, within the clinic's horizon, that has a free time."""
    week = first + dt.timedelta(days=7)
    for _ in range(WEEKS_AHEAD):
        if week > last_week:
            return None
        if _week_slots(service, practitioner, week, zone, people):
            return week
        week += dt.timedelta(days=7)
    return None


def _free_times(rules: BookingRules, service: Service, practitioner: Staff | None,
                week: dt.date | None) -> dict[str, Any]:
    """The week's free times as chips by day, each in its location's time zone. With "anyone" each time is shown
    once: who takes it is chosen when it is booked (`booking_choices.free_practitioner`)."""
    zone = _zone(_home_location(rules))
    today = timezone.now().astimezone(zone).date()
    last_week = today + dt.timedelta(days=rules.horizon_days)
    first = min(max(week or today, today), last_week)
    locations = {loc.pk: loc for loc in Location.objects.filter(clinic=rules.clinic)}
    people = {p.pk: p for p in practitioners(rules.clinic)}
    found = _week_slots(service, practitioner, first, zone, people)
    several_places = not service.by_phone and len({s.location_id for s in found}) > 1
    details_url = reverse("booking:online_details", args=[rules.public_slug])
    days: OrderedDict[dt.date, dict[str, Any]] = OrderedDict()
    seen: set[tuple[dt.datetime, int]] = set()
    for slot in found:
        place = 0 if service.by_phone else slot.location_id  # by telephone, one time is one time wherever
        if (slot.start, place) in seen:
            continue
        seen.add((slot.start, place))
        location = locations[slot.location_id]
        local = slot.start.astimezone(_zone(location))
        day = days.setdefault(local.date(), {"heading": f"{local:%A} {local.day} {local:%B}", "places": {}})
        group = day["places"].setdefault(location.name if several_places else "",
                                         {"where": location.name if several_places else "", "times": []})
        picked = Picked(service, people[slot.practitioner_id], location, slot.start, anyone=practitioner is None)
        group["times"].append({"time": f"{local:%H:%M}", "url": f"{details_url}?{urlencode(picked.query())}"})
    for day in days.values():
        day["places"] = [day["places"][name] for name in sorted(day["places"])]
    base = {"service": str(service.pk), "practitioner": str(practitioner.pk) if practitioner is not None else ANYONE}
    here = reverse("booking:online_start", args=[rules.public_slug])

    def week_url(day: dt.date) -> str:
        return f"{here}?{urlencode({**base, 'week': day.isoformat()})}#times"

    later, earlier = first + dt.timedelta(days=7), first - dt.timedelta(days=7)
    found_later = None if days else _next_week_with_times(service, practitioner, first, last_week, zone, people)
    join = {"service": str(service.pk)} | ({"practitioner": str(practitioner.pk)} if practitioner else {})
    return {
        "days": list(days.values()), "first": first, "last": first + dt.timedelta(days=6),
        "week_value": first.isoformat(),
        "later_url": week_url(later) if later <= last_week else "",
        "earlier_url": week_url(max(earlier, today)) if first > today else "",
        "first_free_url": week_url(found_later) if found_later else "",
        "first_free": found_later,
        "waitlist_url": reverse("booking:waitlist_join", args=[rules.public_slug]) + "?" + urlencode(join),
    }


@never_cache
@require_GET
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Steps one to three: the service, then the practitioner and the week, then the free times."""
    rules = _rules(slug)
    choice = read_choice(rules.clinic, request.GET)
    context: dict[str, Any] = {"services": bookable_services(rules.clinic), "choice": choice,
                               "practitioners": practitioners(rules.clinic), "errors": choice.errors}
    if choice.service is not None and not choice.errors:
        context.update(_free_times(rules, choice.service, choice.practitioner, choice.week))
    return _page(request, "start.html", rules, context, status=422 if choice.errors else 200)


def _summary(rules: BookingRules, picked: Picked) -> dict[str, Any]:
    zone = _zone(picked.location)
    who = picked.practitioner.display()
    return {"service": picked.service, "when": _say(picked.start, zone),
            "who": f"{who}, or another practitioner free then" if picked.anyone else who,
            "where": "By telephone or video" if picked.service.by_phone else picked.location.name,
            "address": "" if picked.service.by_phone else picked.location.address,
            "hidden": picked.query(),
            "back_url": reverse("booking:online_start", args=[rules.public_slug]) + "?" + urlencode({
                "service": str(picked.service.pk), "practitioner": ANYONE,
                "week": picked.start.astimezone(zone).date().isoformat()}) + "#times"}


def _still_free(picked: Picked) -> bool:
    found = slots.search(picked.service, picked.start, picked.start + dt.timedelta(minutes=1),
                         practitioner_id=picked.practitioner.pk, location_id=picked.location.pk)
    return any(s.start == picked.start for s in found)


def _taken_again(request: HttpRequest, rules: BookingRules, picked: Picked, message: str,
                 status: int = 409) -> HttpResponse:
    """The time is gone (or was never free): say so and show that week's free times again, with anyone."""
    week = picked.start.astimezone(_zone(picked.location)).date()
    shown = Choice(service=picked.service)
    context = {"services": bookable_services(rules.clinic), "choice": shown, "errors": {},
               "practitioners": practitioners(rules.clinic), "notice": message,
               **_free_times(rules, picked.service, None, week)}
    return _page(request, "start.html", rules, context, status=status)


def _refused(rules: BookingRules, action: str, errors: dict[str, str] | list[str], actor: Any = None) -> None:
    audit.attempted(actor, action, clinic_id=rules.clinic_id, fields=list(errors), via="online")


def _done_url(rules: BookingRules, appointment: Appointment, invited: str = "") -> str:
    token = signing.dumps({"a": appointment.pk, "i": invited}, salt=DONE_SALT, compress=True)
    return reverse("booking:online_done", args=[rules.public_slug, token])


def _book(rules: BookingRules, picked: Picked, *, patient: Patient | None = None,
          person: NewPerson | None = None) -> Appointment:
    if picked.anyone and not _still_free(picked):
        raise booking.SlotTaken()
    return booking.book(clinic=rules.clinic, practitioner=picked.practitioner, service=picked.service,
                        location=picked.location, start=picked.start, by=None, via=BookedVia.ONLINE,
                        patient=patient, prospect_name=person.name if person else "",
                        prospect_email=person.email if person else "", prospect_phone=person.phone if person else "")


def _booking_problems(exc: InputRefused) -> dict[str, str]:
    return {p.path or "start": f"{_field_word(p.path)}: {p.message}" for p in exc.problems}


def _field_word(path: str) -> str:
    return {"start": "Time", "service": "Service", "practitioner": "Practitioner", "patient": "Who",
            "location": "Location", "room": "Room"}.get(path, path.replace("_", " ").capitalize() or "Booking")


@never_cache
@require_http_methods(["GET", "POST"])
def details(request: HttpRequest, slug: str) -> HttpResponse:
    """Step four: who is booking. Someone new books at once; someone who has been before asks for a code."""
    rules = _rules(slug)
    data = request.POST if request.method == "POST" else request.GET
    choice = read_choice(rules.clinic, data, need_time=True)
    picked = choice.picked()
    if picked is None:
        _refused(rules, "online_booking", choice.errors)
        return _page(request, "details.html", rules, {"errors": choice.errors, "summary": None}, status=422)
    context: dict[str, Any] = {"summary": _summary(rules, picked), "errors": {}, "person": NewPerson(),
                               "contact": "", "new_allowed": picked.service.new_patients_allowed}
    if request.method == "GET":
        if not _still_free(picked):
            return _taken_again(request, rules, picked, "Sorry — that time is not free any more. Here are the "
                                                        "times that are free now.")
        return _page(request, "details.html", rules, context)
    if request.POST.get("who") == "account":
        return _book_as_account(request, rules, picked, context)
    if request.POST.get("who") == "returning":
        return _ask_for_code(request, rules, picked, context)
    person = read_new_person(request.POST)
    context["person"] = person
    if not context["new_allowed"]:
        person.errors = {"service": "Service: this service is for people who have been to the clinic before: "
                                    "use the other form, or choose the free consultation call"}
    if person.errors:
        _refused(rules, "online_booking", person.errors)
        return _page(request, "details.html", rules, {**context, "errors": person.errors}, status=422)
    address = client_address(request)
    if not booking_codes.new_booking_allowed(address):
        errors = {"booking": "Booking: several bookings were made from here in the last hour; please call the "
                             "clinic to book more"}
        _refused(rules, "online_booking", errors)
        return _page(request, "details.html", rules, {**context, "errors": errors}, status=429)
    try:
        appointment = _book(rules, picked, person=person)
    except booking.SlotTaken:
        _refused(rules, "online_booking", ["start"])
        return _taken_again(request, rules, picked, TAKEN)
    except InputRefused as exc:
        _refused(rules, "online_booking", [p.path for p in exc.problems])
        return _page(request, "details.html", rules, {**context, "errors": _booking_problems(exc)}, status=422)
    booking_codes.new_booking_made(address)
    return redirect(_done_url(rules, appointment))


def _book_as_account(request: HttpRequest, rules: BookingRules, picked: Picked,
                     context: dict[str, Any]) -> HttpResponse:
    """Book for the signed-in patient's own record; audited with their account as the actor."""
    patient = _account_patient(request, rules)
    if patient is None:
        errors = {"who": "Who: you are not signed in to this clinic's patient portal; choose how to book below"}
        _refused(rules, "online_booking", errors)
        return _page(request, "details.html", rules, {**context, "errors": errors}, status=422)
    if not booking_codes.account_booking_allowed(request.user.pk):
        errors = {"booking": "Booking: you have made several bookings online today; please call the clinic to "
                             "book more"}
        _refused(rules, "online_booking", errors, request.user)
        return _page(request, "details.html", rules, {**context, "errors": errors}, status=429)
    try:
        appointment = _book(rules, picked, patient=patient)
    except booking.SlotTaken:
        _refused(rules, "online_booking", ["start"], request.user)
        return _taken_again(request, rules, picked, TAKEN)
    except InputRefused as exc:
        _refused(rules, "online_booking", [p.path for p in exc.problems], request.user)
        return _page(request, "details.html", rules, {**context, "errors": _booking_problems(exc)}, status=422)
    booking.audit_event(request.user, "online_booking_as_account", appointment,  # type: ignore[arg-type]
                        via="portal")
    booking_codes.account_booking_made(request.user.pk)
    return redirect(_done_url(rules, appointment))


def _ask_for_code(request: HttpRequest, rules: BookingRules, picked: Picked, context: dict[str, Any]) -> HttpResponse:
    contact = str(request.POST.get("contact", ""))[:254].strip()
    context["contact"] = contact
    try:
        digest = booking_codes.send_code(rules.clinic, contact, address=client_address(request))
    except booking_codes.Throttled as exc:
        errors = {"contact": f"Email or phone: {exc.problems[0].message}"}
        _refused(rules, "online_booking_code", errors)
        return _page(request, "details.html", rules, {**context, "errors": errors}, status=429)
    except InputRefused as exc:
        errors = {"contact": f"Email or phone: {exc.problems[0].message}"}
        _refused(rules, "online_booking_code", errors)
        return _page(request, "details.html", rules, {**context, "errors": errors}, status=422)
    request.session[PENDING] = {"slug": rules.public_slug, "digest": digest, **picked.query()}
    return redirect("booking:online_code", slug=rules.public_slug)


def _pending(request: HttpRequest, rules: BookingRules) -> tuple[Picked, str] | None:
    held = request.session.get(PENDING)
    if not isinstance(held, dict) or held.get("slug") != rules.public_slug:
        return None
    data = QueryDict(mutable=True)
    data.update({k: str(v) for k, v in held.items()})
    picked = read_choice(rules.clinic, data, need_time=True).picked()
    return None if picked is None else (picked, str(held.get("digest", "")))


@never_cache
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest, slug: str) -> HttpResponse:
    """Step four for someone who has been before: the code sent to the contact on file; right, it books."""
    rules = _rules(slug)
    pending = _pending(request, rules)
    if pending is None:
        return redirect("booking:online_start", slug=rules.public_slug)
    picked, digest = pending
    context: dict[str, Any] = {"summary": _summary(rules, picked), "errors": {},
                               "sent": SENT.format(minutes=booking_codes.CODE_MINUTES), "invite": False}
    if request.method == "GET":
        return _page(request, "code.html", rules, context)
    context["invite"] = request.POST.get("invite") == "yes"
    try:
        patient = booking_codes.check_code(rules.clinic, digest, str(request.POST.get("code", ""))[:20],
                                           address=client_address(request))
    except booking_codes.Throttled as exc:
        errors = {"code": f"Code: {exc.problems[0].message}"}
        _refused(rules, "online_booking_code", errors)
        return _page(request, "code.html", rules, {**context, "errors": errors}, status=429)
    if patient is None:
        errors = {"code": "Code: that code is not right, or it has expired. Check the message and try again, or "
                          "ask for a new code."}
        return _page(request, "code.html", rules, {**context, "errors": errors}, status=422)
    try:
        appointment = _book(rules, picked, patient=patient)
    except booking.SlotTaken:
        _refused(rules, "online_booking", ["start"])
        request.session.pop(PENDING, None)
        return _taken_again(request, rules, picked, TAKEN)
    except InputRefused as exc:
        _refused(rules, "online_booking", [p.path for p in exc.problems])
        request.session.pop(PENDING, None)
        return _page(request, "code.html", rules, {**context, "errors": _booking_problems(exc), "spent": True},
                     status=422)
    request.session.pop(PENDING, None)
    invited = _invite(patient) if context["invite"] else ""
    return redirect(_done_url(rules, appointment, invited))


def _invite(patient: Patient) -> str:
    """Invite the patient to the portal, as they asked: "sent", "has" (an account already), or "no_email"."""
    from sciatica_care.portal import accounts

    existing = accounts.account_of(patient)
    if existing is not None and existing.user.is_active:
        return "has"
    try:
        accounts.invite(patient, by=None, base_url=settings.SCIATICA_CARE_BASE_URL)
    except InputRefused:
        return "no_email"
    return "sent"


@never_cache
@require_GET
def done(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Step five: what was booked, when and where, and what happens next."""
    rules = _rules(slug)
    try:
        held = signing.loads(token, salt=DONE_SALT, max_age=dt.timedelta(days=DONE_DAYS))
    except signing.BadSignature:
        raise Http404("No booking here") from None
    appointment = (Appointment.objects.select_related("service", "location", "practitioner")
                   .filter(pk=held.get("a") if isinstance(held, dict) else None, clinic=rules.clinic,
                           booked_via=BookedVia.ONLINE).first())
    if appointment is None:
        raise Http404("No booking here")
    viewer = request.user if _account_patient(request, rules) is not None else None
    booking.audit_event(viewer, "view_online_booking", appointment, via="online")  # type: ignore[arg-type]
    zone = _zone(appointment.location)
    reachable = (appointment.patient.email if appointment.patient_id and appointment.patient
                 else appointment.prospect_email)
    return _page(request, "done.html", rules, {
        "a": appointment, "when": _say(appointment.start, zone),
        "requested": appointment.status == AppointmentStatus.REQUESTED,
        "cancelled": not appointment.live,
        "where": "By telephone or video" if appointment.service.by_phone else appointment.location.name,
        "address": "" if appointment.service.by_phone else appointment.location.address,
        "emailed": bool(reachable), "invited": held.get("i", ""),
    })
