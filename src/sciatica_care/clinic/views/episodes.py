from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sciatica_care.clinic import (
    access,
    audit,
    billing,
    clinical,
    episode_progress,
    figures,
    intake_checks,
    intake_form,
    letter_facts,
    pain_drawing,
    questionnaires,
    records,
)
from sciatica_care.clinic.input_cleaning import search_text
from sciatica_care.clinic.models import UNREADABLE_PLAN, Episode, Patient, PlanRevision
from sciatica_care.errors import InputRefused, Problem


@login_required
@require_http_methods(["GET", "POST"])
def episode_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The first intake of a new course: nothing is stored until it is saved, and then the course, the intake and
    its plan are stored together (`records.open_course`), so an intake started and abandoned leaves no course."""
    patient = access.get_for(request.user, Patient, pk)
    title = search_text(request.POST.get("title") or request.GET.get("title") or "",
                        Episode._meta.get_field("title").max_length or 200) or "Sciatica"
    episode = Episode(clinic_id=patient.clinic_id, patient=patient, title=title)
    return _intake_page(request, episode, lambda data: records.open_course(request.user, patient, data, title),
                        reverse("clinic:course_preview", args=[patient.pk]))


def _episode(request: HttpRequest, pk: int) -> Episode:
    qs = access.scoped(request.user, Episode).select_related("patient", "clinic", "diagnoses_confirmed_by")
    return access.get_for(request.user, Episode, pk, queryset=qs)


@login_required
def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The episode timeline: intakes and plans, visits and scores, in date order."""
    episode = _episode(request, pk)
    audit.record(request.user, "read", episode, patient_id=episode.patient_id)
    plans = list(episode.plans.select_related("created_by"))
    visits = list(episode.visits.select_related("practitioner").prefetch_related("scores"))
    events: list[dict[str, Any]] = [{"when": p.created_at.date(), "kind": "plan", "obj": p} for p in plans]
    events += [{"when": v.date, "kind": "visit", "obj": v} for v in visits]
    events.sort(key=lambda e: (e["when"], e["kind"] == "visit"))
    course = episode_progress.episode_progress(episode)
    due = questionnaires.due_for(episode.clinic, len(visits) + 1)
    long_due = [d.measure for d in due if d.measure in records.LINK_MEASURES]
    link_choices = [(m, episode_progress.MEASURE_NAMES[m], m in long_due) for m in
                    dict.fromkeys([*long_due, episode.clinic.disability_instrument, "sbi", "startback"])]
    current = plans[-1] if plans else None
    return render(request, "clinic/episode_detail.html", {
        "episode": episode, "patient": episode.patient, "events": events,
        "current_plan": current, "n_visits": len(visits),
        "refers": letter_facts.refers(current, visits, (a.id for a in course.advice)),
        "course": course, "series": list(course.series.values()),
        "has_chart": bool(course.chart_series(("nrs_leg", "nrs_back", "odi", "rmdq"))),
        "chart_version": sum(len(s.points) for s in course.series.values()),
        "matched_care": course.matched_care, "link_choices": link_choices,
        "source_words": episode_progress.SOURCE_WORDS,
        "suggested_diagnoses": [] if episode.diagnoses else billing.suggested_choices(episode)})


def _initial_intake(episode: Episode) -> dict[str, Any]:
    last = episode.intakes.order_by("-recorded_at", "-id").first() if episode.pk is not None else None
    if last is not None:
        return dict(last.data)
    patient = episode.patient
    initial: dict[str, Any] = {"patient": {"age": patient.age_on(timezone.localdate())}}
    if patient.sex:
        initial["patient"]["sex"] = patient.sex
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode(request, pk)
    return _intake_page(request, episode, lambda data: records.record_intake(request.user, episode, data),
                        reverse("clinic:intake_preview", args=[episode.pk]))


