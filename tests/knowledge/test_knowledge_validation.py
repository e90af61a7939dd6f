"""The knowledge base validates, and the validator catches every kind of error it claims to (broken fixtures)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from sciatica_care.knowledge.load import load_knowledge, read_raw
from sciatica_care.knowledge.validate import validate_raw

BROKEN = Path(__file__).parent / "broken"
FIXTURES = sorted(BROKEN.glob("*.yaml"))


def _locate(doc: Any, path: str) -> tuple[Any, str | int]:
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    node = doc
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


def _node(doc: Any, path: str) -> Any:
    if not path:
        return doc
    parent, key = _locate(doc, path)
    return parent[key]


def apply_patch(raw: dict[str, Any], fixture: dict[str, Any]) -> dict[str, Any]:
    patched = copy.deepcopy(raw)
    doc = patched[fixture["file"]]
    if "append" in fixture:
        _node(doc, fixture["append"]).append(fixture["item"])
    elif "insert" in fixture:
        _node(doc, fixture["insert"]).insert(0, fixture["item"])
    elif "set" in fixture:
        parent, key = _locate(doc, fixture["set"])
        parent[key] = fixture["value"]
    elif "delete" in fixture:
        parent, key = _locate(doc, fixture["delete"])
        del parent[key]
    return patched


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return read_raw()


def test_packaged_knowledge_is_valid(raw: dict[str, Any]) -> None:
    """Every knowledge file loads and passes every check; a failure lists every error with its path."""
    errors = validate_raw(raw)
    assert errors == [], "\n".join(errors)


def test_packaged_knowledge_loads_for_the_engine() -> None:
    """The runtime loader builds the typed knowledge from the same files."""
    k = load_knowledge()
    assert k.points
    assert k.safety
    assert k.triage.flags


def test_there_are_broken_fixtures_for_each_kind_of_error() -> None:
    """The fixtures cover unknown codes, dangling sources, duplicate ids and rules that can never fire."""
    names = {f.stem for f in FIXTURES}
    for kind in ("unknown-point-code", "dangling-source", "duplicate-safety-id", "never-fires-unknown-value",
                 "never-fires-shadowed"):
        assert kind in names


@pytest.mark.parametrize("fixture_path", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_validator_rejects_broken_fixture(raw: dict[str, Any], fixture_path: Path) -> None:
    """Each broken fixture is refused with an error naming its file and path."""
    fixture = yaml.safe_load(fixture_path.read_text())
    errors = validate_raw(apply_patch(raw, fixture))
    joined = "\n".join(errors)
    for expected in fixture["expect"]:
        assert expected in joined, f"{fixture['description']}: expected {expected!r} in:\n{joined}"


def test_validator_reports_every_error_at_once(raw: dict[str, Any]) -> None:
    """Two independent faults give two errors, not just the first."""
    patched = raw
    for name in ("unknown-point-code", "duplicate-safety-id", "dangling-source"):
        patched = apply_patch(patched, yaml.safe_load((BROKEN / f"{name}.yaml").read_text()))
    joined = "\n".join(validate_raw(patched))
    assert "unknown point code 'GB99'" in joined
    assert "duplicate id 'pacemaker'" in joined
    assert "unknown source id 'no-such-source'" in joined


def test_type_errors_report_every_file(raw: dict[str, Any]) -> None:
    """Type errors in two files are both reported, each with its own file name."""
    patched = copy.deepcopy(raw)
    patched["points"][0]["depth"]["min_cun"] = "deep"
    patched["schedule"]["review_after_sessions"] = "soon"
    joined = "\n".join(validate_raw(patched))
    assert "points.yaml: [0].depth.min_cun" in joined
    assert "schedule.yaml: review_after_sessions" in joined


def test_conditions_on_power_and_medical_sites_are_accepted(raw: dict[str, Any]) -> None:
    """Contract 1.1 facts: a rule may test an MRC grade (number) and a medical item's site (areas, side)."""
    rule = {
        "id": "site-and-power", "name": "Site and power", "warning": "x", "reason": "x", "sources": ["seed-000"],
        "when": {"all": [
            {"fact": "examination.power.ankle_dorsiflexion", "at_most": 3},
            {"fact": "medical_sites.dvt_suspected.areas", "any_of": ["posterior_calf"]},
            {"fact": "medical_sites.dvt_suspected.side", "equals": "left"},
        ]},
    }
    patched = copy.deepcopy(raw)
    patched["safety"] = [*patched["safety"], rule]
    assert validate_raw(patched) == []
