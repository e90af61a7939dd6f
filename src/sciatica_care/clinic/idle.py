"""Idle logoff: a signed-in session untouched for longer than its clinic's `idle_minutes` (default 15) ends at its
next request, which is audited and sent to the login page. This is beside the absolute limit
(SESSION_COOKIE_AGE, 8 hours), which ends every session whatever its activity.

The time of the last request is kept in the session (the database, shared by every process); it is written at
most every WRITE_EVERY seconds so that a burst of requests does not write the session each time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from sciatica_care.clinic import audit

SESSION_KEY = "last_seen"
DEFAULT_IDLE_MINUTES = 15
WRITE_EVERY = 30


def idle_limit_seconds(user: object) -> int:
    clinic = getattr(user, "clinic", None)
    minutes = getattr(clinic, "idle_minutes", None) or DEFAULT_IDLE_MINUTES
    return int(minutes) * 60


class IdleLogoffMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(SESSION_KEY)
            limit = idle_limit_seconds(user)
            if isinstance(last, int | float) and now - last > limit:
                audit.record(user, "idle_logoff", idle_seconds=int(now - last), limit_seconds=limit)
                patient = getattr(user, "is_patient", False)
                logout(request)
                messages.info(request, f"You were logged out after {limit // 60} minutes without activity.")
                return redirect("portal:signin" if patient else "clinic:login")
            if not isinstance(last, int | float) or now - last >= WRITE_EVERY:
                request.session[SESSION_KEY] = now
        return self.get_response(request)
