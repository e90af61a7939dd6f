"""The report commands for `sciatica-care` (loaded lazily by main.py): handout and chart.

Only click is imported at module level; the engine, the figures and fpdf2 are imported inside the command
bodies. Bad input exits 2 with one `error: <path>: <message>` line per problem, like `plan`.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..engine.plan_model import Plan

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def _load(intake_file: str) -> tuple[Any, Plan]:
    """The intake document and its typed plan; exits 2 on bad input."""
    from ..engine.plan import build_plan
    from ..errors import InputRefused
    from ._io import read_document, refuse

    try:
        intake = read_document(intake_file)
        return intake, build_plan(intake)
    except InputRefused as refused:
        refuse(refused.problems, as_json=False)


def _write(out: str, data: bytes | str) -> None:
    if out == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            click.echo(data, nl=False)
        return
    path = Path(out)
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"wrote {out}", err=True)


@click.command()
@click.argument("intake_file", metavar="INTAKE")
@click.option("--out", "-o", required=True, help="Where to write: a .pdf or .html file, or - for stdout.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default=None,
              help="pdf or html (default: from the --out file's suffix, else pdf).")
@click.option("--practitioner", is_flag=True, help="The practitioner's one-page print (plan and figure) instead.")
@click.option("--patient-name", default=None, help="The patient's name, printed at the head of the page.")
@click.option("--clinic", default=None, help="The clinic's name, printed at the head of the page.")
@click.option("--practitioner-name", "--by", "practitioner_name", default=None,
              help="The practitioner's name, printed at the head of the page.")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The date printed at the head of the page (YYYY-MM-DD; default today).")
def handout(intake_file: str, out: str, fmt: str | None, practitioner: bool, patient_name: str | None,
            clinic: str | None, practitioner_name: str | None, day: dt.datetime | None) -> None:
    """Write the patient handout (home programme, warning signs) for one intake, or the practitioner print.

    The page is headed by the patient's name, the clinic, the practitioner and the date when given."""
    from ..reports.letterhead import Letterhead

    fmt = fmt or FORMATS.get(Path(out).suffix.lower(), "pdf")
    intake, plan = _load(intake_file)
    head = Letterhead(patient=patient_name, clinic=clinic, practitioner=practitioner_name,
                      date=day.date() if day else dt.datetime.now().astimezone().date())
    if practitioner:
        if fmt != "pdf":
            raise click.UsageError("the practitioner print is a PDF")
        from ..reports.practitioner import practitioner_pdf

        _write(out, practitioner_pdf(plan, letterhead=head))
        return
    from ..reports.handout import UnsafeHandout, handout_html, handout_pdf

    try:
        data: bytes | str = (handout_pdf if fmt == "pdf" else handout_html)(intake, plan, letterhead=head)
    except UnsafeHandout as exc:
        raise click.ClickException(str(exc)) from None
    _write(out, data)


@click.command()
@click.argument("intake_file", metavar="INTAKE")
@click.option("--out", "-o", default="-", show_default=True, help="Where to write the SVG (- for stdout).")
def chart(intake_file: str, out: str) -> None:
    """Write the plan's points on the body figure as SVG, for one intake."""
    _, plan = _load(intake_file)
    from ..knowledge.load import load_knowledge
    from ..reports.body.figure import chart_svg

    _write(out, chart_svg(plan, load_knowledge()) + "\n")
