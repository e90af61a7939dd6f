"""The `sciatica-care` command: thin — read input, call the engine, print. Bad input exits 2 with one
`error: <path>: <message>` line per problem on stderr and never a traceback.

`plan`, `score` and `points` never import Django; the clinic's commands are loaded only when called.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any, NoReturn

import click

from .documents import read_document
from .errors import InputRefused, Problem

__all__ = ["main", "read_document", "refuse"]

BAD_INPUT = 2
LAZY_COMMANDS = {
    "serve": "sciatica_care.clinic.cli_commands:serve",
    "createuser": "sciatica_care.clinic.cli_commands:createuser",
    "backup": "sciatica_care.clinic.cli_commands:backup",
    "restore": "sciatica_care.clinic.cli_commands:restore",
    "createtoken": "sciatica_care.clinic.cli_commands:createtoken",
    "instruments": "sciatica_care.outcomes.cli_commands:instruments",
    "handout": "sciatica_care.reports.cli_commands:handout",
    "chart": "sciatica_care.reports.cli_commands:chart",
    "journal": "sciatica_care.journal.cli_commands:journal",
}


class LazyGroup(click.Group):
    """A group whose heavier commands are imported only when they are run (or their help is shown)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in LAZY_COMMANDS:
            return super().get_command(ctx, name)
        module, attr = LAZY_COMMANDS[name].split(":")
        try:
            command: click.Command = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise click.ClickException(f"the {name!r} command is not available: {exc}") from None
        return command


def refuse(problems: list[Problem], as_json: bool) -> NoReturn:
    for p in problems:
        click.echo(p.line(), err=True)
    if as_json:
        click.echo(json.dumps(InputRefused(problems).as_json()))
    sys.exit(BAD_INPUT)


def _format_option() -> Any:
    return click.option(
        "--format", "fmt", type=click.Choice(["json", "text"]), default=None,
        help="json (the contract) or text (for people; the default on a terminal).",
    )


def _wants_json(fmt: str | None) -> bool:
    return fmt == "json" or (fmt is None and not sys.stdout.isatty())


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sciatica-care")
def main() -> None:
    """Sciatica Care: plan, score and look up points; run the clinic."""


@main.command()
@click.argument("file")
@_format_option()
def plan(file: str, fmt: str | None) -> None:
    """Plan treatment for one intake (JSON or YAML; `-` reads stdin)."""
    as_json = _wants_json(fmt)
    try:
        from .engine.plan import build_plan

        result = build_plan(read_document(file))
    except InputRefused as refused:
        refuse(refused.problems, as_json)
    from .engine.plan_model import plan_json

    if as_json:
        click.echo(json.dumps(plan_json(result), ensure_ascii=False, indent=2))
    else:
        from .reports.plan_text import render_plan

        click.echo(render_plan(result))


@main.command()
@click.argument("instrument")
@click.argument("file")
@_format_option()
def score(instrument: str, file: str, fmt: str | None) -> None:
    """Score one questionnaire: odi, rmdq, sbi, startback or nrs. FILE holds {"answers": [...]}."""
    as_json = _wants_json(fmt)
    try:
        from .outcomes import render_text
        from .outcomes import score as score_answers

        doc = read_document(file)
        if not isinstance(doc, dict) or "answers" not in doc:
            raise InputRefused([Problem("answers", 'is required: the file must hold {"answers": [...]}')])
        result = score_answers(instrument, doc["answers"])
    except InputRefused as refused:
        refuse(refused.problems, as_json)
    click.echo(json.dumps(result.to_json()) if as_json else render_text(result))


@main.command()
@click.argument("codes", nargs=-1, required=True)
@_format_option()
def points(codes: tuple[str, ...], fmt: str | None) -> None:
    """Look points up by WHO code or alias (GB30, LV3, KID3, UB40, TUNG-22.05 …)."""
    as_json = _wants_json(fmt)
    from .engine.rulebook import rulebook
    from .reports.point_text import point_json, render_point

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


@main.group()
def knowledge() -> None:
    """Check the knowledge base or write its catalogue."""


def _require_valid_knowledge() -> None:
    """Validate every knowledge file; print every error with its path and exit 1 if there is any."""
    from .knowledge.validate import validate_all

    errors = validate_all()
    for e in errors:
        click.echo(f"error: {e}", err=True)
    if errors:
        sys.exit(1)


@knowledge.command("check")
def knowledge_check() -> None:
    """Validate every knowledge file; print every error with its path."""
    _require_valid_knowledge()
    click.echo("knowledge: all files valid")


@knowledge.command("compile")
def knowledge_compile() -> None:
    """Rewrite the knowledge snapshot (compiled.json) from the YAML files, after validating them."""
    from .engine.plan_model import write_plan_schema
    from .knowledge.load import write_compiled

    _require_valid_knowledge()
    click.echo(f"wrote {write_compiled()}")
    click.echo(f"wrote {write_plan_schema()}")


@main.command()
@click.option("--write", is_flag=True, help="Rewrite the packaged contract/plan.schema.json instead of printing.")
def schema(write: bool) -> None:
    """Print the plan's JSON Schema, generated from the plan's records (or rewrite the packaged copy)."""
    from .engine.plan_model import generated_plan_schema, write_plan_schema

    if write:
        click.echo(f"wrote {write_plan_schema()}")
    else:
        click.echo(generated_plan_schema(), nl=False)


@knowledge.command("catalogue")
def knowledge_catalogue() -> None:
    """Print the catalogue of rules, points and sources (docs/knowledge.md) as Markdown."""
    from .knowledge.catalogue import render_catalogue

    click.echo(render_catalogue(), nl=False)
