"""Intake validation: check a document against the contract's JSON Schema and report every problem with its path.

The walker reads the published schema itself, so the vocabularies live in one place. It covers the keywords
the contract uses (type, enum, const, minimum, maximum, required, properties, items, minItems, uniqueItems, and
since 1.1 propertyNames with an enum and additionalProperties as a schema or false); the rules no schema keyword
expresses (the age scope, pregnancy weeks only when pregnant, a `medical_sites` key also listed in `medical`)
follow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..contract import intake_schema
from ..errors import InputRefused, Problem, join_path

_TYPE_NAMES = {
    "object": "an object", "array": "a list", "string": "a string", "integer": "a whole number",
    "number": "a number", "boolean": "true or false", "null": "null",
}


def validate_intake(doc: object) -> dict[str, Any]:
    """Return the intake when it honours the contract; otherwise raise InputRefused listing every problem."""
    problems: list[Problem] = []
    _walk(doc, intake_schema(), "", problems)
    if isinstance(doc, Mapping):
        problems.extend(_clinical_scope(doc))
    if problems:
        raise InputRefused([_explain_scope(p, doc) for p in problems])
    assert isinstance(doc, dict)  # noqa: S101 - the schema's root type is object
    return doc


def _type_ok(value: object, name: str) -> bool:
    if name == "object":
        return isinstance(value, Mapping)
    if name == "array":
        return isinstance(value, list | tuple)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return name == "number" or isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_PLAIN = (str, int, float, list, tuple, type(None))


def _walk(value: object, node: Mapping[str, Any], path: str, out: list[Problem]) -> None:
    where = path or "(document)"
    declared = node.get("type")
    if declared is not None:
        names = declared if isinstance(declared, list) else [declared]
        if not any(_type_ok(value, n) for n in names):
            wanted = " or ".join(_TYPE_NAMES[n] for n in names)
            out.append(Problem(where, f"must be {wanted}, got {_show(value)}"))
            return
    if "const" in node and value != node["const"]:
        out.append(Problem(where, f"must be {node['const']!r}, got {_show(value)}"))
        return
    if "enum" in node and value not in node["enum"]:
        out.append(Problem(where, f"unknown value {_show(value)}; expected one of: {', '.join(node['enum'])}"))
        return
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = node.get("minimum"), node.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            out.append(Problem(where, f"must be from {low} to {high}, got {_show(value)}"))
    # dict first, and no abstract Mapping check for plain scalars and lists: this walk runs on every plan.
    if isinstance(value, dict) or (not isinstance(value, _PLAIN) and isinstance(value, Mapping)):
        for key in node.get("required", ()):
            if key not in value:
                out.append(Problem(join_path(path, key), "is required"))
        known = node.get("properties", {})
        for key, sub in known.items():
            if key in value:
                _walk(value[key], sub, join_path(path, key), out)
        _walk_other_keys(value, node, known, path, out)
    if isinstance(value, list | tuple):
        _walk_items(value, node, path, out)


def _walk_other_keys(
    value: Mapping[Any, Any], node: Mapping[str, Any], known: Mapping[str, Any], path: str, out: list[Problem],
) -> None:
    """`propertyNames` (an enum of allowed keys) and `additionalProperties` (a schema, or false) for the keys that
    `properties` does not name."""
    names = node.get("propertyNames")
    extra = node.get("additionalProperties", True)
    if names is None and extra is True:
        return
    allowed = names.get("enum") if isinstance(names, Mapping) else None
    for key in value:
        where = join_path(path, str(key))
        if allowed is not None and key not in allowed:
            out.append(Problem(where, f"unknown key {_show(key)}; expected one of: {', '.join(allowed)}"))
            continue
        if key in known:
            continue
        if extra is False:
            expected = ", ".join(known) or "no other keys"
            out.append(Problem(where, f"unknown key {_show(key)}; expected one of: {expected}"))
        elif isinstance(extra, Mapping):
            _walk(value[key], extra, where, out)


def _walk_items(items: list[Any] | tuple[Any, ...], node: Mapping[str, Any], path: str, out: list[Problem]) -> None:
    least = node.get("minItems")
    if least is not None and len(items) < least:
        out.append(Problem(path, f"needs at least {least} item{'s' if least != 1 else ''}"))
    item_schema = node.get("items")
    seen: set[object] = set()
    for i, item in enumerate(items):
        if item_schema is not None:
            _walk(item, item_schema, join_path(path, i), out)
        if node.get("uniqueItems") and isinstance(item, str):
            if item in seen:
                out.append(Problem(join_path(path, i), f"{item!r} is listed twice"))
            seen.add(item)


def _clinical_scope(doc: Mapping[str, Any]) -> list[Problem]:
    """Rules beyond the schema: refusals that keep the engine inside its clinical scope."""
    problems: list[Problem] = _sites_listed_in_medical(doc)
    patient = doc.get("patient")
    if not isinstance(patient, Mapping):
        return problems
    weeks = patient.get("pregnancy_weeks")
    if weeks is not None and patient.get("pregnant") is not True:
        problems.append(Problem("patient.pregnancy_weeks", "is only recorded when patient.pregnant is true"))
    if patient.get("pregnant") is True and patient.get("sex") == "male":
        problems.append(Problem("patient.pregnant", "cannot be true when patient.sex is male"))
    return problems


def _sites_listed_in_medical(doc: Mapping[str, Any]) -> list[Problem]:
    """A `medical_sites` entry says where a recorded medical item is: the item itself must be in `medical`."""
    sites = doc.get("medical_sites")
    if not isinstance(sites, Mapping):
        return []
    medical = doc.get("medical")
    listed = set(medical) if isinstance(medical, list | tuple) else set()
    known = set(intake_schema()["properties"]["medical"]["items"]["enum"])  # an unknown key is refused already
    return [
        Problem(join_path("medical_sites", str(key)), f"{key!r} has a site but is not listed in medical")
        for key in sites
        if key in known and key not in listed
    ]


def _show(value: object) -> str:
    text = repr(value) if not isinstance(value, Mapping | list | tuple) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _explain_scope(problem: Problem, doc: object) -> Problem:
    """Say why a young patient is refused: under 16 is outside the guidance this engine follows."""
    patient = doc.get("patient") if isinstance(doc, Mapping) else None
    age = patient.get("age") if isinstance(patient, Mapping) else None
    too_young = isinstance(age, int | float) and not isinstance(age, bool) and age < 16
    if problem.path == "patient.age" and too_young:
        scope = " (under 16 is outside the scope of NICE NG59 and of this engine)"
        return Problem(problem.path, problem.message + scope)
    return problem
