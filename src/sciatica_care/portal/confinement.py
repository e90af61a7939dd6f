"""Deny by default: a patient account reaches the portal and nothing else.

A signed-in account with the patient role gets 404 for every address outside the portal (`/portal/`), the
public booking pages (`/book/`, which anyone may open and which show a patient nothing of the clinic's), the
static files and signing out: every staff page and every `/api/` endpoint, including any added later, without
that page having to know about patients. Placed right after authentication in the middleware list, before the
second factor, kiosk and care-team middleware, so no staff redirect is ever offered to a patient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import Role


class PatientConfinementMiddleware:
    """A patient account outside the portal: 404, audited."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed: tuple[str, ...] | None = None

    def allowed_prefixes(self) -> tuple[str, ...]:
        if self._allowed is None:
            self._allowed = ("/portal/", "/book/", settings.STATIC_URL, reverse("clinic:logout"))
        return self._allowed

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and user.role == Role.PATIENT
                and not request.path.startswith(self.allowed_prefixes())):
            audit.record(user, "denied_patient_outside_portal", path=request.path[:200])
            raise Http404("not here")
        return self.get_response(request)
