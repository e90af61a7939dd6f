"""The superbill's content: identifiers checked, diagnoses lettered, one day's visits billed together, fees and
totals, and a refusal naming everything missing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from sciatica_care.interop.billing_units import DayMinutes
from sciatica_care.interop.identifiers import normal_ein, npi_problem
from sciatica_care.interop.superbill import (
    Billing,
    Insured,
    Provider,
    SuperbillRefused,
    VisitCharge,
    build_superbill,
    parse_fee,
)

CLINIC = Billing(name="Riverside Clinic", npi="1234567893", tax_id="12-3456789", place_of_service="11")
PATIENT = Insured(name="Ann Lee", date_of_birth=dt.date(1970, 5, 31), number="42")
HART = Provider(name="Sam Hart", npi="1245319599")
FEES = {"97810": "65.00", "97811": "45", "97813": "75.00", "97814": "50.00", "97124": "40.00", "97140": "45.00"}
DX = ("M51.17",)


def visit(day: int, dx: tuple[str, ...] = DX, who: Provider = HART, **minutes: Any) -> VisitCharge:
    return VisitCharge(date=dt.date(2026, 3, day), practitioner=who, minutes=DayMinutes(**minutes), diagnoses=dx)


def refused(**kwargs: Any) -> list[str]:
    args = {"billing": CLINIC, "patient": PATIENT, "visits": [visit(2, acupuncture=30, reinsertions=1)],
            "fees": FEES, **kwargs}
    with pytest.raises(SuperbillRefused) as caught:
        build_superbill(args["billing"], args["patient"], args["visits"], args["fees"])
    return [f"{m.field}: {m.message}" for m in caught.value.missing]


@pytest.mark.parametrize(("npi", "ok"), [
    ("1234567893", True), ("1245319599", True), ("1234567890", False), ("0234567893", False), ("123456789", False),
    ("12345678931", False), ("12345A7893", False), ("", False),
])
def test_npi_check_digit_table(npi: str, ok: bool) -> None:
    """An NPI is ten digits with a Luhn check digit over 80840 and its first nine (CMS's example 1234567893)."""
    assert (npi_problem(npi) is None) == ok


@pytest.mark.parametrize(("text", "ein"), [("12-3456789", "12-3456789"), ("123456789", "12-3456789"),
                                           (" 12-3456789 ", "12-3456789"), ("12-345678", None), ("AB-3456789", None)])
def test_ein_table(text: str, ein: str | None) -> None:
    """An EIN is nine digits, written 12-3456789."""
    assert normal_ein(text) == ein


@pytest.mark.parametrize(("text", "fee"), [("65", Decimal("65.00")), ("65.5", Decimal("65.50")), ("0", Decimal("0.00")),
                                           ("-1", None), ("6.555", None), ("abc", None), ("NaN", None), ("", None)])
def test_fee_table(text: str, fee: Decimal | None) -> None:
    """A fee is a non-negative amount in cents."""
    assert parse_fee(text) == fee


def test_a_day_of_acupuncture_and_massage() -> None:
    """Units, modifiers, pointers, fees and the total of one visit."""
    bill = build_superbill(CLINIC, PATIENT, [visit(2, acupuncture=30, reinsertions=1, massage=23)], FEES)
    rows = [(x.code, x.modifiers, x.units, x.pointers, x.charge) for x in bill.lines]
    assert rows == [("97810", (), 1, "A", Decimal("65.00")), ("97811", (), 1, "A", Decimal("45.00")),
                    ("97124", ("59",), 2, "A", Decimal("80.00"))]
    assert bill.total == Decimal("190.00")
    assert [(d.pointer, d.code) for d in bill.diagnoses] == [("A", "M51.17")]


def test_two_visits_on_one_day_have_one_initial_code() -> None:
    """Two visits the same day are billed together: one 97810, then add-ons."""
    bill = build_superbill(CLINIC, PATIENT, [visit(2, acupuncture=15), visit(2, acupuncture=15, reinsertions=1)], FEES)
    assert [(x.code, x.units) for x in bill.lines] == [("97810", 1), ("97811", 1)]


def test_courses_with_different_diagnoses_get_their_own_pointers() -> None:
    """Diagnoses are lettered in order first met; each line points at its own course's."""
    bill = build_superbill(CLINIC, PATIENT, [visit(2, ("M51.17",), acupuncture=8),
                                             visit(9, ("M48.062", "M51.16"), massage=8)], FEES)
    assert [(d.pointer, d.code) for d in bill.diagnoses] == [("A", "M51.17"), ("B", "M48.062"), ("C", "M51.16")]
    assert [x.pointers for x in bill.lines] == ["A", "BC"]
    assert (bill.first_date, bill.last_date) == (dt.date(2026, 3, 2), dt.date(2026, 3, 9))


def test_no_confirmed_diagnosis_is_refused() -> None:
    """A course without a confirmed diagnosis is named."""
    assert any("no confirmed ICD-10-CM diagnosis" in m for m in refused(visits=[visit(2, (), acupuncture=30)]))


def test_an_unverified_diagnosis_is_refused() -> None:
    """M43.16 is unverified: it never goes on a bill."""
    assert any(m.startswith("diagnosis M43.16: unverified") for m in refused(visits=[visit(2, ("M43.16",),
                                                                                     acupuncture=10)]))


def test_an_excluded_combination_is_refused() -> None:
    """Sciatica with a disc disorder with radiculopathy (ICD-10-CM Excludes1) is refused."""
    assert any("M51.1-" in m for m in refused(visits=[visit(2, ("M54.32", "M51.17"), acupuncture=10)]))


def test_missing_identifiers_and_fees_are_all_named() -> None:
    """Every missing thing at once: clinic NPI, tax id, the practitioner's NPI and a fee."""
    found = refused(billing=Billing(name="C", npi="", tax_id="", place_of_service="11"),
                    visits=[visit(2, who=Provider(name="Jo Bloggs", npi="1234567890"), acupuncture=30,
                                  reinsertions=1)],
                    fees={"97810": "65"})
    assert any(m.startswith("clinic NPI: not set") for m in found)
    assert any(m.startswith("clinic tax id: not set") for m in found)
    assert any(m.startswith("NPI of Jo Bloggs:") and "check digit" in m for m in found)
    assert any(m.startswith("fee 97811:") for m in found)


def test_visits_with_no_billable_time_are_refused() -> None:
    """Minutes under 8 everywhere: nothing to bill, said so."""
    assert any(m.startswith("minutes:") for m in refused(visits=[visit(2, acupuncture=5)]))


def test_no_visits_is_refused() -> None:
    """An empty period is refused, not an empty bill."""
    assert any(m.startswith("visits:") for m in refused(visits=[]))
