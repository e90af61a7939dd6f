"""What every test folder shares: reading which modules a source file imports (the layout and seam tests)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sciatica_care"


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-local too), relative imports resolved; a name
    imported from a package counts as `package.name` (so `from sciatica_care import plan_for` is seen too)."""
    package = ["sciatica_care", *path.relative_to(SRC).with_suffix("").parts][:-1]  # a module's or __init__'s
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


@pytest.fixture(scope="session")
def module_imports() -> Callable[[Path], set[str]]:
    return imports_of
