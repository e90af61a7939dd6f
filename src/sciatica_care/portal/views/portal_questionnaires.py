"""Questionnaires the clinic has asked for, filled in inside the portal (the clinic's own questionnaire forms and
scoring: `clinic/questionnaires.py`, `records.complete_questionnaire_in_portal`). A questionnaire is found among
the signed-in patient's own (another patient's number is 404)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sciatica_care.clinic import audit, questionnaires, records
from sciatica_care.errors import InputRefused, Problem
from sciatica_care.portal import patient_record
from sciatica_care.portal.access import patient_required


@never_cache
@patient_required
@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, pk: int) -> HttpResponse:
    patient = request.patient  # type: ignore[attr-defined]
    link = patient_record.questionnaires_due(patient).filter(pk=pk).first()
    if link is None:
        raise Http404("no such questionnaire to fill in")
    problems: list[Problem] = []
    if request.method == "POST":
        answers, problems = questionnaires.sent_answers(request.POST, link.measure)
        if answers is not None:
            try:
                records.complete_questionnaire_in_portal(request.user, link, list(answers))  # type: ignore[arg-type]
            except records.LinkUnusable:
                raise Http404("this questionnaire has been filled in already") from None
            except InputRefused as exc:
                problems = questionnaires.problem_paths(link.instrument, exc.problems)
            else:
                return render(request, "portal/questionnaire_done.html", {"nav": "home"})
        audit.attempted(request.user, "create", link, patient_id=patient.pk, fields=problems)  # type: ignore[arg-type]
    else:
        audit.record(request.user, "patient_opened", link, patient_id=patient.pk, mode="portal")  # type: ignore[arg-type]
    form = questionnaires.questionnaire(link.measure, request.POST if request.method == "POST" else None)
    return render(request, "portal/questionnaire.html", {
        "nav": "home", "form": form, "problems": problems, "errors": {p.path: p.message for p in problems}},
        status=422 if problems else 200)
