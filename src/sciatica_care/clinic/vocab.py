"""The contract's vocabularies and their labels, as the clinic's pages show them.

Nothing here is written by hand: the choices and limits are read from the intake schema and the words from the
knowledge's `labels.yaml` and red flags (`triage.yaml`), through the seam (`clinical`). A test checks that every
choice of the schema has its label and every red flag its question.
"""

from __future__ import annotations

from typing import Any

from sciatica_care.clinic import clinical


def _node(path: str) -> dict[str, Any]:
    """The schema of one intake field by its dotted path (`pain.areas`, `examination.reflexes.knee`)."""
    node: dict[str, Any] = clinical.intake_schema()
    for part in path.split("."):
        node = node["properties"][part]
    return node


def choices(path: str) -> list[str]:
    """The values a field offers: its enum, its items' enum (a list), or its keys' enum (a map)."""
    node = _node(path)
    for holder in (node, node.get("items") or {}, node.get("propertyNames") or {}):
        if "enum" in holder:
            return [str(v) for v in holder["enum"]]
    raise KeyError(f"{path} offers no choices")


def bounds(path: str) -> tuple[float | None, float | None]:
    """A number field's minimum and maximum (None when the schema sets none)."""
    node = _node(path)
    return node.get("minimum"), node.get("maximum")


_LABELS = clinical.labels()

AREAS = choices("pain.areas")
QUALITIES = choices("pain.qualities")
MODIFIERS = choices("pain.worse_with")
WEAKNESS = choices("examination.weakness")
IMAGING = choices("examination.imaging")
RED_FLAGS = choices("red_flags")
MEDICAL = choices("medical")
TCM_SIGNS = choices("tcm.signs")
TONGUE = choices("tcm.tongue")
PULSE = choices("tcm.pulse")
MODALITIES = choices("preferences.modalities")
SIDES = [str(s) for s in _node("medical_sites")["additionalProperties"]["properties"]["side"]["enum"]]
#: Medical items that sit somewhere on the body: the intake asks where (contract 1.1 `medical_sites`).
SITE_BOUND = list(clinical.site_bound_items())
#: What each site-bound item's site is, in the form's words.
SITE_QUESTIONS = dict(_LABELS.site_questions)
#: The red-flag questions, as the knowledge asks them.
RED_FLAG_QUESTIONS = {f.id: f.question for f in clinical.red_flags()}
#: A short name for each red flag (the labels file).
RED_FLAG_LABELS = {code: _LABELS.choices[code] for code in RED_FLAGS}
#: The red flags under their group's heading, in the order the knowledge lists them.
RED_FLAG_GROUPS: list[tuple[str, list[tuple[str, str]]]] = []
for _flag in clinical.red_flags():
    _heading = _LABELS.flag_groups[_flag.group]
    if not RED_FLAG_GROUPS or RED_FLAG_GROUPS[-1][0] != _heading:
        RED_FLAG_GROUPS.append((_heading, []))
    RED_FLAG_GROUPS[-1][1].append((_flag.id, RED_FLAG_LABELS[_flag.id]))
#: The pain areas grouped by region, so a site is found at a glance.
AREA_REGIONS = [(r.title, list(r.areas)) for r in _LABELS.area_regions]
#: The MRC scale (Medical Research Council muscle power, 0-5), as the grid explains each grade.
MRC_GRADES = sorted(_LABELS.mrc_grades.items())
#: Ankle dorsiflexion at or below this grade is an acute foot drop (contract 1.1; the schema's power description).
FOOT_DROP_GRADE = 3
#: Massage techniques the charting form offers (not a choice of the intake contract).
MASSAGE_TECHNIQUES = ["trigger_point_release", "myofascial_release", "effleurage", "petrissage", "tuina",
                      "gua_sha", "stretching"]


def field_label(path: str) -> str:
    """What the form calls an intake field (`pain.leg_nrs` → `Leg pain now (0–10)`)."""
    found = _LABELS.fields.get(path)
    return found.label if found is not None else label(path.rsplit(".", 1)[-1])


def field_help(path: str) -> str:
    found = _LABELS.fields.get(path)
    return found.help if found is not None else ""


def label(value: str) -> str:
    """A choice's label from the labels file, else the knowledge's name for the id (a rule such as
    `pregnancy-not-recorded`, a cause, a pattern, a technique), else the id in words (`clinical.display_name`)."""
    return clinical.display_name(value)
