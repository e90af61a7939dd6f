"""What the front desk does from the calendar: open an appointment, book, move, cancel, mark arrived / completed /
did not attend, and chart the session. Each write is a plain POST with the one-time submission token, made by the
booking service (one transaction, audited, version-checked); a refusal names the field (422), a time someone else
took meanwhile or an appointment someone else changed is a 409 that says so and offers what is free now.

Each page is the side panel of the calendar when htmx asks for it, and a page of its own otherwise."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from sciatica_care.clinic import access, audit
from sciatica_care.clinic.input_cleaning import optional_date, optional_whole_number, search_text
from sciatica_care.clinic.models import Episode, EpisodeStatus, Patient, Staff
from sciatica_care.clinic.records import Conflict
from sciatica_care.errors import InputRefused
from sciatica_care.scheduling import booking, calendar_grid, manage_link_stop, slots
from sciatica_care.scheduling.forms import MARKS, Read, practitioners, read_booking, read_cancel, read_mark, read_move
from sciatica_care.scheduling.models import (
    Appointment,
    AppointmentStatus,
    BookedVia,
    Location,
    Service,
)
from sciatica_care.scheduling.views.calendar_views import calendar_url, first_location
from sciatica_care.scheduling.visibility import Viewer

SEARCH_LIMIT = 12
TAKEN = ("Someone else booked this time a moment ago, so nothing was booked. Choose one of the times that are "
         "free now.")
CHANGED = ("Someone else changed this appointment since you opened it, so your change was not made. This is the "
           "appointment as it is now: check it and try again.")


def panel(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The panel alone for htmx, or inside a page of its own; times in the location's zone."""
    context = {**context, "partial": template}
    a, v = context.get("a"), context.get("v")
    location = a.location if a is not None else (v or {}).get("location")
    zone = zoneinfo.ZoneInfo(location.time_zone) if location is not None else timezone.get_current_timezone()
    with timezone.override(zone):
        return render(request, template if request.htmx else "scheduling/panel_page.html", context, status=status)


def _next(request: HttpRequest, default: str) -> str:
    """Where to go back to: the calendar page the person came from (a local calendar address only)."""
    raw = str(request.POST.get("next") or request.GET.get("next") or "")
    calendar = reverse("scheduling:calendar")
    if raw.startswith(calendar) and url_has_allowed_host_and_scheme(raw, allowed_hosts={request.get_host()}) \
            and "\x00" not in raw and len(raw) <= 500:
        return raw
    return default


def _zone(appointment: Appointment) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(appointment.location.time_zone)


def _appointment(request: HttpRequest, pk: int) -> tuple[Appointment, Viewer]:
    """The appointment, of the user's clinic (404 otherwise, audited when it is another clinic's), seen in full."""
    viewer = Viewer(request.user)
    found = (Appointment.objects.filter(clinic_id=request.user.clinic_id, pk=pk)
             .select_related("patient", "service", "practitioner", "location", "room", "booked_by", "episode",
                             "cancelled_by").first())
    if found is None:
        if Appointment.objects.filter(pk=pk).exists():
            audit.record(request.user, "denied_other_clinic", None, object_type="Appointment", object_id=pk)
        raise Http404("No appointment here")
    if not viewer.may_act_on(found):
        audit.record(request.user, "denied_role", None, object_type="Appointment", object_id=found.pk,
                     patient_id=found.patient_id, reason="colleague's appointment")
    viewer.require(found)
    return found, viewer


def _home(appointment: Appointment) -> str:
    day = appointment.start.astimezone(_zone(appointment)).date()
    return calendar_url(f"{calendar_grid.PRACTITIONER}:{appointment.practitioner_id}", calendar_grid.DAY_VIEW, day)


def _who(appointment: Appointment) -> str:
    p = appointment.patient
    return f"{p.first_name} {p.last_name}" if p is not None else appointment.prospect_name


def _open_course(appointment: Appointment) -> Episode | None:
    """The course this appointment belongs to, or the patient's latest open one."""
    if appointment.episode is not None:
        return appointment.episode
    if appointment.patient_id is None:
        return None
    return (Episode.objects.filter(patient_id=appointment.patient_id, status=EpisodeStatus.OPEN)
            .order_by("-opened_on", "-id").first())


