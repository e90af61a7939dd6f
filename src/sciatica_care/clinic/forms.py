from __future__ import annotations

from typing import Any

from django import forms

from sciatica_care.clinic.models import Clinic, Patient, Role, Staff

PATIENT_FIELDS = ["first_name", "last_name", "date_of_birth", "sex", "phone", "email", "address",
                  "consent_treatment", "consent_data_use", "booking_notes"]


class PatientForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 2}),
            "booking_notes": forms.Textarea(attrs={"rows": 2}),
        }


class ClinicSettingsForm(forms.ModelForm):
    """The clinic's name and outcome settings, as clinic admins edit them on the settings page."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": "The form has no version number: reload the page and make your change again.",
        "invalid": "The version number in the form is not a number: reload the page and make your change again."})
    questionnaire_every_n_visits = forms.IntegerField(
        label="Ask the long questionnaires every … sessions", min_value=1, max_value=12,
        widget=forms.NumberInput(attrs={"min": 1, "max": 12, "step": 1}),
        error_messages={
            "required": "Say every how many sessions to ask the long questionnaires (1 to 12).",
            "invalid": "Every how many sessions: give a whole number from 1 to 12.",
            "min_value": "Every how many sessions: at least 1 (1 asks them at every session).",
            "max_value": "Every how many sessions: at most 12, so that a course is measured at least once between "
                         "baseline and discharge.",
        })

    class Meta:
        model = Clinic
        fields = ["name", "disability_instrument", "questionnaire_every_n_visits", "payer_rule_warning"]
        labels = {
            "name": "Clinic name",
            "disability_instrument": "Disability questionnaire",
            "payer_rule_warning": "Warn before a session US Medicare would not cover",
        }
        error_messages = {"name": {"required": "The clinic needs a name."}}
        widgets = {"name": forms.TextInput(attrs={"size": 40})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # each setting's explanation is read with it (settings page)
            if name != "version":
                field.widget.attrs["aria-describedby"] = f"explain-{name}"

    def clean_name(self) -> str:
        name = str(self.cleaned_data.get("name", "")).strip()
        if not name:
            raise forms.ValidationError("The clinic needs a name.", code="required")
        return name


class DischargeForm(forms.Form):
    """Discharge a course: the date it ends (today unless said otherwise)."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": "The form has no version number: reload the page and discharge again.",
        "invalid": "The version number in the form is not a number: reload the page and discharge again."})
    discharged_on = forms.DateField(label="Discharge date",
                                    # a date input takes ISO dates whatever the language's own date format
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                    error_messages={"required": "Give the discharge date.",
                                                    "invalid": "Discharge date: give a date such as 2026-05-31."})


class ReopenForm(forms.Form):
    """Reopen a discharged course: why (kept in the audit log)."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": "The form has no version number: reload the page and reopen again.",
        "invalid": "The version number in the form is not a number: reload the page and reopen again."})
    reason = forms.CharField(label="Why reopen this course", max_length=500,
                             widget=forms.TextInput(attrs={"size": 60,
                                                           "placeholder": "e.g. symptoms returned within a month"}),
                             error_messages={"required": "Say why the course is being reopened."})


VERSION_ERRORS = {
    "required": "The form has no version number: reload the page and make your change again.",
    "invalid": "The version number in the form is not a number: reload the page and make your change again.",
}


class InviteStaffForm(forms.ModelForm):
    """A colleague's new account: who they are and their role. The clinic is always the admin's own; nothing
    else about the account (superuser, Django-admin access, clinic) can be given here."""

    class Meta:
        model = Staff
        fields = ["username", "first_name", "last_name", "email", "role"]
        labels = {"username": "User name", "email": "Email (the set-password link is sent here)"}
        help_texts = {"username": "What they type to log in: letters, digits and @ . + - _ only."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["first_name"].required = True
        self.fields["username"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "none"})

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if Staff.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That user name is taken: choose another.")
        return username


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role")
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)


class AuditFilterForm(forms.Form):
    """The audit log viewer's filters; every one optional."""

    actor = forms.ModelChoiceField(queryset=None, required=False, label="Who", empty_label="anyone")  # type: ignore[arg-type]
    action = forms.ChoiceField(required=False, label="Action")
    patient = forms.IntegerField(required=False, min_value=1, label="Patient no.")
    object_type = forms.ChoiceField(required=False, label="Record type")
    object_id = forms.IntegerField(required=False, min_value=1, label="Record no.")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, clinic_id: int, actions: list[str], object_types: list[str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actor = self.fields["actor"]
        actor.queryset = Staff.objects.filter(clinic_id=clinic_id).order_by("username")  # type: ignore[attr-defined]
        actor.label_from_instance = lambda s: f"{s.display()} ({s.username})"  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", "any"), *((a, a.replace("_", " ")) for a in actions)]  # type: ignore[attr-defined]
        self.fields["object_type"].choices = [("", "any"), *((t, t) for t in object_types)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The “From” date is after the “To” date.")
        return cleaned
