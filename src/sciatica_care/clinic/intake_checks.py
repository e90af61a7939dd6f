"""The clinic's checks across the intake 1.1 fields (`examination.power`, `medical_sites`), shared by the form and
the JSON API, before the engine is asked.

Each field's type, choices and limits are the intake form's (generated from the schema, `intake_form`); the
engine validates the whole intake against the contract. What is left here is what no single field can say: a
site for a medical item that is not ticked, and a grade of 5 (normal) for a muscle also listed as weak. Every
problem names the field's path (`examination.power.plantarflexion`, `medical_sites.pacemaker`).

One decision is made here for both ways in: **a grade below 5 means the muscle is weak**, so `complete()` adds a
muscle graded 0–4 to `examination.weakness` (the stored intake then reads the same whichever list is consulted).
A muscle listed as weak without a grade stays "not graded"; a muscle graded 5 and listed as weak is refused as a
contradiction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sciatica_care.clinic import vocab
from sciatica_care.errors import InputRefused, Problem

POWER = "examination.power"
SITES = "medical_sites"


def medical_label(item: str) -> str:
    return vocab.label(item)


def _grade_ok(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 5


def power_problems(intake: Mapping[str, Any]) -> list[Problem]:
    """A muscle graded 5/5 (normal) and listed as weak."""
    exam = intake.get("examination")
    power = exam.get("power") if isinstance(exam, Mapping) else None
    if not isinstance(power, Mapping):
        return []
    weakness = exam.get("weakness")  # type: ignore[union-attr]
    weak = {w for w in weakness if isinstance(w, str)} if isinstance(weakness, list) else set()
    return [Problem(f"{POWER}.{muscle}", f"{vocab.label(muscle)} is graded 5/5 (normal) but also listed as weak: "
                                         "change the grade or untick the weakness")
            for muscle, grade in power.items() if grade == 5 and _grade_ok(grade) and muscle in weak]


def sites_problems(intake: Mapping[str, Any]) -> list[Problem]:
    """A site given for a medical item that is not ticked in the medical history."""
    sites = intake.get(SITES)
    if not isinstance(sites, Mapping):
        return []
    medical = intake.get("medical")
    ticked = {m for m in medical if isinstance(m, str)} if isinstance(medical, list) else set()
    return [Problem(f"{SITES}.{item}", f"a site is given for “{medical_label(item)}”, which is not ticked in the "
                                       "medical history (medical): tick it or clear the site")
            for item in sites if item in vocab.MEDICAL and item not in ticked]


def problems(intake: Mapping[str, Any]) -> list[Problem]:
    return power_problems(intake) + sites_problems(intake)


def complete(intake: dict[str, Any]) -> dict[str, Any]:
    """Add every muscle graded below 5 to `examination.weakness` (in the vocabulary's order); the intake is
    changed in place and returned. Call after `check()`."""
    exam = intake.get("examination")
    if not isinstance(exam, dict) or not isinstance(exam.get("power"), dict):
        return intake
    weak_by_grade = [m for m, g in exam["power"].items() if _grade_ok(g) and g < 5]
    if not weak_by_grade:
        return intake
    listed = exam.get("weakness") if isinstance(exam.get("weakness"), list) else []
    chosen = set(listed) | set(weak_by_grade)
    exam["weakness"] = [m for m in vocab.WEAKNESS if m in chosen] + [m for m in listed if m not in vocab.WEAKNESS]
    return intake


def check(intake: Mapping[str, Any]) -> None:
    """Raise InputRefused naming each bad 1.1 field; nothing else is looked at (the engine checks the rest)."""
    found = problems(intake)
    if found:
        raise InputRefused(found)


def foot_drop(intake: Mapping[str, Any]) -> int | None:
    """The ankle dorsiflexion grade when it records an acute foot drop (≤ 3/5), else None."""
    exam = intake.get("examination")
    power = exam.get("power") if isinstance(exam, Mapping) else None
    grade = power.get("ankle_dorsiflexion") if isinstance(power, Mapping) else None
    return grade if _grade_ok(grade) and grade <= vocab.FOOT_DROP_GRADE else None


def recorded(intake: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the preview and the plan page show of the 1.1 fields: grades and sites, in words."""
    intake = intake or {}
    exam = intake.get("examination") if isinstance(intake.get("examination"), Mapping) else {}
    power = exam.get("power") if isinstance(exam, Mapping) and isinstance(exam.get("power"), Mapping) else {}
    grades = [{"muscle": vocab.label(m), "grade": power[m],
               "foot_drop": m == "ankle_dorsiflexion" and power[m] <= vocab.FOOT_DROP_GRADE}
              for m in vocab.WEAKNESS if m in power and _grade_ok(power[m])]
    medical = intake.get("medical") if isinstance(intake.get("medical"), list) else []
    sites_in = intake.get(SITES) if isinstance(intake.get(SITES), Mapping) else {}
    sites = []
    for item in vocab.SITE_BOUND:
        if item not in medical:
            continue
        site = sites_in.get(item)
        if isinstance(site, Mapping) and (site.get("areas") or site.get("side")):
            where = ", ".join(vocab.label(a) for a in site.get("areas") or [] if isinstance(a, str)) or "area not given"
            side = site.get("side")
            sites.append({"item": vocab.label(item), "where": where,
                          "side": vocab.label(side) if isinstance(side, str) else "side not given", "known": True})
        else:
            sites.append({"item": vocab.label(item), "known": False})
    return {"grades": grades, "sites": sites, "any": bool(grades or sites)}
