"""The intake form: a Django form generated from the intake contract, red flags first, grouped as a practitioner
asks them.

Only the layout is written here (which field sits in which group). Every field's kind, choices, limits and
whether it is required come from the intake JSON Schema; its words from the knowledge's `labels.yaml`; the red-flag
questions from the knowledge's flags (all through the seam, `clinical`, via `vocab`). The page and the JSON API
validate through this one definition: the page binds the posted form, the API binds `form_data(document)`.

`IntakeForm.document()` is the contract JSON (an absent list stays absent: "not recorded", unless the
practitioner ticked "asked: none"); `problems()` lists what is wrong, each under its field's path.
`groups(intake, problems)` describes the form for the template.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from sciatica_care.clinic import clinical, intake_checks, vocab
from sciatica_care.clinic.input_cleaning import NumberField, WholeNumberField
from sciatica_care.errors import InputRefused, Problem


@dataclass(frozen=True)
class Field:
    path: str
    label: str
    kind: str  # multi | choice | bool3 | int | number | flags | power | sites
    choices: list[str] = field(default_factory=list)
    required: bool = False
    help: str = ""
    min: float | None = None
    max: float | None = None

    @property
    def name(self) -> str:
        return self.path


#: The form's layout: its groups and the contract fields in each, in the order a practitioner asks them.
LAYOUT: list[tuple[str, list[str]]] = [
    ("Red flags (ask these first)", ["red_flags"]),
    ("Patient", ["patient.age", "patient.sex", "patient.pregnant", "patient.pregnancy_weeks"]),
    ("This episode", ["episode.side", "episode.duration_weeks", "episode.onset", "episode.after_lifting",
                      "episode.after_trauma", "episode.previous_acupuncture"]),
    ("Pain", ["pain.leg_nrs", "pain.back_nrs", "pain.areas", "pain.qualities", "pain.worse_with",
              "pain.better_with"]),
    ("Examination", ["examination.straight_leg_raise", "examination.crossed_straight_leg_raise",
                     "examination.fair_test", "examination.weakness", "examination.power",
                     "examination.reflexes.knee", "examination.reflexes.ankle", "examination.sensory_loss",
                     "examination.piriformis_tenderness", "examination.lumbar_tenderness",
                     "examination.trigger_points", "examination.imaging"]),
    ("Medical history (safety)", ["medical", "medical_sites"]),
    ("TCM", ["tcm.signs", "tcm.tongue", "tcm.pulse"]),
    ("Preferences", ["preferences.modalities", "preferences.max_sessions_per_week"]),
]
#: Where the page draws a field otherwise than its schema type suggests.
SHOWN_AS = {"red_flags": "flags", "examination.power": "power", "medical_sites": "sites",
            "preferences.max_sessions_per_week": "choice"}
#: Why a limit is where it is, where the reason is the plans' scope rather than the scale.
SCOPE = {"patient.age": "is outside the scope of NICE NG59, the guidance the plans follow"}
POWER = "examination.power"
SITES = "medical_sites"


def _schema_node(path: str) -> tuple[dict[str, Any], bool]:
    """A field's schema and whether its parent object requires it."""
    node: dict[str, Any] = clinical.intake_schema()
    required = False
    for part in path.split("."):
        required = part in node.get("required", [])
        node = node["properties"][part]
    return node, required


def _field(path: str) -> Field:
    node, required = _schema_node(path)
    kind = SHOWN_AS.get(path)
    types = node.get("type")
    types = types if isinstance(types, list) else [types]
    if kind is None:
        if "enum" in node:
            kind = "choice"
        elif "boolean" in types:
            kind = "bool3"
        elif "integer" in types:
            kind = "int"
        elif "number" in types:
            kind = "number"
        elif "array" in types:
            kind = "multi"
        else:  # pragma: no cover - a schema change the layout does not know yet
            raise ValueError(f"intake field {path} has no form kind")
    if kind == "power":
        choices = vocab.choices(path)
    elif kind == "sites":
        choices = list(vocab.SITE_BOUND)
    elif kind == "choice" and "enum" not in node:  # a small whole-number range offered as buttons
        low, high = int(node["minimum"]), int(node["maximum"])
        choices = [str(n) for n in range(low, high + 1)]
    elif kind in ("int", "number", "bool3"):
        choices = []
    else:
        choices = vocab.choices(path)
    low, high = node.get("minimum"), node.get("maximum")
    return Field(path, vocab.field_label(path), kind, choices, required or kind == "flags",
                 vocab.field_help(path), low if kind in ("int", "number") else None,
                 high if kind in ("int", "number") else None)


