"""The forms of the pages where a patient cancels or reschedules their appointment (by the link, or in the
portal). Each carries the appointment's version as the page showed it, so a form sent twice changes once."""

from __future__ import annotations

from django import forms

from sciatica_care.errors import InputRefused
from sciatica_care.scheduling import self_service


class CancelForm(forms.Form):
    reason = forms.CharField(required=False, max_length=300, label="Reason (optional)",
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="If you like, tell the clinic why. Please do not write about your health "
                                       "here: the clinic will ask at your next visit.")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class MoveForm(forms.Form):
    """The time chosen. Any time written as the page writes them is taken here: whether it is still free is the
    booking's to say (a time taken since the page was shown is told as such, not as a bad form)."""

    start = forms.CharField(label="New time", max_length=40,
                            error_messages={"required": "choose one of the free times listed"})
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def clean_start(self) -> str:
        value = self.cleaned_data["start"]
        try:
            self_service.parse_slot(value)
        except InputRefused:
            raise forms.ValidationError("choose one of the free times listed") from None
        return str(value)


class SlotFilter(forms.Form):
    """Which free times to list: from which day, with the same practitioner or any."""

    day = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    anyone = forms.BooleanField(required=False, label="With any practitioner")
