"""The "done" form of the home programme: which part was done (a point, an exercise, or the whole session), under
which plan, how it felt, and an optional note. Every refusal names its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from sciatica_care.clinic.input_cleaning import MAX_INT, WholeNumberField, refuse_control_characters
from sciatica_care.portal.current_programme import CurrentProgramme
from sciatica_care.portal.models.adherence_record import NOTE_MAX, DoneKind, Felt

PLAN_CHANGED = ("your programme was changed by your practitioner after this page was opened; the new one is shown "
                "below: mark it done there")
NOT_IN_PROGRAMME = "this is not part of your current programme"
NO_PROGRAMME = "there is no home programme to mark done at the moment"
STALE = "stale"


class DoneForm(forms.Form):
    plan = WholeNumberField(min_value=1, max_value=MAX_INT, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=DoneKind.choices, widget=forms.HiddenInput)
    item = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)
    felt = forms.ChoiceField(label="How did it feel?", choices=Felt.choices, widget=forms.RadioSelect,
                             error_messages={"required": "choose how it felt: better, same or worse"})
    note = forms.CharField(label="Anything to tell your practitioner? (optional)", max_length=NOTE_MAX,
                           required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, current: CurrentProgramme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        refuse_control_characters(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        current = self.current
        if not current.ready or current.revision is None:
            self.add_error("plan", ValidationError(NO_PROGRAMME, code=STALE))
            return data
        if "plan" in data and data["plan"] != current.revision.pk:
            self.add_error("plan", ValidationError(PLAN_CHANGED, code=STALE))
        elif "kind" in data and "item" in data and not current.item(data["kind"], data["item"]):
            self.add_error("item", NOT_IN_PROGRAMME)
        return data

    @property
    def stale(self) -> bool:
        """Refused only because the programme is not (or no longer) the one the page showed: a conflict, not bad
        input."""
        codes = {e.code for errors in self.errors.as_data().values() for e in errors}
        return codes == {STALE}

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for every refusal, in the form's order."""
        return [(name, str(message)) for name, errors in self.errors.items() for message in errors]
