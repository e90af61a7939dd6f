"""Booking the course from the plan, in the browser: the proposed series (at the patient's preferred days and
times, the review visit marked, the taper thinning the later weeks, clashes flagged), adjusted row by row, booked
in one step (`course_booking.book_course`, all or nothing). Reception books courses too: the page shows the
course's dates and its shape (sessions a week, length, review, taper), never the plan's clinical content."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sciatica_care.clinic import access, audit
from sciatica_care.clinic.input_cleaning import Unreadable, iso_date, optional_date, optional_whole_number, search_text
from sciatica_care.clinic.models import Episode, EpisodeStatus, Patient, Staff
from sciatica_care.errors import InputRefused, Problem
from sciatica_care.scheduling import calendar_grid, course_booking
from sciatica_care.scheduling.course_booking import CourseVisit, Preference
from sciatica_care.scheduling.forms import MAX_REASON, Read, clock, practitioners
from sciatica_care.scheduling.free_time import local
from sciatica_care.scheduling.models import Appointment, Location, Service, ServiceKind
from sciatica_care.scheduling.models.appointments import LIVE_STATUSES
from sciatica_care.scheduling.views.appointment_actions import _next
from sciatica_care.scheduling.views.calendar_views import calendar_url, first_location
from sciatica_care.scheduling.visibility import Viewer

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
#: What reception reads when the plan is not for treatment (the why is the practitioner's to say).
NOT_CLEARED = ("This course is not cleared for treatment, so no sessions can be booked on it. Ask the "
               "practitioner: they will re-plan it when the patient may be treated.")
#: Words of the booking service's refusals that mean the time was taken (a 409, not a 422).
TAKEN_WORDS = ("no longer free", "is taken then", "no room is free")
SEARCH_LIMIT = 12


@dataclass
class Row:
    """One session of the course as the form shows it."""

    number: int
    day: dt.date | None
    time: str
    is_review: bool
    tapered: bool
    week: int
    checked: bool
    note: str = ""
    error: str = ""


@login_required
def course_start(request: HttpRequest) -> HttpResponse:
    """"Book a course": find the patient; their open courses each lead to the course's booking page."""
    Viewer(request.user)
    q = search_text(request.GET.get("q", ""))
    found: list[Patient] = []
    if q:
        qs = access.listed_patients(request.user)
        for term in q.split()[:4]:
            qs = qs.filter(Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(phone__icontains=term)
                           | Q(email__icontains=term))
        found = list(qs.only("id", "first_name", "last_name", "date_of_birth")[:SEARCH_LIMIT])
    courses: dict[int, list[Episode]] = {}
    for episode in Episode.objects.filter(patient__in=found, status=EpisodeStatus.OPEN).only(
            "id", "patient_id", "opened_on").order_by("-opened_on"):
        courses.setdefault(episode.patient_id, []).append(episode)
    audit.record(request.user, "list", object_type="Patient", ids=[p.pk for p in found], shown=len(found),
                 searched=bool(q), purpose="course_booking")
    return render(request, "scheduling/course_start.html", {
        "q": q, "found": [(p, courses.get(p.pk, [])) for p in found], "next": _next(request, "")})


def _settings(request: HttpRequest, episode: Episode, plan_week: int) -> dict[str, Any]:
    """Who, where, what and from when (the address's, the form's, or sensible defaults), and the preferences."""
    src = request.POST if request.method == "POST" else request.GET
    user = request.user
    choices = list(practitioners(user.clinic_id))
    viewer = Viewer(user)
    choices = [p for p in choices if viewer.sees(p.pk)]
    locations = list(Location.objects.filter(clinic_id=user.clinic_id, active=True))
    services = [s for s in Service.objects.filter(clinic_id=user.clinic_id, active=True) if not s.by_phone]
    wanted = optional_whole_number(src.get("practitioner", ""))
    prac = next((p for p in choices if p.pk == wanted), None) or _usual_practitioner(episode, user, choices)
    wanted = optional_whole_number(src.get("location", ""))
    location = next((loc for loc in locations if loc.pk == wanted), None) or first_location(user.clinic_id, prac)
    wanted = optional_whole_number(src.get("service", ""))
    service = next((s for s in services if s.pk == wanted), None) or next(
        (s for s in services if s.kind == ServiceKind.FOLLOW_UP_ACUPUNCTURE), services[0] if services else None)
    zone = zoneinfo.ZoneInfo(location.time_zone) if location else timezone.get_current_timezone()
    tomorrow = timezone.now().astimezone(zone).date() + dt.timedelta(days=1)
    first = optional_date(src.get("first", ""))
    first = first if first is not None and tomorrow - dt.timedelta(days=366) <= first <= tomorrow + \
        dt.timedelta(days=730) else tomorrow
    days = sorted({d for d in (optional_whole_number(x) for x in src.getlist("days")) if d is not None and d <= 6})
    if not days:
        spread = {1: [0], 2: [0, 3], 3: [0, 2, 4]}.get(plan_week, list(range(min(plan_week, 5))))
        days = sorted({(first.weekday() + d) % 7 for d in spread})
    try:
        at = clock(src.get("time", "") or "10:00")
        time_error = ""
    except Unreadable as exc:
        at, time_error = dt.time(10), str(exc)
    return {"practitioners": choices, "locations": locations, "services": services, "prac": prac,
            "location": location, "service": service, "first": first, "days": days, "at": at,
            "time_error": time_error, "zone": zone,
            "sessions": optional_whole_number(src.get("sessions", "")),
            "weekdays": list(enumerate(WEEKDAYS))}


