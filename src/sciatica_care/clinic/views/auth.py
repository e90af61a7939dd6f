from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm

from sciatica_care.clinic import audit, throttle


def client_address(request: Any) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed attempts. Wait 15 minutes and try again, or ask your clinic admin.",
    }

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        address = client_address(self.request) if self.request else ""
        if throttle.locked(username, address):
            audit.record(None, "login_throttled", username=username, address=address)
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.failed(username, address)
            audit.record(None, "login_failed", username=username, address=address)
            raise
        throttle.succeeded(username, address)
        audit.record(self.get_user(), "login")
        return cleaned


class LoginView(auth_views.LoginView):
    template_name = "clinic/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
