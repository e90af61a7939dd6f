"""axe-core in the browser tests: inject the pinned axe-core (root package.json, `npm install`) into a page and
report its WCAG 2.1 A/AA violations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 AA violations on the page as it is now (each with its rule id and the nodes)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm install --no-audit --no-fund` first", pytrace=False)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging channel, so the page's Content-Security-Policy (no inline
        # script) stays as it is for the page's own scripts.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def assert_accessible(page: Any, what: str) -> None:
    found = violations(page)
    assert not found, f"{what}: WCAG 2.1 AA violations:\n{json.dumps(found, indent=1)}"
