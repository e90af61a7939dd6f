"""`sciatica-care letter referral INTAKE --out FILE`: the referral letter from an intake file, through the engine
alone (no Django), as a PDF or as text; bad input exits 2 with one line per problem."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import yaml
from click.testing import CliRunner

from sciatica_care.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WHO = ["--patient-name", "Ann Lee", "--born", "1980-05-01", "--gp-name", "Dr A Patel", "--gp-practice",
       "High Street Surgery", "--gp-address", "2 High St\\nTown", "--by", "Sam Hart", "--qualifications",
       "BSc (Hons) Acupuncture", "--registration", "BAcC 012345", "--clinic", "Riverside Clinic", "--phone",
       "01234 567890", "--date", "2026-03-04"]


def example(tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())))
    return str(path)


def test_the_referral_letter_is_written_as_a_pdf(tmp_path: Path) -> None:
    """The PDF reads back with the Re: line, the timing, the finding and the signature."""
    out = tmp_path / "letter.pdf"
    result = CliRunner().invoke(main, ["letter", "referral", example(tmp_path, "foot-drop"), "--out", str(out), *WHO])
    assert result.exit_code == 0, result.output
    doc = pdfium.PdfDocument(out.read_bytes())
    text = " ".join(" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc)))
    for words in ("Re: Ann Lee, born 1 May 1980", "Timing: TODAY", "Acute foot drop — today", "Dear Dr A Patel,",
                  "2 High St", "BAcC 012345", "4 Mar 2026"):
        assert words in text, words


def test_the_letter_as_text_on_stdout(tmp_path: Path) -> None:
    """`--format text --out -` prints the letter: timing, what was not done, signature."""
    result = CliRunner().invoke(main, ["letter", "referral", example(tmp_path, "cauda-equina"), "--out", "-",
                                       "--format", "text", *WHO])
    assert result.exit_code == 0, result.output
    assert "Timing: NOW — emergency department, within hours" in result.output
    assert "Since these findings I have given no acupuncture" in result.output
    assert result.output.rstrip().endswith("Sam Hart\nBSc (Hons) Acupuncture\nBAcC 012345\nRiverside Clinic")


def test_a_bad_intake_exits_2_with_the_path(tmp_path: Path) -> None:
    """A bad intake exits 2 naming the field, as `plan` does."""
    path = tmp_path / "bad.json"
    intake = yaml.safe_load((EXAMPLES / "s1-disc-acute.yaml").read_text())
    intake["pain"]["leg_nrs"] = 12
    path.write_text(json.dumps(intake))
    result = CliRunner().invoke(main, ["letter", "referral", str(path), "--out", "-", *WHO])
    assert result.exit_code == 2
    assert "error: pain.leg_nrs: must be from 0 to 10, got 12" in result.output


def test_the_patient_and_the_signer_are_required(tmp_path: Path) -> None:
    """Without --patient-name (or --by) the command refuses (exit 2)."""
    result = CliRunner().invoke(main, ["letter", "referral", example(tmp_path, "s1-disc-acute"), "--out", "-"])
    assert result.exit_code == 2
    assert "--patient-name" in result.output


def test_the_letter_command_never_imports_django(tmp_path: Path) -> None:
    """Like `plan`: the engine and the layout only."""
    args = ["letter", "referral", example(tmp_path, "dvt-same-day"), "--out", str(tmp_path / "l.pdf"), *WHO]
    probe = ("import json, sys\nfrom click.testing import CliRunner\nfrom sciatica_care.cli.main import main\n"
             f"r = CliRunner().invoke(main, {args!r})\n"
             "print(json.dumps([r.exit_code, 'django' in sys.modules]))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [0, False], proc.stderr
