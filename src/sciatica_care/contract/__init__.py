"""The published contract: the intake JSON Schema that the engine validates against (the project's copy, which
may add to the shared contract but never rename or drop) and the plan JSON Schema generated from the plan's
records (`engine/plan_model.py`)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CONTRACT_VERSION = "1"
PLAN_SCHEMA = Path(__file__).parent / "plan.schema.json"


@cache
def intake_schema() -> dict[str, Any]:
    """The intake JSON Schema (draft 2020-12), read once."""
    text = (Path(__file__).parent / "intake.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def plan_schema() -> dict[str, Any]:
    """The plan JSON Schema (draft 2020-12), generated from the plan's records and checked in; read once."""
    schema: dict[str, Any] = json.loads(PLAN_SCHEMA.read_text(encoding="utf-8"))
    return schema
