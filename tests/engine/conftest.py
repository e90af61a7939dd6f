"""Shared builders for the engine tests: a minimal valid intake with deep-merged overrides, and fixtures.

`make_intake(**overrides)` starts from the smallest intake the contract accepts (only the required fields) and
deep-merges the overrides: dicts merge key by key, anything else (lists, numbers, strings) replaces, and the
`DROP` sentinel deletes a key. `make_clear_intake` does the same on top of a baseline whose safety-relevant
history is recorded (medical: [], a male patient), so that no "not recorded" rule fires unless a test asks for it.

Test modules run with `--import-mode=importlib`, so they cannot import this file: the builders are handed out
as (session-scoped, hence Hypothesis-safe) fixtures.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from sciatica_care import plan_for
from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.knowledge.model import Knowledge


class _Drop:
    """Marks a key to delete; survives copying so that it can travel through several merges."""

    def __repr__(self) -> str:
        return "DROP"

    def __copy__(self) -> _Drop:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _Drop:
        return self


DROP: Any = _Drop()

MINIMAL: dict[str, Any] = {
    "schema_version": "1",
    "patient": {"age": 40},
    "episode": {"side": "left", "duration_weeks": 3},
    "pain": {"leg_nrs": 5, "areas": ["buttock"]},
    "red_flags": [],
}

#: Safety history recorded and nothing in it; a man, so the pregnancy rules stay out of the way.
CLEAR: dict[str, Any] = {"medical": [], "patient": {"sex": "male"}, "examination": {"sensory_loss": []}}


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A copy of `base` with `overrides` merged in (dicts recursively; DROP deletes a key)."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is DROP:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def make_intake(**overrides: Any) -> dict[str, Any]:
    """The minimal valid intake with `overrides` deep-merged in."""
    return deep_merge(MINIMAL, overrides)


def make_clear_intake(**overrides: Any) -> dict[str, Any]:
    """A minimal intake with the medical history and sensation recorded as clear, then `overrides` merged in."""
    return deep_merge(deep_merge(MINIMAL, CLEAR), overrides)


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _STEP.findall(path)]


def set_path(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `doc` with the value at the JSON path (`pain.areas[0]`) replaced, or deleted when DROP."""
    out = copy.deepcopy(doc)
    steps = _steps(path)
    node: Any = out
    for step in steps[:-1]:
        if isinstance(step, str) and step not in node:
            node[step] = {}
        node = node[step]
    last = steps[-1]
    if value is DROP:
        del node[last]
    else:
        node[last] = value
    return out


def replace(record: Any, **changes: Any) -> Any:
    """A copy of a frozen knowledge record with some fields changed.

    The records are frozen dataclasses or msgspec Structs (the schema has been both); this works for either.
    """
    if dataclasses.is_dataclass(record):
        return dataclasses.replace(record, **changes)
    import msgspec

    return msgspec.structs.replace(record, **changes)


def without_safety_rule(rule_id: str, knowledge: Knowledge | None = None) -> Knowledge:
    """The packaged knowledge with one safety rule removed (fails loudly if the id is unknown)."""
    k = knowledge or load_knowledge()
    kept = tuple(r for r in k.safety if r.id != rule_id)
    assert len(kept) == len(k.safety) - 1, f"no safety rule {rule_id!r} in the knowledge"
    return replace(k, safety=kept)


def without_escalation(escalation_id: str, knowledge: Knowledge | None = None) -> Knowledge:
    """The packaged knowledge with one triage escalation (finding) removed (fails loudly if the id is unknown)."""
    k = knowledge or load_knowledge()
    kept = tuple(e for e in k.triage.escalations if e.id != escalation_id)
    assert len(kept) == len(k.triage.escalations) - 1, f"no escalation {escalation_id!r} in the knowledge"
    return replace(k, triage=replace(k.triage, escalations=kept))


def point_codes(plan: dict[str, Any]) -> list[str]:
    return [p["code"] for p in plan["acupuncture"]["points"]]


def pair_codes(plan: dict[str, Any]) -> set[str]:
    return {code for pair in plan["electroacupuncture"]["pairs"] for code in pair}


def acupressure_codes(plan: dict[str, Any]) -> list[str]:
    return [a["code"] for a in plan["self_care"]["acupressure"]]


def warning_ids(plan: dict[str, Any]) -> list[str]:
    return [w["id"] for w in plan["warnings"]]


def everywhere(plan: dict[str, Any]) -> set[str]:
    """Every point code the plan asks anyone to needle, stimulate or press."""
    return set(point_codes(plan)) | pair_codes(plan) | set(acupressure_codes(plan))


def points_by_code(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["code"]: p for p in plan["acupuncture"]["points"]}


def source_ids_cited(node: Any) -> Iterable[str]:
    """Every id listed under a `sources` key anywhere in a plan."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and isinstance(value, list):
                yield from (s for s in value if isinstance(s, str))
            else:
                yield from source_ids_cited(value)
    elif isinstance(node, list):
        for item in node:
            yield from source_ids_cited(item)


class Helpers:
    """The builders and plan readers, handed to tests as one fixture."""

    DROP = DROP
    MINIMAL = MINIMAL
    make_intake = staticmethod(make_intake)
    make_clear_intake = staticmethod(make_clear_intake)
    deep_merge = staticmethod(deep_merge)
    set_path = staticmethod(set_path)
    replace = staticmethod(replace)
    without_safety_rule = staticmethod(without_safety_rule)
    without_escalation = staticmethod(without_escalation)
    point_codes = staticmethod(point_codes)
    pair_codes = staticmethod(pair_codes)
    acupressure_codes = staticmethod(acupressure_codes)
    warning_ids = staticmethod(warning_ids)
    everywhere = staticmethod(everywhere)
    points_by_code = staticmethod(points_by_code)
    source_ids_cited = staticmethod(source_ids_cited)

    @staticmethod
    def plan(intake: dict[str, Any], knowledge: Knowledge | None = None) -> dict[str, Any]:
        return plan_for(intake, knowledge)

    @staticmethod
    def clear_plan(**overrides: Any) -> dict[str, Any]:
        """The plan for `make_clear_intake(**overrides)`."""
        return plan_for(make_clear_intake(**overrides))


@pytest.fixture(scope="session")
def h() -> type[Helpers]:
    """Builders and plan readers (see `Helpers`)."""
    return Helpers


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The packaged knowledge base."""
    return load_knowledge()


@pytest.fixture(scope="session")
def make() -> Callable[..., dict[str, Any]]:
    """`make_intake`: the minimal valid intake with deep-merged overrides."""
    return make_intake


@pytest.fixture(scope="session")
def make_clear() -> Callable[..., dict[str, Any]]:
    """`make_clear_intake`: minimal intake, medical history recorded as clear, a male patient."""
    return make_clear_intake

