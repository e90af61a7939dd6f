"""Django admin for clinic admins (their own clinic only); the audit log is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from sciatica_care.clinic import tokens
from sciatica_care.clinic.models import ApiToken, AuditEvent, Clinic, Patient, Staff


class ClinicScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(clinic_id=request.user.clinic_id)

    def has_module_permission(self, request: Any) -> bool:
        return request.user.is_superuser or getattr(request.user, "is_clinic_admin", False)

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


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "disability_instrument", "questionnaire_every_n_visits", "payer_rule_warning", "created_at")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens of the clinic's staff: see and revoke (make them on the clinic's API tokens page, shown once)."""

    list_display = ("name", "staff", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    actions = ["revoke_selected"]
    exclude = ("digest",)

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).select_related("staff")
        return qs if request.user.is_superuser else qs.filter(staff__clinic_id=request.user.clinic_id)

    def has_module_permission(self, request: Any) -> bool:
        return request.user.is_superuser or getattr(request.user, "is_clinic_admin", False)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: Any) -> bool:
        return False  # a token is shown only when it is made: the clinic's API tokens page or `createtoken`

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # revoked, never deleted: the list stays a record of what had access

    @admin.action(description="Revoke selected tokens")
    def revoke_selected(self, request: Any, queryset: Any) -> None:
        n = sum(tokens.revoke(request.user, row, via="admin") for row in queryset)
        self.message_user(request, f"{n} token{'s' if n != 1 else ''} revoked.", messages.SUCCESS)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "patient_id")
    list_filter = ("action", "object_type")

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).select_related("actor")
        return qs if request.user.is_superuser else qs.filter(clinic_id_at_time=request.user.clinic_id)

    def has_module_permission(self, request: Any) -> bool:
        return request.user.is_superuser or getattr(request.user, "is_clinic_admin", False)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
