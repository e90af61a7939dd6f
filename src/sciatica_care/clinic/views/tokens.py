"""API tokens. Each member of staff makes their own (`my_tokens`: shown once, with an expiry and a scope) and
revokes their own; the clinic admin sees every token of the clinic's staff and revokes any (`token_list`). Nobody
makes a token for someone else: a token always acts as the person who made it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sciatica_care.clinic import api_tokens, audit
from sciatica_care.clinic.models import ApiToken, Staff, TokenScope
from sciatica_care.errors import InputRefused


def _admin_only(request: HttpRequest) -> Staff:
    user: Staff = request.user  # type: ignore[assignment]
    if not user.is_clinic_admin or user.clinic_id is None:
        audit.record(user, "denied_role", object_type="ApiToken", role=user.role)
        raise PermissionDenied("API tokens are managed by the clinic admin")
    return user


def _of_a_clinic(request: HttpRequest) -> Staff:
    user: Staff = request.user  # type: ignore[assignment]
    if user.clinic_id is None:
        raise PermissionDenied("API tokens are for staff of a clinic")
    return user


class NewTokenForm(forms.Form):
    """A token for the person filling the form in, for themselves: what for, how long, read or read-write."""

    name = forms.CharField(max_length=100, label="What it is for", help_text="e.g. “booking system”")
    days = forms.IntegerField(label="Lasts (days)", min_value=1, initial=api_tokens.DEFAULT_DAYS)
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ, label="May",
                              help_text="A read-only token is refused every change.")

    def __init__(self, *args: Any, max_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        days.max_value = max_days  # type: ignore[attr-defined]
        days.validators.append(MaxValueValidator(max_days, f"Lasts: at most {max_days} days (the clinic's longest)."))
        days.widget.attrs.update({"min": 1, "max": max_days})
        days.help_text = f"1 to {max_days} (the clinic's longest)."
        days.initial = min(api_tokens.DEFAULT_DAYS, max_days)


def _page(request: HttpRequest, owner: Staff, rows: Any, *, everyone: bool) -> HttpResponse:
    limit = api_tokens.max_days(owner)
    new_token = None
    form = NewTokenForm(request.POST or None, max_days=limit)
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = api_tokens.issue(owner, form.cleaned_data["name"], days=form.cleaned_data["days"],
                                            scope=form.cleaned_data["scope"])
        except InputRefused as exc:
            for problem in exc.problems:
                form.add_error(problem.path if problem.path in form.fields else None, problem.message)
        else:
            form = NewTokenForm(max_days=limit)
    response = render(request, "clinic/tokens.html", {
        "tokens": list(rows.select_related("staff").order_by("revoked", "-created_at", "-id")),
        "form": form, "new_token": new_token, "everyone": everyone},
        status=422 if request.method == "POST" and form.errors else 200)
    if new_token:
        response["Cache-Control"] = "no-store"  # the token is shown this once and must not stay in a cache
    return response


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The clinic admin: every token of the clinic's staff (revoke any); a token made here is the admin's own."""
    admin = _admin_only(request)
    return _page(request, admin, ApiToken.objects.filter(staff__clinic_id=admin.clinic_id), everyone=True)


@login_required
@require_http_methods(["GET", "POST"])
def my_tokens(request: HttpRequest) -> HttpResponse:
    """Anyone of a clinic: their own tokens (make, see, revoke)."""
    user = _of_a_clinic(request)
    return _page(request, user, ApiToken.objects.filter(staff=user), everyone=False)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The token's owner revokes their own; the clinic admin any of the clinic's."""
    user: Staff = request.user  # type: ignore[assignment]
    row = ApiToken.objects.filter(pk=pk).select_related("staff").first()
    if row is None or row.staff.clinic_id != user.clinic_id or user.clinic_id is None:
        if row is not None:
            audit.record(user, "denied_other_clinic", None, object_type="ApiToken", object_id=pk)
        raise Http404("No token here")
    if row.staff_id != user.pk:
        _admin_only(request)
    if api_tokens.revoke(user, row):
        messages.success(request, f"Token “{row.name}” of {row.staff.username} revoked: it no longer works.")
    return redirect("clinic:tokens" if user.is_clinic_admin else "clinic:my_tokens")
