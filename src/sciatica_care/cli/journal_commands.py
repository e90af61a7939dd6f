"""The `journal` command group for `sciatica-care` (loaded lazily by main.py): analyse a patient's diary.

Only click is imported at module level. Bad input exits 2 with one `error: <path>: <message>` line per problem
on stderr, like `plan` and `score`; `--format json` is the default when stdout is not a terminal.
"""

from __future__ import annotations

import click


@click.group()
def journal() -> None:
    """The patient's diary: look for what goes with more or less pain."""


@journal.command("analyse")
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default=None,
              help="json (the default when output is not a terminal) or text (for people).")
def analyse(file: str, fmt: str | None) -> None:
    """Trigger analysis of a diary FILE: a JSON list of daily entries (`-` reads stdin)."""
    import json

    from sciatica_care.cli._io import read_document, refuse, wants_json
    from sciatica_care.errors import InputRefused
    from sciatica_care.journal import analyse_diary, render_text

    as_json = wants_json(fmt)
    try:
        result = analyse_diary(read_document(file)).to_json()
    except InputRefused as refused:
        refuse(refused.problems, as_json)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else render_text(result))