def _usual_practitioner(episode: Episode, user: Staff, choices: list[Staff]) -> Staff | None:
    """The practitioner the patient sees: the user when they are one, else whoever last booked or charted."""
    ids = [p.pk for p in choices]
    if user.is_clinical and user.pk in ids:
        return user
    last = (Appointment.objects.filter(episode=episode, practitioner_id__in=ids).order_by("-start")
            .values_list("practitioner_id", flat=True).first()
            or episode.visits.filter(practitioner_id__in=ids).order_by("-date").values_list(
                "practitioner_id", flat=True).first())
    return next((p for p in choices if p.pk == last), choices[0] if choices else None)


def _already(episode: Episode, zone: zoneinfo.ZoneInfo) -> dict[int, str]:
    """The course's sessions already booked (live), by number: when."""
    return {a.course_session: short(a.start.astimezone(zone), with_time=True)
            for a in Appointment.objects.filter(episode=episode, status__in=LIVE_STATUSES,
                                                course_session__isnull=False).only("course_session", "start")}


def _proposed_rows(episode: Episode, s: dict[str, Any]) -> tuple[list[Row], course_booking.Proposal, str]:
    if s["prac"] is None or s["location"] is None or s["service"] is None:
        return [], course_booking.Proposal(), "The clinic has no practitioner, location or service set up yet."
    try:
        proposal = course_booking.proposal(
            episode, service=s["service"], practitioner=s["prac"], location=s["location"], first_day=s["first"],
            preferences=[Preference(d, s["at"]) for d in s["days"]], sessions=s["sessions"])
    except InputRefused as exc:
        proposal = course_booking.proposal(
            episode, service=s["service"], practitioner=s["prac"], location=s["location"], first_day=s["first"],
            preferences=[Preference(d, s["at"]) for d in s["days"]])
        return _rows(proposal, _already(episode, s["zone"]), s["zone"]), proposal, exc.problems[0].message
    return _rows(proposal, _already(episode, s["zone"]), s["zone"]), proposal, ""


