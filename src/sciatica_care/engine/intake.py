"""Intake validation: check a document against the contract's JSON Schema and report every problem with its path.

The checker is compiled from the published schema itself, once, so the vocabularies live in one place: each schema
node becomes one closure (enums as sets, the keys each object may hold worked out in advance). It covers the
keywords the contract uses (type, enum, const, minimum, maximum, required, properties, items, minItems,
uniqueItems, and since 1.1 propertyNames with an enum and additionalProperties as a schema or false); the rules no
schema keyword expresses (the age scope, pregnancy weeks only when pregnant, a `medical_sites` key also listed in
`medical`) follow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from ..contract import intake_schema
from ..errors import InputRefused, Problem, join_path

_TYPE_NAMES = {
    "object": "an object", "array": "a list", "string": "a string", "integer": "a whole number",
    "number": "a number", "boolean": "true or false", "null": "null",
}

Check = Callable[[object, str, list[Problem]], None]
"""A compiled schema node: checks a value found at a path and appends what is wrong with it."""


def validate_intake(doc: object) -> dict[str, Any]:
    """Return the intake when it honours the contract; otherwise raise InputRefused listing every problem."""
    problems: list[Problem] = []
    _intake_check()(doc, "", problems)
    if isinstance(doc, Mapping):
        problems.extend(_clinical_scope(doc))
    if problems:
        raise InputRefused([_explain_scope(p, doc) for p in problems])
    assert isinstance(doc, dict)  # noqa: S101 - the schema's root type is object
    return doc


@cache
def _intake_check() -> Check:
    return compile_schema(intake_schema())


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


# The Python types that always pass a declared type without a closer look (an int is a number and a whole number;
# a bool is an int to Python but never a number here); any other value goes through `_type_ok`.
_PLAIN_PASS = {
    "object": (dict,), "array": (list, tuple), "string": (str,), "integer": (int,), "number": (int,),
    "boolean": (bool,), "null": (type(None),),
}
_PLAIN = (str, int, float, list, tuple, type(None))


def compile_schema(node: Mapping[str, Any]) -> Check:
    """One schema node (and everything under it) as a checker that reports exactly what the schema refuses."""
    declared = node.get("type")
    names: list[str] | None = None if declared is None else declared if isinstance(declared, list) else [declared]
    passing = frozenset(t for n in names or () for t in _PLAIN_PASS[n])
    wanted = " or ".join(_TYPE_NAMES[n] for n in names or ())
    has_const, const = "const" in node, node.get("const")
    enum: list[Any] | None = node.get("enum")
    enum_strings = frozenset(e for e in enum or () if isinstance(e, str))
    enum_text = ", ".join(enum or ())
    low, high = node.get("minimum"), node.get("maximum")
    bounded = low is not None or high is not None
    check_object = _object_check(node)
    check_items = _items_check(node)

    def check(value: object, path: str, out: list[Problem]) -> None:
        kind = type(value)
        if names is not None and kind not in passing and not any(_type_ok(value, n) for n in names):
            out.append(Problem(path or "(document)", f"must be {wanted}, got {_show(value)}"))
            return
        if has_const and value != const:
            out.append(Problem(path or "(document)", f"must be {const!r}, got {_show(value)}"))
            return
        if enum is not None and not (value in enum_strings if kind is str else value in enum):
            out.append(Problem(path or "(document)", f"unknown value {_show(value)}; expected one of: {enum_text}"))
            return
        if bounded and (kind is int or kind is float or (isinstance(value, int | float) and kind is not bool)):
            assert isinstance(value, int | float)  # noqa: S101 - just tested
            if (low is not None and value < low) or (high is not None and value > high):
                out.append(Problem(path or "(document)", f"must be from {low} to {high}, got {_show(value)}"))
        if check_object is not None and (
            kind is dict or (not isinstance(value, _PLAIN) and isinstance(value, Mapping))
        ):
            check_object(value, path, out)
        if check_items is not None and (kind is list or kind is tuple or isinstance(value, list | tuple)):
            check_items(value, path, out)

    return check


def _object_check(node: Mapping[str, Any]) -> Check | None:
    """`required`, `properties`, then `propertyNames` (an enum of allowed keys) and `additionalProperties` (a
    schema, or false) for the keys that `properties` does not name."""
    required = tuple(node.get("required", ()))
    known: Mapping[str, Any] = node.get("properties", {})
    props = tuple((key, compile_schema(sub)) for key, sub in known.items())
    names = node.get("propertyNames")
    extra = node.get("additionalProperties", True)
    allowed: list[Any] | None = names.get("enum") if isinstance(names, Mapping) else None
    allowed_set = frozenset(allowed or ())
    allowed_text = ", ".join(allowed or ())
    others = names is not None or extra is not True
    extra_check = compile_schema(extra) if isinstance(extra, Mapping) else None
    expected = ", ".join(known) or "no other keys"
    if not (required or props or others):
        return None

    def check(value: Any, path: str, out: list[Problem]) -> None:
        for key in required:
            if key not in value:
                out.append(Problem(f"{path}.{key}" if path else key, "is required"))
        for key, sub in props:
            if key in value:
                sub(value[key], f"{path}.{key}" if path else key, out)
        if not others:
            return
        for key in value:
            if allowed is not None and key not in allowed_set:
                out.append(Problem(join_path(path, str(key)),
                                   f"unknown key {_show(key)}; expected one of: {allowed_text}"))
                continue
            if key in known:
                continue
            if extra is False:
                out.append(Problem(join_path(path, str(key)), f"unknown key {_show(key)}; expected one of: {expected}"))
            elif extra_check is not None:
                extra_check(value[key], join_path(path, str(key)), out)

    return check


def _items_check(node: Mapping[str, Any]) -> Check | None:
    least = node.get("minItems")
    sub = node.get("items")
    item_check = compile_schema(sub) if sub is not None else None
    unique = bool(node.get("uniqueItems"))
    if least is None and item_check is None and not unique:
        return None

    def check(items: Any, path: str, out: list[Problem]) -> None:
        if least is not None and len(items) < least:
            out.append(Problem(path, f"needs at least {least} item{'s' if least != 1 else ''}"))
        seen: set[object] = set()
        for i, item in enumerate(items):
            if item_check is not None:
                item_check(item, f"{path}[{i}]", out)
            if unique and isinstance(item, str):
                if item in seen:
                    out.append(Problem(f"{path}[{i}]", f"{item!r} is listed twice"))
                seen.add(item)

    return check


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