def _panel_context(request: HttpRequest, appointment: Appointment, viewer: Viewer) -> dict[str, Any]:
    zone = _zone(appointment)
    now = timezone.now()
    status = appointment.status
    started = now >= appointment.start
    on_the_day = now >= appointment.start - dt.timedelta(hours=12)
    marks = []
    if status == AppointmentStatus.REQUESTED:
        marks.append(AppointmentStatus.BOOKED)
    if status == AppointmentStatus.BOOKED and on_the_day:
        marks.append(AppointmentStatus.ARRIVED)
    if status == AppointmentStatus.ARRIVED or (status == AppointmentStatus.BOOKED and started):
        marks.append(AppointmentStatus.COMPLETED)
    if status == AppointmentStatus.BOOKED and started:
        marks.append(AppointmentStatus.NO_SHOW)
    late_hours = viewer.rules.late_cancel_hours
    course = _open_course(appointment) if appointment.patient_id else None
    return {
        "a": appointment, "start": appointment.start.astimezone(zone), "end": appointment.end.astimezone(zone),
        "marks": [(m, MARKS[m]) for m in marks], "viewer": viewer,
        "movable": status in booking.CANCELLABLE, "cancellable": status in booking.CANCELLABLE,
        "late": status == AppointmentStatus.BOOKED and now > appointment.start - dt.timedelta(hours=late_hours),
        "late_hours": late_hours,
        "chartable": viewer.clinical and status == AppointmentStatus.ARRIVED and appointment.patient_id is not None
        and appointment.visit_id is None,
        "course": course,
        "link_stoppable": bool(appointment.manage_digest),
        "next": _next(request, _home(appointment)),
    }


@login_required
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, viewer = _appointment(request, pk)
    audit.record(request.user, "read", object_type="Appointment", object_id=appointment.pk,
                 patient_id=appointment.patient_id, purpose="calendar")
    return panel(request, "scheduling/_appointment.html", _panel_context(request, appointment, viewer))


# --- booking ---------------------------------------------------------------------------------------------------


def _booking_choices(user: Staff) -> dict[str, Any]:
    viewer = Viewer(user)
    return {"practitioners": [p for p in practitioners(user.clinic_id) if viewer.sees(p.pk)],
            "locations": list(Location.objects.filter(clinic_id=user.clinic_id, active=True)),
            "services": list(Service.objects.filter(clinic_id=user.clinic_id, active=True))}


def _free_times(service: Service | None, practitioner: Staff | None, location: Location | None,
                day: dt.date | None) -> list[dt.datetime] | None:
    """The free starts of the day for this service with this practitioner at this location (None when the form
    does not yet say all four)."""
    if service is None or practitioner is None or location is None or day is None:
        return None
    zone = zoneinfo.ZoneInfo(location.time_zone)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    found = slots.search(service, start, start + dt.timedelta(days=1), practitioner_id=practitioner.pk,
                         location_id=None if service.by_phone else location.pk, apply_policy=False)
    now = timezone.now()
    return [s.start.astimezone(zone) for s in found if s.start >= now]


def _patients(user: Staff, q: str) -> list[Patient]:
    """The patients a search finds (those the user may list), by name, phone or email."""
    if not q:
        return []
    from django.db.models import Q

    qs = access.listed_patients(user)
    for term in q.split()[:4]:
        qs = qs.filter(Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(phone__icontains=term)
                       | Q(email__icontains=term))
    return list(qs.only("id", "first_name", "last_name", "date_of_birth", "phone")[:SEARCH_LIMIT])


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """The booking form's values from the address (a click on the calendar) or from the form sent again."""
    src = request.POST if request.method == "POST" else request.GET
    user = request.user
    values: dict[str, Any] = {k: search_text(src.get(k, ""), 300) for k in (
        "prospect_name", "prospect_email", "prospect_phone", "front_desk_note", "override_reason", "q",
        "time", "other_time")}
    ids = {k: optional_whole_number(src.get(k, "")) for k in ("practitioner", "location", "service", "patient")}
    choices = _booking_choices(user)
    values["practitioner"] = next((p for p in choices["practitioners"] if p.pk == ids["practitioner"]), None)
    values["location"] = next((loc for loc in choices["locations"] if loc.pk == ids["location"]), None)
    values["service"] = next((s for s in choices["services"] if s.pk == ids["service"]), None)
    values["patient"] = (access.listed_patients(user).filter(pk=ids["patient"]).first()
                         if ids["patient"] is not None else None)
    if values["location"] is None:
        values["location"] = first_location(user.clinic_id, values["practitioner"])
    zone = zoneinfo.ZoneInfo(values["location"].time_zone) if values["location"] else timezone.get_current_timezone()
    start = _iso_moment(src.get("start", ""))
    day = optional_date(src.get("date", ""))
    if start is not None:
        start = start.astimezone(zone)
        day = start.date()
        values["time"] = values["time"] or f"{start:%H:%M}"
    values["day"] = day or timezone.now().astimezone(zone).date()
    return {**choices, "v": values}


