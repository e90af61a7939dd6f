"""`sciatica-care journal analyse`: JSON or text out, exit 2 with `error: path: message` lines on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from sciatica_care.cli.main import main

Diary = list[dict[str, Any]]


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["journal", "analyse", *args], input=stdin)


def write(tmp_path: Path, content: str) -> str:
    path = tmp_path / "diary.json"
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_json_is_the_default_off_a_terminal(tmp_path: Path, diary_maker: Callable[..., Diary]) -> None:
    """A valid diary exits 0 with the analysis as JSON."""
    result = run(write(tmp_path, json.dumps(diary_maker(1, 40))))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["days"] == 40
    assert doc["factors"][0]["factor"] == "sitting_over_6h"


def test_text_format(tmp_path: Path, diary_maker: Callable[..., Diary]) -> None:
    """--format text prints the sentences grouped, and says how the comparisons were corrected."""
    result = run(write(tmp_path, json.dumps(diary_maker(2, 40))), "--format", "text")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Diary: 40 days.")
    assert "Benjamini–Hochberg" in result.stdout
    assert "not causes" in result.stdout


def test_stdin(diary_maker: Callable[..., Diary]) -> None:
    """`-` reads the diary from stdin."""
    result = run("-", "--format", "json", stdin=json.dumps(diary_maker(3, 20)))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["days"] == 20


def test_bad_input_exits_2_with_error_lines(tmp_path: Path) -> None:
    """Every problem on its own `error: path: message` line, no traceback; JSON errors on stdout."""
    result = run(write(tmp_path, json.dumps([{"date": "2024-01-01", "leg_nrs": 12}, {"leg_nrs": 3}])))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["error: [0].leg_nrs: must be from 0 to 10, got 12",
                                          "error: [1].date: is required"]
    assert json.loads(result.stdout)["errors"][1] == {"path": "[1].date", "message": "is required"}
    assert "Traceback" not in result.output


def test_unreadable_and_malformed_files_exit_2(tmp_path: Path) -> None:
    """A missing file and invalid JSON are refusals naming the file, never tracebacks."""
    missing = run(str(tmp_path / "nope.json"), "--format", "text")
    assert missing.exit_code == 2
    assert missing.stderr.startswith(f"error: {tmp_path / 'nope.json'}: cannot read the file")
    broken = run(write(tmp_path, "[{"), "--format", "text")
    assert broken.exit_code == 2
    assert "invalid JSON" in broken.stderr
    assert missing.stdout == broken.stdout == ""


def test_installed_command_runs_without_django(tmp_path: Path, diary_maker: Callable[..., Diary]) -> None:
    """The real console entry point: exit 0, JSON on a pipe, and Django never imported."""
    path = write(tmp_path, json.dumps(diary_maker(4, 30)))
    probe = ("import sys, json; from sciatica_care.cli.main import main\n"
             f"try:\n    main(['journal', 'analyse', {path!r}])\nexcept SystemExit as e:\n    code = e.code\n"
             "print('DJANGO' if 'django' in sys.modules else 'NO-DJANGO', file=sys.stderr)\nsys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["days"] == 30
    assert proc.stderr.strip() == "NO-DJANGO"