GROUPS: list[tuple[str, list[Field]]] = [(title, [_field(p) for p in paths]) for title, paths in LAYOUT]
FIELDS = [f for _, fields in GROUPS for f in fields]
BY_PATH = {f.path: f for f in FIELDS}


def _messages(label: str, **extra: str) -> dict[str, str]:
    """Messages that name the field, so each reads on its own under the field and in the API's errors."""
    return {"required": f"{label}: required.", "invalid_choice": f"{label}: “%(value)s” is not one of the choices.",
            "invalid_list": f"{label}: give a list of choices.", **extra}


def _grade_choices() -> list[tuple[str, str]]:
    return [("", "not tested")] + [(str(g), f"{g}: {words}") for g, words in vocab.MRC_GRADES]


class IntakeForm(forms.Form):
    """Every field of the intake layout as a Django field, named by its contract path (`pain.leg_nrs`); the
    power grid one field per muscle (`examination.power.ankle_dorsiflexion`), the sites two per item
    (`medical_sites.pacemaker.areas`, `….side`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cross: list[Problem] = []
        for f in FIELDS:
            self._add(f)

    def _add(self, f: Field) -> None:
        label = f.label.split(" (")[0]
        labelled = [(c, vocab.label(c)) for c in f.choices]
        if f.kind in ("multi", "flags"):
            self.fields[f.name] = forms.MultipleChoiceField(
                choices=labelled, required=f.required and f.kind != "flags", label=f.label,
                error_messages=_messages(label, required=f"{label}: choose at least one."))
            if f.kind == "multi" and not f.required:
                self.fields[f"{f.name}__asked"] = forms.BooleanField(required=False)
        elif f.kind == "choice":
            number = all(c.isdigit() for c in f.choices)
            self.fields[f.name] = forms.TypedChoiceField(
                choices=[("", "not recorded"), *labelled], required=f.required, label=f.label,
                coerce=int if number else str, empty_value=None, error_messages=_messages(label))
        elif f.kind == "bool3":
            self.fields[f.name] = forms.TypedChoiceField(
                choices=[("", "not recorded"), ("yes", "yes"), ("no", "no")], required=False, label=f.label,
                coerce=lambda v: v == "yes", empty_value=None,
                error_messages=_messages(label, invalid_choice=f"{label}: answer yes, no or leave it not recorded."))
        elif f.kind in ("int", "number"):
            low, high = f.min, f.max
            whole = f.kind == "int"
            limits = f"from {low:g} to {high:g}" if low is not None and high is not None else ""
            scope = SCOPE.get(f.path, "")
            messages = _messages(label, invalid=f"{label}: give a {'whole ' if whole else ''}number {limits}.".replace(
                " .", "."),
                min_value=f"{label}: at least {low:g}" + (f" (under {low:g} {scope})." if scope else "."),
                max_value=f"{label}: at most {high:g}" + (f" (over {high:g} {scope})." if scope else "."))
            # the digits 0-9 only: Django's own number fields take “٣” as 3 and “１２” as 12
            field_class: type[forms.Field] = WholeNumberField if whole else NumberField
            self.fields[f.name] = field_class(required=f.required, min_value=low, max_value=high, label=f.label,
                                              error_messages=messages)
        elif f.kind == "power":
            for muscle in f.choices:
                muscle_label = vocab.label(muscle)
                self.fields[f"{f.name}.{muscle}"] = forms.TypedChoiceField(
                    choices=_grade_choices(), required=False, coerce=int, empty_value=None, label=muscle_label,
                    error_messages=_messages(muscle_label, invalid_choice=(
                        f"{muscle_label}: choose an MRC grade from 0 to 5, or “not tested” (got “%(value)s”).")))
        elif f.kind == "sites":
            for item in f.choices:
                item_label = vocab.label(item)
                self.fields[f"{f.name}.{item}.areas"] = forms.MultipleChoiceField(
                    choices=[(a, vocab.label(a)) for a in vocab.AREAS], required=False,
                    label=f"{item_label}: where", error_messages=_messages(f"{item_label}: where"))
                self.fields[f"{f.name}.{item}.side"] = forms.ChoiceField(
                    choices=[("", "not recorded"), *((s, vocab.label(s)) for s in vocab.SIDES)], required=False,
                    label=f"{item_label}: side", error_messages=_messages(f"{item_label}: side"))

    # -- what was given ------------------------------------------------------------------------------------------
    def _document(self, cleaned: Mapping[str, Any]) -> dict[str, Any]:
        intake: dict[str, Any] = {"schema_version": "1"}
        for f in FIELDS:
            if f.kind in ("multi", "flags"):
                values = cleaned.get(f.name)
                if values or f.kind == "flags" or cleaned.get(f"{f.name}__asked"):
                    _set(intake, f.path, list(values or []))
            elif f.kind == "power":
                grades = {m: cleaned[f"{f.name}.{m}"] for m in f.choices if cleaned.get(f"{f.name}.{m}") is not None}
                if grades:
                    _set(intake, f.path, grades)
            elif f.kind == "sites":
                sites: dict[str, dict[str, Any]] = {}
                for item in f.choices:
                    site: dict[str, Any] = {}
                    if cleaned.get(f"{f.name}.{item}.areas"):  # in the vocabulary's order
                        site["areas"] = [a for a in vocab.AREAS if a in cleaned[f"{f.name}.{item}.areas"]]
                    if cleaned.get(f"{f.name}.{item}.side"):
                        site["side"] = cleaned[f"{f.name}.{item}.side"]
                    if site:
                        sites[item] = site
                if sites:
                    intake[f.path] = sites
            else:
                value = cleaned.get(f.name)
                if value is not None:
                    if isinstance(value, float) and value.is_integer():
                        value = int(value)
                    _set(intake, f.path, value)
        for part in ("patient", "episode", "pain"):
            intake.setdefault(part, {})
        return intake

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._cross = intake_checks.problems(self._document(cleaned))
        for p in self._cross:
            self.add_error(None, p.message)
        return cleaned

    def problems(self) -> list[Problem]:
        """Everything wrong with what was given, each under its field's path (empty when valid)."""
        if not self.is_bound:
            return []
        errors = self.errors  # runs the validation once
        found = [Problem(name, str(message)) for name, messages in errors.items()
                 if name != NON_FIELD_ERRORS for message in messages]
        return found + list(self._cross)

    def document(self) -> dict[str, Any]:
        """The contract JSON of what was given (the fields that passed), with every muscle graded below 5 listed
        as weak too."""
        self.errors  # noqa: B018 - runs the validation once, so that cleaned_data is there
        return intake_checks.complete(self._document(getattr(self, "cleaned_data", {})))


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value