def _iso_moment(raw: Any) -> dt.datetime | None:
    text = str(raw).strip()
    if not text or not text.isascii() or len(text) > 40:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _booking_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    v = context["v"]
    times = _free_times(v["service"], v["practitioner"], v["location"], v["day"])
    wanted = v.get("time") or ""
    context.update({
        "free": times, "free_words": [f"{t:%H:%M}" for t in times or []],
        "wanted_not_free": bool(times is not None and wanted and wanted not in {f"{t:%H:%M}" for t in times}
                                and not v.get("other_time")),
        "found": _patients(request.user, v["q"]) if v.get("q") and v.get("patient") is None else [],
        "next": _next(request, ""), "today": timezone.localdate(),
    })
    shown = [p.pk for p in context["found"]] + ([v["patient"].pk] if v.get("patient") else [])
    if shown:
        audit.record(request.user, "list", object_type="Patient", ids=shown, shown=len(shown),
                     purpose="booking")
    return panel(request, "scheduling/_book.html", context, status)


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    Viewer(request.user)
    context = _prefill(request)
    if request.method == "GET":
        return _booking_page(request, context)
    data = request.POST.copy()
    if data.get("other_time"):
        data["time"] = data["other_time"]
    read = read_booking(data, request.user)
    v = read.values
    if read.ok and not Viewer(request.user).sees(v["practitioner"].pk):
        read.errors["practitioner"] = "Practitioner: the clinic shows you only your own appointments"
    if read.ok:
        try:
            appointment = booking.book(
                clinic=request.user.clinic, practitioner=v["practitioner"], service=v["service"],
                location=v["location"], start=v["start"], by=request.user, via=BookedVia.STAFF,
                patient=v["patient"], prospect_name=v["prospect_name"], prospect_email=v["prospect_email"],
                prospect_phone=v["prospect_phone"], apply_policy=False, override_reason=v["override_reason"],
                front_desk_note=v["front_desk_note"])
        except booking.SlotTaken as exc:
            audit.record(request.user, "attempted_book_appointment", object_type="Appointment",
                         patient_id=v["patient"].pk if v["patient"] else None, fields=["start"], taken=True)
            context["taken"] = TAKEN
            context["errors"] = {p.path: p.message for p in exc.problems}
            return _booking_page(request, context, status=409)
        except InputRefused as exc:
            read.errors.update({p.path: _capital(p.message) for p in exc.problems})
        else:
            start = appointment.start.astimezone(_zone(appointment))
            messages.success(request, f"Booked: {_who(appointment)}, {appointment.service.name}, "
                                      f"{start:%a} {start.day} {start:%b %H:%M} with "
                                      f"{appointment.practitioner.display()}.")
            return redirect(_next(request, _home(appointment)) + f"#appt-{appointment.pk}")
    audit.attempted(request.user, "book_appointment", object_type="Appointment", fields=list(read.errors),
                    patient_id=v["patient"].pk if v.get("patient") else None)
    context["errors"] = read.errors
    return _booking_page(request, context, status=422)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@login_required
def patient_search(request: HttpRequest) -> HttpResponse:
    """htmx: the patients matching what is typed in the booking form, as choices (audited by id)."""
    Viewer(request.user)
    q = search_text(request.GET.get("q", ""))
    found = _patients(request.user, q)
    audit.record(request.user, "list", object_type="Patient", ids=[p.pk for p in found], shown=len(found),
                 searched=bool(q), purpose="booking")
    return render(request, "scheduling/_patient_choices.html", {"found": found, "q": q})


