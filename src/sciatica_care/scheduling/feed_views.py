"""Calendars: a practitioner's private feed (the address itself, no sign-in; the page to issue and revoke it),
a clinic admin revoking a colleague's, and the `.ics` of one appointment for staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sciatica_care.clinic import access, audit
from sciatica_care.clinic.models import Staff
from sciatica_care.clinic.submission import submit_once
from sciatica_care.scheduling import ics, practitioner_feed
from sciatica_care.scheduling.models import Appointment

_NEW_FEED = "scheduling.new_feed_url"


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: whoever holds the address (a calendar app) reads it; unknown or revoked: 404."""
    feed = practitioner_feed.find(token)
    if feed is None:
        raise Http404("No calendar here")
    response = HttpResponse(practitioner_feed.calendar(feed), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def _of_a_clinic(request: HttpRequest) -> Staff:
    user: Staff = request.user  # type: ignore[assignment]
    if user.clinic_id is None:
        raise PermissionDenied("calendar feeds are for staff of a clinic")
    return user


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@submit_once("calendar_feed")
def my_calendar_feed(request: HttpRequest) -> HttpResponse:
    """One's own feed: issue one (or a new one, which ends the old), or revoke it."""
    user = _of_a_clinic(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "issue":
            token = practitioner_feed.issue(user, by=user)
            request.session[_NEW_FEED] = request.build_absolute_uri(
                reverse("scheduling:calendar_feed", args=[token]))
        elif action == "revoke":
            if practitioner_feed.revoke(user, by=user):
                messages.success(request, "Your calendar feed is revoked: its address no longer works.")
        else:
            return render(request, "scheduling/calendar_feed.html", {
                "feed": practitioner_feed.live_feed(user), "error": {
                    "field": "action", "message": "say issue (a new address) or revoke"}}, status=422)
        return redirect("scheduling:my_calendar_feed")
    new_url = request.session.pop(_NEW_FEED, None)
    return render(request, "scheduling/calendar_feed.html", {"feed": practitioner_feed.live_feed(user),
                                                             "new_url": new_url})


@login_required
@require_POST
@submit_once("staff_calendar_feed")
def staff_calendar_feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """A clinic admin ends a colleague's feed (a lost phone, someone leaving)."""
    user: Staff = request.user  # type: ignore[assignment]
    if not user.is_clinic_admin or user.clinic_id is None:
        audit.record(user, "denied_role", object_type="CalendarFeed", role=user.role)
        raise PermissionDenied("a colleague's calendar feed is revoked by the clinic admin")
    colleague = access.get_for(user, Staff, pk, kind=access.DEMOGRAPHIC,
                               queryset=Staff.objects.filter(clinic_id=user.clinic_id))
    if practitioner_feed.revoke(colleague, by=user):
        messages.success(request, f"The calendar feed of {colleague.display()} is revoked.")
    return redirect("clinic:staff_detail", pk=colleague.pk)


@login_required
@require_GET
def appointment_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One appointment as a calendar file, for staff of its clinic (reception too: it holds nothing clinical)."""
    user: Staff = request.user  # type: ignore[assignment]
    appointment = access.get_for(user, Appointment, pk, kind=access.DEMOGRAPHIC,
                                 queryset=access.scoped(user, Appointment).select_related(
                                     "clinic", "patient", "practitioner", "service", "location", "room"))
    audit.record(user, "download_appointment_ics", appointment)
    response = HttpResponse(ics.appointment_ics(appointment, audience="staff"),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics.filename(appointment)}"'
    response["Cache-Control"] = "private, no-store"
    return response