def _get(source: Mapping[str, Any], path: str) -> Any:
    node: Any = source
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def read(post: QueryDict) -> tuple[dict[str, Any], list[Problem]]:
    """Contract JSON from the submitted form, and the problems found in it (each under its field)."""
    form = IntakeForm(post)
    return form.document(), form.problems()


# --- the JSON API: a document through the same form ------------------------------------------------------------

def _text(value: Any) -> str:
    """A JSON value as the form would receive it: a non-empty string as it is, anything else as JSON text (which
    the field then refuses by name: `true` is not one of the choices, `""` is not a choice either)."""
    if isinstance(value, str) and value:
        return value
    return json.dumps(value)


def _number(value: Any, whole: bool) -> str:
    """A number as typed; anything that is not a JSON number (a string "7", true) as JSON text, which a number
    field refuses by name."""
    if isinstance(value, bool) or not isinstance(value, int | float) or (whole and not isinstance(value, int)):
        return json.dumps(value)
    return repr(value)


def form_data(document: Mapping[str, Any]) -> tuple[MultiValueDict[str, str], list[Problem]]:
    """What the form would receive for an intake document, and the problems of shape a form cannot receive at all
    (a grade map that is not a map, a muscle or medical item outside the vocabulary, a site that is not an object
    or has other keys)."""
    data: MultiValueDict[str, str] = MultiValueDict()
    shape: list[Problem] = []
    for f in FIELDS:
        value = _get(document, f.path)
        if value is None:
            continue
        if f.kind in ("multi", "flags"):
            if not isinstance(value, list):
                shape.append(Problem(f.path, f"{f.label}: give a list of choices."))
                continue
            data.setlist(f.name, [_text(v) for v in value])
            if not value and f.kind == "multi" and not f.required:
                data[f"{f.name}__asked"] = "1"
        elif f.kind == "choice":
            whole = isinstance(value, int) and not isinstance(value, bool)
            data[f.name] = str(value) if whole else _text(value)
        elif f.kind == "bool3":
            data[f.name] = ("yes" if value else "no") if isinstance(value, bool) else _text(value)
        elif f.kind in ("int", "number"):
            data[f.name] = _number(value, f.kind == "int")
        elif f.kind == "power":
            if not isinstance(value, Mapping):
                shape.append(Problem(f.path, "must be an object of muscle group → MRC grade (0 to 5)"))
                continue
            for muscle, grade in value.items():
                if muscle not in f.choices:
                    shape.append(Problem(f"{f.path}.{muscle}", f"unknown muscle group {muscle!r}; expected one of: "
                                                               f"{', '.join(f.choices)}"))
                else:
                    data[f"{f.path}.{muscle}"] = _number(grade, True)
        elif f.kind == "sites":
            _site_data(value, data, shape)
    return data, shape


