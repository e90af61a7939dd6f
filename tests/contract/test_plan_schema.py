"""The plan is a typed record: every plan the engine writes fits the record and the checked-in JSON Schema
generated from it; the schema is not stale; a plan missing a safety field is refused, never read as allowed."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest
import yaml
from click.testing import CliRunner

from sciatica_care import InputRefused, plan_for
from sciatica_care.cli.main import main
from sciatica_care.contract import PLAN_SCHEMA, plan_schema
from sciatica_care.engine.plan import build_plan
from sciatica_care.engine.plan_model import Plan, PlanUnreadable, generated_plan_schema, plan_from, plan_json

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
VIGNETTES = sorted((REPO / ".." / "shared" / "vignettes").resolve().glob("cases*/*.json"))
VALIDATOR = jsonschema.Draft202012Validator(plan_schema())

#: The safety fields: each is required, so a plan without it is refused rather than read as allowed.
SAFETY_FIELDS = [("treatment_allowed",), ("triage", "level"), ("electroacupuncture", "allowed"),
                 ("massage", "allowed"), ("cupping", "allowed")]


def _check(plan: dict[str, Any]) -> None:
    """The plan fits the record and the published schema, and the record gives back the same JSON."""
    typed = msgspec.convert(plan, Plan)
    assert plan_json(typed) == plan
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(plan)]
    assert not errors, errors


def test_schema_is_checked_in_and_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(plan_schema())


def test_schema_is_not_stale() -> None:
    """The checked-in plan.schema.json is what the records generate (regenerate: `sciatica-care schema --write`)."""
    assert PLAN_SCHEMA.read_text(encoding="utf-8") == generated_plan_schema(), (
        "contract/plan.schema.json is stale: run `sciatica-care schema --write`")


def test_schema_command_prints_the_generated_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.output == generated_plan_schema()


def test_schema_requires_every_safety_field() -> None:
    defs = plan_schema()["$defs"]
    owner = {"treatment_allowed": "Plan", "triage": "Triage", "electroacupuncture": "Electroacupuncture",
             "massage": "Massage", "cupping": "Cupping"}
    for path in SAFETY_FIELDS:
        record = owner[path[0]]
        assert path[-1] in defs[record]["required"], path
        assert "default" not in defs[record]["properties"][path[-1]], path
    assert {"triage", "electroacupuncture", "massage", "cupping"} <= set(defs["Plan"]["required"])


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_plans_fit_the_record_and_the_schema(example: Path) -> None:
    _check(plan_for(yaml.safe_load(example.read_text(encoding="utf-8"))))


def test_vignette_plans_fit_the_record_and_the_schema() -> None:
    if not VIGNETTES:
        if os.environ.get("CI") == "true":
            pytest.fail("the shared vignettes are missing on CI")
        pytest.skip("the shared vignettes are not checked out beside the repository")
    planned = 0
    for case in VIGNETTES:
        intake = json.loads(case.read_text(encoding="utf-8"))["intake"]
        try:
            plan = plan_for(intake)
        except InputRefused:
            continue
        _check(plan)
        planned += 1
    assert planned


def test_build_plan_is_the_typed_plan_for() -> None:
    intake = yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8"))
    typed = build_plan(intake)
    assert isinstance(typed, Plan)
    assert plan_json(typed) == plan_for(intake)


def test_cli_json_fits_the_schema() -> None:
    result = CliRunner().invoke(main, ["plan", str(EXAMPLES[0]), "--format", "json"])
    assert result.exit_code == 0, result.output
    _check(json.loads(result.output))


# ── a missing or corrupt safety field fails closed ──────────────────────────────────────────────────────


def _without(plan: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    broken = copy.deepcopy(plan)
    node = broken
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return broken


@pytest.mark.parametrize("path", SAFETY_FIELDS, ids=[".".join(p) for p in SAFETY_FIELDS])
def test_plan_without_a_safety_field_is_refused(path: tuple[str, ...]) -> None:
    """An absent safety field can never read as allowed: the record refuses the plan, and so does the schema."""
    plan = plan_for(yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8")))
    broken = _without(plan, path)
    with pytest.raises(PlanUnreadable):
        plan_from(broken)
    with pytest.raises(PlanUnreadable):
        plan_from(json.dumps(broken))
    assert list(VALIDATOR.iter_errors(broken))


@pytest.mark.parametrize("body", [b"", b"{", b"null", b"[]", b'{"treatment_allowed": "yes"}',
                                  b'{"treatment_allowed": 1}'])
def test_corrupt_plan_is_refused(body: bytes) -> None:
    with pytest.raises(PlanUnreadable):
        plan_from(body)


def test_safety_field_of_the_wrong_type_is_refused() -> None:
    plan = plan_for(yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8")))
    plan["massage"]["allowed"] = "false"  # a truthy string must not read as allowed
    with pytest.raises(PlanUnreadable):
        plan_from(plan)


def test_unknown_field_is_refused() -> None:
    """Every key the engine writes is in the record: an unknown one means the record is out of date."""
    plan = plan_for(yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8")))
    plan["cupping"]["allowd"] = True
    with pytest.raises(PlanUnreadable):
        plan_from(plan)
