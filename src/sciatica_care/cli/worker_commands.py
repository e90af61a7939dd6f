"""`sciatica-care worker`: the background worker alone (`serve` starts one beside the web server by default).

Django is imported only inside the command body.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from .clinic_commands import _setup, data_dir_option


@click.command()
@data_dir_option
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.1, 60),
              help="Seconds between looks for due messages and ready tasks.")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 1000),
              help="Messages claimed at a time.")
@click.option("--once", is_flag=True, help="Send what is due and run the ready tasks, then exit (for cron).")
@click.option("--parent-pid", type=int, default=None, hidden=True,
              help="Stop when this process is gone (set by `serve`).")
@click.option("--no-migrate", is_flag=True, hidden=True, help="The database is migrated already (set by `serve`).")
def worker(data_dir: Path | None, interval: float, batch: int, once: bool, parent_pid: int | None,
           no_migrate: bool) -> None:
    """Run the background worker: send due emails and text messages (exactly once), queue reminders, run the
    app's background tasks. Stop it with Ctrl+C or SIGTERM: it finishes the message in hand first."""
    _setup(data_dir, migrate=not no_migrate)
    from sciatica_care.scheduling.worker import Worker

    if not once:
        click.echo(f"Worker started (pid {os.getpid()}): sending due messages every {interval:g} s.")
    Worker(interval=interval, batch=batch, once=once, parent_pid=parent_pid).run()
