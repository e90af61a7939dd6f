"""Downloads from the plan page: the patient handout (web page and PDF) and the one-page practitioner print.

Each is a read of the patient's clinical record: scoped to the user's clinic (404 for another's), refused to
reception (403), audited. The handout's pregnancy guard (`UnsafeHandout`) answers 409 with the reason and prints
nothing. Nothing is cached by the browser or a proxy.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sciatica_care.clinic import access, audit, figures
from sciatica_care.clinic.models import PlanRevision
from sciatica_care.reports.letterhead import Letterhead

_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _revision(request: HttpRequest, pk: int) -> PlanRevision:
    qs = access.scoped(request.user, PlanRevision).select_related("episode__patient", "episode__clinic", "intake")
    return access.get_for(request.user, PlanRevision, pk, queryset=qs)


def letterhead(request: HttpRequest, revision: PlanRevision) -> Letterhead:
    """Whom the print is for and from: the patient, the clinic, the practitioner downloading it, today."""
    patient, user = revision.episode.patient, request.user
    who = (user.get_full_name() or user.get_username()) if user.is_authenticated else None
    return Letterhead(patient=f"{patient.first_name} {patient.last_name}".strip(),
                      clinic=revision.episode.clinic.name, practitioner=who, date=timezone.localdate())


def html_response(body: str, revision: PlanRevision) -> HttpResponse:
    """The handout as a web page (also the patient's own, in the portal)."""
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="home-programme-{revision.pk}.html"'
    # The handout is one self-contained page with its own <style>: allow exactly that style, by its hash.
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(m.encode()).digest()).decode()}'"
              for m in _STYLE.findall(body)]
    response._csp_update = {"style-src": hashes}  # type: ignore[attr-defined]
    return response


def _serve(request: HttpRequest, pk: int, what: str,
           make: Callable[[PlanRevision, Letterhead], bytes | str]) -> HttpResponse:
    from sciatica_care.reports.handout import UnsafeHandout

    revision = _revision(request, pk)
    patient_id = revision.episode.patient_id
    try:
        body = make(revision, letterhead(request, revision))
    except UnsafeHandout as exc:
        audit.record(request.user, "refused", revision, patient_id=patient_id, purpose=what, reason=str(exc))
        return render(request, "clinic/handout_refused.html", {
            "revision": revision, "patient": revision.episode.patient, "reason": str(exc)}, status=409)
    audit.record(request.user, "read", revision, patient_id=patient_id, purpose=what)
    if isinstance(body, str):
        return html_response(body, revision)
    response = HttpResponse(body, content_type="application/pdf")
    name = "home-programme" if what == "handout_pdf" else "plan-print"
    response["Content-Disposition"] = f'attachment; filename="{name}-{revision.pk}.pdf"'
    return response


@login_required
@require_GET
@never_cache
def handout_html(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve(request, pk, "handout_html", figures.handout_html)


@login_required
@require_GET
@never_cache
def handout_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve(request, pk, "handout_pdf", figures.handout_pdf)


@login_required
@require_GET
@never_cache
def practitioner_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve(request, pk, "practitioner_pdf", figures.practitioner_pdf)
