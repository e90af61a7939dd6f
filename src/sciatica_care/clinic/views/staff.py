"""The clinic admin's staff pages: list, invite (a set-password link, shown once and emailed), change role,
deactivate and reactivate — own clinic only, each change version-checked and audited with old and new values.

Practitioners and reception are refused (403, audited); another clinic's member of staff is 404 (audited). The
set-password page of an invitation is public (the link is the credential) and works once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sciatica_care.clinic import access, audit, billing, records, staff_admin
from sciatica_care.clinic.forms import InviteStaffForm, NpiForm, StaffRoleForm, VersionForm
from sciatica_care.clinic.models import Role, Staff
from sciatica_care.errors import InputRefused


def admin_only(request: HttpRequest, object_type: str = "Staff") -> Staff:
    """The clinic admin of a clinic; anyone else is refused (403) and the attempt audited."""
    user: Staff = request.user  # type: ignore[assignment]
    if not user.is_clinic_admin or user.clinic_id is None or not user.is_active:
        audit.record(user, "denied_role", object_type=object_type, role=user.role, path=request.path[:200])
        raise PermissionDenied("staff administration is for the clinic admin")
    return user


def _member(admin: Staff, pk: int) -> Staff:
    return access.get_for(admin, Staff, pk, kind=access.DEMOGRAPHIC)


def _status(member: Staff) -> str:
    if member.is_active:
        return "active"
    return "invited" if member.is_invited else "deactivated"


def _list_context(admin: Staff) -> dict[str, Any]:
    members = list(access.scoped(admin, Staff).order_by("-is_active", "last_name",
                                                                             "first_name", "username"))
    for m in members:
        m.status = _status(m)  # type: ignore[attr-defined]
    return {"members": members, "active_admins": sum(1 for m in members if m.is_active and m.is_clinic_admin)}


def _show_link(request: HttpRequest, member: Staff, template_context: dict[str, Any]) -> HttpResponse:
    response = render(request, "clinic/staff_list.html", template_context)
    response["Cache-Control"] = "no-store"  # the link is a credential: shown this once, never cached
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def staff_list(request: HttpRequest) -> HttpResponse:
    admin = admin_only(request)
    form = InviteStaffForm(request.POST or None, initial={"role": Role.PRACTITIONER})
    if request.method == "POST":
        if not form.is_valid():
            audit.record(admin, "invalid_form", object_type="Staff", purpose="invite", fields=sorted(form.errors))
            return render(request, "clinic/staff_list.html", {**_list_context(admin), "form": form}, status=422)
        member = staff_admin.invite(admin, **{k: form.cleaned_data[k] for k in
                                        ("username", "first_name", "last_name", "email", "role")})
        link = request.build_absolute_uri(staff_admin.invite_path(member))
        sent = staff_admin.send_invite(admin, member, link)
        messages.success(request, f"{member.display()} is invited as {member.get_role_display()}.")  # type: ignore[attr-defined]
        return _show_link(request, member, {**_list_context(admin), "form": InviteStaffForm(
            initial={"role": Role.PRACTITIONER}), "invited": member, "link": link, "sent": sent})
    audit.record(admin, "read", object_type="Staff", purpose="staff_list")
    return render(request, "clinic/staff_list.html", {**_list_context(admin), "form": form})


def _detail(request: HttpRequest, admin: Staff, member: Staff, *, form: StaffRoleForm | None = None,
            npi_form: NpiForm | None = None, status: int = 200, **extra: Any) -> HttpResponse:
    member.status = _status(member)  # type: ignore[attr-defined]
    form = form or StaffRoleForm(initial={"role": member.role, "version": member.version})
    npi_form = npi_form or NpiForm(initial={"npi": member.npi, "version": member.version})
    history = audit_rows_for(member)
    return render(request, "clinic/staff_detail.html", {"member": member, "form": form, "npi_form": npi_form,
                                                        "history": history, "is_self": member.pk == admin.pk,
                                                        **extra}, status=status)


def audit_rows_for(member: Staff) -> list[Any]:
    from sciatica_care.clinic.models import AuditEvent

    return list(AuditEvent.objects.filter(object_type="Staff", object_id=member.pk,
                                          clinic_id_at_time=member.clinic_id)
                .exclude(action="read").select_related("actor")[:20])


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One colleague: their role (changed here, version-checked), state, and what was done to their account."""
    admin = admin_only(request)
    member = _member(admin, pk)
    if request.method == "GET":
        audit.record(admin, "read", member, purpose="staff_detail")
        return _detail(request, admin, member)
    form = StaffRoleForm(request.POST)
    if not form.is_valid():
        return _detail(request, admin, member, form=form, status=422)
    try:
        staff_admin.change_role(admin, member, form.cleaned_data["version"], form.cleaned_data["role"])
    except records.Conflict as exc:
        return _conflict(request, admin, member, exc, form.cleaned_data["version"])
    except staff_admin.LastAdmin as exc:
        return _detail(request, admin, member, status=409, refused=str(exc))
    member.refresh_from_db()
    messages.success(request, f"{member.display()} is now {member.get_role_display()}.")  # type: ignore[attr-defined]
    return redirect("clinic:staff_detail", pk=member.pk)


