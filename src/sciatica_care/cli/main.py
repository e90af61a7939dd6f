"""The `sciatica-care` command group: thin — read input, call the core, print. Bad input exits 2 with one
`error: <path>: <message>` line per problem on stderr and never a traceback (`_io.refuse`).

`plan`, `score` and `points` never import Django; the other command groups are loaded only when called (or their
help is shown), and every module here imports only click at module level.
"""

from __future__ import annotations

import importlib

import click

from .knowledge_commands import knowledge
from .plan_commands import plan, points, schema
from .score_commands import score

__all__ = ["LAZY_COMMANDS", "main"]

LAZY_COMMANDS = {
    "serve": "sciatica_care.cli.clinic_commands:serve",
    "createuser": "sciatica_care.cli.clinic_commands:createuser",
    "backup": "sciatica_care.cli.clinic_commands:backup",
    "restore": "sciatica_care.cli.clinic_commands:restore",
    "createtoken": "sciatica_care.cli.clinic_commands:createtoken",
    "audit": "sciatica_care.cli.audit_commands:audit",
    "db": "sciatica_care.cli.db_commands:db",
    "export": "sciatica_care.cli.export_commands:export",
    "instruments": "sciatica_care.cli.instrument_commands:instruments",
    "handout": "sciatica_care.cli.report_commands:handout",
    "chart": "sciatica_care.cli.report_commands:chart",
    "letter": "sciatica_care.cli.letter_commands:letter",
    "journal": "sciatica_care.cli.journal_commands:journal",
    "worker": "sciatica_care.cli.worker_commands:worker",
    "superbill": "sciatica_care.cli.billing_commands:superbill",
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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sciatica-care")
def main() -> None:
    """Sciatica Care: plan, score and look up points; run the clinic."""


for _command in (plan, points, schema, score, knowledge):
    main.add_command(_command)
