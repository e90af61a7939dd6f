from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from sciatica_care.clinic import clinical, vocab
from sciatica_care.clinic.input_cleaning import CalendarDateField, WholeNumberField, refuse_control_characters
from sciatica_care.clinic.models import STAFF_ROLES, Clinic, Patient, Staff
from sciatica_care.errors import Problem

PATIENT_FIELDS = ["first_name", "last_name", "date_of_birth", "sex", "phone", "email", "address",
                  "gp_name", "gp_practice", "gp_address", "consent_treatment", "consent_data_use", "booking_notes"]


VERSION_ERRORS = {
    "required": "The form has no version number: reload the page and make your change again.",
    "invalid": "The version number in the form is not a number: reload the page and make your change again.",
}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _named_messages(form: forms.BaseForm) -> None:
    """Every field's messages name the field, so that each reads on its own under it and in the API's errors."""
    for field in form.fields.values():
        label = str(field.label or "").capitalize()
        named = {"required": f"{label}: required.", "invalid": f"{label}: not valid.",
                 "max_length": f"{label}: at most %(limit_value)d characters (it has %(show_value)d).",
                 "invalid_choice": f"{label}: “%(value)s” is not one of the choices.",
                 "null_characters_not_allowed": f"{label}: contains a null character."}
        field.error_messages.update({k: v for k, v in named.items() if k in field.error_messages or k == "required"})
        by_code = {"max_length": named["max_length"], "invalid": f"{label}: not valid.",
                   "null_characters_not_allowed": named["null_characters_not_allowed"]}
        validators = []
        for validator in field.validators:  # copies: a validator may be shared by every form (EmailField's)
            code = getattr(validator, "code", "")
            if code in by_code:
                validator = copy.copy(validator)
                validator.message = by_code[code]
            validators.append(validator)
        field.validators = validators


class PatientForm(forms.ModelForm):
    """A patient's details, as the page and the JSON API take them: lengths are the database's (the model's
    `max_length`), the birth date gives an age the intake contract accepts (its `patient.age` limits)."""

    version = WholeNumberField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 2}),
            "gp_address": forms.Textarea(attrs={"rows": 2}),
            "booking_notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"gp_name": "The letters to the patient's doctor are addressed to them, e.g. Dr A Patel."}
        field_classes = {"date_of_birth": CalendarDateField}  # the digits 0-9 only

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _named_messages(self)
        # An edit says which version it was made on (optimistic concurrency): without it, it is refused.
        self.fields["version"].required = self.instance.pk is not None
        self.fields["version"].error_messages.update(VERSION_ERRORS)
        refuse_control_characters(self)  # NUL is Django's; the other control characters too
        self.fields["date_of_birth"].error_messages["invalid"] = (
            "Date of birth: not a date on the calendar; give it as 1970-05-31.")
        low, high = patient_age_bounds()
        today = timezone.localdate()
        self.fields["date_of_birth"].widget.attrs.update({
            "min": (_years_before(today, high + 1) + dt.timedelta(days=1)).isoformat(),
            "max": _years_before(today, low).isoformat()})

    def clean_first_name(self) -> str:
        return self._name("first_name")

    def clean_last_name(self) -> str:
        return self._name("last_name")

    def _name(self, key: str) -> str:
        value = str(self.cleaned_data.get(key) or "").strip()
        if not value:
            raise forms.ValidationError(f"{self.fields[key].label.capitalize()}: required.", code="required")
        return value

    def clean_date_of_birth(self) -> dt.date:
        born: dt.date = self.cleaned_data["date_of_birth"]
        if self.instance.pk is not None and born == self.instance.date_of_birth:
            return born  # unchanged: a patient who has since passed the upper age is still edited
        today = timezone.localdate()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        low, high = patient_age_bounds()
        if born > today:
            raise forms.ValidationError(f"Date of birth: {born.isoformat()} is in the future.", code="future")
        if not low <= age <= high:
            raise forms.ValidationError(
                f"Date of birth: gives an age of {age}; the plans are for patients aged {low} to {high}.",
                code="age")
        return born

    def problems(self) -> list[Problem]:
        """What is wrong, each under its field's name (empty when valid)."""
        return [Problem("" if name == NON_FIELD_ERRORS else name, str(message))
                for name, messages in self.errors.items() for message in messages]


