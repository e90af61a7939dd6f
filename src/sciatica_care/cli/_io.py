"""What every command shares: refusing bad input (exit 2, one `error: <path>: <message>` line per problem on
stderr, never a traceback), the `--format` option, and reading the documents people hand the program.

Only click and the error types are imported here, so that every command starts quickly.
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click

from ..documents import read_document
from ..errors import InputRefused, Problem

__all__ = ["BAD_INPUT", "format_option", "read_document", "refuse", "wants_json"]

BAD_INPUT = 2


def refuse(problems: list[Problem], as_json: bool) -> NoReturn:
    """Print every problem and exit 2; with `as_json`, also the contract's `{"errors": [...]}` on stdout."""
    for p in problems:
        click.echo(p.line(), err=True)
    if as_json:
        click.echo(json.dumps(InputRefused(problems).as_json()))
    sys.exit(BAD_INPUT)


def format_option() -> Any:
    """`--format json|text`; without it, JSON when stdout is not a terminal (see `wants_json`)."""
    return click.option(
        "--format", "fmt", type=click.Choice(["json", "text"]), default=None,
        help="json (the contract) or text (for people; the default on a terminal).",
    )


def wants_json(fmt: str | None) -> bool:
    return fmt == "json" or (fmt is None and not sys.stdout.isatty())
