"""The forms of the pages where a patient cancels or reschedules their appointment (by the link, or in the
portal). Each carries the appointment's version as the page showed it, so a form sent twice changes once."""

from __future__ import annotations

from typing import Any

from django import forms

from sciatica_care.scheduling import self_service


class CancelForm(forms.Form):
    reason = forms.CharField(required=False, max_length=300, label="Reason (optional)",
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="If you like, tell the clinic why. Please do not write about your health "
                                       "here: the clinic will ask at your next visit.")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class MoveForm(forms.Form):
    start = forms.ChoiceField(label="New time", widget=forms.RadioSelect,
                              error_messages={"required": "choose one of the free times listed",
                                              "invalid_choice": "choose one of the free times listed"})
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args: Any, slots: list[Any], zone: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].choices = [
            (self_service.slot_value(s), f"{s.start.astimezone(zone):%A} {s.start.astimezone(zone).day} "
                                         f"{s.start.astimezone(zone):%B, %H:%M}") for s in slots]


class SlotFilter(forms.Form):
    """Which free times to list: from which day, with the same practitioner or any."""

    day = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    anyone = forms.BooleanField(required=False, label="With any practitioner")
