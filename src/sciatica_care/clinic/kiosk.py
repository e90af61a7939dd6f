"""The tablet hand-off ("kiosk"): when a practitioner opens a questionnaire in tablet mode to hand the device to
the patient, their session is locked to that questionnaire.

While locked, every page but the questionnaire, the lock screen (`/kiosk/`) and logging out answers with a redirect
to the lock screen: Back, the address bar or an old tab reach no record. Unlocking needs the practitioner's
password, typed again; each failure is audited, and after KIOSK_UNLOCK_FAILURE_LIMIT failures the session is ended
(logged out), so the practitioner logs in again (and the login throttle applies). Locking, unlocking and the
lock-out are audited.

Every page shown to a signed-in person is sent with `Cache-Control: no-store`, so that the browser keeps no copy
of a record to show again from its history or its back-forward cache without asking the server.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from sciatica_care.clinic import audit

SESSION_KEY = "kiosk"
KIOSK_UNLOCK_FAILURE_LIMIT = 5


def failure_limit() -> int:
    return int(getattr(settings, "KIOSK_UNLOCK_FAILURE_LIMIT", KIOSK_UNLOCK_FAILURE_LIMIT))


def lock(request: HttpRequest, questionnaire_url: str, episode: Any) -> None:
    """Lock this session to one questionnaire (called when a tablet-mode questionnaire is opened)."""
    request.session[SESSION_KEY] = {"url": questionnaire_url, "episode": episode.pk}
    audit.record(request.user, "kiosk_locked", episode, patient_id=episode.patient_id)


def locked_to(request: HttpRequest) -> dict[str, Any] | None:
    session = getattr(request, "session", None)
    state = session.get(SESSION_KEY) if session is not None else None
    return state if isinstance(state, dict) else None


class KioskLockMiddleware:
    """Holds a locked session to its questionnaire; marks signed-in pages `no-store`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = locked_to(request)
        if state is not None and request.path not in (state.get("url"), reverse("clinic:kiosk"),
                                                      reverse("clinic:logout")):
            return redirect("clinic:kiosk")
        signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
        response = self.get_response(request)
        if (signed_in or state is not None) and "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _failures_key(request: HttpRequest) -> str:
    session = hashlib.sha256((request.session.session_key or "").encode()).hexdigest()
    return f"kiosk-unlock-fail:{request.user.pk}:{session}"


@require_http_methods(["GET", "POST"])
def lock_screen(request: HttpRequest) -> HttpResponse:
    """The lock screen: back to the questionnaire, or the practitioner's password to unlock."""
    state = locked_to(request)
    if state is None or not request.user.is_authenticated:
        return redirect("clinic:patient_list")
    error = ""
    status = 200
    if request.method == "POST":
        if request.user.check_password(request.POST.get("password", "")):
            del request.session[SESSION_KEY]
            cache.delete(_failures_key(request))
            audit.record(request.user, "kiosk_unlocked", object_type="Episode", object_id=state.get("episode"))
            return redirect("clinic:episode", pk=state.get("episode"))
        key = _failures_key(request)
        cache.add(key, 0, 60 * 60)
        failures = int(cache.incr(key))
        audit.record(request.user, "kiosk_unlock_failed", object_type="Episode", object_id=state.get("episode"),
                     failures=failures)
        if failures >= failure_limit():
            audit.record(request.user, "kiosk_unlock_locked_out", object_type="Episode",
                         object_id=state.get("episode"), failures=failures)
            cache.delete(key)
            logout(request)
            return redirect("clinic:login")
        left = failure_limit() - failures
        error = f"That password is not right. {left} more attempt{'s' if left != 1 else ''} before you are logged out."
        status = 403
    return render(request, "clinic/kiosk_locked.html", {"questionnaire_url": state.get("url"), "error": error},
                  status=status)