def patient_age_bounds() -> tuple[int, int]:
    """The ages the intake contract accepts (`patient.age`), from the schema."""
    low, high = vocab.bounds("patient.age")
    return int(low or 0), int(high or 150)


class ClinicSettingsForm(forms.ModelForm):
    """The clinic's name and outcome settings, as clinic admins edit them on the settings page."""

    version = WholeNumberField(widget=forms.HiddenInput, error_messages={
        "required": "The form has no version number: reload the page and make your change again.",
        "invalid": "The version number in the form is not a number: reload the page and make your change again."})
    questionnaire_every_n_visits = WholeNumberField(
        label="Ask the long questionnaires every … sessions", min_value=1, max_value=12,
        widget=forms.NumberInput(attrs={"min": 1, "max": 12, "step": 1}),
        error_messages={
            "required": "Say every how many sessions to ask the long questionnaires (1 to 12).",
            "invalid": "Every how many sessions: give a whole number from 1 to 12.",
            "min_value": "Every how many sessions: at least 1 (1 asks them at every session).",
            "max_value": "Every how many sessions: at most 12, so that a course is measured at least once between "
                         "baseline and discharge.",
        })

    idle_minutes = WholeNumberField(
        label="Log out after … minutes without activity", min_value=1, max_value=480, required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 480, "step": 1}),
        error_messages={"invalid": "Idle logoff: give a whole number of minutes from 1 to 480.",
                        "min_value": "Idle logoff: at least 1 minute.",
                        "max_value": "Idle logoff: at most 480 minutes (8 hours, the longest any sign-in lasts)."})

    class Meta:
        model = Clinic
        fields = ["name", "disability_instrument", "questionnaire_every_n_visits", "payer_rule_warning",
                  "require_second_factor", "idle_minutes", "care_team_access", "break_glass_hours",
                  "retention_years", "api_token_max_days", "npi", "tax_id", "billing_address", "billing_phone",
                  "place_of_service", "currency", "address", "phone", "email"]
        labels = {
            "npi": "Clinic NPI (billing provider)",
            "tax_id": "Tax id (EIN)",
            "billing_address": "Address on bills",
            "billing_phone": "Phone on bills",
            "place_of_service": "Place of service",
            "currency": "Currency of prices and fees",
            "api_token_max_days": "Longest life of an API token (days)",
            "require_second_factor": "Everyone signs in with a second factor",
            "idle_minutes": "Log out after … minutes without activity",
            "care_team_access": "Care-team access: practitioners open only the patients they treat",
            "break_glass_hours": "A record opened outside the care team stays open for … hours",
            "retention_years": "Keep records for … years after the last contact",
            "name": "Clinic name",
            "disability_instrument": "Disability questionnaire",
            "payer_rule_warning": "Warn before a session US Medicare would not cover",
            "address": "Clinic address (on letters)",
            "phone": "Clinic telephone (on letters)",
            "email": "Clinic email (on letters)",
        }
        error_messages = {"name": {"required": "The clinic needs a name."},
                          "email": {"invalid": "Clinic email: not an email address."},
                          "currency": {"invalid_choice": "Currency: %(value)s is not one the clinic can choose "
                                                         "(GBP, EUR, USD, CAD, AUD or NZD)."}}
        widgets = {"name": forms.TextInput(attrs={"size": 40}),
                   "npi": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 12}),
                   "tax_id": forms.TextInput(attrs={"autocomplete": "off", "size": 12,
                                                    "placeholder": "12-3456789"}),
                   "billing_address": forms.Textarea(attrs={"rows": 3, "cols": 40}),
                   "address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, display in clinical.billed_cpt_codes():  # the fee schedule: one amount a CPT code
            fee = str((self.instance.cpt_fees or {}).get(code, ""))
            self.fields[f"fee_{code}"] = forms.DecimalField(
                label=f"CPT {code}", help_text=display, required=False, min_value=0, max_value=99999,
                max_digits=7, decimal_places=2, initial=fee,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": 0, "inputmode": "decimal"}),
                error_messages={"invalid": f"Fee for CPT {code}: an amount such as 65.00.",
                                "min_value": f"Fee for CPT {code}: not below 0.",
                                "max_value": f"Fee for CPT {code}: at most 99999.",
                                "max_digits": f"Fee for CPT {code}: at most 99999.99.",
                                "max_decimal_places": f"Fee for CPT {code}: cents at most (two decimals).",
                                "max_whole_digits": f"Fee for CPT {code}: at most 99999."})
        for name, field in self.fields.items():  # each setting's explanation is read with it (settings page)
            if name != "version" and not name.startswith("fee_"):
                field.widget.attrs["aria-describedby"] = f"explain-{name}"
        for name in ("break_glass_hours", "retention_years", "api_token_max_days", "place_of_service", "currency"):
            self.fields[name].required = False  # absent: keep what is stored
        refuse_control_characters(self)

    def fee_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("fee_")]

    def clean_npi(self) -> str:
        npi = str(self.cleaned_data.get("npi") or "").strip()
        if npi and (problem := clinical.npi_problem(npi)):
            raise forms.ValidationError(f"Clinic NPI: {problem}.")
        return npi

    def clean_tax_id(self) -> str:
        text = str(self.cleaned_data.get("tax_id") or "").strip()
        if not text:
            return ""
        ein = clinical.normal_ein(text)
        if ein is None:
            raise forms.ValidationError("Tax id: an EIN is nine digits, written 12-3456789.")
        return ein

    def clean_place_of_service(self) -> str:
        return str(self.cleaned_data.get("place_of_service") or self.instance.place_of_service)

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency") or self.instance.currency)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        fees = dict(self.instance.cpt_fees or {})
        for name in [n for n in self.fields if n.startswith("fee_")]:
            code = name.removeprefix("fee_")
            if name not in self.data:  # a form from before the fee existed: keep what is stored
                continue
            amount = cleaned.get(name)
            if amount is None:
                fees.pop(code, None)
            else:
                fees[code] = f"{amount:.2f}"
        cleaned["cpt_fees"] = fees
        return cleaned

    def clean_break_glass_hours(self) -> int:
        value = self.cleaned_data.get("break_glass_hours")
        return int(value if value is not None else self.instance.break_glass_hours)

    def clean_api_token_max_days(self) -> int:
        value = self.cleaned_data.get("api_token_max_days")
        return int(value if value is not None else self.instance.api_token_max_days)

    def clean_retention_years(self) -> int:
        value = self.cleaned_data.get("retention_years")
        return int(value if value is not None else self.instance.retention_years)

    def clean_idle_minutes(self) -> int:
        """Left empty (a form from before the setting existed): the clinic's current value."""
        value = self.cleaned_data.get("idle_minutes")
        return int(value) if value is not None else int(self.instance.idle_minutes)

    def clean_name(self) -> str:
        name = str(self.cleaned_data.get("name", "")).strip()
        if not name:
            raise forms.ValidationError("The clinic needs a name.", code="required")
        return name


