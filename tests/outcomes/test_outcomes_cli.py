"""The `instruments` commands (load a licensed wording, show an instrument), run through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from sciatica_care.cli.instrument_commands import instruments


def odi_document() -> dict[str, Any]:
    return {
        "schema_version": "1",
        "instrument": "odi",
        "licence": "ODI 2.1a used under licence no. TEST-1",
        "items": [{"prompt": f"Section {n}", "options": [f"answer {a}" for a in range(6)]} for n in range(1, 11)],
    }


def run(*args: str) -> Result:
    return CliRunner().invoke(instruments, list(args))


def write(folder: Path, name: str, document: object) -> str:
    path = folder / name
    path.write_text(yaml.safe_dump(document) if name.endswith(".yaml") else json.dumps(document), encoding="utf-8")
    return str(path)


def assert_refused(result: Result, lines: list[str]) -> None:
    """Exit 2, exactly these `error:` lines on stderr, nothing on stdout, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == lines
    assert result.stdout == ""


def test_load_valid_file(tmp_path: Path) -> None:
    """A valid file is validated and written, normalised, into the folder given."""
    source = write(tmp_path, "odi.yaml", odi_document() | {"licence": "  ODI 2.1a used under licence no. TEST-1 "})
    result = run("load", source, "--into", str(tmp_path / "wording"))
    assert result.exit_code == 0, result.output
    written = tmp_path / "wording" / "odi.wording.json"
    assert json.loads(written.read_text(encoding="utf-8")) == odi_document()
    assert f"wrote {written}" in result.stdout
    assert "10 sections" in result.stdout
    assert result.stderr == ""


def test_load_replaces_an_earlier_wording(tmp_path: Path) -> None:
    """Loading again replaces the kept copy and leaves no temporary files behind."""
    folder = tmp_path / "wording"
    run("load", write(tmp_path, "a.json", odi_document()), "--into", str(folder))
    second = odi_document() | {"licence": "renewed licence"}
    assert run("load", write(tmp_path, "b.json", second), "--into", str(folder)).exit_code == 0
    assert [p.name for p in folder.iterdir()] == ["odi.wording.json"]
    assert json.loads((folder / "odi.wording.json").read_text(encoding="utf-8"))["licence"] == "renewed licence"


def test_load_defaults_to_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --into the wording goes to wording/ in the user's data folder ($SCIATICA_CARE_DATA_DIR)."""
    monkeypatch.setenv("SCIATICA_CARE_DATA_DIR", str(tmp_path / "data"))
    result = run("load", write(tmp_path, "odi.json", odi_document()))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "wording" / "odi.wording.json").is_file()


def test_load_wrong_item_count(tmp_path: Path) -> None:
    """Nine sections for the ODI: exit 2 naming the path."""
    document = odi_document()
    document["items"] = document["items"][:9]
    result = run("load", write(tmp_path, "odi.yaml", document), "--into", str(tmp_path / "out"))
    assert_refused(result, ["error: items: expected 10 sections for odi, got 9"])
    assert not (tmp_path / "out").exists()


def test_load_missing_options(tmp_path: Path) -> None:
    """Sections without their six answer texts: one line per section."""
    document = odi_document()
    del document["items"][2]["options"]
    document["items"][7]["options"] = document["items"][7]["options"][:4]
    result = run("load", write(tmp_path, "odi.yaml", document), "--into", str(tmp_path))
    assert_refused(
        result,
        [
            "error: items[2].options: is required: one text for each answer 0 to 5 (6 options)",
            "error: items[7].options: expected one text for each answer 0 to 5 (6 options), got 4",
        ],
    )


def test_load_unknown_instrument(tmp_path: Path) -> None:
    """An unknown instrument is named, with the known ones."""
    result = run("load", write(tmp_path, "x.json", odi_document() | {"instrument": "vas"}), "--into", str(tmp_path))
    assert_refused(result, ['error: instrument: unknown instrument "vas"; known: odi, rmdq, sbi, startback, nrs'])


def test_load_unreadable_file(tmp_path: Path) -> None:
    """A file that is not there, or not a document, is refused under its name."""
    missing = str(tmp_path / "missing.yaml")
    assert_refused(run("load", missing, "--into", str(tmp_path)),
                   [f"error: {missing}: cannot read the file: No such file or directory"])
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = run("load", str(broken), "--into", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {broken}: invalid JSON at line 1")


def test_show_own_words() -> None:
    """NRS shows its structure and the project's own words."""
    result = run("show", "sbi", "--from", "/nonexistent/folder")
    assert result.exit_code == 0, result.output
    assert "Sciatica Bothersomeness Index (sbi)" in result.stdout
    assert "Wording: the project's own words" in result.stdout
    assert "Score: 0–24" in result.stdout
    assert "Leg or back pain while sitting [unverified]" in result.stdout


def test_show_licensed_without_a_file(tmp_path: Path) -> None:
    """Without a loaded file, the ODI shows its section topics and says the wording is not loaded."""
    result = run("show", "odi", "--from", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "section topics only" in result.stdout
    assert " 1. pain intensity  (answers 0–5)" in result.stdout


def test_show_after_load(tmp_path: Path) -> None:
    """After loading, `show` prints the clinic's wording with its licence and answer texts."""
    run("load", write(tmp_path, "odi.json", odi_document()), "--into", str(tmp_path))
    result = run("show", "odi", "--from", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Wording: the clinic's licensed wording" in result.stdout
    assert "Licence: ODI 2.1a used under licence no. TEST-1" in result.stdout
    assert " 1. Section 1  (answers 0–5; topic: pain intensity)" in result.stdout
    assert "      5: answer 5" in result.stdout


def test_show_json(tmp_path: Path) -> None:
    """`--format json` gives the structure and the wording for programs."""
    result = run("show", "startback", "--from", str(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert (shown["instrument"], shown["origin"], shown["score_range"]) == ("startback", "topics_only", [0, 9])
    assert len(shown["items"]) == len(shown["wording"]["items"]) == 9


def test_show_unknown_instrument(tmp_path: Path) -> None:
    """An unknown instrument exits 2 with an error line."""
    assert_refused(run("show", "vas", "--from", str(tmp_path)),
                   ['error: instrument: unknown instrument "vas"; known: odi, rmdq, sbi, startback, nrs'])


def test_show_broken_loaded_file(tmp_path: Path) -> None:
    """A broken kept copy is reported, not hidden behind the default."""
    (tmp_path / "odi.wording.json").write_text('{"schema_version": "1", "instrument": "odi"}', encoding="utf-8")
    result = run("show", "odi", "--from", str(tmp_path))
    assert result.exit_code == 2
    assert "error: items: must be a list with one entry per item, got null" in result.stderr.splitlines()


def test_module_imports_only_click() -> None:
    """Importing the commands does not import Django, YAML or the command group (cli/main.py)."""
    code = (
        "import sys, sciatica_care.cli.instrument_commands as c; "
        "print(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('django', 'yaml') or m == 'sciatica_care.cli.main'))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert found.stdout.strip() == "[]"
