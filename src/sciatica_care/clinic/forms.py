from __future__ import annotations

from django import forms

from sciatica_care.clinic.models import Patient

PATIENT_FIELDS = ["first_name", "last_name", "date_of_birth", "sex", "phone", "email", "address",
                  "consent_treatment", "consent_data_use", "booking_notes"]


class PatientForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "booking_notes": forms.Textarea(attrs={"rows": 2}),
        }