class SignatureForm(forms.Form):
    """What one's letters print under one's name: qualifications and professional registration (both optional)."""

    FIELDS = ("qualifications", "registration")

    version = WholeNumberField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)
    qualifications = forms.CharField(
        label="Qualifications", required=False, max_length=Staff._meta.get_field("qualifications").max_length,
        help_text="As they should read under your name, e.g. BSc (Hons) Acupuncture, MBAcC.",
        widget=forms.TextInput(attrs={"size": 50}))
    registration = forms.CharField(
        label="Professional registration", required=False,
        max_length=Staff._meta.get_field("registration").max_length,
        help_text="Your register and number, e.g. British Acupuncture Council 012345.",
        widget=forms.TextInput(attrs={"size": 50}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _named_messages(self)
        self.fields["version"].error_messages.update(VERSION_ERRORS)
        refuse_control_characters(self)


class DischargeForm(forms.Form):
    """Discharge a course: the date it ends (today unless said otherwise)."""

    version = WholeNumberField(widget=forms.HiddenInput, error_messages={
        "required": "The form has no version number: reload the page and discharge again.",
        "invalid": "The version number in the form is not a number: reload the page and discharge again."})
    discharged_on = CalendarDateField(label="Discharge date",
                                      # a date input takes ISO dates whatever the language's own date format
                                      widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                      error_messages={"required": "Give the discharge date.",
                                                      "invalid": "Discharge date: give a date such as 2026-05-31."})


class ReopenForm(forms.Form):
    """Reopen a discharged course: why (kept in the audit log)."""

    version = WholeNumberField(widget=forms.HiddenInput, error_messages={
        "required": "The form has no version number: reload the page and reopen again.",
        "invalid": "The version number in the form is not a number: reload the page and reopen again."})
    reason = forms.CharField(label="Why reopen this course", max_length=500,
                             widget=forms.TextInput(attrs={"size": 60,
                                                           "placeholder": "e.g. symptoms returned within a month"}),
                             error_messages={"required": "Say why the course is being reopened."})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        refuse_control_characters(self)




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
        self.fields["role"].choices = STAFF_ROLE_CHOICES  # type: ignore[attr-defined]
        refuse_control_characters(self)

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if Staff.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That user name is taken: choose another.")
        return username


#: The roles a member of staff may be given (a patient's portal account is made by the portal, never here).
STAFF_ROLE_CHOICES = [(r.value, r.label) for r in STAFF_ROLES]


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES, label="Role")
    version = WholeNumberField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)


