"""Django's admin, for the deployment's superuser only (see `site/admin_site.py`: off unless
`SCIATICA_CARE_ADMIN_PATH` is configured; every other account is refused and audited).

Clinic admins run their clinic inside the app: staff (`views/staff.py`), clinic settings, API tokens and the audit
log. Here the superuser adds clinics and fixes accounts; every read and write is audited under the clinic concerned,
so the clinic's own admin sees it in their audit log. Patients and clinical records are not here at all.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponseRedirect

from sciatica_care.clinic import api_tokens, audit, records
from sciatica_care.clinic.models import ApiToken, AuditEvent, Clinic, Patient, Staff


def _clinic_of(obj: Any) -> int | None:
    if isinstance(obj, Clinic):
        return obj.pk
    if isinstance(obj, ApiToken):
        return obj.staff.clinic_id
    return getattr(obj, "clinic_id", None)


class AuditedAdmin(admin.ModelAdmin):
    """Opening a record's page is audited as a read, saving as a change with the fields' old and new values."""

    def change_view(self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit.record(request.user, "read", obj, clinic_id=_clinic_of(obj), via="admin")
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        changes: dict[str, Any] = {}
        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).values(*form.changed_data).first() or {}
            changes = {k: {"from": str(stored.get(k)), "to": str(getattr(obj, k, form.cleaned_data.get(k)))}
                       for k in form.changed_data if k not in ("password", "password1", "password2")}
            if isinstance(obj, Patient):  # a patient's details stay out of the audit: field names only
                changes = {k: {"from": "…", "to": "changed"} for k in changes}
            if {"password", "password1", "password2"} & set(form.changed_data):
                changes["password"] = {"from": "…", "to": "changed"}
        super().save_model(request, obj, form, change)
        audit.record(request.user, "update" if change else "create", obj, clinic_id=_clinic_of(obj), via="admin",
                     changes=changes)

    def delete_model(self, request: Any, obj: Any) -> None:
        audit.record(request.user, "delete", obj, clinic_id=_clinic_of(obj), via="admin",
                     what=f"{type(obj).__name__} {obj.pk}")  # ids only: never a patient's name in the audit
        super().delete_model(request, obj)


@admin.register(Staff)
class StaffAdmin(AuditedAdmin, UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "clinic", "is_active", "is_superuser")
    list_filter = ("clinic", "role", "is_active", "is_superuser")
    fieldsets = (*UserAdmin.fieldsets, ("Clinic", {"fields": ("clinic", "role")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Clinic", {"fields": ("clinic", "role")}))
    readonly_fields = ("version", "deactivated_at", "last_login", "date_joined")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # deactivate instead: their records and the audit trail point at them

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if change:
            obj.version = (obj.version or 0) + 1
        super().save_model(request, obj, form, change)


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
class ClinicAdmin(AuditedAdmin):
    """Clinics: the superuser adds them; changes go through `records.update_clinic_settings` (version-checked,
    audited with old and new values)."""

    form = ClinicAdminForm
    list_display = ("name", "disability_instrument", "questionnaire_every_n_visits", "payer_rule_warning", "created_at")

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.version = 1
            obj.save()
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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens of every clinic: see and revoke (made by their owner or `createtoken`; shown once)."""

    list_display = ("name", "staff", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    actions = ["revoke_selected"]
    exclude = ("digest",)

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("staff")

    @admin.action(description="Revoke selected tokens")
    def revoke_selected(self, request: Any, queryset: Any) -> None:
        n = sum(api_tokens.revoke(request.user, row, via="admin") for row in queryset)
        self.message_user(request, f"{n} token{'s' if n != 1 else ''} revoked.", messages.SUCCESS)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "clinic_id_at_time", "action", "object_type", "object_id", "patient_id")
    list_filter = ("action", "object_type")

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("actor")
