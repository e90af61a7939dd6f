"""Docs and the knowledge snapshot are generated from the data and must not drift from it."""

from __future__ import annotations

from pathlib import Path

from sciatica_care.knowledge.catalogue import render_catalogue
from sciatica_care.knowledge.load import build, read_compiled, read_raw, source_digest

ROOT = Path(__file__).resolve().parents[2]


def test_catalogue_is_current() -> None:
    """docs/knowledge.md matches the knowledge; regenerate with `sciatica-care knowledge catalogue`."""
    committed = (ROOT / "docs" / "knowledge.md").read_text(encoding="utf-8")
    assert committed == render_catalogue(), "docs/knowledge.md is stale: run sciatica-care knowledge catalogue"


def test_snapshot_matches_yaml_sources() -> None:
    """compiled.json was made from the YAML as it is now; regenerate with `sciatica-care knowledge compile`."""
    snapshot = read_compiled()
    assert snapshot is not None
    assert snapshot.source_digest == source_digest(), "compiled.json is stale: run sciatica-care knowledge compile"
    assert snapshot.knowledge == build(read_raw())


def test_catalogue_lists_every_rule_and_point() -> None:
    """Every safety rule, point rule and point appears in the catalogue."""
    from sciatica_care.knowledge.load import load_knowledge

    k = load_knowledge()
    text = render_catalogue(k)
    for item_id in [r.id for r in k.safety] + [r.id for r in k.protocol.point_rules] + [p.code for p in k.points]:
        assert f"| {item_id} |" in text
