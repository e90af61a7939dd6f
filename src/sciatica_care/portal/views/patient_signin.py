"""Signing in to the portal (one-time email code or the patient's password)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def signin(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/signin.html", {})


def signout(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only) and back to the portal's sign-in page."""
    from django.contrib.auth import logout
    from django.shortcuts import redirect

    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    logout(request)
    return redirect("portal:signin")
