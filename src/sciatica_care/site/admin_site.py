"""Django's admin, for the deployment's superuser only.

Clinic admins run their clinic inside the app (staff, settings, API tokens, audit log). Django's admin is served
only when `SCIATICA_CARE_ADMIN_PATH` names an unguessable path (see `config.check_admin_path`; off by default), and
there only an active superuser logs in or sees anything: anyone else who is logged in gets 404, and a member of
staff who tries — opening a page or logging in with their password — leaves an audit event.
"""

from __future__ import annotations

from functools import update_wrapper
from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse


def _refused(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and not (user.is_active and user.is_superuser))


def _audit_refusal(user: Any, request: HttpRequest, how: str) -> None:
    from sciatica_care.clinic import audit

    audit.record(user, "denied_admin", object_type="AdminSite", how=how, path=request.path[:200],
                 method=request.method, role=getattr(user, "role", ""))


class SuperuserAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form: the right password is not enough, the account must be a superuser's."""

    def confirm_login_allowed(self, user: Any) -> None:
        super(AdminAuthenticationForm, self).confirm_login_allowed(user)  # active accounts only
        if not user.is_superuser:
            if self.request is not None:
                _audit_refusal(user, self.request, "login")
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                  params={"username": self.username_field.verbose_name})


class SuperuserAdminSite(AdminSite):
    site_header = "Sciatica Care — deployment administration"
    site_title = "Sciatica Care deployment"
    index_title = "Clinics and accounts (superuser only)"
    login_form = SuperuserAuthenticationForm
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def _guard(self, request: HttpRequest) -> None:
        if _refused(request):
            _audit_refusal(request.user, request, "page")
            raise Http404("Not here")

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            self._guard(request)
            response: HttpResponse = inner(request, *args, **kwargs)
            return response

        return update_wrapper(guarded, view)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        self._guard(request)
        return super().login(request, extra_context)

    def catch_all_view(self, request: HttpRequest, url: str) -> HttpResponse:
        self._guard(request)
        return super().catch_all_view(request, url)
