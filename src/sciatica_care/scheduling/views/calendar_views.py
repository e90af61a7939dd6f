"""The staff calendar: a day or a week of one practitioner, one room or one location."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from sciatica_care.clinic import audit
from sciatica_care.clinic.input_cleaning import optional_date, optional_whole_number
from sciatica_care.clinic.models import Role, Staff
from sciatica_care.scheduling import calendar_grid as grid
from sciatica_care.scheduling.forms import practitioners
from sciatica_care.scheduling.models import Location, Room, Shift
from sciatica_care.scheduling.visibility import Viewer

KINDS = (grid.PRACTITIONER, grid.ROOM, grid.LOCATION)


def _other_clinic(user: Staff, model: type[Any], pk: int) -> Http404:
    """404 for a calendar that is not of the user's clinic; asking for another clinic's is audited."""
    clinic = "location__clinic_id" if model is Room else "clinic_id"
    if model._default_manager.filter(pk=pk).exclude(**{clinic: user.clinic_id}).exists():
        audit.record(user, "denied_other_clinic", None, object_type=model.__name__, object_id=pk)
    return Http404(f"No {model.__name__.lower()} calendar here")


def first_location(clinic_id: int, practitioner: Staff | None = None) -> Location | None:
    """The location a practitioner's calendar speaks the time of: where they work first in the week, else the
    clinic's first."""
    if practitioner is not None:
        shift = (Shift.objects.filter(practitioner=practitioner, location__active=True)
                 .select_related("location").order_by("weekday", "start_time").first())
        if shift is not None:
            return shift.location
    return Location.objects.filter(clinic_id=clinic_id, active=True).order_by("name", "id").first()


def resolve_scope(user: Staff, who: str) -> grid.Scope | None:
    """The calendar asked for (`practitioner:5`, `room:3`, `location:1`), of the user's clinic or 404; without one,
    the user's own calendar when they hold appointments, else the clinic's first location."""
    kind, _, raw = (who or "").partition(":")
    pk = optional_whole_number(raw)
    clinic_id = user.clinic_id
    if kind in KINDS and pk is not None:
        if kind == grid.PRACTITIONER:
            staff = Staff.objects.filter(pk=pk, clinic_id=clinic_id,
                                         role__in=[Role.PRACTITIONER, Role.CLINIC_ADMIN]).first()
            if staff is None:
                raise _other_clinic(user, Staff, pk)
            return grid.Scope(grid.PRACTITIONER, staff, first_location(clinic_id, staff))
        if kind == grid.ROOM:
            room = Room.objects.filter(pk=pk, location__clinic_id=clinic_id).select_related("location").first()
            if room is None:
                raise _other_clinic(user, Room, pk)
            return grid.Scope(grid.ROOM, room, room.location)
        location = Location.objects.filter(pk=pk, clinic_id=clinic_id).first()
        if location is None:
            raise _other_clinic(user, Location, pk)
        return grid.Scope(grid.LOCATION, location, location)
    if user.is_clinical and Shift.objects.filter(practitioner=user).exists():
        return grid.Scope(grid.PRACTITIONER, user, first_location(clinic_id, user))
    location = first_location(clinic_id)
    if location is not None:
        return grid.Scope(grid.LOCATION, location, location)
    if user.is_clinical:
        return grid.Scope(grid.PRACTITIONER, user, None)
    return None


def calendar_url(who: str, mode: str, day: dt.date, *, cancelled: bool = True, **extra: Any) -> str:
    query = {"who": who, "view": mode, "date": day.isoformat()}
    if not cancelled:
        query["cancelled"] = "hide"
    query.update({k: v for k, v in extra.items() if v not in (None, "")})
    return f"{reverse('scheduling:calendar')}?{urlencode(query)}"


def picker(clinic_id: int) -> dict[str, Any]:
    """What the "Calendar of" menu offers: the practitioners, and each location with its rooms."""
    locations = list(Location.objects.filter(clinic_id=clinic_id, active=True).prefetch_related(
        Prefetch("rooms", queryset=Room.objects.filter(active=True).only("id", "name", "location_id"))))
    return {"practitioners": practitioners(clinic_id), "locations": locations}


def _links(cal: grid.Calendar, here: str) -> None:
    """Each block's and each free time's address, made once here (a template tag for each would cost more than
    the rest of the page)."""
    back = urlencode({"next": here})
    appointment = reverse("scheduling:appointment", args=[1]).removesuffix("1/")
    booking = reverse("scheduling:book")
    cells = [c for r in cal.rows for c in r.cells]
    for column in cal.columns + cells:
        for block in column.blocks:
            block.href = f"{appointment}{block.appointment.pk}/?{back}"
        for at in column.book_at:
            query = {"practitioner": column.practitioner.pk if column.practitioner else "",
                     "location": at.location_id or "", "start": at.start.isoformat()}
            at.href = f"{booking}?{urlencode(query)}&{back}"
        for gap in column.gaps:
            query = {"practitioner": column.practitioner.pk if column.practitioner else "",
                     "location": gap.location_id or "", "start": gap.start.isoformat()}
            gap.href = f"{booking}?{urlencode(query)}&{back}"
        column.free_html = format_html_join(
            "", '<a class="free {}" tabindex="-1" aria-hidden="true" href="{}" hx-get="{}" hx-target="#panel">{}</a>',
            ((at.classes, at.href, at.href, at.words) for at in column.book_at))
    for cell in cells:
        cell.chips_html = format_html_join("", "{}", ((_chip(block),) for block in cell.blocks))


