"""The superbill PDF, read back as text: identifiers, pointers, CPT lines with their units and the total."""

from __future__ import annotations

import datetime as dt
import re

import pypdfium2 as pdfium  # type: ignore[import-untyped]

from sciatica_care.interop.billing_units import DayMinutes
from sciatica_care.interop.superbill import Billing, Insured, Provider, VisitCharge, build_superbill
from sciatica_care.reports.superbill_pdf import superbill_pdf

CLINIC = Billing(name="Riverside Acupuncture", npi="1234567893", tax_id="12-3456789", address="12 River Road",
                 phone="(217) 555-0100", place_of_service="11")
PATIENT = Insured(name="Zoë Ångström", date_of_birth=dt.date(1970, 5, 31), number="P-42", sex="female")
HART = Provider(name="Sam Hart", npi="1245319599")
FEES = {"97810": "65.00", "97811": "45.00", "97813": "75.00", "97814": "50.00", "97124": "40.00"}


def text_of(pdf: bytes) -> tuple[int, str]:
    doc = pdfium.PdfDocument(pdf)
    pages, text = len(doc), "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    doc.close()
    return pages, text


def rendered() -> str:
    visits = [VisitCharge(date=dt.date(2026, 3, 2), practitioner=HART, diagnoses=("M51.17", "M48.062"),
                          minutes=DayMinutes(acupuncture=30, reinsertions=1, massage=23)),
              VisitCharge(date=dt.date(2026, 3, 9), practitioner=HART, diagnoses=("M51.17", "M48.062"),
                          minutes=DayMinutes(electroacupuncture=38, reinsertions=2))]
    pages, text = text_of(superbill_pdf(build_superbill(CLINIC, PATIENT, visits, FEES), dt.date(2026, 3, 10),
                                        currency="USD"))
    assert pages == 1
    return re.sub(r"[ \t]+", " ", text.replace("\r", ""))


def test_identifiers_and_patient_are_printed() -> None:
    """Clinic NPI and EIN, the rendering provider's NPI, the patient (Unicode name) and the US dates."""
    text = rendered()
    for expected in ("NPI: 1234567893", "Tax id (EIN): 12-3456789", "Sam Hart, NPI 1245319599", "Zoë Ångström",
                     "05/31/1970", "Place of service: 11", "03/02/2026 to 03/09/2026"):
        assert expected in text


def test_diagnoses_carry_pointers() -> None:
    """Each ICD-10-CM code with its letter; the lines point at both."""
    text = rendered()
    assert re.search(r"A\s+M51\.17\s+Intervertebral disc disorders with radiculopathy, lumbosacral region", text)
    assert re.search(r"B\s+M48\.062\s+Spinal stenosis, lumbar region with neurogenic claudication", text)


def test_cpt_lines_have_the_computed_units() -> None:
    """97810×1 + 97811×1, 97124×2 with modifier 59 on the first day; 97813×1 + 97814×2 on the second."""
    text = rendered()
    for code, modifier, units, charge in (("97810", "", 1, "$65.00"), ("97811", "", 1, "$45.00"),
                                          ("97124", "59", 2, "$80.00"), ("97813", "", 1, "$75.00"),
                                          ("97814", "", 2, "$100.00")):
        pattern = rf"11\s+{code}\s+{modifier}.*?AB\s+{units}\s+\$[\d.]+\s+{re.escape(charge)}"
        assert re.search(pattern, text, re.DOTALL), (code, text)


def test_total_and_signature_lines() -> None:
    """The total of the lines, and the lines for both signatures."""
    text = rendered()
    assert "Total charges $365.00" in text
    assert "Provider signature" in text
    assert "Patient signature" in text
