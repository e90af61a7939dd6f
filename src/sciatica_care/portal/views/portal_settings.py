"""The patient's settings: reminders (diary and home programme, each at a chosen time, or off), a password, and
an optional second factor (an authenticator app, with recovery codes). Every change is audited."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciatica_care.clinic import audit, records, second_factor
from sciatica_care.clinic.input_cleaning import WholeNumberField
from sciatica_care.portal import reminders
from sciatica_care.portal.access import patient_required


@lru_cache(maxsize=1)
def time_zones() -> list[tuple[str, str]]:
    return [(z, z.replace("_", " ")) for z in sorted(zoneinfo.available_timezones()) if "/" in z or z == "UTC"]


@lru_cache(maxsize=1)
def _options() -> str:
    return "".join(format_html('<option value="{}">{}</option>', v, label) for v, label in time_zones())


def time_zone_options(selected: object) -> SafeString:
    """The ~600 options of the time-zone list, drawn once per process (a template loop over them took tens of
    milliseconds a page), the chosen one marked."""
    chosen = format_html('<option value="{}">', selected)
    return mark_safe(_options().replace(chosen, chosen[:-1] + " selected>", 1))  # noqa: S308 - escaped above


class ReminderForm(forms.Form):
    diary_on = forms.BooleanField(required=False, label="Remind me to fill in my diary")
    diary_time = forms.TimeField(label="Diary reminder at", widget=forms.TimeInput(attrs={"type": "time"},
                                                                                     format="%H:%M"))
    programme_on = forms.BooleanField(required=False, label="Remind me to do my home programme")
    programme_time = forms.TimeField(label="Home programme reminder at",
                                     widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    time_zone = forms.ChoiceField(label="My time zone", choices=time_zones)  # drawn by the template (faster)
    version = WholeNumberField(widget=forms.HiddenInput, min_value=1)


def _account(request: HttpRequest) -> Any:
    return request.user.patient_account  # type: ignore[union-attr]


@never_cache
@patient_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    pref = reminders.preference_for(_account(request).pk)
    form = ReminderForm(request.POST or None, initial={
        "diary_on": pref.diary_on, "diary_time": pref.diary_time, "programme_on": pref.programme_on,
        "programme_time": pref.programme_time, "time_zone": pref.time_zone, "version": pref.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            changes = {k: data[k] for k in ("diary_on", "diary_time", "programme_on", "programme_time", "time_zone")
                       if data[k] != getattr(pref, k)}
            try:
                if changes:
                    records.update_versioned(request.user, pref, data["version"], changes)  # type: ignore[arg-type]
            except records.Conflict:
                form.add_error(None, "These settings were changed elsewhere meanwhile: here they are now; "
                                     "make your change again.")
                status = 409
            else:
                messages.success(request, "Reminder settings saved.")
                return redirect("portal:settings")
        else:
            status = 422
            audit.attempted(request.user, "update", pref, fields=list(form.errors))  # type: ignore[arg-type]
    else:
        audit.record(request.user, "portal_view_settings")  # type: ignore[arg-type]
    user = request.user
    return render(request, "portal/settings.html", {
        "nav": "settings", "form": form, "has_password": user.has_usable_password(),
        "guess_time_zone": pref.version == 1 and request.method == "GET",
        "time_zone_options": time_zone_options(form["time_zone"].value()),
        "has_second_factor": second_factor.has_device(user)}, status=status)  # type: ignore[arg-type]


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@patient_required
@require_http_methods(["GET", "POST"])
def password(request: HttpRequest) -> HttpResponse:
    """Choose (or change) a password; signing in by email code keeps working."""
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            update_session_auth_hash(request, form.user)
            audit.record(request.user, "password_set", path=request.path)  # type: ignore[arg-type]
            messages.success(request, "Password saved.")
            return redirect("portal:settings")
        audit.attempted(request.user, "password_set", fields=list(form.errors))  # type: ignore[arg-type]
    return render(request, "portal/password.html", {"nav": "settings", "form": form},
                  status=422 if form.errors else 200)


@never_cache
@patient_required
@require_http_methods(["GET", "POST"])
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (then asked at every sign-in), or remove it."""
    user: Any = request.user
    if request.method == "POST" and request.POST.get("action") == "remove":
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(user, "second_factor_removed", path=request.path)
        messages.success(request, "The second step is off: you sign in with your code or password alone.")
        return redirect("portal:settings")
    device = second_factor.pending_device(user)
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip().replace(" ", "")
        if token.isascii() and token.isdigit() and device.verify_token(token):
            codes = second_factor.confirm(device)
            audit.record(user, "second_factor_enrolled", path=request.path)
            response = render(request, "portal/second_factor_codes.html", {"nav": "settings", "codes": codes})
            response["Cache-Control"] = "no-store"
            return response
        error = "Code: that code is not right. Type the 6 digits your app shows now."
        audit.record(user, "second_factor_failed", path=request.path)
    return render(request, "portal/second_factor.html", {
        "nav": "settings", "qr": second_factor.qr_svg_data_uri(device), "key": second_factor.display_key(device),
        "error": error, "enabled": second_factor.has_device(user)}, status=422 if error else 200)