def _site_data(value: Any, data: MultiValueDict[str, str], shape: list[Problem]) -> None:
    if not isinstance(value, Mapping):
        shape.append(Problem(SITES, "must be an object of medical item → {areas, side}"))
        return
    for item, site in value.items():
        path = f"{SITES}.{item}"
        if item not in vocab.MEDICAL:
            shape.append(Problem(path, f"unknown medical item {item!r}; expected one of: {', '.join(vocab.MEDICAL)}"))
            continue
        if not isinstance(site, Mapping):
            shape.append(Problem(path, "must be an object with “areas” (body areas) and “side”"))
            continue
        for key in site:
            if key not in ("areas", "side"):
                shape.append(Problem(f"{path}.{key}", "unknown field; a site has only “areas” and “side”"))
        if item not in vocab.SITE_BOUND:
            continue  # the engine places only the site-bound items; it keeps the rest as given
        areas = site.get("areas")
        if areas is not None and not isinstance(areas, list):
            shape.append(Problem(f"{path}.areas", f"{vocab.label(item)}: give the areas as a list."))
        elif areas is not None:
            data.setlist(f"{path}.areas", [_text(a) for a in areas])
            if len(areas) != len({json.dumps(a) for a in areas}):
                shape.append(Problem(f"{path}.areas", "an area is listed twice"))
        if site.get("side") is not None:
            data[f"{path}.side"] = _text(site["side"])


def document_problems(document: Mapping[str, Any]) -> list[Problem]:
    """What the intake form refuses in an intake document (the API's check, the same as the page's)."""
    data, shape = form_data(document)
    found = shape + IntakeForm(data).problems()
    return found + [p for p in intake_checks.problems(document) if p not in found]  # as given, not as received


def check_document(document: Mapping[str, Any]) -> None:
    """Raise InputRefused naming each field the form refuses; the engine then checks the whole document."""
    found = document_problems(document)
    if found:
        raise InputRefused(found)


# --- the page --------------------------------------------------------------------------------------------------

