"""US billing identifiers: the National Provider Identifier (NPI) and the employer identification number (EIN).

An NPI is ten digits whose last is a Luhn check digit computed over the prefix 80840 and the first nine (CMS, NPI
check digit). An EIN is nine digits, written 12-3456789. Each function answers why a value is refused, or None.
"""

from __future__ import annotations

import re

from ..knowledge.code_formats import luhn_check_digit

NPI_PREFIX = "80840"
_NPI = re.compile(r"[12][0-9]{9}")
_EIN = re.compile(r"([0-9]{2})-?([0-9]{7})")


def npi_problem(npi: str) -> str | None:
    """Why `npi` is not a valid NPI (ten digits starting 1 or 2, Luhn check digit), or None."""
    if not _NPI.fullmatch(npi):
        return f"{npi!r} is not an NPI: ten digits, the first 1 or 2"
    expected = luhn_check_digit(NPI_PREFIX + npi[:9])
    if int(npi[9]) != expected:
        return f"{npi!r} fails the NPI check digit (the last digit would be {expected}): check it for a typing error"
    return None


def normal_ein(ein: str) -> str | None:
    """An EIN written as 12-3456789, or None when `ein` is not nine digits (with or without the hyphen)."""
    match = _EIN.fullmatch(ein.strip())
    return f"{match.group(1)}-{match.group(2)}" if match else None