def _chip(block: grid.Block) -> str:
    """One appointment in a location's week: its time and who, a link to it (a colleague's: "Busy")."""
    status = f"chip st-{block.status}" + ("" if block.full else " busy")
    when = format_html('<span class="t">{}</span> ', f"{block.start:%H:%M}")
    if not block.full:
        return format_html('<li class="{}">{}Busy</li>', status, when)
    who = format_html("<del>{}</del>", block.who) if block.cancelled else block.who
    review = mark_safe(' <span class="badge review">Review</span>') if block.appointment.is_review else ""
    return format_html('<li class="{}"><a href="{}" hx-get="{}" hx-target="#panel" aria-label="{}">{}{}{}</a></li>',
                       status, block.href, block.href, block.label, when, who, review)


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    viewer = Viewer(user)
    scope = resolve_scope(user, request.GET.get("who", ""))
    mode = grid.DAY_VIEW if request.GET.get("view") == grid.DAY_VIEW else grid.WEEK_VIEW
    show_cancelled = request.GET.get("cancelled") != "hide"
    if scope is None:
        audit.record(user, "list", object_type="Appointment", ids=[], shown=0, purpose="calendar")
        return render(request, "scheduling/calendar_empty.html", {})
    today = timezone.now().astimezone(scope.zone).date()
    day = optional_date(request.GET.get("date", "")) or today
    if not dt.date(1900, 1, 8) <= day <= dt.date(9999, 12, 20):  # a week on either side stays on the calendar
        day = today
    cal = grid.build(viewer, scope, mode, day, show_cancelled=show_cancelled)
    # The audit keeps which patients the calendar showed (by id), as the patient list's does.
    audit.record(user, "list", object_type="Appointment", ids=cal.patient_ids, patients=cal.patient_ids,
                 appointments=len(cal.appointment_ids), shown=len(cal.appointment_ids), purpose="calendar",
                 scope=scope.key, view=mode, date=day.isoformat())
    who = scope.key
    for column in cal.columns:
        column.url = (calendar_url(f"{grid.PRACTITIONER}:{column.practitioner.pk}", grid.WEEK_VIEW, day,
                                   cancelled=show_cancelled)
                      if mode == grid.DAY_VIEW and scope.kind == grid.LOCATION and column.practitioner
                      else calendar_url(who, grid.DAY_VIEW, column.day, cancelled=show_cancelled))
    _links(cal, calendar_url(who, mode, day, cancelled=show_cancelled))
    for row in cal.rows:
        row.url = calendar_url(f"{grid.PRACTITIONER}:{row.practitioner.pk}", grid.WEEK_VIEW, day,
                               cancelled=show_cancelled)
        for cell in row.cells:
            cell.url = calendar_url(who, grid.DAY_VIEW, cell.day, cancelled=show_cancelled)
    with timezone.override(scope.zone):
        return _render(request, cal, scope, mode, day, today, viewer, show_cancelled)


def _render(request: HttpRequest, cal: grid.Calendar, scope: grid.Scope, mode: str, day: dt.date, today: dt.date,
            viewer: Viewer, show_cancelled: bool) -> HttpResponse:
    user = request.user
    step = dt.timedelta(days=1 if mode == grid.DAY_VIEW else 7)
    who = scope.key
    return render(request, "scheduling/calendar.html", {
        "cal": cal, "title": grid.describe(cal), "mode": mode, "who": who, "day": day, "today": today,
        "viewer": viewer, "show_cancelled": show_cancelled, **picker(user.clinic_id),
        "prev_url": calendar_url(who, mode, day - step, cancelled=show_cancelled),
        "next_url": calendar_url(who, mode, day + step, cancelled=show_cancelled),
        "today_url": calendar_url(who, mode, today, cancelled=show_cancelled),
        "day_url": calendar_url(who, grid.DAY_VIEW, day, cancelled=show_cancelled),
        "week_url": calendar_url(who, grid.WEEK_VIEW, day, cancelled=show_cancelled),
        "toggle_url": calendar_url(who, mode, day, cancelled=not show_cancelled),
        "day_links": [(d, calendar_url(who, grid.DAY_VIEW, d, cancelled=show_cancelled)) for d in cal.days],
        "here": calendar_url(who, mode, day, cancelled=show_cancelled),
    })