def _conflict(request: HttpRequest, admin: Staff, member: Staff, exc: records.Conflict,
              expected: int) -> HttpResponse:
    member.refresh_from_db()
    audit.record(admin, "conflict", member, expected=expected, current=exc.current_version)
    return _detail(request, admin, member, status=409, conflict=True)


def _state_change(request: HttpRequest, pk: int, change: Any, done: str) -> HttpResponse:
    admin = admin_only(request)
    member = _member(admin, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _detail(request, admin, member, status=422, refused="The form was incomplete: reload the page.")
    try:
        change(admin, member, form.cleaned_data["version"])
    except records.Conflict as exc:
        return _conflict(request, admin, member, exc, form.cleaned_data["version"])
    except staff_admin.LastAdmin as exc:
        return _detail(request, admin, member, status=409, refused=str(exc))
    messages.success(request, done.format(name=member.display()))
    return redirect("clinic:staff_detail", pk=member.pk)


@login_required
@require_POST
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, staff_admin.deactivate,
                         "{name} is deactivated: logged out everywhere, API tokens revoked, cannot log in.")


@login_required
@require_POST
def staff_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, staff_admin.reactivate, "{name} is active again.")


@login_required
@never_cache
@require_POST
def staff_invite_again(request: HttpRequest, pk: int) -> HttpResponse:
    """A new set-password link for an invitation not yet taken up (the old links keep working until it is)."""
    admin = admin_only(request)
    member = _member(admin, pk)
    if not member.is_invited:
        return _detail(request, admin, member, status=409, refused="Only an invitation not yet taken up gets a new "
                       "link; an active colleague sets their own password.")
    link = request.build_absolute_uri(staff_admin.invite_path(member))
    sent = staff_admin.send_invite(admin, member, link, again=True)
    audit.record(admin, "invite_link", member, sent=sent)
    response = _detail(request, admin, member, link=link, sent=sent)
    response["Cache-Control"] = "no-store"
    return response


class InviteAcceptView(auth_views.PasswordResetConfirmView):
    """Django's set-password-from-a-link view with the invitation's token: it works only for an invitation not yet
    taken up; choosing the password activates the account (once) and the person then logs in."""

    template_name = "clinic/invite_accept.html"
    token_generator = staff_admin.invite_tokens
    reset_url_token = "set-password"  # noqa: S105 - the URL word Django swaps in for the token, not a secret
    success_url = reverse_lazy("clinic:login")
    post_reset_login = False

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_invited and user.clinic_id is not None else None

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.save(commit=False)
        if not staff_admin.accept_invite(user, user.password):
            messages.error(self.request, "This invitation has changed since the link was made: ask your clinic "
                                         "admin for a new link.")
            return HttpResponseRedirect(str(self.success_url))
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, f"Your password is set, {user.username}: log in with it now.")
        return HttpResponseRedirect(str(self.success_url))


@login_required
@never_cache
@require_POST
def staff_npi(request: HttpRequest, pk: int) -> HttpResponse:
    """The clinic admin records a colleague's NPI (printed on superbills as the rendering provider)."""
    admin = admin_only(request)
    member = _member(admin, pk)
    form = NpiForm(request.POST)
    if not form.is_valid():
        audit.attempted(admin, "update", member, fields=form.errors)
        return _detail(request, admin, member, npi_form=form, status=422)
    try:
        billing.set_staff_npi(admin, member, form.cleaned_data["version"], form.cleaned_data["npi"])
    except records.Conflict as exc:
        return _conflict(request, admin, member, exc, form.cleaned_data["version"])
    except InputRefused as exc:
        for problem in exc.problems:
            form.add_error("npi", problem.message)
        return _detail(request, admin, member, npi_form=form, status=422)
    member.refresh_from_db()
    messages.success(request, f"NPI of {member.display()} saved.")
    return redirect("clinic:staff_detail", pk=member.pk)