class VersionForm(forms.Form):
    version = WholeNumberField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)


class AuditFilterForm(forms.Form):
    """The audit log viewer's filters; every one optional."""

    actor = forms.ModelChoiceField(queryset=None, required=False, label="Who", empty_label="anyone")  # type: ignore[arg-type]
    action = forms.ChoiceField(required=False, label="Action")
    patient = WholeNumberField(required=False, min_value=1, label="Patient no.")
    object_type = forms.ChoiceField(required=False, label="Record type")
    object_id = WholeNumberField(required=False, min_value=1, label="Record no.")
    date_from = CalendarDateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = CalendarDateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, clinic_id: int, actions: list[str], object_types: list[str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actor = self.fields["actor"]
        actor.queryset = Staff.objects.filter(clinic_id=clinic_id).order_by("username")  # type: ignore[attr-defined]
        # Patients' portal accounts act too (their own diary, questionnaires): listed as patients, never as staff.
        actor.label_from_instance = lambda s: (  # type: ignore[attr-defined]
            f"Patient (portal): {s.display()}" if s.is_patient else f"{s.display()} ({s.username})")
        self.fields["action"].choices = [("", "any"), *((a, a.replace("_", " ")) for a in actions)]  # type: ignore[attr-defined]
        self.fields["object_type"].choices = [("", "any"), *((t, t) for t in object_types)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The “From” date is after the “To” date.")
        return cleaned


class DiagnosisForm(forms.Form):
    """The course's ICD-10-CM diagnoses, primary first (each one a pointer letter on a superbill)."""

    version = WholeNumberField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(c.id, f"{c.code} {c.display}" + ("" if c.billable else " (unverified: not billable)"))
                                 for c in clinical.diagnosis_choices()]
        for i, letter in enumerate("ABCD"):
            self.fields[f"dx_{letter}"] = forms.ChoiceField(
                label="Primary diagnosis (A)" if i == 0 else f"Diagnosis {letter}", choices=choices, required=i == 0,
                error_messages={"required": "Choose the primary diagnosis (A).",
                                "invalid_choice": f"Diagnosis {letter}: not a diagnosis of the list."})

    def chosen(self) -> list[str]:
        return [self.cleaned_data[f"dx_{letter}"] for letter in "ABCD" if self.cleaned_data.get(f"dx_{letter}")]

    def letters(self) -> list[Any]:
        return [self[f"dx_{letter}"] for letter in "ABCD"]


class NpiForm(forms.Form):
    """A practitioner's NPI, as the clinic admin records it on the Staff page."""

    version = WholeNumberField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)
    npi = forms.CharField(label="NPI", required=False, max_length=10,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 12}),
                          error_messages={"max_length": "NPI: ten digits."})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        refuse_control_characters(self)

    def clean_npi(self) -> str:
        npi = str(self.cleaned_data.get("npi") or "").strip()
        if npi and (problem := clinical.npi_problem(npi)):
            raise forms.ValidationError(f"NPI: {problem}.")
        return npi


class SuperbillPeriodForm(forms.Form):
    """The dates of service a patient's superbill covers (both optional: from the first visit, to today)."""

    start = CalendarDateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "From: a date such as 2026-03-01."})
    end = CalendarDateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": "To: a date such as 2026-03-31."})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The “From” date is after the “To” date.")
        return cleaned
