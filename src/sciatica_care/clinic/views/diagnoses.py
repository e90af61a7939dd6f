"""The course's ICD-10-CM diagnosis: the suggestion from the assessment (cause, side, nerve root), confirmed or
changed by the practitioner (clinical staff only), version-checked and audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sciatica_care.clinic import access, audit, billing, clinical, records
from sciatica_care.clinic.forms import DiagnosisForm
from sciatica_care.clinic.models import Episode
from sciatica_care.errors import InputRefused


def _episode(request: HttpRequest, pk: int) -> Episode:
    qs = access.scoped(request.user, Episode).select_related("patient", "diagnoses_confirmed_by")
    return access.get_for(request.user, Episode, pk, queryset=qs)


def _page(request: HttpRequest, episode: Episode, form: DiagnosisForm, *, status: int = 200,
          conflict: str = "", problems: list[str] | None = None) -> HttpResponse:
    suggestion = billing.suggestion(episode)
    choices = {c.id: c for c in clinical.diagnosis_choices()}
    return render(request, "clinic/diagnosis.html", {
        "episode": episode, "patient": episode.patient, "form": form, "conflict": conflict,
        "problems": problems or [], "suggested": [choices[i] for i in suggestion.diagnoses if i in choices],
        "alternatives": [choices[i] for i in suggestion.alternatives if i in choices],
        "reasons": suggestion.reasons, "sources": suggestion.sources,
        "confirmed": list(zip("ABCD", episode.diagnoses, strict=False))}, status=status)


def _initial(episode: Episode) -> dict[str, Any]:
    ids = [d["id"] for d in episode.diagnoses] or list(billing.suggestion(episode).diagnoses)
    return {"version": episode.version, **{f"dx_{letter}": i for letter, i in zip("ABCD", ids, strict=False)}}


@login_required
@require_http_methods(["GET", "POST"])
def diagnosis(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode(request, pk)
    if request.method == "GET":
        audit.record(request.user, "read", episode, patient_id=episode.patient_id, purpose="diagnosis")
        return _page(request, episode, DiagnosisForm(initial=_initial(episode)))
    form = DiagnosisForm(request.POST)
    if not form.is_valid():
        audit.attempted(request.user, "confirm_diagnosis", episode, patient_id=episode.patient_id,
                        fields=form.errors)
        return _page(request, episode, form, status=422)
    expected = form.cleaned_data["version"]
    try:
        billing.confirm_diagnoses(request.user, episode, expected, form.chosen())
    except records.Conflict as exc:
        episode.refresh_from_db()
        audit.record(request.user, "conflict", episode, expected=expected, current=exc.current_version)
        data = request.POST.copy()
        data["version"] = str(episode.version)
        return _page(request, episode, DiagnosisForm(data), status=409,
                     conflict="Someone else changed this course while you had this page open: the diagnoses "
                              "now stored are shown above. Check them, then confirm yours again.")
    except InputRefused as exc:
        audit.attempted(request.user, "confirm_diagnosis", episode, patient_id=episode.patient_id,
                        fields=exc.problems)
        return _page(request, episode, form, status=422, problems=[p.message for p in exc.problems])
    messages.success(request, "Diagnosis confirmed: " + ", ".join(d["code"] for d in episode.diagnoses) + ".")
    return redirect("clinic:episode", pk=episode.pk)