def _rows(proposal: course_booking.Proposal, already: dict[int, str], zone: zoneinfo.ZoneInfo) -> list[Row]:
    """The proposal as rows of the sessions still to book: when some are booked already (the first visit, say),
    the next session takes the first proposed date, and so on; the review stays with its session's number."""
    visits = proposal.visits
    review = next((v.number for v in visits if v.is_review), None)
    numbers = [v.number for v in visits if v.number not in already]
    first_week = visits[0].wanted.date() if visits else None
    rows = []
    for number, v in zip(numbers, visits, strict=False):
        start = v.start.astimezone(zone) if v.start else None
        week = ((v.wanted.date() - first_week).days // 7 + 1) if first_week else 1
        rows.append(Row(number=number, day=(start or v.wanted).date(), time=f"{start:%H:%M}" if start else "",
                        is_review=number == review, tapered=v.tapered, week=week, checked=start is not None,
                        note=v.note))
    return rows


def _posted_rows(data: QueryDict, zone: zoneinfo.ZoneInfo, already: dict[int, str]) -> tuple[list[Row], list[
        tuple[Row, dt.datetime]], dict[str, str]]:
    """The rows as sent: every row (to show again) and those ticked with their start; problems by row."""
    rows: list[Row] = []
    chosen: list[tuple[Row, dt.datetime]] = []
    errors: dict[str, str] = {}
    numbers = [n for n in (optional_whole_number(x, 1, 200) for x in data.getlist("row")[:200]) if n is not None]
    for n in dict.fromkeys(numbers):
        day = optional_date(data.get(f"date_{n}", ""))
        time = search_text(data.get(f"time_{n}", ""), 5)
        row = Row(number=n, day=day, time=time, is_review=bool(data.get(f"review_{n}")),
                  tapered=bool(data.get(f"tapered_{n}")), week=optional_whole_number(data.get(f"week_{n}", ""),
                                                                                     1, 200) or 1,
                  checked=bool(data.get(f"book_{n}")))
        rows.append(row)
        if not row.checked:
            continue
        if n in already:
            row.error = errors[f"session_{n}"] = f"Session {n}: booked already ({already[n]})"
            continue
        try:
            when = iso_date(data.get(f"date_{n}", ""), what=f"Session {n}: the date")
            at = clock(time, what=f"Session {n}: the time")
        except Unreadable as exc:
            row.error = errors[f"session_{n}"] = str(exc)
            continue
        chosen.append((row, local(when, at, zone)))
    if not rows:
        errors["sessions"] = "Sessions: the form has no sessions; propose the course again"
    elif not chosen and not errors:
        errors["sessions"] = "Sessions: tick at least one session to book"
    return rows, chosen, errors


def _taken(problem: Problem) -> bool:
    return any(words in problem.message for words in TAKEN_WORDS)


@login_required
@require_http_methods(["GET", "POST"])
def course_book(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    viewer = Viewer(user)
    qs = access.scoped(user, Episode).select_related("patient", "clinic")
    episode = access.get_for(user, Episode, pk, kind=access.DEMOGRAPHIC, queryset=qs)
    revision = episode.plans.order_by("-number").first()
    typed = revision.typed if revision is not None else None
    plan_week = typed.schedule.sessions_per_week if typed is not None else 0
    s = _settings(request, episode, plan_week)
    context: dict[str, Any] = {"episode": episode, "patient": episode.patient, "viewer": viewer, "s": s,
                               "schedule": typed.schedule if typed is not None else None,
                               "next": _next(request, "")}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        already = _already(episode, s["zone"])
        rows, chosen, errors = _posted_rows(request.POST, s["zone"], already)
        reason = search_text(request.POST.get("override_reason", ""), MAX_REASON + 1)
        read = Read()
        read.text(request.POST, "override_reason", MAX_REASON, "Reason")
        errors.update(read.errors)
        for name, missing in (("practitioner", s["prac"]), ("location", s["location"]), ("service", s["service"])):
            if missing is None:
                errors[name] = f"{name.capitalize()}: choose one"
        if not errors:
            try:
                made = course_booking.book_course(
                    episode, practitioner=s["prac"], service=s["service"], location=s["location"],
                    visits=[CourseVisit(row.number, start, row.is_review) for row, start in chosen], by=user,
                    override_reason=reason)
            except InputRefused as exc:
                status = 409 if any(_taken(p) for p in exc.problems) else 422
                for p in exc.problems:
                    index = _session_index(p.path)
                    if index is not None and index < len(chosen):
                        row = chosen[index][0]
                        row.error = errors[f"session_{row.number}"] = f"Session {row.number}: {p.message}"
                    else:
                        errors[p.path or "sessions"] = p.message if viewer.clinical or p.path != "episode" \
                            else NOT_CLEARED
            else:
                first = made[0].start.astimezone(s["zone"])
                review = next((a for a in made if a.is_review), None)
                words = f", the review on {short(review.start.astimezone(s['zone']))}" if review else ""
                messages.success(request, f"Booked {len(made)} session{'s' if len(made) != 1 else ''} of the course "
                                          f"for {episode.patient.first_name} {episode.patient.last_name}: from "
                                          f"{short(first, with_time=True)}{words}.")
                return redirect(_next(request, calendar_url(f"{calendar_grid.PRACTITIONER}:{s['prac'].pk}",
                                                            calendar_grid.WEEK_VIEW, first.date())))
        if errors and status == 200:
            status = 422
        audit.attempted(user, "book_course", episode, patient_id=episode.patient_id, fields=sorted(errors))
        proposal = course_booking.Proposal(reason="" if typed is not None else NOT_CLEARED)
        context.update(rows=rows, proposal=proposal, errors=errors, settings_error="",
                       override_reason=search_text(request.POST.get("override_reason", ""), MAX_REASON))
    else:
        audit.record(user, "read", episode, patient_id=episode.patient_id, purpose="course_booking")
        rows, proposal, settings_error = _proposed_rows(episode, s)
        context.update(rows=rows, proposal=proposal, errors=errors, settings_error=settings_error or s["time_error"])
    context["reason"] = (proposal.reason if viewer.clinical else NOT_CLEARED) if proposal.reason else ""
    context["taken"] = status == 409
    context["already"] = sorted(_already(episode, s["zone"]))
    context["booked"] = list(Appointment.objects.filter(episode=episode, course_session__isnull=False)
                             .select_related("practitioner").order_by("start"))
    with timezone.override(s["zone"]):
        return render(request, "scheduling/course.html", context, status=status)


def short(moment: dt.datetime, *, with_time: bool = False) -> str:
    """"Mon 7 Dec" (and "10:00")."""
    return f"{moment:%a} {moment.day} {moment:%b}" + (f" {moment:%H:%M}" if with_time else "")


def _session_index(path: str) -> int | None:
    """`sessions[2].start` → 2."""
    if not path.startswith("sessions["):
        return None
    return optional_whole_number(path[len("sessions["):].split("]", 1)[0])
