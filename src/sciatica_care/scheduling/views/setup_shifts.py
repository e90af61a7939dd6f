"""The clinic admin's working hours: each practitioner's weekly shifts (a week's grid a practitioner; add, edit,
delete) and the exceptions to them (leave, public holidays, clinic closures; upcoming first). Times are the
location's local times. A change that leaves booked appointments outside working hours lists them on the next
page; they are not cancelled."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sciatica_care.clinic.models import Staff
from sciatica_care.scheduling.models import Location, Shift, ShiftException
from sciatica_care.scheduling.setup_forms import WEEKDAYS, ShiftExceptionForm, ShiftForm, practitioners_of
from sciatica_care.scheduling.views.setup_common import (
    admin,
    keep_stranding,
    own,
    page,
    record_change,
    refused,
    snapshot,
)

SHIFT_FIELDS = ["practitioner", "location", "weekday", "start_time", "end_time", "valid_from", "valid_until"]
EXCEPTION_FIELDS = ["practitioner", "location", "starts_at", "ends_at", "reason"]
#: Past exceptions shown below the upcoming ones.
PAST_SHOWN = 20


def _grid(clinic_id: int) -> list[dict[str, Any]]:
    """A row a practitioner (and anyone else with shifts), each with its shifts by weekday."""
    shifts = list(Shift.objects.filter(location__clinic_id=clinic_id).select_related("location", "practitioner")
                  .order_by("weekday", "start_time"))
    people: list[Staff] = list(practitioners_of(clinic_id))
    people += [s.practitioner for s in shifts if s.practitioner not in people]
    return [{"who": who, "days": [[s for s in shifts if s.practitioner_id == who.pk and s.weekday == day]
                                  for day in range(7)]} for who in people]


def _shifts_page(request: HttpRequest, user: Staff, form: ShiftForm, status: int = 200) -> HttpResponse:
    return page(request, user, "shifts.html", {"form": form, "grid": _grid(user.clinic_id),  # type: ignore[arg-type]
                                               "weekdays": WEEKDAYS}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def shifts(request: HttpRequest) -> HttpResponse:
    user = admin(request, "Shift")
    form = ShiftForm(request.POST or None, clinic_id=user.clinic_id)  # type: ignore[arg-type]
    if request.method == "POST":
        if not form.is_valid():
            refused(user, "create", "Shift", form)
            return _shifts_page(request, user, form, status=422)
        saved = form.save()
        record_change(user, "create", saved, {}, snapshot(saved, SHIFT_FIELDS))
        messages.success(request, f"Shift added: {saved.practitioner.display()}, {WEEKDAYS[saved.weekday]} "
                                  f"{saved.start_time:%H:%M}–{saved.end_time:%H:%M} at {saved.location.name}.")
        return redirect("scheduling:setup_shifts")
    return _shifts_page(request, user, form)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def shift(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin(request, "Shift")
    held: Shift = own(user, Shift, pk, "location__clinic_id")
    before = snapshot(held, SHIFT_FIELDS)
    form = ShiftForm(request.POST or None, instance=held, clinic_id=user.clinic_id)  # type: ignore[arg-type]
    if request.method == "POST":
        if not form.is_valid():
            refused(user, "update", "Shift", form)
            held.refresh_from_db()
            return page(request, user, "shift.html", {"shift": held, "form": form, "weekdays": WEEKDAYS},
                        status=422)
        people = sorted({before["practitioner"], form.cleaned_data["practitioner"].pk})
        saved = keep_stranding(request, user, people, form.save)
        record_change(user, "update", saved, before, snapshot(saved, SHIFT_FIELDS))
        messages.success(request, "Shift saved.")
        return redirect("scheduling:setup_shifts")
    return page(request, user, "shift.html", {"shift": held, "form": form, "weekdays": WEEKDAYS})


@login_required
@never_cache
@require_POST
def shift_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin(request, "Shift")
    held: Shift = own(user, Shift, pk, "location__clinic_id")
    before = snapshot(held, SHIFT_FIELDS)
    with transaction.atomic():
        record_change(user, "delete", held, before, {})
        keep_stranding(request, user, [held.practitioner_id], held.delete)
    messages.success(request, "Shift deleted.")
    return redirect("scheduling:setup_shifts")


def _exception_rows(clinic_id: int, upcoming: bool) -> list[dict[str, Any]]:
    now = timezone.now()
    qs = ShiftException.objects.filter(clinic_id=clinic_id).select_related("practitioner", "location")
    qs = qs.filter(ends_at__gt=now).order_by("starts_at") if upcoming else \
        qs.filter(ends_at__lte=now).order_by("-starts_at")[:PAST_SHOWN]
    zones = set(Location.objects.filter(clinic_id=clinic_id, active=True).values_list("time_zone", flat=True))
    shared = zones.pop() if len(zones) == 1 else "UTC"
    rows = []
    for e in qs:
        zone = e.location.time_zone if e.location is not None else shared
        tz = zoneinfo.ZoneInfo(zone)
        rows.append({"e": e, "starts": e.starts_at.astimezone(tz), "ends": e.ends_at.astimezone(tz), "zone": zone})
    return rows


def _exceptions_page(request: HttpRequest, user: Staff, form: ShiftExceptionForm, status: int = 200) -> HttpResponse:
    return page(request, user, "exceptions.html", {
        "form": form, "upcoming": _exception_rows(user.clinic_id, True),  # type: ignore[arg-type]
        "past": _exception_rows(user.clinic_id, False)}, status=status)  # type: ignore[arg-type]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def exceptions(request: HttpRequest) -> HttpResponse:
    user = admin(request, "ShiftException")
    form = ShiftExceptionForm(request.POST or None, clinic_id=user.clinic_id)  # type: ignore[arg-type]
    if request.method == "POST":
        if not form.is_valid():
            refused(user, "create", "ShiftException", form)
            return _exceptions_page(request, user, form, status=422)
        made = form.exception()
        who = [made.practitioner_id] if made.practitioner_id else None
        keep_stranding(request, user, who, made.save)
        record_change(user, "create", made, {}, snapshot(made, EXCEPTION_FIELDS))
        messages.success(request, f"{made.reason} is added.")
        return redirect("scheduling:setup_exceptions")
    return _exceptions_page(request, user, form)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def exception(request: HttpRequest, pk: int) -> HttpResponse:
    """Change time off (its dates, times, whose, where); appointments it newly covers are listed."""
    user = admin(request, "ShiftException")
    off: ShiftException = own(user, ShiftException, pk)
    form = ShiftExceptionForm(request.POST or None, clinic_id=user.clinic_id)  # type: ignore[arg-type]
    if request.method == "GET":
        zone = form.zone(off.location) or zoneinfo.ZoneInfo("UTC")
        form = ShiftExceptionForm(initial=ShiftExceptionForm.initial_for(off, zone),
                                  clinic_id=user.clinic_id)  # type: ignore[arg-type]
        return page(request, user, "exception.html", {"off": off, "form": form})
    if not form.is_valid():
        refused(user, "update", "ShiftException", form)
        return page(request, user, "exception.html", {"off": off, "form": form}, status=422)
    before = snapshot(off, EXCEPTION_FIELDS)
    made = form.exception()
    who = None if made.practitioner_id is None or off.practitioner_id is None else sorted(
        {made.practitioner_id, off.practitioner_id})
    for field in EXCEPTION_FIELDS:
        setattr(off, field, getattr(made, field))
    keep_stranding(request, user, who, off.save)
    record_change(user, "update", off, before, snapshot(off, EXCEPTION_FIELDS))
    messages.success(request, f"{off.reason} is saved.")
    return redirect("scheduling:setup_exceptions")


@login_required
@never_cache
@require_POST
def exception_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin(request, "ShiftException")
    off: ShiftException = own(user, ShiftException, pk)
    with transaction.atomic():
        record_change(user, "delete", off, snapshot(off, EXCEPTION_FIELDS), {})
        off.delete()
    messages.success(request, "Removed: the working hours apply again then.")
    return redirect("scheduling:setup_exceptions")
