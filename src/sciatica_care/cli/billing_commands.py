"""`sciatica-care superbill`: print a patient's superbill (one visit, or the visits of a period) to a PDF file, as
the clinic's pages do, audited in the name of the account that asks. A superbill that cannot be made exits 1 with
one `error: <what>: <why>` line per thing missing; bad options exit 2.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .clinic_commands import _setup, data_dir_option

REFUSED = 1


@click.command()
@data_dir_option
@click.option("--username", required=True, help="The account printing it (audited; its clinic's patients only).")
@click.option("--patient", "patient_id", type=click.IntRange(min=1), required=True, help="The patient's number.")
@click.option("--visit", "visit_id", type=click.IntRange(min=1), default=None,
              help="One visit's number (otherwise every visit of the period).")
@click.option("--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="First date of service (YYYY-MM-DD).")
@click.option("--to", "end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last date of service (YYYY-MM-DD).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="The PDF file to write.")
def superbill(data_dir: Path | None, username: str, patient_id: int, visit_id: int | None, start: dt.datetime | None,
              end: dt.datetime | None, out: Path) -> None:
    """Write a superbill (ICD-10-CM diagnoses, CPT units, fees) for one patient as a PDF a US payer accepts."""
    if start is not None and end is not None and start > end:
        raise click.BadParameter("the first date is after the last", param_hint="--from")
    _setup(data_dir)
    from sciatica_care.clinic import billing, clinical
    from sciatica_care.clinic.models import Patient, Staff

    staff = Staff.objects.filter(username=username, is_active=True).first()
    if staff is None or staff.clinic_id is None:
        raise click.ClickException(f"there is no active account called {username!r} in a clinic")
    patient = Patient.objects.filter(pk=patient_id, clinic_id=staff.clinic_id).first()
    if patient is None:
        raise click.ClickException(f"no patient {patient_id} in {username}'s clinic")
    visits = billing.billable_visits(patient, start.date() if start else None, end.date() if end else None)
    if visit_id is not None:
        visits = [v for v in visits if v.pk == visit_id]
        if not visits:
            raise click.ClickException(f"patient {patient_id} has no visit {visit_id} in that period")
    try:
        pdf = billing.print_superbill(staff, patient, visits, via="cli")
    except clinical.SuperbillRefused as exc:
        for m in exc.missing:
            click.echo(f"error: {m.field}: {m.message}", err=True)
        sys.exit(REFUSED)
    out.write_bytes(pdf)
    click.echo(f"wrote {out} ({len(visits)} visit{'s' if len(visits) != 1 else ''})")
