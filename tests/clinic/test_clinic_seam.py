"""The one seam: `clinic/clinical.py` is the only module of the Django apps (clinic, scheduling, portal) and the API
that imports the core (engine, outcomes, knowledge, journal), and it answers "not evaluable" with None rather than
an exception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sciatica_care.clinic import clinical

SRC = Path(__file__).resolve().parents[2] / "src" / "sciatica_care"
CORE = ("sciatica_care.engine", "sciatica_care.outcomes", "sciatica_care.knowledge", "sciatica_care.journal",
        "sciatica_care.interop")
SEAM = SRC / "clinic" / "clinical.py"
#: The Django apps and the API: they reach the core only through the seam.
EDGE = [f for f in ("clinic", "api", "scheduling", "portal") if (SRC / f).is_dir()]




def _core(module: str) -> bool:
    return module in ("sciatica_care.plan_for", "sciatica_care.score") or any(
        module == c or module.startswith(c + ".") for c in CORE)


EDGE = ("clinic", "api", "scheduling", "portal")


def _edge_modules() -> list[Path]:
    return sorted(p for folder in EDGE for p in (SRC / folder).rglob("*.py") if "migrations" not in p.parts)


def test_only_the_seam_imports_the_core(module_imports: Any) -> None:
    """No module in clinic/, api/, scheduling/ or portal/ but clinic/clinical.py imports engine, outcomes, knowledge
    or journal."""
    offenders = {str(p.relative_to(SRC)): sorted(m for m in module_imports(p) if _core(m))
                 for p in _edge_modules() if p != SEAM}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_walk_covers_the_portal() -> None:
    """The portal's modules are among those walked (so the check above covers them)."""
    walked = {p.relative_to(SRC).parts[0] for p in _edge_modules()}
    assert {"clinic", "api", "portal"} <= walked


def test_the_walk_sees_the_seams_ownmodule_imports(module_imports: Any) -> None:
    """The walk finds module-level and function-local core imports (so an empty answer above means something)."""
    found = {m for m in module_imports(SEAM) if _core(m)}
    assert "sciatica_care.engine.plan_model" in found
    assert "sciatica_care.engine.rulebook" in found  # imported inside find_point
    assert "sciatica_care.knowledge.load" in found  # imported inside knowledge


def test_a_course_with_nothing_after_baseline_is_not_evaluable() -> None:
    """One measurement: no status, None (not an exception)."""
    assert clinical.course_status("nrs", 7, []) is None


def test_a_baseline_the_rules_refuse_is_not_evaluable() -> None:
    """A baseline off the scale gives None, where the scorer's rules raise."""
    assert clinical.course_status("nrs", 12, [(dt.date(2025, 1, 2), 3)]) is None
    assert clinical.traditional_category("odi", 0, 0) is None


def test_an_unknown_risk_group_has_no_matched_care() -> None:
    """No (or an unknown) STarT Back group: None."""
    assert clinical.matched_care(None) is None
    assert clinical.matched_care("extreme") is None
    assert clinical.matched_care("low") is not None


def test_score_is_typed() -> None:
    """The seam returns the scorer's typed record; bad answers are still refused with their problems."""
    result = clinical.score("rmdq", [1] * 24)
    assert isinstance(result, clinical.ScoreResult)
    assert result.score == 24
    with pytest.raises(clinical.InputRefused):
        clinical.score("nrs", [11])


def test_find_point_reads_aliases() -> None:
    """A point is found by its code or an alias; an unknown code is None."""
    point = clinical.find_point("LI4")
    assert point is not None
    assert point.code == "LI4"
    assert clinical.find_point("XX99") is None
