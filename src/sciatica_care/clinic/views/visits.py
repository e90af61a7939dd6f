from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sciatica_care.clinic import (
    access,
    audit,
    billing,
    clinical,
    episode_progress,
    questionnaires,
    records,
    visit_form,
    vocab,
)
from sciatica_care.clinic.clinical import INSTRUMENTS
from sciatica_care.clinic.forms import VERSION_ERRORS
from sciatica_care.clinic.input_cleaning import optional_date, search_text
from sciatica_care.clinic.models import Episode, EpisodeStatus, Visit
from sciatica_care.clinic.signals import visit_charted
from sciatica_care.errors import InputRefused, Problem


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    qs = access.scoped(request.user, Episode).select_related("patient", "clinic", "outcome")
    episode = access.get_for(request.user, Episode, pk, queryset=qs)
    if episode.status == EpisodeStatus.CLOSED:
        # A discharged course takes no more sessions: say so before anything is typed (records.chart_visit refuses
        # it too), with the way to reopen it or to open a new course.
        audit.record(request.user, "read", episode, patient_id=episode.patient_id, purpose="chart_refused_closed")
        return render(request, "clinic/episode_closed.html", {
            "episode": episode, "patient": episode.patient,
            "message": records.EpisodeClosed(episode).problems[0].message}, status=409)
    if not episode.patient.consent_treatment:
        # No consent to treatment recorded: no session is charted (records.chart_visit refuses it too); say so
        # before anything is typed, with the way to record it.
        audit.record(request.user, "read", episode, patient_id=episode.patient_id, purpose="chart_refused_consent")
        return render(request, "clinic/no_consent.html", {
            "episode": episode, "patient": episode.patient,
            "message": records.NoConsent(episode.patient).problems[0].message}, status=409)
    plan = episode.plans.order_by("-number").first()
    previous = episode.visits.order_by("-date", "-id").first()
    number = questionnaires.next_visit_number(episode)
    discharge = bool(request.POST.get("discharge") if request.method == "POST" else request.GET.get("discharge"))
    due = questionnaires.due_for(episode.clinic, number, discharge=discharge)
    # Asked: what is due at this visit, and anything else the form was sent with.
    asked = [d.measure for d in due if d.measure in questionnaires.LONG_FORMS]
    problems: list[Problem] = []
    form = None
    # Opened from an appointment on the calendar: the form carries its number, and saving tells the calendar.
    appointment = search_text((request.POST if request.method == "POST" else request.GET).get("appointment", ""), 20)
    if request.method == "POST":
        asked += [m for m in questionnaires.LONG_FORMS if m not in asked and any(
            request.POST.get(f"{m}_{k}") for k in range(len(INSTRUMENTS[m].items)))]
        form, fields, problems = visit_form.read(request.POST, episode, plan)
        answers: dict[str, list[object]] = {}
        for measure in asked:
            got, bad = questionnaires.read_answers(request.POST, measure)
            problems += bad
            if got is not None:
                answers[measure] = list(got)
        if not problems:
            try:
                visit = records.chart_visit(request.user, episode, plan, fields, questionnaires=answers)
            except InputRefused as exc:
                problems = list(exc.problems)
            else:
                visit_charted.send(sender=Visit, visit=visit, by=request.user, appointment=appointment)
                if visit.needling_stopped and visit.red_flags_found:
                    return redirect("clinic:visit_detail", pk=visit.pk)
                unplanned = ", ".join(f"{p['code']} {p['side']}" for p in visit.unplanned_points)
                messages.success(request, "Session charted." + (f" Not in the plan: {unplanned}." if unplanned else ""))
                return redirect("clinic:episode", pk=episode.pk)
    else:
        audit.record(request.user, "read", episode, patient_id=episode.patient_id, purpose="chart")
    if problems:
        audit.attempted(request.user, "create", object_type="Visit", patient_id=episode.patient_id,
                        fields=problems, episode=episode.pk)
    # A submission that failed validation comes back exactly as it was sent: nothing ticked or typed is lost.
    init = visit_form.from_post(form, problems) if problems and form is not None else visit_form.initial(plan, previous)
    asked_day = optional_date(request.GET.get("date", "")) if request.method == "GET" else None
    if asked_day is not None and (episode.opened_on is None or asked_day >= episode.opened_on) \
            and asked_day <= timezone.localdate():
        init["date"] = asked_day.isoformat()  # the day of the appointment it is charted from
    reasons = {d.measure: d.reasons for d in due}
    forms = [questionnaires.questionnaire(m, request.POST if request.method == "POST" else None,
                                          reasons.get(m, ())) for m in asked]
    context = {
        "episode": episode, "patient": episode.patient, "plan": plan, "previous": previous,
        "init": init, "problems": problems, "errors": {p.path: p.message for p in problems},
        "red_flag_groups": init["red_flag_groups"], "sides": visit_form.SIDES,
        "charted_today": episode.visits.filter(date=timezone.localdate()).select_related("practitioner").first(),
        "date_min": episode.opened_on.isoformat() if episode.opened_on else "",
        "date_max": timezone.localdate().isoformat(),
        "visit_number": number, "discharge": discharge, "forms": forms,
        "due_names": [(episode_progress.MEASURE_NAMES.get(d.measure, d.measure),
                       ", ".join(questionnaires.REASON_WORDS.get(r, r) for r in d.reasons)) for d in due],
        "matched_care": episode_progress.matched_care_for(episode),
        "payer_warning": episode_progress.payer_warning(episode, number),
        "appointment": appointment,
    }
    return render(request, "clinic/visit_form.html", context, status=422 if problems else 200)


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = access.scoped(request.user, Visit).select_related("episode__patient", "practitioner", "plan")
    visit = access.get_for(request.user, Visit, pk, queryset=qs)
    audit.record(request.user, "read", visit, patient_id=visit.episode.patient_id)
    referral = visit.red_flag_advice
    if visit.red_flags_found and not referral:  # a session charted before the advice was stored with it
        known = {flag for _, flag, _ in clinical.recheck_questions()}
        check = clinical.recheck([f for f in visit.red_flags_found if f in known])
        referral = f"{check.timing} {check.advice}"
    return render(request, "clinic/visit_detail.html", {
        "visit": visit, "episode": visit.episode, "patient": visit.episode.patient,
        "scores": list(visit.scores.all()), "red_flag_labels": vocab.RED_FLAG_LABELS, "referral": referral,
        "bill": billing.visit_bill(visit),
        # The plan's own triage advice only when the plan itself stopped treatment: a routine plan's "treatment
        # may go ahead" must never sit under a red flag found on re-check.
        "advice": visit.plan.advice if visit.plan and not visit.plan.treatment_allowed else "",
    })


class VisitNotesForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)
    adverse_events = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                     label="Adverse events")
    subjective = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="S — subjective")
    objective = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="O — objective")
    assessment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="A — assessment")
    plan_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="P — plan")


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Amend a session's notes. Two people saving at once: the second gets a conflict, keeps their text, and sees
    what the first one saved; the text an amendment replaces is kept in the audit log."""
    qs = access.scoped(request.user, Visit).select_related("episode__patient")
    visit = access.get_for(request.user, Visit, pk, queryset=qs)
    context = {"visit": visit, "episode": visit.episode, "patient": visit.episode.patient}
    if request.method == "POST":
        form = VisitNotesForm(request.POST)
        if form.is_valid():
            notes = {k: form.cleaned_data[k].strip() for k in records.VISIT_NOTE_FIELDS}
            expected = form.cleaned_data["version"]
            try:
                records.update_visit_notes(request.user, visit, expected, notes)
            except records.Conflict as exc:
                visit.refresh_from_db()
                data = request.POST.copy()
                data["version"] = str(visit.version)  # saving again, having seen theirs, is deliberate
                audit.record(request.user, "conflict", visit, expected=expected, current=exc.current_version)
                theirs = [(form.fields[k].label, getattr(visit, k)) for k in records.VISIT_NOTE_FIELDS
                          if getattr(visit, k) != notes[k]]
                return render(request, "clinic/visit_edit.html", {
                    **context, "form": VisitNotesForm(data), "conflict": str(exc), "theirs": theirs}, status=409)
            messages.success(request, "Notes saved.")
            return redirect("clinic:visit_detail", pk=visit.pk)
        audit.attempted(request.user, "update", visit, patient_id=visit.episode.patient_id, fields=form.errors)
        return render(request, "clinic/visit_edit.html", {**context, "form": form}, status=422)
    audit.record(request.user, "read", visit, patient_id=visit.episode.patient_id, purpose="edit")
    form = VisitNotesForm(initial={"version": visit.version, **{k: getattr(visit, k) for k in
                                                                records.VISIT_NOTE_FIELDS}})
    return render(request, "clinic/visit_edit.html", {**context, "form": form})