def groups(intake: dict[str, Any] | None, problems: list[Problem] | None = None,
           post: QueryDict | None = None) -> list[dict[str, Any]]:
    """What the template needs to draw the form with current values and errors next to their fields (a number
    that was refused is shown as typed, from `post`)."""
    intake = intake or {}
    errors: dict[str, list[str]] = {}
    for p in problems or []:
        key = p.path.split("[")[0]
        errors.setdefault(key, []).append(p.message)
    out = []
    for title, fields in GROUPS:
        rows = []
        for f in fields:
            current = _get(intake, f.path)
            value = "" if current is None else current
            if f.kind in ("int", "number") and post is not None and f.name in errors:
                value = post.get(f.name, "")
            row: dict[str, Any] = {"f": f, "errors": errors.get(f.path, []), "value": value,
                                   "asked": isinstance(current, list) and not current}
            if f.kind in ("multi", "flags"):
                chosen = set(current or [])
                row["options"] = [(c, vocab.label(c), c in chosen) for c in f.choices]
                if f.kind == "flags":
                    row["flag_groups"] = [(g, [(c, text, vocab.RED_FLAG_QUESTIONS[c], c in chosen)
                                               for c, text in flags]) for g, flags in vocab.RED_FLAG_GROUPS]
            elif f.kind == "choice":
                row["options"] = [(c, vocab.label(c), str(current) == c) for c in f.choices]
            elif f.kind == "bool3":
                row["options"] = [("", "not recorded", current is None), ("yes", "yes", current is True),
                                  ("no", "no", current is False)]
            elif f.kind == "power":
                row["muscles"] = _power_rows(f, current, errors)
                row["grades"] = vocab.MRC_GRADES
            elif f.kind == "sites":
                row["sites"] = _site_rows(f, intake, errors)
            rows.append(row)
        out.append({"title": title, "rows": rows, "red": title.startswith("Red flags")})
    return out


def _nested_errors(errors: dict[str, list[str]], path: str) -> list[str]:
    return [m for key, messages in errors.items() if key == path or key.startswith(path + ".") for m in messages]


def _power_rows(f: Field, current: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """One line per muscle group: its grade (None = not tested), whether it records a foot drop, its errors."""
    grades = current if isinstance(current, dict) else {}
    out = []
    for muscle in f.choices:
        grade = grades.get(muscle)
        grade = grade if isinstance(grade, int) and not isinstance(grade, bool) else None
        out.append({"id": muscle, "label": vocab.label(muscle), "grade": grade,
                    "name": f"{f.path}.{muscle}", "foot_drop_muscle": muscle == "ankle_dorsiflexion",
                    "foot_drop": muscle == "ankle_dorsiflexion" and grade is not None
                    and grade <= vocab.FOOT_DROP_GRADE,
                    "errors": _nested_errors(errors, f"{f.path}.{muscle}")})
    return out


def _site_rows(f: Field, intake: dict[str, Any], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """One block per site-bound item: whether it is ticked, the areas by region and the side chosen, errors."""
    medical = intake.get("medical") if isinstance(intake.get("medical"), list) else []
    sites = intake.get(f.path) if isinstance(intake.get(f.path), dict) else {}
    out = []
    for item in f.choices:
        site = sites.get(item) if isinstance(sites.get(item), dict) else {}
        areas = set(site.get("areas") or []) if isinstance(site.get("areas"), list) else set()
        side = site.get("side")
        out.append({
            "id": item, "label": vocab.label(item), "question": vocab.SITE_QUESTIONS.get(item, "Where is it?"),
            "ticked": item in medical, "has_values": bool(areas or side),
            "areas_name": f"{f.path}.{item}.areas", "side_name": f"{f.path}.{item}.side",
            "regions": [(title, [(a, vocab.label(a), a in areas) for a in region])
                        for title, region in vocab.AREA_REGIONS],
            "sides": [("", "not recorded", side not in vocab.SIDES)]
            + [(s, vocab.label(s), side == s) for s in vocab.SIDES],
            "errors": _nested_errors(errors, f"{f.path}.{item}"),
        })
    return out


def unplaced(problems: list[Problem]) -> list[Problem]:
    """Problems whose path is not a field of the form (shown at the top)."""
    known = {f.path for f in FIELDS}
    nested = tuple(f"{f.path}." for f in FIELDS if f.kind in ("power", "sites"))
    return [p for p in problems if p.path.split("[")[0] not in known and not p.path.startswith(nested)]
