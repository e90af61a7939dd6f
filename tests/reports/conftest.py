"""Fixtures for the report tests: the knowledge base, intake builders and a PDF-to-PNG renderer.

The renderer is pypdfium2 (from PyPI, no system packages). It is imported at the top of the modules that render,
never skipped: a machine without it fails the suite instead of passing it silently.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from sciatica_care import plan_for
from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.knowledge.model import Knowledge

BASE: dict[str, Any] = {
    "schema_version": "1",
    "patient": {"age": 40, "sex": "male"},
    "episode": {"side": "left", "duration_weeks": 3},
    "pain": {"leg_nrs": 6, "areas": ["buttock", "posterior_thigh", "posterior_calf", "heel"]},
    "red_flags": [],
    "medical": [],
    "examination": {"sensory_loss": []},
}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def make_intake(**over: Any) -> dict[str, Any]:
    """A valid intake (left-sided S1-type sciatica, history recorded as clear) with `over` deep-merged in."""
    return _merge(BASE, over)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="session")
def intake() -> Callable[..., dict[str, Any]]:
    return make_intake


@pytest.fixture(scope="session")
def plan_of() -> Callable[[dict[str, Any]], dict[str, Any]]:
    return plan_for


PREGNANT = {"patient": {"sex": "female", "age": 31, "pregnant": True, "pregnancy_weeks": 26},
            "episode": {"side": "right"}, "pain": {"areas": ["buttock", "posterior_thigh", "lower_back"]}}


@pytest.fixture(scope="session")
def pregnant_intake() -> dict[str, Any]:
    return make_intake(**PREGNANT)