# --- move, cancel, mark -------------------------------------------------------------------------------------------


def _move_context(request: HttpRequest, appointment: Appointment, viewer: Viewer) -> dict[str, Any]:
    zone = _zone(appointment)
    src = request.POST if request.method == "POST" else request.GET
    day = optional_date(src.get("date", "")) or appointment.start.astimezone(zone).date()
    prac_id = optional_whole_number(src.get("practitioner", "")) or appointment.practitioner_id
    choices = [p for p in practitioners(request.user.clinic_id) if viewer.sees(p.pk)]
    prac = next((p for p in choices if p.pk == prac_id), appointment.practitioner)
    times = list(_free_times(appointment.service, prac, appointment.location, day) or [])
    return {**_panel_context(request, appointment, viewer), "day": day, "practitioners": choices, "prac": prac,
            "free": times, "free_words": [f"{t:%H:%M}" for t in times],
            "time": search_text(src.get("time", ""), 5), "other_time": search_text(src.get("other_time", ""), 5),
            "override_reason": search_text(src.get("override_reason", ""), 300), "today": timezone.localdate()}


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, viewer = _appointment(request, pk)
    if request.method == "GET":
        audit.record(request.user, "read", object_type="Appointment", object_id=appointment.pk,
                     patient_id=appointment.patient_id, purpose="move")
        return panel(request, "scheduling/_move.html", _move_context(request, appointment, viewer))
    data = request.POST.copy()
    if data.get("other_time"):
        data["time"] = data["other_time"]
    read = read_move(data, request.user, appointment)
    v = read.values
    if read.ok and v["practitioner"] is not None and not viewer.sees(v["practitioner"].pk):
        read.errors["practitioner"] = "Practitioner: the clinic shows you only your own appointments"
    if read.ok:
        appointment.version = v["version"]
        try:
            booking.move(appointment, start=v["start"], by=request.user, practitioner=v["practitioner"],
                         apply_policy=False, override_reason=v["override_reason"])
        except booking.SlotTaken as exc:
            return _refused_again(request, appointment, viewer, "_move.html", _move_context, TAKEN,
                                  {p.path: p.message for p in exc.problems}, "move")
        except Conflict:
            return _refused_again(request, appointment, viewer, "_move.html", _move_context, CHANGED, {}, "move")
        except InputRefused as exc:
            read.errors.update({p.path: _capital(p.message) for p in exc.problems})
        else:
            start = appointment.start.astimezone(_zone(appointment))
            messages.success(request, f"Moved: {_who(appointment)} to {start:%a} {start.day} {start:%b %H:%M} "
                                      f"with {appointment.practitioner.display()}.")
            return redirect(_next(request, _home(appointment)) + f"#appt-{appointment.pk}")
    audit.attempted(request.user, "move_appointment", object_type="Appointment", object_id=appointment.pk,
                    patient_id=appointment.patient_id, fields=list(read.errors))
    appointment.refresh_from_db()
    return panel(request, "scheduling/_move.html", {**_move_context(request, appointment, viewer),
                                                     "errors": read.errors}, status=422)


def _refused_again(request: HttpRequest, appointment: Appointment, viewer: Viewer, template: str,
                   context_of: Any, notice: str, errors: dict[str, str], action: str) -> HttpResponse:
    """A 409: the time was taken or the appointment changed meanwhile; the form again, with what is true now."""
    audit.record(request.user, f"attempted_{action}_appointment", object_type="Appointment",
                 object_id=appointment.pk, patient_id=appointment.patient_id, fields=sorted(errors) or ["version"],
                 conflict=True)
    fresh, _ = _appointment(request, appointment.pk)
    return panel(request, f"scheduling/{template}", {**context_of(request, fresh, viewer), "taken": notice,
                                                     "errors": errors}, status=409)


