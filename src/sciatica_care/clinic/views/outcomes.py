"""Outcome pages: the episode's progress chart, one-time questionnaire links and the tablet mode, and the page a
patient fills a questionnaire in on (no account: the link's token is the only key)."""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sciatica_care.clinic import access, audit, episode_progress, figures, kiosk, questionnaires, records, throttle
from sciatica_care.clinic.clinical import INSTRUMENTS
from sciatica_care.clinic.models import Episode
from sciatica_care.clinic.views.auth import client_address
from sciatica_care.errors import InputRefused, Problem

CHART_MEASURES = ("nrs_leg", "nrs_back", "odi", "rmdq")
UNUSABLE = {
    "unknown": "This link is not valid.",
    "used": "This questionnaire has already been filled in with this link.",
    "expired": "This link has expired.",
}


def _episode(request: HttpRequest, pk: int) -> Episode:
    qs = access.scoped(request.user, Episode).select_related("patient", "clinic")
    return access.get_for(request.user, Episode, pk, queryset=qs)


@login_required
@never_cache
# The SVG is shown as an image; matplotlib styles its shapes inline, which the SVG document itself needs.
@csp_replace({"style-src": [SELF, UNSAFE_INLINE]})
def progress_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """The episode's progress chart (SVG): pain and disability over time with the minimal-important-change band."""
    episode = _episode(request, pk)
    audit.record(request.user, "read", episode, patient_id=episode.patient_id, purpose="progress_chart")
    data = episode_progress.episode_progress(episode)
    return HttpResponse(figures.progress_chart_svg(data.chart_series(CHART_MEASURES)), content_type="image/svg+xml")


@login_required
@require_POST
def link_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a one-time link (shown once) or, in tablet mode, open the questionnaire on this device at once."""
    episode = _episode(request, pk)
    measure = request.POST.get("measure", "")
    mode = "tablet" if request.POST.get("mode") == "tablet" else "link"
    try:
        link, token = records.create_questionnaire_link(request.user, episode, measure, mode=mode,
                                                        hours=1 if mode == "tablet" else records.LINK_HOURS)
    except InputRefused as exc:
        audit.attempted(request.user, "create", object_type="QuestionnaireLink", patient_id=episode.patient_id,
                        fields=exc.problems)
        return HttpResponse(format_html('<p class="error" role="alert">Questionnaire: {}</p>',
                                        "; ".join(p.message for p in exc.problems)), status=422)
    url = reverse("clinic:questionnaire", args=[token])
    if mode == "tablet":
        kiosk.lock(request, url, episode)  # the session reaches this questionnaire only, until unlocked
        return redirect(url)
    return render(request, "clinic/questionnaire_link.html", {
        "episode": episode, "patient": episode.patient, "link": link,
        "url": request.build_absolute_uri(url), "name": INSTRUMENTS[measure].name})


@never_cache
@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's page: no account, no navigation; the link works once and expires. CSRF-protected.

    Guessing tokens is throttled per client address (throttle.py): after too many unknown tokens from one
    address, every link from it is refused for a while with 429, before any lookup."""
    address = client_address(request)
    if throttle.link_locked(address):
        return throttle.lockout_page(request, "clinic/questionnaire_throttled.html")
    try:
        link = records.usable_link(token)
    except records.LinkUnusable as exc:
        if exc.reason == "unknown" and throttle.link_failed(address):
            audit.record(None, "questionnaire_link_throttled", address=address, limit=throttle.link_limit())
        return render(request, "clinic/questionnaire_gone.html", {"reason": UNUSABLE[exc.reason]}, status=410)
    problems: list[Problem] = []
    if request.method == "POST":
        answers, problems = questionnaires.sent_answers(request.POST, link.measure)
        if answers is not None:
            try:
                records.complete_questionnaire_link(token, list(answers))
            except records.LinkUnusable as exc:
                return render(request, "clinic/questionnaire_gone.html", {"reason": UNUSABLE[exc.reason]},
                              status=410)
            except InputRefused as exc:
                problems = questionnaires.problem_paths(link.instrument, exc.problems)
            else:
                return render(request, "clinic/questionnaire_done.html", {"tablet": link.mode == "tablet"})
    if request.method == "GET":
        audit.record(None, "patient_opened", link, patient_id=link.episode.patient_id, clinic_id=link.clinic_id,
                     mode=link.mode)
    if problems:
        audit.attempted(None, "create", link, patient_id=link.episode.patient_id, clinic_id=link.clinic_id,
                        fields=problems)
    form = questionnaires.questionnaire(link.measure, request.POST if request.method == "POST" else None)
    return render(request, "clinic/questionnaire_fill.html", {
        "form": form, "problems": problems, "errors": {p.path: p.message for p in problems},
        "tablet": link.mode == "tablet"}, status=422 if problems else 200)
