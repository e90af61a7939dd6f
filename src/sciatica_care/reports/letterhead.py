"""Who a print is for and from: the patient's name, the clinic, the practitioner and the date, and the one date
format every page and print uses ("4 Dec 2026").

Pure: the date is given (the clinic passes today's, the CLI the clock's or `--date`), never read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(value: dt.date | dt.datetime | None) -> str:
    """The house date format: day, short month, year ("4 Dec 2026"); a date-time shows its date; None shows ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: dt.datetime | None) -> str:
    """The house date with the time of day ("4 Dec 2026, 14:05")."""
    if value is None:
        return ""
    return f"{format_date(value)}, {value:%H:%M}"


@dataclass(frozen=True)
class Letterhead:
    """The header of a print. Every field is optional; an empty one is left out."""

    patient: str | None = None
    clinic: str | None = None
    practitioner: str | None = None
    date: dt.date | None = None

    def parts(self) -> list[str]:
        out = []
        if self.patient:
            out.append(f"Patient: {self.patient}")
        if self.clinic:
            out.append(self.clinic)
        if self.practitioner:
            out.append(f"Practitioner: {self.practitioner}")
        if self.date:
            out.append(format_date(self.date))
        return out

    def line(self) -> str:
        """One line, e.g. "Patient: Ann Lee · Riverside Clinic · Practitioner: Dr Sam Hart · 4 Dec 2026"."""
        return " · ".join(self.parts())

    def __bool__(self) -> bool:
        return bool(self.parts())
