"""The `score` command: score one questionnaire. Only click is imported at module level. Never imports Django."""

from __future__ import annotations

import json

import click

from ..errors import InputRefused, Problem
from ._io import format_option, read_document, refuse, wants_json


@click.command()
@click.argument("instrument")
@click.argument("file")
@format_option()
def score(instrument: str, file: str, fmt: str | None) -> None:
    """Score one questionnaire: odi, rmdq, sbi, startback or nrs. FILE holds {"answers": [...]}."""
    as_json = wants_json(fmt)
    try:
        from ..outcomes import render_text
        from ..outcomes import score as score_answers

        doc = read_document(file)
        if not isinstance(doc, dict) or "answers" not in doc:
            raise InputRefused([Problem("answers", 'is required: the file must hold {"answers": [...]}')])
        result = score_answers(instrument, doc["answers"])
    except InputRefused as refused:
        refuse(refused.problems, as_json)
    click.echo(json.dumps(result.to_json()) if as_json else render_text(result))
