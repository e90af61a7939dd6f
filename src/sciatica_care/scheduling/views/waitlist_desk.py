"""The front desk's waitlist (/waitlist/, linked from the calendar): who is waiting, for what, and what they were
offered; add a patient (found by name, as in the booking form) or someone new, link someone who joined from the
public page to their patient record, take an entry off. For the clinic's reception, admins and practitioners; every
read and write audited. Entries of patients the user may not list (care-team access) are left out."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sciatica_care.clinic import access, audit
from sciatica_care.clinic.input_cleaning import Unreadable, iso_date, optional_whole_number, search_text
from sciatica_care.clinic.models import Role, Staff
from sciatica_care.errors import InputRefused
from sciatica_care.scheduling import waitlist
from sciatica_care.scheduling.forms import Read, one_of, practitioners
from sciatica_care.scheduling.models import Location, Service, WaitlistEntry, WaitlistOffer, WaitlistStatus
from sciatica_care.scheduling.views.appointment_actions import _patients

DESK_ROLES = (Role.RECEPTION, Role.CLINIC_ADMIN, Role.PRACTITIONER)
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
SHOWN = 200


def _desk(request: HttpRequest) -> Staff:
    user = request.user
    if not user.is_authenticated or user.clinic_id is None or user.role not in DESK_ROLES:
        raise PermissionDenied("the waitlist is for the clinic's front desk and practitioners")
    return user


def _visible(user: Staff) -> Any:
    """The clinic's entries this user may see: someone not yet a patient, or a patient they may list."""
    return (WaitlistEntry.objects.filter(clinic_id=user.clinic_id)
            .filter(Q(patient__isnull=True) | Q(patient__in=access.listed_patients(user))))


def _choices(user: Staff) -> dict[str, Any]:
    return {"practitioners": practitioners(user.clinic_id),
            "locations": list(Location.objects.filter(clinic_id=user.clinic_id, active=True)),
            "services": list(Service.objects.filter(clinic_id=user.clinic_id, active=True)),
            "weekday_names": list(enumerate(WEEKDAYS))}


def _page(request: HttpRequest, user: Staff, context: dict[str, Any], status: int = 200) -> HttpResponse:
    show = request.GET.get("show", "")
    entries = _visible(user).select_related("patient", "service", "practitioner", "location").prefetch_related(
        Prefetch("offers", queryset=WaitlistOffer.objects.select_related("practitioner", "location")))
    if show != "all":
        entries = entries.filter(status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED))
    rows = list(entries.order_by("created_at", "id")[:SHOWN])
    zone = timezone.get_current_timezone()
    first = next((loc for loc in Location.objects.filter(clinic_id=user.clinic_id, active=True)), None)
    if first is not None:
        zone = zoneinfo.ZoneInfo(first.time_zone)
    q = search_text(request.GET.get("q", "") or context.get("v", {}).get("q", ""))
    found = _patients(user, q) if q else []
    patient_ids = sorted({e.patient_id for e in rows if e.patient_id} | {p.pk for p in found})
    audit.record(user, "list", object_type="WaitlistEntry", ids=patient_ids, patients=patient_ids,
                 entries=[e.pk for e in rows], shown=len(rows), purpose="waitlist")
    for e in rows:
        e.days_words = ", ".join(WEEKDAYS[d] for d in e.weekdays if isinstance(d, int) and 0 <= d <= 6) or "Any day"
    today = timezone.localdate()
    with timezone.override(zone):
        return render(request, "scheduling/waitlist.html", {
            **_choices(user), "entries": rows, "show": show, "found": found, "q": q, "today": today,
            "waiting_count": sum(e.status in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED) for e in rows),
            "default_latest": today + dt.timedelta(weeks=4), "errors": {}, "v": {},
            "link_id": optional_whole_number(request.GET.get("link", "")), **context}, status=status)


@login_required
def waitlist_page(request: HttpRequest) -> HttpResponse:
    return _page(request, _desk(request), {})


