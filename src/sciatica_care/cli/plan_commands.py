"""The engine's commands: `plan` (one intake → its plan), `points` (look points up) and `schema` (the plan's JSON
Schema). Only click is imported at module level; the engine inside the command bodies. Never imports Django."""

from __future__ import annotations

import json

import click

from ..errors import InputRefused, Problem
from ._io import format_option, read_document, refuse, wants_json


@click.command()
@click.argument("file")
@format_option()
def plan(file: str, fmt: str | None) -> None:
    """Plan treatment for one intake (JSON or YAML; `-` reads stdin)."""
    as_json = wants_json(fmt)
    try:
        from ..engine.plan import build_plan

        result = build_plan(read_document(file))
    except InputRefused as refused:
        refuse(refused.problems, as_json)
    from ..engine.plan_model import plan_json

    if as_json:
        click.echo(json.dumps(plan_json(result), ensure_ascii=False, indent=2))
    else:
        from ..reports.plan_text import render_plan

        click.echo(render_plan(result))


@click.command()
@click.argument("codes", nargs=-1, required=True)
@format_option()
def points(codes: tuple[str, ...], fmt: str | None) -> None:
    """Look points up by WHO code or alias (GB30, LV3, KID3, UB40, TUNG-22.05 …)."""
    as_json = wants_json(fmt)
    from ..engine.rulebook import rulebook
    from ..reports.point_text import point_json, render_point

    book = rulebook()
    found, problems = [], []
    for i, code in enumerate(codes):
        point = book.point(code)
        if point is None:
            problems.append(Problem(f"codes[{i}]", f"unknown point {code!r}"))
        else:
            found.append(point)
    if problems:
        refuse(problems, as_json)
    if as_json:
        click.echo(json.dumps([point_json(p) for p in found], ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join(render_point(p, book.knowledge) for p in found))


@click.command()
@click.option("--write", is_flag=True, help="Rewrite the packaged contract/plan.schema.json instead of printing.")
def schema(write: bool) -> None:
    """Print the plan's JSON Schema, generated from the plan's records (or rewrite the packaged copy)."""
    from ..engine.plan_model import generated_plan_schema, write_plan_schema

    if write:
        click.echo(f"wrote {write_plan_schema()}")
    else:
        click.echo(generated_plan_schema(), nl=False)
