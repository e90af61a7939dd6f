"""Fixtures for the CLI tests: a valid intake, files written from it, the in-process runner, the shared folder."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared").resolve()


@pytest.fixture
def intake() -> dict[str, Any]:
    """A valid left-sided S1 case with its medical history recorded (so nothing is held back for want of it)."""
    return {
        "schema_version": "1",
        "patient": {"age": 38, "sex": "male"},
        "episode": {"side": "left", "duration_weeks": 2, "onset": "sudden", "after_lifting": True},
        "pain": {"leg_nrs": 7, "areas": ["lower_back", "buttock", "posterior_thigh", "posterior_calf", "sole"],
                 "worse_with": ["sitting", "coughing_sneezing"]},
        "examination": {"straight_leg_raise": "positive", "weakness": ["plantarflexion"]},
        "red_flags": [],
        "medical": ["diabetes"],
    }


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], str]:
    """Write text (or bytes) to a file in the test's folder and return its path."""

    def _write(name: str, content: str | bytes) -> str:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return str(path)

    return _write


@pytest.fixture
def intake_json(intake: dict[str, Any], write: Callable[[str, str], str]) -> str:
    return write("intake.json", json.dumps(intake))


@pytest.fixture
def intake_yaml(intake: dict[str, Any], write: Callable[[str, str], str]) -> str:
    return write("intake.yaml", yaml.safe_dump(intake, sort_keys=False))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def installed_cli() -> str:
    """The installed `sciatica-care` console script beside this interpreter."""
    script = Path(sys.executable).with_name("sciatica-care")
    assert script.exists(), f"sciatica-care is not installed beside {sys.executable}"
    return str(script)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared folder (contract, vignettes); skipped locally when absent, a failure on CI."""
    if not SHARED.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared folder {SHARED} is missing on CI")
        pytest.skip(f"the shared folder {SHARED} is not checked out beside the repository")
    return SHARED
