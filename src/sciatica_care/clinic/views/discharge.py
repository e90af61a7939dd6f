"""The discharge summary: a printable page and a one-page PDF, scoped to the clinic and audited; and discharging
the course itself (a POST that records the date and closes it) or reopening it, each version-checked and audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sciatica_care.clinic import access, audit, discharge_summary, records
from sciatica_care.clinic.forms import DischargeForm, ReopenForm
from sciatica_care.clinic.models import Episode, EpisodeStatus
from sciatica_care.errors import InputRefused


def _episode(request: HttpRequest, pk: int) -> Episode:
    qs = access.scoped(request.user, Episode).select_related("patient", "clinic")
    return access.get_for(request.user, Episode, pk, queryset=qs)


def _page(request: HttpRequest, episode: Episode, *, discharge_form: DischargeForm | None = None,
          reopen_form: ReopenForm | None = None, conflict: str = "", problems: list[str] | None = None,
          status: int = 200) -> HttpResponse:
    closed = episode.status == EpisodeStatus.CLOSED
    context: dict[str, Any] = {
        "episode": episode, "patient": episode.patient, "s": discharge_summary.summary(episode), "closed": closed,
        "conflict": conflict, "problems": problems or [],
        "discharge_form": None if closed else discharge_form or DischargeForm(
            initial={"version": episode.version, "discharged_on": timezone.localdate()}),
        "reopen_form": reopen_form or ReopenForm(initial={"version": episode.version}) if closed else None,
    }
    return render(request, "clinic/discharge.html", context, status=status)


@login_required
@require_GET
def discharge_html(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode(request, pk)
    audit.record(request.user, "read", episode, patient_id=episode.patient_id, purpose="discharge_summary")
    return _page(request, episode)


@login_required
@require_GET
@never_cache
def discharge_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from sciatica_care.reports.discharge_pdf import discharge_pdf as build

    episode = _episode(request, pk)
    audit.record(request.user, "print", episode, patient_id=episode.patient_id, document="discharge_pdf")
    response = HttpResponse(build(discharge_summary.summary(episode)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="discharge-{episode.pk}.pdf"'
    return response


def _refused(form: DischargeForm | ReopenForm, exc: InputRefused) -> list[str]:
    """Put each problem under its field; return those that belong to no field (about the course itself)."""
    rest = []
    for problem in exc.problems:
        if problem.path in form.fields:
            form.add_error(problem.path, problem.message)
        else:
            rest.append(problem.message)
    return rest


def _change_course(request: HttpRequest, pk: int, form_class: type[DischargeForm] | type[ReopenForm],
                   form_name: str, change: Callable[[Episode, int, dict[str, Any]], Any],
                   conflict: Callable[[Episode], str], done: Callable[[Episode], str]) -> HttpResponse:
    """Discharge or reopen: the form, then the version-checked change; a stale page gets a conflict (409) and
    nothing is written, a refused value goes under its field (422)."""
    episode = _episode(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        audit.attempted(request.user, form_name.removesuffix("_form"), episode, patient_id=episode.patient_id,
                        fields=form.errors)
        # The page shows only the form the course's state allows: a refusal of the other one is said above it.
        shown = (episode.status == EpisodeStatus.CLOSED) == (form_name == "reopen_form")
        problems = None if shown else [str(m) for msgs in form.errors.values() for m in msgs]
        return _page(request, episode, status=422, problems=problems, **{form_name: form})
    expected = form.cleaned_data["version"]
    try:
        change(episode, expected, form.cleaned_data)
    except records.Conflict as exc:
        episode.refresh_from_db()
        audit.record(request.user, "conflict", episode, expected=expected, current=exc.current_version)
        return _page(request, episode, conflict=conflict(episode), status=409)
    except InputRefused as exc:
        rest = _refused(form, exc)
        audit.attempted(request.user, form_name.removesuffix("_form"), episode, patient_id=episode.patient_id,
                        fields=exc.problems)
        episode.refresh_from_db()
        return _page(request, episode, problems=rest, status=422, **{form_name: form})
    messages.success(request, done(episode))
    return redirect("clinic:episode", pk=episode.pk)


@login_required
@require_POST
def discharge_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Discharge the course: record the date and close it."""
    return _change_course(
        request, pk, DischargeForm, "discharge_form",
        lambda episode, expected, data: records.discharge_episode(request.user, episode, expected,
                                                                  data["discharged_on"]),
        lambda episode: (
            "Someone else changed this course while you had this page open, so it was not discharged. "
            f"It is now {episode.get_status_display().lower()}: check the summary below"
            + (" and discharge it again if that is still right." if episode.status != EpisodeStatus.CLOSED
               else ".")),
        lambda episode: (f"Course discharged on {episode.closed_on.day} {episode.closed_on:%b %Y}: it is closed, "
                         "and no further session can be charted on it unless it is reopened from its discharge "
                         "summary."))


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a discharged course, saying why (audited)."""
    return _change_course(
        request, pk, ReopenForm, "reopen_form",
        lambda episode, expected, data: records.reopen_episode(request.user, episode, expected, data["reason"]),
        lambda episode: ("Someone else changed this course while you had this page open, so it was not reopened. "
                         f"It is now {episode.get_status_display().lower()}."),
        lambda episode: "Course reopened: sessions can be charted on it again.")
