"""One's own account: the second factor (set up, verify after the password, recovery codes), password change
(signed in) and password reset by email — Django's own views and forms, in the clinic's templates, audited.

The reset page answers the same whether or not an account has that address (Django's form sends only to an
active account with a usable password), so it does not tell a stranger who works here.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sciatica_care.clinic import audit, second_factor
from sciatica_care.clinic.models import Staff
from sciatica_care.clinic.signin import client_address
from sciatica_care.clinic.views.staff import _conflict, _member, admin_only


class TokenForm(forms.Form):
    token = forms.CharField(label="Code", max_length=16, strip=True, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none", "autofocus": True}))

    def clean_token(self) -> str:
        return "".join(str(self.cleaned_data["token"]).split())


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then give a code from it."""
    user: Staff = request.user  # type: ignore[assignment]
    if second_factor.has_device(user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(f"{reverse('clinic:second_factor_verify')}?next={second_factor.safe_next(request, '')}")
    device = second_factor.pending_device(user)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = second_factor.confirm(device)
            django_otp.login(request, device)
            audit.record(user, "second_factor_enrolled", user, device="totp", recovery_codes=len(codes))
            response = render(request, "clinic/second_factor_codes.html", {
                "codes": codes, "next": second_factor.safe_next(request, reverse("clinic:patient_list"))})
            response["Cache-Control"] = "no-store"
            return response
        audit.record(user, "second_factor_failed", user, step="enrol", address=client_address(request))
        form.add_error("token", "That code does not match: check the phone's clock and type the newest code.")
        status = 422
    return render(request, "clinic/second_factor_enrol.html", {
        "form": form, "qr": second_factor.qr_svg_data_uri(device), "key": second_factor.display_key(device),
        "required": second_factor.required(user), "next": second_factor.safe_next(request, "")}, status=status)




@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or one of the recovery codes."""
    user: Staff = request.user  # type: ignore[assignment]
    if not second_factor.has_device(user):
        return redirect("clinic:second_factor_enrol")
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            recovery = device.__class__.__name__ == "StaticDevice"
            audit.record(user, "second_factor_verified", user, device="recovery_code" if recovery else "totp",
                         address=client_address(request))
            if recovery:
                messages.warning(request, f"You used a recovery code; {second_factor.recovery_codes_left(user)} "
                                          "left. Set up your authenticator again from your account page if "
                                          "the phone is lost.")
            return redirect(second_factor.safe_next(request, reverse("clinic:patient_list")))
        audit.record(user, "second_factor_failed", user, step="verify", address=client_address(request))
        form.add_error("token", "That code does not match. Type the newest six-digit code, or a recovery code.")
        status = 422
    return render(request, "clinic/second_factor_verify.html",
                  {"form": form, "next": second_factor.safe_next(request, "")}, status=status)


@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    user: Staff = request.user  # type: ignore[assignment]
    return render(request, "clinic/account.html", {
        "has_device": second_factor.has_device(user), "required": second_factor.required(user),
        "codes_left": second_factor.recovery_codes_left(user)})


@login_required
@require_POST
def reset_colleague(request: HttpRequest, pk: int) -> HttpResponse:
    """The clinic admin removes a colleague's second factor (version-checked, audited)."""
    from sciatica_care.clinic import records
    from sciatica_care.clinic.forms import VersionForm

    admin = admin_only(request)
    member = _member(admin, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return redirect("clinic:staff_detail", pk=member.pk)
    try:
        second_factor.reset(admin, member, form.cleaned_data["version"])
    except records.Conflict as exc:
        return _conflict(request, admin, member, exc, form.cleaned_data["version"])
    messages.success(request, f"{member.display()}'s second factor is removed and their sessions ended: they set "
                              "up a new authenticator at their next sign-in.")
    return redirect("clinic:staff_detail", pk=member.pk)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "clinic/password_change.html"
    success_url = reverse_lazy("clinic:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(self.request.user, "password_changed", self.request.user,  # type: ignore[arg-type]
                     address=client_address(self.request))
        messages.success(self.request, "Your password is changed.")
        return response


class StaffPasswordResetForm(PasswordResetForm):
    """Staff accounts only: a patient signs in to the portal with an email code and sets a password there."""

    def get_users(self, email: str) -> Any:
        return (user for user in super().get_users(email) if not user.is_patient)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = StaffPasswordResetForm
    template_name = "clinic/password_reset.html"
    email_template_name = "clinic/password_reset_email.txt"
    subject_template_name = "clinic/password_reset_subject.txt"
    success_url = reverse_lazy("clinic:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # The same answer whatever the address; the audit says only that a reset was asked, and whether it went.
        users = list(form.get_users(form.cleaned_data["email"]))
        audit.record(None, "password_reset_requested", address=client_address(self.request),
                     accounts=len(users), clinic_id=users[0].clinic_id if len(users) == 1 else None)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "clinic/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "clinic/password_reset_confirm.html"
    success_url = reverse_lazy("clinic:password_reset_complete")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        # An invitation has its own link; a patient's portal account is never reset here.
        return user if user is not None and user.is_active and not user.is_patient else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        from sciatica_care.clinic import staff_admin

        ended = staff_admin.end_sessions(form.user)
        audit.record(form.user, "password_reset", form.user, address=client_address(self.request),
                     sessions_ended=ended)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "clinic/password_reset_complete.html"
