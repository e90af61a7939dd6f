"""The pages where a patient cancels or reschedules their own appointment: by the link in their messages
(`/book/manage/<token>/`, no account: the link is the key) and — through `cancel_page` and `move_page`, shared
with the portal — from their portal account. The rules are `self_service`'s; these pages only show and ask.

The link pages are throttled per client address like questionnaire links (clinic/throttle.py, its own count): an
unknown, altered or revoked token, and a paused address, all get a page that tells nothing about which it was.
A page shows the appointment (service, time in the location's zone, place, practitioner) and nothing clinical.
The site's referrer policy (same-origin) keeps the token in the address from other sites; the pages are never
cached.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from sciatica_care.clinic import audit, throttle
from sciatica_care.clinic.models import Staff
from sciatica_care.clinic.signin import client_address
from sciatica_care.errors import InputRefused
from sciatica_care.scheduling import manage_link, message_wording, self_service
from sciatica_care.scheduling.models import Appointment
from sciatica_care.scheduling.online.manage_forms import CancelForm, MoveForm, SlotFilter

LINK_BASE = "clinic/patient_base.html"
PORTAL_BASE = "portal/base.html"
SCOPE = "manage"
CHANGED = ("This appointment has changed since this page was opened (the form may have been sent twice). "
           "Nothing more was changed: this is how it is now.")


def details(appointment: Appointment) -> dict[str, str]:
    """What the pages say about the appointment: nothing clinical."""
    return {"service": appointment.service.name, "when": message_wording.when(appointment),
            "where": message_wording.where(appointment), "practitioner": appointment.practitioner.display(),
            "status": appointment.get_status_display(), "clinic": appointment.clinic.name}


def _context(appointment: Appointment, place: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {**place, "appointment": appointment, "details": details(appointment),
            "choices": self_service.choices(appointment, now)}


def _fresh(appointment: Appointment) -> Appointment:
    return (Appointment.objects.select_related("clinic", "patient", "practitioner", "service", "location")
            .get(pk=appointment.pk))


def _done(request: HttpRequest, appointment: Appointment, place: dict[str, Any], said: str) -> HttpResponse:
    if place.get("done_url"):
        messages.success(request, said)
        return redirect(place["done_url"])
    return render(request, "scheduling/online/manage_done.html",
                  {**_context(appointment, place, timezone.now()), "said": said, "told": True})


def cancel_page(request: HttpRequest, appointment: Appointment, *, place: dict[str, Any],
                actor: Staff | None, via: str) -> HttpResponse:
    """Ask to confirm the cancellation (saying so when it is late), then cancel."""
    now = timezone.now()
    context = _context(appointment, place, now)
    choices = context["choices"]
    if request.method != "POST" or not choices.can_cancel:
        form = CancelForm(initial={"version": appointment.version})
        return render(request, "scheduling/online/manage_cancel.html", {**context, "form": form})
    form = CancelForm(request.POST)
    if not form.is_valid():
        return render(request, "scheduling/online/manage_cancel.html", {**context, "form": form}, status=400)
    if choices.late and request.POST.get("warned") != "late":
        # the late-cancel window began while the page was open: warn, and ask again
        form = CancelForm(initial={"version": appointment.version, "reason": form.cleaned_data["reason"]})
        return render(request, "scheduling/online/manage_cancel.html",
                      {**context, "form": form, "now_late": True}, status=409)
    try:
        self_service.cancel(appointment, reason=form.cleaned_data["reason"], via=via, actor=actor,
                            version=form.cleaned_data["version"], now=now)
    except (self_service.Conflict, InputRefused):
        appointment = _fresh(appointment)
        return render(request, "scheduling/online/manage_done.html",
                      {**_context(appointment, place, now), "said": CHANGED}, status=409)
    said = ("Your appointment is cancelled. As it was less than "
            f"{choices.late_cancel_hours} hours away, it is recorded as a late cancellation."
            if appointment.status == "late_cancelled" else "Your appointment is cancelled.")
    return _done(request, appointment, place, said)


def _slot_groups(slots: list[Any], zone: ZoneInfo) -> list[tuple[str, list[tuple[str, str]]]]:
    def day(s: Any) -> dt.date:
        return s.start.astimezone(zone).date()

    out = []
    for date, group in groupby(slots, key=day):
        out.append((f"{date:%A} {date.day} {date:%B}",
                    [(self_service.slot_value(s), f"{s.start.astimezone(zone):%H:%M}") for s in group]))
    return out


def move_page(request: HttpRequest, appointment: Appointment, *, place: dict[str, Any],
              actor: Staff | None, via: str) -> HttpResponse:
    """The free times for the same service (the same practitioner, or any) a week at a time; move to one."""
    now = timezone.now()
    zone = ZoneInfo(appointment.location.time_zone)
    shown = SlotFilter(request.GET)
    day, anyone = (shown.cleaned_data["day"], shown.cleaned_data["anyone"]) if shown.is_valid() else (None, False)
    today = now.astimezone(zone).date()
    first = self_service.first_day(appointment, day, now)
    slots = self_service.free_slots(appointment, any_practitioner=anyone, day=first, now=now)
    status, said = 200, ""
    form = MoveForm(initial={"version": appointment.version})
    if request.method == "POST" and self_service.choices(appointment, now).can_move:
        form = MoveForm(request.POST)
        if not form.is_valid():
            status = 400
        else:
            try:
                self_service.move(appointment, slot=form.cleaned_data["start"], via=via, actor=actor,
                                  version=form.cleaned_data["version"], now=now)
            except self_service.SlotTaken:
                status, said = 409, "Sorry: that time has just been taken. Please choose another."
                slots = self_service.free_slots(appointment, any_practitioner=anyone, day=first, now=now)
                form = MoveForm(initial={"version": appointment.version})
            except (self_service.Conflict, InputRefused):
                appointment = _fresh(appointment)
                return render(request, "scheduling/online/manage_done.html",
                              {**_context(appointment, place, now), "said": CHANGED}, status=409)
            else:
                return _done(request, appointment, place,
                             f"Your appointment has moved to {message_wording.when(appointment)}, with "
                             f"{appointment.practitioner.display()}.")
    later = first + dt.timedelta(days=self_service.DAYS_SHOWN)
    earlier = max(first - dt.timedelta(days=self_service.DAYS_SHOWN), today)
    query = "&anyone=on" if anyone else ""
    return render(request, "scheduling/online/manage_move.html", {
        **_context(appointment, place, now), "form": form, "filter": shown, "groups": _slot_groups(slots, zone),
        "said": said, "anyone": anyone, "first": first,
        "later_query": f"?day={later.isoformat()}{query}",
        "earlier_query": f"?day={earlier.isoformat()}{query}" if first > today else "",
        "last_day": first + dt.timedelta(days=self_service.DAYS_SHOWN - 1)}, status=status)


# The link's pages.

def _link_place(token: str) -> dict[str, Any]:
    return {"base": LINK_BASE, "overview_url": reverse("booking:manage", args=[token]),
            "cancel_url": reverse("booking:manage_cancel", args=[token]),
            "move_url": reverse("booking:manage_move", args=[token]), "done_url": ""}


def _by_link(request: HttpRequest, token: str) -> Appointment | HttpResponse:
    """The appointment the link opens, or the page that says no (throttled per address)."""
    address = client_address(request)
    if throttle.link_locked(address, SCOPE):
        return throttle.lockout_page(request, "scheduling/online/manage_throttled.html")
    appointment = manage_link.read(token)
    if appointment is None:
        if throttle.link_failed(address, SCOPE):
            audit.record(None, "manage_link_throttled", address=address, limit=throttle.link_limit())
        return render(request, "scheduling/online/manage_gone.html", status=404)
    audit.record(None, "self_view_appointment", object_type="Appointment", object_id=appointment.pk,
                 patient_id=appointment.patient_id, clinic_id=appointment.clinic_id, via=self_service.VIA[0],
                 page=request.resolver_match.url_name if request.resolver_match else "")
    return appointment


@never_cache
def manage(request: HttpRequest, token: str) -> HttpResponse:
    found = _by_link(request, token)
    if isinstance(found, HttpResponse):
        return found
    return render(request, "scheduling/online/manage.html", _context(found, _link_place(token), timezone.now()))


@never_cache
def manage_cancel(request: HttpRequest, token: str) -> HttpResponse:
    found = _by_link(request, token)
    if isinstance(found, HttpResponse):
        return found
    return cancel_page(request, found, place=_link_place(token), actor=None, via=self_service.VIA[0])


@never_cache
def manage_move(request: HttpRequest, token: str) -> HttpResponse:
    found = _by_link(request, token)
    if isinstance(found, HttpResponse):
        return found
    return move_page(request, found, place=_link_place(token), actor=None, via=self_service.VIA[0])