def _cancel_context(request: HttpRequest, appointment: Appointment, viewer: Viewer) -> dict[str, Any]:
    return {**_panel_context(request, appointment, viewer),
            "reason": search_text(request.POST.get("reason", ""), 300) if request.method == "POST" else ""}


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, viewer = _appointment(request, pk)
    if request.method == "GET":
        audit.record(request.user, "read", object_type="Appointment", object_id=appointment.pk,
                     patient_id=appointment.patient_id, purpose="cancel")
        return panel(request, "scheduling/_cancel.html", _cancel_context(request, appointment, viewer))
    read = read_cancel(request.POST)
    if read.ok:
        appointment.version = read.values["version"]
        try:
            booking.cancel(appointment, by=request.user, reason=read.values["reason"])
        except Conflict:
            return _refused_again(request, appointment, viewer, "_cancel.html", _cancel_context, CHANGED, {},
                                  "cancel")
        except InputRefused as exc:
            read.errors.update({p.path: _capital(p.message) for p in exc.problems})
        else:
            late = appointment.status == AppointmentStatus.LATE_CANCELLED
            messages.success(request, f"Cancelled{' late' if late else ''}: {_who(appointment)}, "
                                      f"{appointment.service.name}.")
            return redirect(_next(request, _home(appointment)))
    return _refused(request, appointment, viewer, "cancel", "_cancel.html", _cancel_context, read)


def _refused(request: HttpRequest, appointment: Appointment, viewer: Viewer, action: str, template: str,
             context_of: Any, read: Read) -> HttpResponse:
    audit.attempted(request.user, f"{action}_appointment", object_type="Appointment", object_id=appointment.pk,
                    patient_id=appointment.patient_id, fields=list(read.errors))
    appointment.refresh_from_db()
    return panel(request, f"scheduling/{template}", {**context_of(request, appointment, viewer),
                                                     "errors": read.errors}, status=422)


@login_required
@require_POST
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, viewer = _appointment(request, pk)
    read = read_mark(request.POST)
    if read.ok:
        appointment.version = read.values["version"]
        try:
            booking.mark(appointment, read.values["status"], by=request.user)
        except Conflict:
            return _refused_again(request, appointment, viewer, "_appointment.html", _panel_context, CHANGED, {},
                                  "mark")
        except InputRefused as exc:
            read.errors.update({p.path: _capital(p.message) for p in exc.problems})
        else:
            messages.success(request, f"{_who(appointment)}: {appointment.get_status_display().lower()}.")
            return redirect(_next(request, _home(appointment)) + f"#appt-{appointment.pk}")
    return _refused(request, appointment, viewer, "mark", "_appointment.html", _panel_context, read)


@login_required
@require_POST
def stop_link(request: HttpRequest, pk: int) -> HttpResponse:
    """"Stop the patient's link": the links sent so far to change or cancel this appointment online stop working
    (the patient says someone else reads their messages); the next message carries a new one."""
    appointment, _viewer = _appointment(request, pk)
    if not appointment.manage_digest:
        messages.info(request, "No link to change this appointment online has been sent, so there is none to stop.")
    else:
        manage_link_stop.stop(appointment, by=request.user)
        messages.success(request, f"{_who(appointment)}: the link to change or cancel this appointment online no "
                                  "longer works. The next message about it carries a new one.")
    return redirect(_next(request, _home(appointment)) + f"#appt-{appointment.pk}")


@login_required
def chart(request: HttpRequest, pk: int) -> HttpResponse:
    """"Chart this session": the charting form of the appointment's course, filled in with its date (the plan
    and the practitioner are the form's own); saving it links the session to the appointment and completes it."""
    appointment, _viewer = _appointment(request, pk)
    access.require(request.user, access.CLINICAL)
    course = _open_course(appointment)
    if appointment.status != AppointmentStatus.ARRIVED or appointment.visit_id is not None or course is None:
        why = ("the patient has not been marked arrived" if appointment.status != AppointmentStatus.ARRIVED
               else "this session is already charted" if appointment.visit_id is not None
               else "the patient has no open course of care: start one from their page")
        messages.error(request, f"This session cannot be charted from the calendar: {why}.")
        return redirect(_home(appointment) + f"#appt-{appointment.pk}")
    if appointment.practitioner_id != request.user.pk:
        messages.info(request, f"This appointment is with {appointment.practitioner.display()}; the session will "
                               "be charted as yours.")
    day = appointment.start.astimezone(_zone(appointment)).date()
    return redirect(f"{reverse('clinic:visit_new', args=[course.pk])}?date={day.isoformat()}"
                    f"&appointment={appointment.pk}")