def _read_entry(request: HttpRequest, user: Staff) -> Read:
    data = request.POST
    read = Read()
    clinic_id = user.clinic_id

    def one(name: str, what: str, qs: Any, required: bool) -> Any:
        return one_of(read, name, what, read.number(data, name, what, required=required), qs)

    service = one("service", "Service", Service.objects.filter(clinic_id=clinic_id, active=True), True)
    practitioner = one("practitioner", "Practitioner", Staff.objects.filter(
        clinic_id=clinic_id, is_active=True, role__in=[Role.PRACTITIONER, Role.CLINIC_ADMIN]), False)
    location = one("location", "Location", Location.objects.filter(clinic_id=clinic_id, active=True), False)
    patient = one("patient", "Patient", access.listed_patients(user), False)
    name = read.text(data, "prospect_name", 200, "Name")
    read.text(data, "prospect_email", 254, "Email")
    read.text(data, "prospect_phone", 40, "Phone")
    read.text(data, "q", 100, "Search")
    days = {}
    for field, what in (("earliest", "From"), ("latest", "Until")):
        try:
            days[field] = iso_date(data.get(field, ""), what=what)
        except Unreadable as exc:
            read.errors[field] = str(exc)
    weekdays = []
    for raw in data.getlist("weekdays"):
        number = optional_whole_number(raw)
        if number is None or not 0 <= number <= 6:
            read.errors["weekdays"] = "Days: choose days of the week"
            break
        weekdays.append(number)
    if patient is None and "patient" not in read.errors and not name:
        read.errors["patient"] = "Patient: choose the patient, or give a name for someone new"
    read.values.update(service=service, practitioner=practitioner, location=location, patient=patient,
                       weekdays=weekdays, **days)
    return read


@login_required
@require_POST
def waitlist_add(request: HttpRequest) -> HttpResponse:
    user = _desk(request)
    read = _read_entry(request, user)
    v = read.values
    if read.ok:
        try:
            entry = waitlist.join(
                clinic=user.clinic, service=v["service"], earliest=v["earliest"], latest=v["latest"], by=user,
                weekdays=v["weekdays"], practitioner=v["practitioner"], location=v["location"],
                patient=v["patient"], prospect_name=v["prospect_name"], prospect_email=v["prospect_email"],
                prospect_phone=v["prospect_phone"])
        except InputRefused as exc:
            read.errors.update({p.path: p.message[:1].upper() + p.message[1:] for p in exc.problems})
        else:
            messages.success(request, f"Added to the waitlist: {_who(entry)}.")
            return redirect(reverse("scheduling:waitlist") + f"#entry-{entry.pk}")
    audit.attempted(user, "waitlist_join", object_type="WaitlistEntry", fields=list(read.errors),
                    patient_id=v["patient"].pk if v.get("patient") else None)
    return _page(request, user, {"errors": read.errors, "v": v}, status=422)


def _who(entry: WaitlistEntry) -> str:
    p = entry.patient
    return f"{p.first_name} {p.last_name}" if p is not None else entry.prospect_name


def _entry(request: HttpRequest, user: Staff, pk: int) -> WaitlistEntry:
    found = _visible(user).filter(pk=pk).select_related("patient").first()
    if found is None:
        if WaitlistEntry.objects.filter(pk=pk).exclude(clinic_id=user.clinic_id).exists():
            audit.record(user, "denied_other_clinic", None, object_type="WaitlistEntry", object_id=pk)
        raise Http404("No waitlist entry here")
    return found


@login_required
@require_POST
def waitlist_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _desk(request)
    entry = _entry(request, user, pk)
    if waitlist.withdraw(entry, by=user):
        messages.success(request, f"Taken off the waitlist: {_who(entry)}.")
    else:
        messages.info(request, f"{_who(entry)} had already left the waitlist.")
    return redirect(reverse("scheduling:waitlist"))


@login_required
@require_POST
def waitlist_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link an entry made from the public page to the patient it is (found by the staff, never by the page)."""
    user = _desk(request)
    entry = _entry(request, user, pk)
    patient_pk = optional_whole_number(request.POST.get("patient", ""))
    patient = access.listed_patients(user).filter(pk=patient_pk).first() if patient_pk else None
    if patient is None or entry.patient_id is not None:
        audit.attempted(user, "waitlist_link", entry, fields=["patient"])
        problem = ("Patient: this entry is linked already" if entry.patient_id is not None
                   else "Patient: find the patient and choose them")
        return _page(request, user, {"link_id": entry.pk, "link_error": problem}, status=422)
    WaitlistEntry.objects.filter(pk=entry.pk, patient__isnull=True).update(patient=patient)
    audit.record(user, "waitlist_link", entry, patient_id=patient.pk)
    messages.success(request, f"Linked to {patient.first_name} {patient.last_name}.")
    return redirect(reverse("scheduling:waitlist") + f"#entry-{entry.pk}")
