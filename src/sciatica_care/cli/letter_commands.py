"""The `letter` command group for `sciatica-care` (loaded lazily by main.py): the referral letter to the patient's
doctor from one intake file, through the engine directly (no clinic, no database).

Only click is imported at module level. Bad input exits 2 with one `error: <path>: <message>` line per problem.
The progress and discharge letters need a course's sessions and scores: the clinic writes them (the episode page,
or `GET /api/episodes/{id}/letters/progress.pdf`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .report_commands import _load, _write

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group()
def letter() -> None:
    """Letters to the patient's doctor."""


@letter.command()
@click.argument("intake_file", metavar="INTAKE")
@click.option("--out", "-o", required=True, help="Where to write: a .pdf or .txt file, or - for stdout.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "text"]), default=None,
              help="pdf or text (default: from the --out file's suffix, else pdf).")
@click.option("--patient-name", required=True, help="The patient's name, for the Re: line.")
@click.option("--born", type=DATE, default=None, help="The patient's date of birth (YYYY-MM-DD).")
@click.option("--patient-address", default="", help="The patient's address (\\n between lines).")
@click.option("--gp-name", default="", help="The GP the letter is addressed to, e.g. \"Dr A Patel\".")
@click.option("--gp-practice", default="", help="The GP's practice.")
@click.option("--gp-address", default="", help="The practice's address (\\n between lines).")
@click.option("--by", "practitioner", required=True, help="The practitioner who signs the letter.")
@click.option("--qualifications", default="", help="Printed under the practitioner's name.")
@click.option("--registration", default="", help="The practitioner's professional registration.")
@click.option("--clinic", default="", help="The clinic's name, at the head of the letter.")
@click.option("--clinic-address", default="", help="The clinic's address (\\n between lines).")
@click.option("--phone", default="", help="The clinic's telephone number.")
@click.option("--email", default="", help="The clinic's email address.")
@click.option("--date", "day", type=DATE, default=None, help="The letter's date (YYYY-MM-DD; default today).")
@click.option("--assessed", type=DATE, default=None, help="The day the patient was assessed (default: the date).")
def referral(intake_file: str, out: str, fmt: str | None, patient_name: str, born: dt.datetime | None,
             patient_address: str, gp_name: str, gp_practice: str, gp_address: str, practitioner: str,
             qualifications: str, registration: str, clinic: str, clinic_address: str, phone: str, email: str,
             day: dt.datetime | None, assessed: dt.datetime | None) -> None:
    """Write the referral letter for one intake: the timing first (never slower than the plan's), the red flags and
    findings, the history and examination, what was and was not done, and how to reach the practitioner."""
    from ..reports.letter_content import PatientDetails, Recipient, Sender, referral_letter

    fmt = fmt or ("text" if Path(out).suffix.lower() == ".txt" else "pdf")
    intake, plan = _load(intake_file)

    def lines(text: str) -> str:
        return text.replace("\\n", "\n")

    letter_ = referral_letter(
        intake, plan, date=day.date() if day else dt.datetime.now().astimezone().date(),
        assessed=assessed.date() if assessed else None,
        sender=Sender(practitioner, qualifications, registration, clinic, lines(clinic_address), phone, email),
        recipient=Recipient(gp_name, gp_practice, lines(gp_address)),
        patient=PatientDetails(patient_name, born.date() if born else None, lines(patient_address)))
    if fmt == "text":
        _write(out, letter_.text())
        return
    from ..reports.letter_pdf import letter_pdf

    _write(out, letter_pdf(letter_))
