"""The source tree's layout: names that say their idea, and the CLI at the top of the layers."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[2] / "src" / "sciatica_care"

# File names that Django (or Python) gives a fixed meaning in every package, so that sharing them is the
# convention rather than a collision: each app or package has its own.
CONVENTIONAL = {
    "__init__.py": "Python's package marker",
    "apps.py": "Django's AppConfig of each app",
    "urls.py": "Django's URLconf of each app and of the site",
    "models.py": "Django's models of each app",
    "admin.py": "Django's admin registrations of each app",
    "forms.py": "Django's forms of each app",
    "signals.py": "Django's signals of each app (what the app tells the others)",
    "settings.py": "Django's settings module",
    "access.py": "who may see each Django app's pages (the clinic's staff rules; the portal's patient rule)",
}


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.relative_to(SRC).parts)


def test_no_two_modules_share_a_file_name() -> None:
    """Every module outside Django's conventional names has a file name no other module under src/ uses."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for path in modules():
        by_name[path.name].append(str(path.relative_to(SRC)))
    shared = {name: paths for name, paths in by_name.items() if len(paths) > 1 and name not in CONVENTIONAL}
    assert shared == {}




def test_nothing_below_the_cli_imports_it(module_imports: Any) -> None:
    """No module outside `sciatica_care/cli/` imports `sciatica_care.cli` (the CLI is the top layer)."""
    offenders = {
        str(path.relative_to(SRC)): sorted(m for m in module_imports(path) if m == "sciatica_care.cli"
                                           or m.startswith("sciatica_care.cli."))
        for path in modules() if path.relative_to(SRC).parts[0] != "cli"
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_import_walk_sees_the_climodule_imports(module_imports: Any) -> None:
    """The walk above finds relative and function-local imports (so an empty answer means something)."""
    found = module_imports(SRC / "cli" / "journal_commands.py") | module_imports(SRC / "cli" / "plan_commands.py")
    assert "sciatica_care.cli._io" in found
    assert "sciatica_care.engine.plan" in found


def test_the_console_script_is_the_cli_group() -> None:
    """`sciatica-care` runs `sciatica_care.cli.main:main`, and the library API still works without it."""
    import tomllib

    pyproject = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["sciatica-care"] == "sciatica_care.cli.main:main"
    from sciatica_care import plan_for, score

    assert callable(plan_for)
    assert score("nrs", [3])["score"] == 3
