"""The clinic's own checks of the intake 1.1 fields (`examination.power`, `medical_sites`), shared by the form
and the JSON API, before the engine is asked.

The engine validates the whole intake against the contract; these checks answer first, in the clinic's words,
for what a form or a client gets wrong most easily: a grade outside 0–5, a muscle or body area that is not in
the vocabulary, a site for a medical item that is not ticked, and a grade of 5 (normal) for a muscle also listed
as weak. Every problem names the field's path (`examination.power.ankle_dorsiflexion`, `medical_sites.pacemaker`).

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
    exam = intake.get("examination")
    if not isinstance(exam, Mapping) or "power" not in exam:
        return []
    power = exam["power"]
    if not isinstance(power, Mapping):
        return [Problem(POWER, "must be an object of muscle group → MRC grade (0 to 5)")]
    problems: list[Problem] = []
    weakness = exam.get("weakness")
    weak = set(weakness) if isinstance(weakness, list) and all(isinstance(w, str) for w in weakness) else set()
    for muscle, grade in power.items():
        path = f"{POWER}.{muscle}"
        if muscle not in vocab.WEAKNESS:
            problems.append(Problem(path, f"unknown muscle group {muscle!r}; expected one of: "
                                          f"{', '.join(vocab.WEAKNESS)}"))
        elif not _grade_ok(grade):
            problems.append(Problem(path, f"MRC grade of {vocab.label(muscle).lower()} must be a whole number "
                                          f"from 0 to 5, got {grade!r}"))
        elif grade == 5 and muscle in weak:
            problems.append(Problem(path, f"{vocab.label(muscle)} is graded 5/5 (normal) but also listed as weak: "
                                          "change the grade or untick the weakness"))
    return problems


def sites_problems(intake: Mapping[str, Any]) -> list[Problem]:
    if SITES not in intake:
        return []
    sites = intake[SITES]
    if not isinstance(sites, Mapping):
        return [Problem(SITES, "must be an object of medical item → {areas, side}")]
    medical = intake.get("medical")
    ticked = set(medical) if isinstance(medical, list) and all(isinstance(m, str) for m in medical) else set()
    problems: list[Problem] = []
    for item, site in sites.items():
        path = f"{SITES}.{item}"
        if item not in vocab.MEDICAL:
            problems.append(Problem(path, f"unknown medical item {item!r}; expected one of: "
                                          f"{', '.join(vocab.MEDICAL)}"))
            continue
        if item not in ticked:
            problems.append(Problem(path, f"a site is given for “{medical_label(item)}”, which is not ticked in the "
                                          "medical history (medical): tick it or clear the site"))
        if not isinstance(site, Mapping):
            problems.append(Problem(path, "must be an object with “areas” (body areas) and “side”"))
            continue
        for key in site:
            if key not in ("areas", "side"):
                problems.append(Problem(f"{path}.{key}", "unknown field; a site has only “areas” and “side”"))
        areas = site.get("areas")
        if "areas" in site:
            if not isinstance(areas, list):
                problems.append(Problem(f"{path}.areas", "must be a list of body areas"))
            else:
                seen: set[object] = set()
                for i, area in enumerate(areas):
                    if area not in vocab.AREAS:
                        problems.append(Problem(f"{path}.areas[{i}]", f"unknown body area {area!r}"))
                    elif area in seen:
                        problems.append(Problem(f"{path}.areas[{i}]", f"{area!r} is listed twice"))
                    seen.add(area if isinstance(area, str) else repr(area))
        if "side" in site and site["side"] not in vocab.SIDES:
            problems.append(Problem(f"{path}.side", f"unknown side {site['side']!r}; expected one of: "
                                                    f"{', '.join(vocab.SIDES)}"))
    return problems


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