def _intake_page(request: HttpRequest, episode: Episode, save: Callable[[dict[str, Any]], PlanRevision],
                 preview_url: str) -> HttpResponse:
    """The intake form of a course (`episode`, unsaved for a new course): `save` stores a valid intake."""
    problems: list[Problem] = []
    if request.method == "POST":
        data, problems = intake_form.read(request.POST)
        if not request.POST.get("red_flags_screened"):
            problems.append(Problem("red_flags", "confirm that you asked every red-flag question"))
        if not problems:
            try:
                revision = save(data)
            except InputRefused as exc:
                problems = list(exc.problems)
            else:
                return redirect("clinic:plan", pk=revision.pk)
    else:
        data = _initial_intake(episode)
        if episode.pk is not None:
            audit.record(request.user, "read", episode, patient_id=episode.patient_id, purpose="intake")
        else:
            audit.record(request.user, "read", episode.patient, purpose="intake_new_course")
    if problems:
        audit.attempted(request.user, "create", object_type="Intake", patient_id=episode.patient_id,
                        fields=problems, episode=episode.pk)
    drawn = pain_drawing.from_form(request.POST, data) if request.method == "POST" else pain_drawing.from_intake(data)
    posted = request.POST if request.method == "POST" else None
    return render(request, "clinic/intake.html", {
        "episode": episode, "patient": episode.patient, "groups": intake_form.groups(data, problems, posted),
        "top_problems": intake_form.unplaced(problems), "has_problems": bool(problems),
        "screened": request.POST.get("red_flags_screened") if request.method == "POST" else False,
        "drawing": pain_drawing.context(*drawn), "preview_url": preview_url},
        status=422 if problems else 200)


@login_required
@require_POST
def intake_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the plan the engine would give for the form as it stands (nothing is stored)."""
    return _preview(request, _episode(request, pk))


@login_required
@require_POST
def course_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: as `intake_preview`, for the first intake of a course not yet stored (`pk` is the patient's)."""
    patient = access.get_for(request.user, Patient, pk)
    return _preview(request, Episode(clinic_id=patient.clinic_id, patient=patient))


def _preview(request: HttpRequest, episode: Episode) -> HttpResponse:
    audit.record(request.user, "read", episode if episode.pk is not None else episode.patient,
                 patient_id=episode.patient_id, purpose="intake_preview")
    data, problems = intake_form.read(request.POST)
    plan: clinical.Plan | None = None
    if not problems:
        try:
            planned = clinical.plan_for(data)
        except InputRefused as exc:
            problems = list(exc.problems)
        else:
            plan = planned.plan
            if plan is None:  # never shown as a plan to treat from
                problems = [Problem("", f"{UNREADABLE_PLAN} ({planned.unreadable})")]
    return render(request, "clinic/_plan_preview.html", {"plan": plan, "problems": problems, "episode": episode,
                                                         "recorded": intake_checks.recorded(data)})


#: What the plan page shows around the plan's body (and what the audit event names).
PLAN_PAGE_FIELDS = ("clinic_id", "number", "engine_version", "knowledge_version", "reason", "created_at",
                    "episode__clinic_id", "episode__patient_id", "episode__outcome__startback_band",
                    "episode__patient__first_name", "episode__patient__last_name",
                    "created_by__username", "created_by__first_name", "created_by__last_name", "intake__data")


@login_required
def plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    # The plan itself is not decoded here: the body (plan tables + body figure) depends on the stored plan alone,
    # so it is rendered once per distinct plan and cached under a digest of the stored text (figures.py).
    # Access check and audit stay here, on every request.
    qs = (access.scoped(request.user, PlanRevision)
          .select_related("episode__patient", "episode__outcome", "created_by", "intake")
          .only(*PLAN_PAGE_FIELDS).annotate(plan_text=figures.stored_plan_text()))
    revision = access.get_for(request.user, PlanRevision, pk, queryset=qs)
    audit.record(request.user, "read", revision, patient_id=revision.episode.patient_id)
    body = figures.cached_plan_body(revision, revision.plan_text)  # type: ignore[attr-defined]
    return render(request, "clinic/plan.html", {
        "revision": revision, "episode": revision.episode, "patient": revision.episode.patient,
        "plan_body": body.html, "plan_timing": body.timing, "treatment_allowed": body.treatment_allowed,
        "recorded": intake_checks.recorded(revision.intake.data),
        "matched_care": episode_progress.matched_care_for(revision.episode)})
