"""The patient's home programme page and its "done" forms.

The page shows only the patient's own current programme (`request.patient`), with a timer for each pressure
point and for the warm-up; every showing is audited. Marking a part done is a one-time submission (`submit_once`)
checked against the programme as it is now: a refusal answers 422 (409 when the plan changed since the page was
opened) with the page shown again and every problem named by its field, audited as an attempted write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from sciatica_care.clinic import audit, submission
from sciatica_care.clinic.submission import submit_once
from sciatica_care.portal.access import patient_required
from sciatica_care.portal.adherence import record_done
from sciatica_care.portal.current_programme import CurrentProgramme, current_programme
from sciatica_care.portal.done_form import DoneForm
from sciatica_care.portal.models.adherence_record import AdherenceRecord, DoneKind, Felt
from sciatica_care.reports.home_programme import (
    ADAPTED_NOTE,
    NO_LYING_NOTE,
    THERMAL_WORDS,
    UNCHECKED_NOTE,
    ExerciseItem,
    PressPoint,
)

FORM = "programme_done"
#: Seconds between two sets (moving the thumb or the ball to the other side): the project's own choice.
REST_SECONDS = 15
SIDE_WORDS = {"right": "Right side", "left": "Left side"}
WORSE_ADVICE = ("You said this made things worse: leave it out until you have talked to your practitioner, and "
                "get help as your warning signs say if anything new or worrying happens.")


@dataclass(frozen=True)
class Refusal:
    kind: str
    item: str
    problems: list[tuple[str, str]]
    felt: str
    note: str


def anchor(kind: str, item: str) -> str:
    return "session" if kind == DoneKind.SESSION else f"{kind}-{item}".lower().replace(".", "-")


def _timer(minutes: list[int], labels: list[str], name: str) -> dict[str, Any]:
    """A timer's settings: the hold lengths offered (the plan's range, shortest first and chosen), the sets (one
    per label), the rest between sets."""
    return {"options": [(m * 60, f"{m} minute{'s' if m != 1 else ''}") for m in minutes], "default": minutes[0] * 60,
            "sets": len(labels), "labels": "|".join(labels), "rest": REST_SECONDS, "name": name}


def _point(pt: PressPoint, done: dict[str, str], token: str) -> dict[str, Any]:
    lo, hi = pt.hold_minutes
    sides = [SIDE_WORDS[s] for s in pt.sides]
    here = anchor(DoneKind.ACUPRESSURE, pt.code)
    return {
        "pt": pt, "anchor": here, "done": done.get(here), "token": token,
        "figures": [(SIDE_WORDS[f.side], mark_safe(f.svg)) for f in pt.figures],  # noqa: S308 - escaped by reports/svg.py
        "timer": _timer(list(range(lo, hi + 1)), sides, f"{pt.code} ({pt.name})"),
        "sets_words": (f"{len(sides)} sets: " + ", then ".join(s.lower() for s in sides)) if len(sides) > 1
        else f"1 set: {sides[0].lower()}",
    }


def _exercise(e: ExerciseItem, done: dict[str, str], token: str) -> dict[str, Any]:
    here = anchor(DoneKind.EXERCISE, e.id)
    return {"ex": e, "anchor": here, "done": done.get(here), "token": token,
            "figure": mark_safe(e.figure)}  # noqa: S308 - escaped by reports/svg.py


def _done_today(current: CurrentProgramme, patient_id: int) -> dict[str, str]:
    """What was marked done today under the current plan: anchor → how it felt the last time."""
    if current.revision is None:
        return {}
    rows = AdherenceRecord.objects.filter(patient_id=patient_id, plan=current.revision,
                                          day=timezone.localdate()).values_list("kind", "item", "felt")
    return {anchor(k, i): Felt(f).label for k, i, f in rows}


def _page(request: HttpRequest, current: CurrentProgramme, refusal: Refusal | None = None,
          status: int = 200) -> HttpResponse:
    patient = request.patient  # type: ignore[attr-defined]
    g = current.programme
    done = _done_today(current, patient.pk)

    def token() -> str:
        """Each "done" form's own one-time token (`submit_once`): the same form sent twice stores once."""
        return submission.issue(request, FORM)

    heat = None
    if g.heat_first is not None:
        lo, hi = g.heat_first.minutes
        heat = {"step": g.heat_first, "timer": _timer(sorted({lo, hi}), ["Heat pack"], "Warm-up")}
    context = {
        "nav": "programme", "current": current, "g": g, "patient": patient, "clinic": patient.clinic,
        "plan_id": current.revision.pk if current.revision else None,
        "plan_date": current.revision.created_at if current.revision else None,
        "thermal_words": THERMAL_WORDS.get(g.thermal, g.thermal),
        "thermal_figure": mark_safe(g.thermal_figure) if g.thermal_figure else None,  # noqa: S308 - reports/svg.py
        "heat": heat, "points": [_point(p, done, token()) for p in g.points],
        "exercises": [_exercise(e, done, token()) for e in g.exercises],
        "often": g.points[0].often if g.points else "",
        "adapted_note": ADAPTED_NOTE, "no_lying_note": NO_LYING_NOTE, "unchecked_note": UNCHECKED_NOTE,
        "session_done": done.get("session"), "session_token": token(), "token_field": submission.FIELD,
        "worse": Felt.WORSE.label, "worse_advice": WORSE_ADVICE,
        "felt_choices": Felt.choices,
        "refusal": refusal, "refused_anchor": anchor(refusal.kind, refusal.item) if refusal else "",
    }
    return render(request, "portal/programme.html", context, status=status)


@patient_required
def programme(request: HttpRequest) -> HttpResponse:
    current = current_programme(request.patient)  # type: ignore[attr-defined]
    audit.record(request.user, "read", request.patient, purpose="home_programme",  # type: ignore[arg-type, attr-defined]
                 plan=current.revision.pk if current.revision else None, state=current.state)
    return _page(request, current)


@patient_required
@require_POST
@submit_once(FORM)
def done(request: HttpRequest) -> HttpResponse:
    patient = request.patient  # type: ignore[attr-defined]
    current = current_programme(patient)
    form = DoneForm(request.POST, current=current)
    if not form.is_valid():
        problems = form.problems()
        audit.attempted(request.user, "create", patient, fields=[f for f, _ in problems],  # type: ignore[arg-type]
                        purpose="home_programme_done")
        refusal = Refusal(str(request.POST.get("kind", ""))[:20], str(request.POST.get("item", ""))[:40], problems,
                          str(request.POST.get("felt", ""))[:10], "")
        return _page(request, current, refusal, status=409 if form.stale else 422)
    data = form.cleaned_data
    revision = current.revision
    if revision is None:  # the form refuses a programme that is not ready; this keeps the types honest
        return _page(request, current, status=409)
    record_done(request.user, patient, revision, kind=data["kind"], item=data["item"],  # type: ignore[arg-type]
                felt=data["felt"], note=data["note"])
    messages.success(request, "Saved: marked done today. Thank you.")
    if data["felt"] == Felt.WORSE and data["kind"] != DoneKind.SESSION:
        messages.warning(request, WORSE_ADVICE)
    return redirect(reverse("portal:programme") + "#" + anchor(data["kind"], data["item"]))

