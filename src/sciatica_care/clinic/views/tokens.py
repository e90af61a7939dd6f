"""The clinic admin's API tokens page: see every token of the clinic's staff, issue one (shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sciatica_care.clinic import api_tokens, audit
from sciatica_care.clinic.models import ApiToken, Staff


def _admin_only(request: HttpRequest) -> Staff:
    user: Staff = request.user  # type: ignore[assignment]
    if not user.is_clinic_admin or user.clinic_id is None:
        audit.record(user, "denied_role", object_type="ApiToken", role=user.role)
        raise PermissionDenied("API tokens are managed by the clinic admin")
    return user


class NewTokenForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=Staff.objects.none(), label="For", empty_label=None)
    name = forms.CharField(max_length=100, label="What it is for", help_text="e.g. “booking system”")

    def __init__(self, *args: object, clinic_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        staff = self.fields["staff"]
        staff.queryset = Staff.objects.filter(clinic_id=clinic_id, is_active=True).order_by("username")  # type: ignore[attr-defined]
        staff.label_from_instance = lambda s: f"{s.display()} ({s.username}, {s.get_role_display()})"  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    admin = _admin_only(request)
    new_token = None
    form = NewTokenForm(request.POST or None, clinic_id=admin.clinic_id)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        _, new_token = api_tokens.issue(form.cleaned_data["staff"], form.cleaned_data["name"], actor=admin)
        form = NewTokenForm(clinic_id=admin.clinic_id)  # type: ignore[arg-type]
    rows = list(ApiToken.objects.filter(staff__clinic_id=admin.clinic_id).select_related("staff")
                .order_by("revoked", "-created_at", "-id"))
    response = render(request, "clinic/tokens.html", {"tokens": rows, "form": form, "new_token": new_token},
                      status=422 if request.method == "POST" and form.errors else 200)
    if new_token:
        response["Cache-Control"] = "no-store"  # the token is shown this once and must not stay in a cache
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    admin = _admin_only(request)
    row = ApiToken.objects.filter(pk=pk, staff__clinic_id=admin.clinic_id).select_related("staff").first()
    if row is None:
        if ApiToken.objects.filter(pk=pk).exists():
            audit.record(admin, "denied_other_clinic", None, object_type="ApiToken", object_id=pk)
        raise Http404("No token here")
    if api_tokens.revoke(admin, row):
        messages.success(request, f"Token “{row.name}” of {row.staff.username} revoked: it no longer works.")
    return redirect("clinic:tokens")
