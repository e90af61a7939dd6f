"""The facts a rule may test: every leaf of the intake contract, and what the engine derives from it.

The catalogue gives each fact its kind and, where it has one, its vocabulary, so the validator can refuse a
condition that names an unknown fact or a value that can never occur.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, Literal

from msgspec import Struct

from ..contract import intake_schema
from .timing import SEE_WITHIN

FactKind = Literal["set", "enum", "bool", "number"]

CAUSES = (
    "disc_herniation", "spinal_stenosis", "piriformis_syndrome", "spondylolisthesis",
    "myofascial_trigger_points", "degenerative_arthritis", "pregnancy_related", "trauma",
)
ROOTS = ("L4", "L5", "S1")
CHANNELS = ("bladder", "gallbladder", "stomach", "spleen", "liver", "kidney", "governor")
PHASES = ("acute", "subacute", "chronic")
LEVELS = ("emergency", "urgent", "routine")


class FactSpec(Struct, frozen=True):
    kind: FactKind
    values: frozenset[object] | None = None


def _leaves(schema: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        if sub.get("type") == "object" or "properties" in sub:
            yield from _leaves(sub, path)
            yield from _keyed_leaves(sub, path)
        else:
            yield path, sub


def _keyed_leaves(node: Mapping[str, Any], path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """A map whose keys come from a vocabulary (`examination.power`, `medical_sites`): one fact per key, so that
    `examination.power.ankle_dorsiflexion` or `medical_sites.dvt_suspected.side` can be tested by a rule."""
    names = node.get("propertyNames")
    value = node.get("additionalProperties")
    if not isinstance(names, Mapping) or "enum" not in names or not isinstance(value, Mapping):
        return
    for key in names["enum"]:
        keyed = f"{path}.{key}"
        if value.get("type") == "object" or "properties" in value:
            yield from _leaves(value, keyed)
        else:
            yield keyed, value


def _spec(node: Mapping[str, Any]) -> FactSpec | None:
    kind = node.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    if kind == "array":
        return FactSpec("set", frozenset(node.get("items", {}).get("enum", ())))
    if "enum" in node:
        return FactSpec("enum", frozenset(node["enum"]))
    if kinds & {"integer", "number"}:
        return FactSpec("number")
    if kinds == {"boolean"}:
        return FactSpec("bool")
    return None


@cache
def intake_fact_paths() -> tuple[tuple[str, FactSpec], ...]:
    """Every intake leaf that a rule may test, with its kind (the schema's version string is not a fact)."""
    found = []
    for path, node in _leaves(intake_schema()):
        spec = _spec(node)
        if spec is not None:
            found.append((path, spec))
    return tuple(found)


def fact_catalogue(pattern_ids: tuple[str, ...]) -> dict[str, FactSpec]:
    """All facts: the intake's leaves, then what triage and assessment derive."""
    catalogue = dict(intake_fact_paths())
    red_flags = catalogue["red_flags"].values
    catalogue.update({
        "triage.red_flags": FactSpec("set", red_flags),
        "triage.level": FactSpec("enum", frozenset(LEVELS)),
        "triage.see_within": FactSpec("enum", frozenset(SEE_WITHIN)),
        "assessment.phase": FactSpec("enum", frozenset(PHASES)),
        "assessment.nerve_roots": FactSpec("set", frozenset(ROOTS)),
        "assessment.channels": FactSpec("set", frozenset(CHANNELS)),
        "assessment.top_cause": FactSpec("enum", frozenset(CAUSES)),
        "assessment.likely_causes": FactSpec("set", frozenset(CAUSES)),
        "assessment.tcm_patterns": FactSpec("set", frozenset(pattern_ids)),
    })
    return catalogue


_Reader = tuple[tuple[str, str | None, bool, "_Reader"], ...]
"""The intake's fact paths as a tree, read in the catalogue's order: (key, the fact's path when the key's value is
a fact, whether it is a set, the facts below it)."""


@cache
def _fact_reader() -> _Reader:
    tree: dict[str, Any] = {}
    for path, spec in intake_fact_paths():
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {"": None, "/": {}})["/"]
        node.setdefault(parts[-1], {"": None, "/": {}})[""] = (path, spec.kind == "set")

    def frozen(level: dict[str, Any]) -> _Reader:
        return tuple((key, *(entry[""] or (None, False)), frozen(entry["/"])) for key, entry in level.items())

    return frozen(tree)


def intake_facts(intake: Mapping[str, Any]) -> dict[str, object]:
    """Flatten a validated intake into facts; lists become frozensets, nulls and absent fields are left out."""
    facts: dict[str, object] = {}
    _read(intake, _fact_reader(), facts)
    return facts


def _read(node: Mapping[str, Any], reader: _Reader, facts: dict[str, object]) -> None:
    for key, path, is_set, below in reader:
        if key in node:
            value = node[key]
            if path is not None and value is not None:
                facts[path] = frozenset(value) if is_set else value
            if below and (type(value) is dict or isinstance(value, Mapping)):
                _read(value, below, facts)
