"""The `sciatica-care` command: plan, score and points, in-process with click's CliRunner, plus a few runs of
the installed script in a subprocess (cold start, stdin, no Django, the shared vignettes)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sciatica_care.cli.main import main

CONTRACT_KEYS = {"schema_version", "triage", "treatment_allowed", "assessment", "acupuncture",
                 "electroacupuncture", "massage", "cupping", "self_care", "schedule", "warnings"}
Write = Callable[[str, str | bytes], str]


def _assert_refused(result: Result, *paths: str) -> list[str]:
    """Exit 2, only `error:` lines on stderr (one naming each path), nothing on stdout, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines
    assert all(line.startswith("error: ") for line in lines), lines
    for path in paths:
        assert any(line.startswith(f"error: {path}: ") for line in lines), (path, lines)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    return lines


# ── plan ─────────────────────────────────────────────────────────────────────────────────────────────────


def test_plan_json_has_the_contract_keys(runner: CliRunner, intake_json: str) -> None:
    """`plan FILE --format json` prints one JSON plan carrying every top-level key of the contract."""
    result = runner.invoke(main, ["plan", intake_json, "--format", "json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert set(plan) >= CONTRACT_KEYS
    assert plan["schema_version"] == "1"
    assert result.stderr == ""


def test_plan_reads_stdin(runner: CliRunner, intake: dict[str, Any], intake_json: str) -> None:
    """`plan -` reads the intake from stdin and gives the same plan as the file."""
    from_stdin = runner.invoke(main, ["plan", "-", "--format", "json"], input=json.dumps(intake))
    from_file = runner.invoke(main, ["plan", intake_json, "--format", "json"])
    assert from_stdin.exit_code == 0, from_stdin.output
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)


def test_plan_reads_yaml_like_json(runner: CliRunner, intake_json: str, intake_yaml: str) -> None:
    """A YAML intake gives the same plan as the same intake in JSON."""
    as_yaml = runner.invoke(main, ["plan", intake_yaml, "--format", "json"])
    as_json = runner.invoke(main, ["plan", intake_json, "--format", "json"])
    assert as_yaml.exit_code == 0, as_yaml.output
    assert json.loads(as_yaml.stdout) == json.loads(as_json.stdout)


def test_plan_yaml_from_stdin(runner: CliRunner, intake_yaml: str) -> None:
    """YAML is accepted on stdin too."""
    text = Path(intake_yaml).read_text(encoding="utf-8")
    result = runner.invoke(main, ["plan", "-", "--format", "json"], input=text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["triage"]["level"] == "routine"


def test_plan_defaults_to_json_when_not_a_terminal(runner: CliRunner, intake_json: str) -> None:
    """Without --format and with stdout not a terminal, the plan is the contract's JSON."""
    result = runner.invoke(main, ["plan", intake_json])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) >= CONTRACT_KEYS


def test_plan_text_puts_warnings_before_triage(runner: CliRunner, intake_json: str) -> None:
    """`--format text` shows the WARNINGS section before the TRIAGE section."""
    result = runner.invoke(main, ["plan", intake_json, "--format", "text"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "WARNINGS" in out
    assert "TRIAGE" in out
    assert out.index("WARNINGS") < out.index("TRIAGE")
    assert "! Diabetes" in out  # the warning by its name, never its id
    assert "[diabetes]" not in out


def test_plan_text_shows_the_sides(runner: CliRunner, intake_json: str) -> None:
    """The text plan shows each point's side: local points on the left, Tung points on the right."""
    out = runner.invoke(main, ["plan", intake_json, "--format", "text"]).stdout
    gb30 = next(line for line in out.splitlines() if line.strip().startswith("GB30 "))
    tung = next(line for line in out.splitlines() if line.strip().startswith("TUNG-22.05 "))
    assert "LEFT" in gb30.upper()
    assert "RIGHT" in tung.upper()


def test_plan_text_for_an_emergency_says_no_treatment(runner: CliRunner, intake: dict[str, Any],
                                                     write: Write) -> None:
    """A cauda equina case in text shows the emergency level and no treatment."""
    intake["red_flags"] = ["saddle_anaesthesia"]
    out = runner.invoke(main, ["plan", write("ces.json", json.dumps(intake)), "--format", "text"]).stdout
    assert "TRIAGE: EMERGENCY" in out
    assert "No treatment today" in out


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("bad.json", '{"schema_version": "1", "patient": ', "invalid JSON"),
        ("bad.yaml", "patient: [1, 2\nepisode: {", "invalid YAML"),
        ("empty.json", "", "empty"),
        ("blank.yaml", "   \n\n", "empty"),
        ("binary.json", b"\xff\xfe\x00\x01", "cannot read"),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_plan_unreadable_input_exits_2(
    name: str, content: str | bytes, fragment: str, fmt: str, runner: CliRunner, write: Write,
) -> None:
    """Broken, empty or undecodable input: exit 2, an `error: <file>: ...` line, no plan, no traceback."""
    path = write(name, content)
    result = runner.invoke(main, ["plan", path, "--format", fmt])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: ")
    assert fragment in result.stderr
    assert "Traceback" not in result.output
    if fmt == "text":
        assert result.stdout == ""
    else:
        assert result.stdout == "" or set(json.loads(result.stdout)) == {"errors"}


def test_plan_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    """A file that does not exist: exit 2 with an error line naming it."""
    missing = str(tmp_path / "nope.json")
    lines = _assert_refused(runner.invoke(main, ["plan", missing, "--format", "text"]), missing)
    assert "cannot read" in lines[0]


def test_plan_directory_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    """A directory instead of a file: exit 2, not a traceback."""
    _assert_refused(runner.invoke(main, ["plan", str(tmp_path), "--format", "text"]), str(tmp_path))


def test_plan_empty_stdin_exits_2(runner: CliRunner) -> None:
    """Nothing on stdin: exit 2 with `error: stdin: ...`."""
    _assert_refused(runner.invoke(main, ["plan", "-", "--format", "text"], input=""), "stdin")


@pytest.mark.parametrize("document", ["[1, 2]", "42", "just some words", '"text"'])
def test_plan_document_not_an_object_exits_2(document: str, runner: CliRunner) -> None:
    """A JSON/YAML document that is not an object is refused as a whole."""
    _assert_refused(runner.invoke(main, ["plan", "-", "--format", "text"], input=document), "(document)")


def test_plan_invalid_intake_prints_one_line_per_problem(runner: CliRunner, intake: dict[str, Any]) -> None:
    """An intake with three problems prints three `error:` lines, one per path."""
    intake["pain"]["leg_nrs"] = 12
    intake["patient"]["sex"] = "robot"
    del intake["red_flags"]
    result = runner.invoke(main, ["plan", "-", "--format", "text"], input=json.dumps(intake))
    lines = _assert_refused(result, "pain.leg_nrs", "patient.sex", "red_flags")
    assert len(lines) == 3


def test_plan_invalid_intake_json_mode_prints_errors_object(runner: CliRunner, intake: dict[str, Any]) -> None:
    """In json mode a refusal may also print {"errors": [...]} on stdout, still with exit 2."""
    intake["pain"]["leg_nrs"] = 12
    result = runner.invoke(main, ["plan", "-", "--format", "json"], input=json.dumps(intake))
    assert result.exit_code == 2
    assert "error: pain.leg_nrs: " in result.stderr
    if result.stdout.strip():
        errors = json.loads(result.stdout)["errors"]
        assert [e["path"] for e in errors] == ["pain.leg_nrs"]
        assert errors[0]["message"]


def test_plan_reads_power_and_medical_sites(runner: CliRunner, intake: dict[str, Any]) -> None:
    """Contract 1.1 fields go through the same validator: a graded weakness and a located item plan normally."""
    intake["examination"] = {"weakness": ["ankle_dorsiflexion"], "power": {"ankle_dorsiflexion": 4}}
    intake["medical"] = ["skin_lesion_at_site"]
    intake["medical_sites"] = {"skin_lesion_at_site": {"areas": ["lateral_calf"], "side": "left"}}
    result = runner.invoke(main, ["plan", "-", "--format", "json"], input=json.dumps(intake))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema_version"] == "1"


def test_plan_bad_power_and_sites_exit_2_with_paths(runner: CliRunner, intake: dict[str, Any]) -> None:
    """A grade out of range, an unknown site key and a site for an unlisted item: one line each, exit 2."""
    intake["examination"] = {"power": {"ankle_dorsiflexion": 7}}
    intake["medical"] = []
    intake["medical_sites"] = {"foo": {}, "pacemaker": {"side": "left"}}
    lines = _assert_refused(runner.invoke(main, ["plan", "-", "--format", "text"], input=json.dumps(intake)),
                            "examination.power.ankle_dorsiflexion", "medical_sites.foo", "medical_sites.pacemaker")
    assert "error: examination.power.ankle_dorsiflexion: must be from 0 to 5, got 7" in lines
    assert len(lines) == 3


def test_plan_under_16_error_mentions_scope(runner: CliRunner, intake: dict[str, Any]) -> None:
    """An under-16 patient is refused with a line about the engine's scope."""
    intake["patient"]["age"] = 14
    lines = _assert_refused(runner.invoke(main, ["plan", "-", "--format", "text"], input=json.dumps(intake)),
                            "patient.age")
    assert "scope" in lines[0]


def test_plan_deeply_nested_json_exits_2(runner: CliRunner, write: Write) -> None:
    """A pathologically nested JSON document is refused with exit 2 and no traceback."""
    path = write("deep.json", "[" * 100_000 + "]" * 100_000)
    result = runner.invoke(main, ["plan", path, "--format", "text"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: ")


# ── score ────────────────────────────────────────────────────────────────────────────────────────────────


def test_score_odi_json(runner: CliRunner, write: Write) -> None:
    """`score odi FILE --format json` prints the contract's score object (over the answered sections)."""
    path = write("odi.json", json.dumps({"answers": [1, 2, 3, 4, 5, 0, 1, 2, None, 3]}))
    result = runner.invoke(main, ["score", "odi", path, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"instrument": "odi", "score": 46.7, "band": "severe", "answered": 9}


def test_score_odi_text(runner: CliRunner, write: Write) -> None:
    """`score odi FILE --format text` names the instrument, the score and the band."""
    path = write("odi.json", json.dumps({"answers": [0] * 10}))
    result = runner.invoke(main, ["score", "odi", path, "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "Oswestry" in result.stdout
    assert "minimal" in result.stdout


@pytest.mark.parametrize(
    ("instrument", "answers", "score"),
    [("rmdq", [1] * 5 + [0] * 19, 5), ("sbi", [1, 2, 3, 4], 10), ("startback", [1, 0, 1, 0, 1, 0, 1, 0, 3], 5),
     ("nrs", [6], 6)],
)
def test_score_other_instruments(instrument: str, answers: list[int], score: int, runner: CliRunner,
                                 write: Write) -> None:
    """Each other instrument scores through the CLI."""
    path = write(f"{instrument}.json", json.dumps({"answers": answers}))
    result = runner.invoke(main, ["score", instrument, path, "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["instrument"] == instrument
    assert out["score"] == score


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"answers": [1, 2, 3, None, 5, 0, 1, 2, None, None]}, "answers"),
        ({"answers": [1, 2, 3, 4, 6, 0, 1, 2, 1, 1]}, "answers[4]"),
        ({"answers": [1, 2, 3]}, "answers"),
        ({"answers": [1, 2, 3, 4, True, 0, 1, 2, 1, 1]}, "answers[4]"),
        ({"x": 1}, "answers"),
        ([1, 2, 3], "answers"),
    ],
    ids=["three-unanswered", "out-of-range", "wrong-count", "boolean", "no-answers-key", "not-an-object"],
)
def test_score_odi_bad_answers_exit_2(document: object, path: str, runner: CliRunner, write: Write) -> None:
    """Too many blanks, a value out of range or the wrong count: exit 2 with an error line at the path."""
    result = runner.invoke(main, ["score", "odi", write("odi.json", json.dumps(document)), "--format", "text"])
    _assert_refused(result, path)


def test_score_unknown_instrument_exits_2(runner: CliRunner, write: Write) -> None:
    """An unknown instrument is refused with exit 2 and an error line."""
    path = write("odi.json", json.dumps({"answers": [0] * 10}))
    _assert_refused(runner.invoke(main, ["score", "oswestry", path, "--format", "text"]), "instrument")


def test_score_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    """A missing answers file: exit 2 with an error line naming it."""
    missing = str(tmp_path / "none.json")
    _assert_refused(runner.invoke(main, ["score", "odi", missing, "--format", "text"]), missing)


def test_score_bad_json_exits_2(runner: CliRunner, write: Write) -> None:
    """Malformed JSON answers: exit 2, no traceback."""
    path = write("odi.json", '{"answers": [1, 2,')
    _assert_refused(runner.invoke(main, ["score", "odi", path, "--format", "text"]), path)


# ── points ───────────────────────────────────────────────────────────────────────────────────────────────


def test_points_resolve_aliases(runner: CliRunner) -> None:
    """`points GB30 LV3 KID3 UB40` resolves the aliases to GB30, LR3, KI3 and BL40."""
    result = runner.invoke(main, ["points", "GB30", "LV3", "KID3", "UB40", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [p["code"] for p in json.loads(result.stdout)] == ["GB30", "LR3", "KI3", "BL40"]


def test_points_text_shows_canonical_codes(runner: CliRunner) -> None:
    """The text lookup heads each point with its canonical WHO code, never the alias typed."""
    out = runner.invoke(main, ["points", "LV3", "UB40", "--format", "text"]).stdout
    headings = [line.split()[0] for line in out.splitlines() if " — " in line and not line.startswith(" ")]
    assert headings == ["LR3", "BL40"]


@pytest.mark.parametrize(("typed", "code"), [("gb30", "GB30"), ("k3", "KI3"), ("22.05", "TUNG-22.05"),
                                             ("Huatuojiaji L5", "EX-B2-L5")])
def test_points_lookup_is_forgiving(typed: str, code: str, runner: CliRunner) -> None:
    """Lower case, short aliases, Tung numbers and pinyin-style names all resolve."""
    result = runner.invoke(main, ["points", typed, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["code"] == code


def test_points_unknown_code_exits_2(runner: CliRunner) -> None:
    """An unknown code exits 2 with `error: codes[i]: ...` naming its position."""
    lines = _assert_refused(runner.invoke(main, ["points", "GB30", "XX99", "--format", "text"]), "codes[1]")
    assert "XX99" in lines[0]


# ── installed script and subprocess checks ───────────────────────────────────────────────────────────────


def test_installed_script_plans_from_a_file(installed_cli: str, intake_json: str) -> None:
    """The installed `sciatica-care plan FILE --format json` prints the contract's JSON and exits 0."""
    proc = subprocess.run(  # noqa: S603 - our own interpreter and script, fixed arguments
        [installed_cli, "plan", intake_json, "--format", "json"],
        capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)) >= CONTRACT_KEYS


def test_installed_script_reads_stdin(installed_cli: str, intake: dict[str, Any]) -> None:
    """The installed script reads `-` from a real stdin pipe."""
    proc = subprocess.run(  # noqa: S603 - our own interpreter and script, fixed arguments
        [installed_cli, "plan", "-", "--format", "json"], input=json.dumps(intake),
        capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["treatment_allowed"] is True


def test_installed_script_bad_input_exits_2_without_traceback(installed_cli: str, intake: dict[str, Any]) -> None:
    """The installed script refuses a bad intake with exit 2, `error:` lines only, empty stdout."""
    intake["pain"]["leg_nrs"] = 11
    proc = subprocess.run(  # noqa: S603 - our own interpreter and script, fixed arguments
        [installed_cli, "plan", "-", "--format", "text"], input=json.dumps(intake),
        capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: pain.leg_nrs: ")
    assert "Traceback" not in proc.stderr


DJANGO_PROBE = """
import json, sys
attempts = []
class Spy:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "django":
            attempts.append(name)
        return None
sys.meta_path.insert(0, Spy())
from click.testing import CliRunner
from sciatica_care.cli.main import main
result = CliRunner().invoke(main, ARGS)
print(json.dumps({"exit": result.exit_code, "django": "django" in sys.modules, "attempts": attempts,
                  "clinic": any(m.startswith("sciatica_care.clinic") for m in sys.modules)}))
"""


@pytest.mark.parametrize("command", ["plan", "score", "points"])
def test_commands_never_import_django(command: str, intake_json: str, write: Write) -> None:
    """`plan`, `score` and `points` run without importing (or trying to import) Django or the clinic."""
    args = {
        "plan": ["plan", intake_json, "--format", "json"],
        "score": ["score", "odi", write("odi.json", json.dumps({"answers": [1] * 10})), "--format", "json"],
        "points": ["points", "GB30", "LV3", "--format", "json"],
    }[command]
    proc = subprocess.run(  # noqa: S603 - our own interpreter and script, fixed arguments
        [sys.executable, "-c", DJANGO_PROBE.replace("ARGS", repr(args))],
        capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == {"exit": 0, "django": False, "attempts": [], "clinic": False}


def test_shared_vignettes_pass(shared: Path, installed_cli: str) -> None:
    """Every vignette in ../shared/vignettes (the 1.0 cases and the 1.1 additions) holds against the installed
    command."""
    vignettes = shared / "vignettes"
    folders = [str(vignettes / name) for name in ("cases", "cases-1.1") if (vignettes / name).is_dir()]
    proc = subprocess.run(  # noqa: S603 - our own interpreter and script, fixed arguments
        [sys.executable, str(vignettes / "check_vignettes.py"), "--cmd", installed_cli, *folders],
        capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 failed" in proc.stdout
