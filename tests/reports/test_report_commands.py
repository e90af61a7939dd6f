"""The `handout` and `chart` commands (click.Command objects that cli/main.py registers), run with CliRunner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from click.testing import CliRunner
from defusedxml import ElementTree

from sciatica_care.cli.report_commands import chart, handout


def write(tmp_path: Path, doc: Any, name: str = "intake.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def test_handout_writes_a_pdf(tmp_path: Path, intake: Callable[..., dict[str, Any]]) -> None:
    """`handout INTAKE --out handout.pdf` writes the patient handout as a PDF."""
    out = tmp_path / "handout.pdf"
    result = CliRunner().invoke(handout, [write(tmp_path, intake()), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(pdfium.PdfDocument(out.read_bytes())) >= 2


def test_handout_writes_html_by_suffix_or_format(tmp_path: Path, intake: Callable[..., dict[str, Any]]) -> None:
    """The format follows the --out suffix (.html), or --format; `-` writes to stdout."""
    src = write(tmp_path, intake())
    out = tmp_path / "handout.html"
    assert CliRunner().invoke(handout, [src, "--out", str(out)]).exit_code == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    result = CliRunner().invoke(handout, [src, "--out", "-", "--format", "html"])
    assert result.exit_code == 0
    assert "Warning signs" in result.output


def test_handout_practitioner_print_is_one_page(tmp_path: Path, intake: Callable[..., dict[str, Any]]) -> None:
    """`--practitioner` writes the one-page plan print."""
    out = tmp_path / "plan.pdf"
    result = CliRunner().invoke(handout, [write(tmp_path, intake()), "--out", str(out), "--practitioner"])
    assert result.exit_code == 0, result.output
    assert len(pdfium.PdfDocument(out.read_bytes())) == 1


def test_chart_writes_the_plan_svg(tmp_path: Path, intake: Callable[..., dict[str, Any]]) -> None:
    """`chart INTAKE --out plan.svg` writes the chart; without --out it prints it."""
    src = write(tmp_path, intake())
    out = tmp_path / "plan.svg"
    assert CliRunner().invoke(chart, [src, "--out", str(out)]).exit_code == 0
    assert ElementTree.fromstring(out.read_text()).get("role") == "img"
    printed = CliRunner().invoke(chart, [src])
    assert printed.output.lstrip().startswith("<svg")


def test_bad_input_exits_2_with_one_line_per_problem(tmp_path: Path, intake: Callable[..., dict[str, Any]]) -> None:
    """Bad input exits 2 with `error: <path>: <message>` lines and no traceback, like `plan`."""
    src = write(tmp_path, intake(pain={"leg_nrs": 12}))
    for command, args in ((handout, ["--out", str(tmp_path / "h.pdf")]), (chart, [])):
        result = CliRunner().invoke(command, [src, *args])
        assert result.exit_code == 2
        assert "error: pain.leg_nrs" in result.output
        assert "Traceback" not in result.output
        assert not (tmp_path / "h.pdf").exists()
