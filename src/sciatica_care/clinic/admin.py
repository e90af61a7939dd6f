"""Django admin for clinic admins (their own clinic only); the audit log is read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponseRedirect

from sciatica_care.clinic import audit, records, tokens
from sciatica_care.clinic.models import ApiToken, AuditEvent, Clinic, Patient, Staff


def _for_clinic_admins(request: Any) -> bool:
    return request.user.is_superuser or getattr(request.user, "is_clinic_admin", False)


class ClinicScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(clinic_id=request.user.clinic_id)

    def has_module_permission(self, request: Any) -> bool:
        return _for_clinic_admins(request)

    has_view_permission = has_change_permission = has_add_permission = (
        lambda self, request, obj=None: self.has_module_permission(request))


@admin.register(Staff)
class StaffAdmin(ClinicScopedAdmin, UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "clinic", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Clinic", {"fields": ("clinic", "role")}))


@admin.register(Patient)
class PatientAdmin(ClinicScopedAdmin):
    list_display = ("last_name", "first_name", "date_of_birth", "phone")
    search_fields = ("last_name", "first_name")
    exclude = ("version",)


class ClinicAdminForm(forms.ModelForm):
    """The clinic's row in the admin, with its version: saving over someone else's change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Clinic
        fields = ["name", "disability_instrument", "questionnaire_every_n_visits", "payer_rule_warning"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        expected = cleaned.get("version")
        if self.instance.pk is not None and expected is not None:
            current = Clinic.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current != expected:
                raise forms.ValidationError(
                    "Someone else saved this clinic's settings while you were editing them; nothing was saved. "
                    "Reload the page to see their changes, then make yours again.", code="conflict")
        return cleaned


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    """A clinic admin sees and edits their own clinic only, and cannot add or delete clinics; a superuser sees all.
    Changes go through `records.update_clinic_settings` (version-checked, audited with old and new values)."""

    form = ClinicAdminForm
    list_display = ("name", "disability_instrument", "questionnaire_every_n_visits", "payer_rule_warning", "created_at")

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk=request.user.clinic_id)

    def has_module_permission(self, request: Any) -> bool:
        return request.user.is_superuser or (getattr(request.user, "is_clinic_admin", False)
                                             and request.user.clinic_id is not None)

    def _own(self, request: Any, obj: Any) -> bool:
        return request.user.is_superuser or obj is None or obj.pk == request.user.clinic_id

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request) and self._own(request, obj)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request) and self._own(request, obj)

    def has_add_permission(self, request: Any) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.version = 1
            super().save_model(request, obj, form, change)
            audit.record(request.user, "create", obj, clinic_id=obj.pk, via="admin")
            return
        stored = Clinic.objects.get(pk=obj.pk)
        values = {k: form.cleaned_data[k] for k in records.CLINIC_SETTINGS_FIELDS if k in form.cleaned_data}
        try:
            records.update_clinic_settings(request.user, stored, form.cleaned_data["version"], values)
        except records.Conflict as exc:  # saved by someone else between the form's check and this write
            request.clinic_conflict = str(exc)
        obj.refresh_from_db()

    def response_change(self, request: Any, obj: Any) -> Any:
        conflict = getattr(request, "clinic_conflict", None)
        if conflict:
            self.message_user(request, conflict, messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


class ReadOnlyForClinicAdmins(admin.ModelAdmin):
    """Shown to clinic admins (each subclass's `get_queryset` keeps them to their clinic's rows); nothing is added,
    changed or deleted here."""

    def has_module_permission(self, request: Any) -> bool:
        return _for_clinic_admins(request)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return _for_clinic_admins(request)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyForClinicAdmins):
    """Tokens of the clinic's staff: see and revoke (make them on the clinic's API tokens page, shown once)."""

    list_display = ("name", "staff", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    actions = ["revoke_selected"]
    exclude = ("digest",)

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).select_related("staff")
        return qs if request.user.is_superuser else qs.filter(staff__clinic_id=request.user.clinic_id)

    # Not added here: a token is shown only when it is made (the clinic's API tokens page or `createtoken`).
    # Revoked, never deleted: the list stays a record of what had access.

    @admin.action(description="Revoke selected tokens")
    def revoke_selected(self, request: Any, queryset: Any) -> None:
        n = sum(tokens.revoke(request.user, row, via="admin") for row in queryset)
        self.message_user(request, f"{n} token{'s' if n != 1 else ''} revoked.", messages.SUCCESS)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyForClinicAdmins):
    list_display = ("at", "actor", "action", "object_type", "object_id", "patient_id")
    list_filter = ("action", "object_type")

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).select_related("actor")
        return qs if request.user.is_superuser else qs.filter(clinic_id_at_time=request.user.clinic_id)
