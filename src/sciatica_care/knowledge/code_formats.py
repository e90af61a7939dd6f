"""The shape of a standard code in each system, with the check digits that catch a mistyped one.

ICD-10-CM: a letter, a digit, a digit or letter, then optionally a dot and one to four characters. SNOMED CT: 6 to
18 digits, no leading zero, a concept's partition identifier and a Verhoeff check digit. LOINC: up to 7 digits, a
hyphen and a mod-10 check digit. CPT: five characters, four digits and a digit or a category letter (F, T, U).
A code of the right shape may still not exist: whether it does is what `verified` records, never this module.
"""

from __future__ import annotations

import re

from .model import CPT, ICD10CM, LOINC, SNOMED

_ICD10CM = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?")
_SNOMED = re.compile(r"[1-9][0-9]{5,17}")
_LOINC = re.compile(r"([0-9]{1,7})-([0-9])")
_CPT = re.compile(r"[0-9]{4}[0-9FTU]")
#: Partition identifiers of SNOMED CT concept ids (short and long format); others name descriptions or relations.
_CONCEPT_PARTITIONS = frozenset({"00", "10"})

_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def verhoeff_valid(digits: str) -> bool:
    """Whether a digit string ends in its Verhoeff check digit (SNOMED CT's check)."""
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[i % 8][int(ch)]]
    return check == 0


def luhn_check_digit(digits: str) -> int:
    """The mod-10 (Luhn) check digit to append to `digits` (LOINC's check, and the NPI's over its prefix)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def code_format_error(system: str, code: str) -> str | None:
    """Why `code` is not a well-formed code of `system`, or None when it is."""
    if system == ICD10CM:
        return None if _ICD10CM.fullmatch(code) else (
            f"{code!r} is not an ICD-10-CM code (a letter, a digit, a digit or letter, then optionally a dot and "
            "1–4 characters, upper case)")
    if system == SNOMED:
        if not _SNOMED.fullmatch(code):
            return f"{code!r} is not a SNOMED CT id (6–18 digits, no leading zero)"
        if code[-3:-1] not in _CONCEPT_PARTITIONS:
            return f"{code!r} is not a SNOMED CT concept id (partition {code[-3:-1]!r}, not 00 or 10)"
        return None if verhoeff_valid(code) else f"{code!r} fails the SNOMED CT (Verhoeff) check digit"
    if system == LOINC:
        match = _LOINC.fullmatch(code)
        if match is None:
            return f"{code!r} is not a LOINC code (up to 7 digits, a hyphen, a check digit)"
        expected = luhn_check_digit(match.group(1))
        return None if int(match.group(2)) == expected else (
            f"{code!r} fails the LOINC check digit (expected {match.group(1)}-{expected})")
    if system == CPT:
        return None if _CPT.fullmatch(code) else (
            f"{code!r} is not a CPT code (5 characters: 4 digits and a digit, F, T or U; no '+')")
    return f"unknown code system {system!r}"
