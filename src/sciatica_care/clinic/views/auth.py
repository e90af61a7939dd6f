"""The clinic's login and logout: Django's views; throttling by django-axes and the audit in signin.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views

from sciatica_care.clinic.signin import client_address

__all__ = ["LoginView", "LogoutView", "client_address"]


class LoginView(auth_views.LoginView):
    template_name = "clinic/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_reset"] = True
        return context


class LogoutView(auth_views.LogoutView):
    pass
