from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sciatica_care.clinic import access, audit, records, visit_form, vocab
from sciatica_care.clinic.models import Episode, Visit
from sciatica_care.errors import InputRefused


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    qs = access.scoped(request.user, Episode).select_related("patient")
    episode = access.get_for(request.user, Episode, pk, queryset=qs)
    plan = episode.plans.order_by("-number").first()
    previous = episode.visits.order_by("-date", "-id").first()
    problems = []
    if request.method == "POST":
        fields, odi, problems = visit_form.read(request.POST, plan)
        if not problems:
            try:
                visit = records.chart_visit(request.user, episode, plan, fields, odi)
            except InputRefused as exc:
                problems = [type(p)(f"odi{p.path[len('answers'):]}" if p.path.startswith("answers") else p.path,
                                    p.message) for p in exc.problems]
            else:
                if visit.needling_stopped and visit.red_flags_found:
                    return redirect("clinic:visit_detail", pk=visit.pk)
                messages.success(request, "Session charted.")
                return redirect("clinic:episode", pk=episode.pk)
    else:
        audit.record(request.user, "read", episode, patient_id=episode.patient_id, purpose="chart")
    context = {
        "episode": episode, "patient": episode.patient, "plan": plan, "previous": previous,
        "init": visit_form.initial(plan, previous), "problems": problems,
        "errors": {p.path: p.message for p in problems}, "post": request.POST if request.method == "POST" else None,
        "red_flag_groups": vocab.RED_FLAG_GROUPS, "sides": vocab.SIDES, "odi_range": range(10),
        "odi_values": range(6),
    }
    return render(request, "clinic/visit_form.html", context, status=422 if problems else 200)


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = access.scoped(request.user, Visit).select_related("episode__patient", "practitioner", "plan")
    visit = access.get_for(request.user, Visit, pk, queryset=qs)
    audit.record(request.user, "read", visit, patient_id=visit.episode.patient_id)
    return render(request, "clinic/visit_detail.html", {
        "visit": visit, "episode": visit.episode, "patient": visit.episode.patient,
        "scores": list(visit.scores.all()), "red_flag_labels": vocab.RED_FLAG_LABELS,
        "advice": (visit.plan.plan.get("triage", {}).get("advice") if visit.plan else ""),
    })
