"""`sciatica-care audit verify`: walk the audit trail's hash chain and report the first broken link."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .clinic_commands import _setup, data_dir_option

BROKEN = 1


@click.group()
def audit() -> None:
    """Check the clinic's audit trail."""


@audit.command()
@data_dir_option
@click.option("--anchor", default=None, metavar="HASH",
              help="A head hash noted earlier (printed by a previous verify): check it is still in the chain.")
def verify(data_dir: Path | None, anchor: str | None) -> None:
    """Recompute every audit event's hash and its link to the one before; exit 1 at the first broken link.

    Clean: exit 0 and print how many events hold and the head hash (note it somewhere else, e.g. on paper, and
    pass it back later with --anchor to prove nothing up to it was rewritten).
    """
    _setup(data_dir)
    from sciatica_care.clinic import audit_chain

    result = audit_chain.verify(anchor=anchor.strip().lower() if anchor else None)
    if result.broken is not None:
        click.echo(f"audit chain BROKEN at {result.broken}", err=True)
        held = result.count - 1 if result.broken.event_id is not None else result.count
        click.echo(f"{held} event(s) before it hold.", err=True)
        sys.exit(BROKEN)
    if result.anchor_found is False:
        click.echo(f"audit chain holds ({result.count} events) but the anchor {anchor} is not in it: the trail "
                   "was rewritten since that hash was noted", err=True)
        sys.exit(BROKEN)
    click.echo(f"audit chain holds: {result.count} events verified"
               + (f", the anchor {anchor} among them" if anchor else "") + ".")
    click.echo(f"head: event {result.head_id} {result.head_hash}")
