"""The intake form: every contract field, red flags first, grouped as a practitioner asks them.

`read(post)` turns the submitted form into contract JSON (an absent list stays absent: "not recorded", unless
the practitioner ticked "asked: none"); `groups(intake, errors)` describes the form for the template.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from sciatica_care.clinic import intake_checks, vocab
from sciatica_care.clinic.input_cleaning import MAX_INT, whole_number
from sciatica_care.errors import Problem


@dataclass
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


GROUPS: list[tuple[str, list[Field]]] = [
    ("Red flags (ask these first)", [Field("red_flags", "Answered “yes”", "flags", vocab.RED_FLAGS, required=True)]),
    ("Patient", [
        Field("patient.age", "Age", "int", required=True, min=16, max=110),
        Field("patient.sex", "Sex", "choice", ["female", "male", "other"]),
        Field("patient.pregnant", "Pregnant", "bool3"),
        Field("patient.pregnancy_weeks", "Weeks of pregnancy", "int", min=1, max=42),
    ]),
    ("This episode", [
        Field("episode.side", "Side of leg pain", "choice", ["left", "right", "both"], required=True),
        Field("episode.duration_weeks", "Duration (weeks)", "number", required=True, min=0, max=2600),
        Field("episode.onset", "Onset", "choice", ["sudden", "gradual"]),
        Field("episode.after_lifting", "Began after lifting", "bool3"),
        Field("episode.after_trauma", "Began after trauma", "bool3"),
    ]),
    ("Pain", [
        Field("pain.leg_nrs", "Leg pain now (0–10)", "int", required=True, min=0, max=10),
        Field("pain.back_nrs", "Back pain now (0–10)", "int", min=0, max=10),
        Field("pain.areas", "Where", "multi", vocab.AREAS, required=True),
        Field("pain.qualities", "What it feels like", "multi", vocab.QUALITIES),
        Field("pain.worse_with", "Worse with", "multi", vocab.MODIFIERS),
        Field("pain.better_with", "Better with", "multi", vocab.MODIFIERS),
    ]),
    ("Examination", [
        Field("examination.straight_leg_raise", "Straight leg raise", "choice", ["positive", "negative"]),
        Field("examination.crossed_straight_leg_raise", "Crossed straight leg raise", "choice",
              ["positive", "negative"]),
        Field("examination.fair_test", "FAIR test", "choice", ["positive", "negative"]),
        Field("examination.weakness", "Weakness", "multi", vocab.WEAKNESS),
        Field("examination.power", "Muscle power (MRC 0–5), painful side", "power", vocab.WEAKNESS,
              help="Both legs: grade the weaker side. Not tested unless you choose a grade; 5 = normal. "
                   "A grade below 5 is saved as a weakness too (it is added to Weakness above)."),
        Field("examination.reflexes.knee", "Knee reflex", "choice", ["normal", "reduced", "absent"]),
        Field("examination.reflexes.ankle", "Ankle reflex", "choice", ["normal", "reduced", "absent"]),
        Field("examination.sensory_loss", "Sensory loss", "multi", vocab.AREAS),
        Field("examination.piriformis_tenderness", "Piriformis tender", "bool3"),
        Field("examination.lumbar_tenderness", "Lumbar spine tender", "bool3"),
        Field("examination.trigger_points", "Trigger points reproduce the pain", "bool3"),
        Field("examination.imaging", "Imaging", "multi", vocab.IMAGING),
    ]),
    ("Medical history (safety)", [
        Field("medical", "Applies", "multi", vocab.MEDICAL, help="Tick “asked: none” when you asked and none apply."),
        Field("medical_sites", "Where on the body", "sites", vocab.SITE_BOUND),
    ]),
    ("TCM", [
        Field("tcm.signs", "Signs", "multi", vocab.TCM_SIGNS),
        Field("tcm.tongue", "Tongue", "multi", vocab.TONGUE),
        Field("tcm.pulse", "Pulse", "multi", vocab.PULSE),
    ]),
    ("Preferences", [
        Field("preferences.modalities", "Accepts", "multi", vocab.MODALITIES, help="None ticked = all offered."),
        Field("preferences.max_sessions_per_week", "Most sessions a week", "choice", ["1", "2", "3"]),
    ]),
]
FIELDS = [f for _, fields in GROUPS for f in fields]


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value


def _get(source: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        if not isinstance(source, dict) or part not in source:
            return None
        source = source[part]
    return source


def read(post: QueryDict) -> tuple[dict[str, Any], list[Problem]]:
    """Contract JSON from the submitted form, and the problems found while reading it (bad numbers)."""
    intake: dict[str, Any] = {"schema_version": "1"}
    problems: list[Problem] = []
    for f in FIELDS:
        if f.kind in ("multi", "flags"):
            values = [v for v in post.getlist(f.name) if v in f.choices]
            if values or f.kind == "flags" or post.get(f"{f.name}__asked"):
                _set(intake, f.path, values)
        elif f.kind == "choice":
            value = post.get(f.name, "")
            if value in f.choices:
                _set(intake, f.path, int(value) if value.isdigit() else value)
        elif f.kind == "bool3":
            value = post.get(f.name, "")
            if value in ("yes", "no"):
                _set(intake, f.path, value == "yes")
        elif f.kind == "power":
            _read_power(post, f, intake, problems)
        elif f.kind == "sites":
            _read_sites(post, f, intake)
        else:
            raw = post.get(f.name, "").strip()
            if not raw:
                continue
            try:  # the digits 0-9 only ("²", "٣", "nan" and "inf" are refused in words)
                number: float | int = whole_number(raw, -MAX_INT, MAX_INT) if f.kind == "int" else float(raw)
                if not raw.isascii() or not math.isfinite(number):
                    raise ValueError(raw)
            except ValueError:
                problems.append(Problem(f.path, "must be a whole number (digits 0-9)" if f.kind == "int"
                                        else "must be a number (digits 0-9)"))
                continue
            if isinstance(number, float) and number.is_integer():
                number = int(number)
            _set(intake, f.path, number)
    for part in ("patient", "episode", "pain"):
        intake.setdefault(part, {})
    problems += intake_checks.problems(intake)
    if not problems:
        intake_checks.complete(intake)
    return intake, problems


def _read_power(post: QueryDict, f: Field, intake: dict[str, Any], problems: list[Problem]) -> None:
    """One radio group per muscle (`examination.power.ankle_dorsiflexion`); empty = not tested (left out)."""
    grades: dict[str, int] = {}
    for muscle in f.choices:
        raw = post.get(f"{f.path}.{muscle}", "").strip()
        if not raw:
            continue
        if raw in ("0", "1", "2", "3", "4", "5"):
            grades[muscle] = int(raw)
        else:
            problems.append(Problem(f"{f.path}.{muscle}", "choose an MRC grade from 0 to 5, or “not tested”"))
    if grades:
        _set(intake, f.path, grades)


def _read_sites(post: QueryDict, f: Field, intake: dict[str, Any]) -> None:
    """Areas and side of each site-bound item (`medical_sites.pacemaker.areas`, `….side`); empty = not recorded.
    A site for an item that is not ticked is kept here, so that the check names it."""
    sites: dict[str, dict[str, Any]] = {}
    for item in f.choices:
        areas = [a for a in vocab.AREAS if a in post.getlist(f"{f.path}.{item}.areas")]
        side = post.get(f"{f.path}.{item}.side", "")
        site: dict[str, Any] = {}
        if areas:
            site["areas"] = areas
        if side in vocab.SIDES:
            site["side"] = side
        if site:
            sites[item] = site
    if sites:
        intake[f.path] = sites


def groups(intake: dict[str, Any] | None, problems: list[Problem] | None = None) -> list[dict[str, Any]]:
    """What the template needs to draw the form with current values and errors next to their fields."""
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
            row: dict[str, Any] = {"f": f, "errors": errors.get(f.path, []), "value": value,
                                   "asked": isinstance(current, list) and not current}
            if f.kind in ("multi", "flags"):
                chosen = set(current or [])
                labels = vocab.RED_FLAG_LABELS if f.kind == "flags" else {}
                row["options"] = [(c, labels.get(c) or vocab.label(c), c in chosen) for c in f.choices]
                if f.kind == "flags":
                    row["flag_groups"] = [(g, [(c, text, c in chosen) for c, text in flags])
                                          for g, flags in vocab.RED_FLAG_GROUPS]
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
            "id": item, "label": vocab.label(item), "question": vocab.SITE_QUESTIONS[item],
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
