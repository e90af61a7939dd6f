"""Signing in to the portal: email and a one-time code (the default), or email and the patient's own password;
then the patient's second factor when they have set one up; taking up an invitation; signing out.

Failures are counted by django-axes per email and client address (a locked pair gets 429 with this page) and
audited by the clinic's sign-in signals; a code request never says whether the address has an account.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from sciatica_care.clinic import audit, second_factor
from sciatica_care.clinic.input_cleaning import search_text
from sciatica_care.clinic.models import Staff
from sciatica_care.clinic.signin import LOCKED_MESSAGE, client_address
from sciatica_care.portal import accounts, sign_in_codes
from sciatica_care.portal.access import patient_of

BACKEND = "sciatica_care.portal.patient_auth.PatientBackend"
EMAIL_KEY = "portal_sign_in_email"
PENDING_KEY = "portal_second_factor_user"
NEXT_KEY = "portal_next"
LOCKED = LOCKED_MESSAGE.replace("ask your clinic admin", "ask your clinic")


def _email(raw: Any) -> str:
    return search_text(raw, 254)


def _next(request: HttpRequest) -> str:
    target = str(request.POST.get("next") or request.GET.get("next") or request.session.get(NEXT_KEY) or "")
    if target.startswith("/portal/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("portal:home")


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    if getattr(request, "axes_locked_out", False):
        context, status = {**context, "error": LOCKED}, 429
    response = render(request, template, context, status=status)
    if status == 429:
        response["Retry-After"] = "900"
    return response


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """Email first: a code is sent to it; or, with `?with=password`, email and password."""
    if patient_of(request.user) is not None:
        return redirect(_next(request))
    with_password = request.GET.get("with") == "password" or "password" in request.POST
    if request.GET.get("next"):
        request.session[NEXT_KEY] = _next(request)
    context: dict[str, Any] = {"with_password": with_password, "email": ""}
    if request.method == "POST":
        email = _email(request.POST.get("email", ""))
        context["email"] = email
        if not email or "@" not in email:
            context["error"] = "Email: type the email address your clinic has for you."
            return _page(request, "portal/signin.html", context, 422)
        if with_password:
            user = authenticate(request, username=email, password=request.POST.get("password", ""), portal=True)
            if user is None:
                context["error"] = "That email and password do not match an account. Try again, or sign in with a code."
                return _page(request, "portal/signin.html", context, 422)
            return _signed_in(request, user)
        sign_in_codes.send_code(email, client_address(request))
        request.session[EMAIL_KEY] = email
        return redirect("portal:signin_code")
    return _page(request, "portal/signin.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def signin_code(request: HttpRequest) -> HttpResponse:
    """The code from the email."""
    email = request.session.get(EMAIL_KEY, "")
    if not email:
        return redirect("portal:signin")
    context: dict[str, Any] = {"email": email, "minutes": sign_in_codes.CODE_MINUTES}
    if request.method == "POST":
        code = search_text(request.POST.get("code", ""), 20)
        user = authenticate(request, username=email, code=code, portal=True)
        if user is None:
            context["error"] = ("Code: that code is not right, or it has expired. Check the latest email, or "
                                "ask for a new code.")
            return _page(request, "portal/signin_code.html", context, 422)
        request.session.pop(EMAIL_KEY, None)
        return _signed_in(request, user)
    return _page(request, "portal/signin_code.html", context)


def _signed_in(request: HttpRequest, user: Staff) -> HttpResponse:
    """Password or code accepted: the second factor when the patient has one, else signed in."""
    target = _next(request)
    if second_factor.has_device(user):
        request.session[PENDING_KEY] = user.pk
        request.session[NEXT_KEY] = target
        return redirect("portal:signin_second_factor")
    login(request, user, backend=BACKEND)
    request.session.pop(NEXT_KEY, None)
    return redirect(target)


@never_cache
@require_http_methods(["GET", "POST"])
def signin_second_factor(request: HttpRequest) -> HttpResponse:
    """The code from the patient's authenticator app (or a recovery code) before the session starts."""
    user = Staff.objects.filter(pk=request.session.get(PENDING_KEY) or 0, is_active=True).first()
    if user is None or patient_of(user) is None:
        return redirect("portal:signin")
    context: dict[str, Any] = {}
    if request.method == "POST":
        device = match_token(user, search_text(request.POST.get("token", ""), 20).replace(" ", ""))
        if device is None:
            audit.record(user, "second_factor_failed", address=client_address(request), path=request.path)
            context["error"] = "Code: that code is not right. Type the 6 digits your app shows now."
            return _page(request, "portal/signin_second_factor.html", context, 422)
        target = _next(request)
        request.session.pop(PENDING_KEY, None)
        login(request, user, backend=BACKEND)
        otp_login(request, device)
        audit.record(user, "second_factor_verified", path=request.path)
        return redirect(target)
    return _page(request, "portal/signin_second_factor.html", context)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    """Sign out and back to the portal's sign-in page, or to the public booking page signed out from."""
    if request.user.is_authenticated:
        audit.record(request.user, "logout", path=request.path)  # type: ignore[arg-type]
    logout(request)
    back = str(request.POST.get("next", ""))
    if back.startswith("/book/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("portal:signin")


@never_cache
@sensitive_post_parameters("password", "password2")
@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: the patient takes up their account, choosing a password or email codes."""
    try:
        invitation = accounts.usable_invitation(token)
    except accounts.InvitationUnusable:
        return render(request, "portal/welcome_gone.html", status=410)
    account = invitation.account
    context: dict[str, Any] = {"patient": account.patient, "email": account.user.email}
    if request.method == "POST":
        password = request.POST.get("password", "")
        if password or request.POST.get("password2"):
            if password != request.POST.get("password2", ""):
                context["error"] = "Password: the two passwords are not the same."
                return render(request, "portal/welcome.html", context, status=422)
            try:
                validate_password(password, account.user)
            except ValidationError as exc:
                context["error"] = "Password: " + " ".join(exc.messages)
                return render(request, "portal/welcome.html", context, status=422)
        try:
            user = accounts.accept(token, password or None)
        except accounts.InvitationUnusable:
            return render(request, "portal/welcome_gone.html", status=410)
        login(request, user, backend=BACKEND)
        return redirect("portal:home")
    return render(request, "portal/welcome.html", context)
