"""The clinic's tests run on the real engine and scorer, so a change in what the engine plans shows up here: no
stand-in engine, no fixture that swaps the seam's calls for something else."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from clinic_fixtures import base_intake

from sciatica_care.clinic import clinical

TESTS = Path(__file__).resolve().parents[1]
SEAM_CALLS = {"plan_document", "score_document", "plan_for", "score"}
# Files allowed to put something in place of a seam call, and why (each must still answer with the engine).
WRAPPERS = {"clinic/test_clinic_intake_power_sites.py": "records the intakes handed over, answers with the engine"}


@pytest.mark.django_db
def test_the_clinic_tests_answer_with_the_real_engine(world: dict[str, Any]) -> None:
    """Inside a clinic test (every autouse fixture applied) the seam calls the engine and the scorer themselves,
    and the plan the world's intake stored is exactly the engine's."""
    from sciatica_care.engine.plan import plan_for
    from sciatica_care.outcomes import score

    for name in SEAM_CALLS:
        assert getattr(clinical, name).__module__ == "sciatica_care.clinic.clinical", name
    assert world["a"]["plan"].plan == plan_for(base_intake())
    odi = [1, 2, 3, 2, 1, 0, 2, 3, 1, None]
    assert clinical.score_document("odi", odi) == dict(score("odi", odi).to_json())


def _swaps(path: Path) -> list[str]:
    """`setattr(<anything>, "<seam call>", …)` calls in a test module (monkeypatch.setattr included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "setattr" \
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value in SEAM_CALLS:
            found.append(str(node.args[1].value))
    return found


def test_no_test_stands_a_different_engine_in_the_seam() -> None:
    """No stand-in engine module, and no clinic or browser test replaces a seam call, but the listed wrappers."""
    files = [p for folder in ("clinic", "browser") for p in sorted((TESTS / folder).glob("*.py"))]
    assert files
    assert not [p.name for p in files if "fake" in p.name or "stand_in" in p.name]
    swapping = {str(p.relative_to(TESTS)): _swaps(p) for p in files}
    assert {k: v for k, v in swapping.items() if v and k not in WRAPPERS} == {}
    assert all(swapping[k] for k in WRAPPERS)  # the walk finds the known wrapper (so {} above means something)
