"""The `knowledge` command group: check the knowledge files, compile their snapshot, print the catalogue."""

from __future__ import annotations

import sys

import click


@click.group()
def knowledge() -> None:
    """Check the knowledge base or write its catalogue."""


def _require_valid_knowledge() -> None:
    """Validate every knowledge file; print every error with its path and exit 1 if there is any."""
    from ..knowledge.validate import validate_all

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
    from ..engine.plan_model import write_plan_schema
    from ..knowledge.load import write_compiled

    _require_valid_knowledge()
    click.echo(f"wrote {write_compiled()}")
    click.echo(f"wrote {write_plan_schema()}")


@knowledge.command("catalogue")
def knowledge_catalogue() -> None:
    """Print the catalogue of rules, points and sources (docs/knowledge.md) as Markdown."""
    from ..knowledge.catalogue import render_catalogue

    click.echo(render_catalogue(), nl=False)
