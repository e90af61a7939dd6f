"""A superbill as a US Letter PDF (fpdf2, through `reports.pdf`): the billing provider and the patient, the
rendering providers, the ICD-10-CM diagnoses with their pointers, one line per CPT code and day with its modifiers,
units, fee and charge, the total, and the signature lines. Amounts are written in the clinic's currency
(`sciatica_care.money`), which the caller names: there is no default to fall back on.

It lays out a `Superbill` that `interop.superbill` built and checked; it decides nothing. Dates are written the
US way (MM/DD/YYYY), as US claim forms are.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .. import money as amounts
from ..interop.superbill import Superbill

CPT_NOTICE = "CPT is a registered trademark of the American Medical Association."


def us_date(day: dt.date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def superbill_pdf(bill: Superbill, printed_on: dt.date, *, currency: str) -> bytes:
    from . import pdf as P

    def money(amount: Decimal) -> str:
        return amounts.amount(amount, currency)

    doc = P.Document(f"Superbill · {bill.patient.name} · {us_date(bill.first_date)}–{us_date(bill.last_date)} · "
                     f"{CPT_NOTICE}", page_format="Letter")
    doc.set_title(f"Superbill {bill.patient.name}")
    doc.set_lang("en-US")
    doc.set_margins(14, 13, 14)
    doc.add_page()
    _title(doc, bill, printed_on)
    _parties(doc, bill)
    doc.heading("Diagnoses (ICD-10-CM)", size=11.5, space=2)
    _table(doc, ("Pointer", "Code", "Description"), (0.12, 0.16, 0.72),
           [(d.pointer, d.code, d.display) for d in bill.diagnoses])
    doc.heading("Services (CPT)", size=11.5, space=2)
    _table(doc, ("Date of service", "POS", "CPT", "Mod.", "Description", "Dx ptr", "Units", "Fee", "Charge"),
           (0.12, 0.05, 0.07, 0.06, 0.38, 0.07, 0.06, 0.09, 0.10),
           [(us_date(x.date), x.place_of_service, x.code, " ".join(x.modifiers), x.display, x.pointers,
             str(x.units), money(x.fee), money(x.charge)) for x in bill.lines],
           right=(6, 7, 8))
    _totals(doc, bill, money(bill.total))
    if bill.notes:
        doc.ln(1.5)
        doc.para("Notes: " + " ".join(bill.notes), size=7.5, line_h=3.6, colour=P.MUTED, align="L")
    _signatures(doc)
    return bytes(doc.output())


def _title(doc: Any, bill: Superbill, printed_on: dt.date) -> None:
    from . import pdf as P

    doc.set_font(P.FONT, "B", 18)
    doc.set_text_color(*P.ACCENT)
    doc.cell(0, 8, doc.safe("Superbill"), new_x="LMARGIN", new_y="NEXT")
    span = us_date(bill.first_date) if bill.first_date == bill.last_date else \
        f"{us_date(bill.first_date)} to {us_date(bill.last_date)}"
    doc.para(f"Itemized statement for insurance reimbursement · dates of service {span} · printed "
             f"{us_date(printed_on)}", size=8.5, line_h=4.2, colour=P.MUTED, align="L")
    doc.ln(1.5)


def _parties(doc: Any, bill: Superbill) -> None:
    """The billing provider and the patient side by side, then the rendering providers."""
    from . import pdf as P

    b, p = bill.billing, bill.patient
    left = [("Billing provider", b.name, True), ("", b.address, False),
            ("Phone", b.phone, False), ("NPI", b.npi, False), ("Tax id (EIN)", b.tax_id, False),
            ("Place of service", b.place_of_service, False)]
    right = [("Patient", p.name, True), ("Date of birth", us_date(p.date_of_birth), False), ("Sex", p.sex, False),
             ("Patient no.", p.number, False), ("", p.address, False)]
    width = doc.content_width / 2 - 3
    top = doc.get_y()
    heights = []
    for i, rows in enumerate((left, right)):
        doc.set_xy(doc.l_margin + i * (width + 6), top)
        x = doc.get_x()
        for label, value, heading in rows:
            if not value:
                continue
            doc.set_x(x)
            doc.set_font(P.FONT, "B" if heading else "", 9)
            text = f"{label}\n{value}" if heading else (f"{label}: {value}" if label else value)
            doc.multi_cell(width, 4.4, doc.safe(text), new_x="LEFT", new_y="NEXT")
        heights.append(doc.get_y() - top)
    doc.set_draw_color(*P.RULE)
    doc.line(doc.l_margin + width + 3, top, doc.l_margin + width + 3, top + max(heights))
    doc.set_xy(doc.l_margin, top + max(heights) + 2)
    names = "; ".join(f"{r.name}, NPI {r.npi}" for r in bill.providers)
    doc.para(f"Rendering provider{'s' if len(bill.providers) > 1 else ''}: {names}", size=9, line_h=4.4,
             align="L")


def _table(doc: Any, head: tuple[str, ...], widths: tuple[float, ...], rows: list[tuple[str, ...]],
           right: tuple[int, ...] = ()) -> None:
    from . import pdf as P

    doc.set_font(P.FONT, "", 8.5)
    align = tuple("RIGHT" if i in right else "LEFT" for i in range(len(head)))
    with doc.table(col_widths=widths, text_align=align, line_height=4.6, first_row_as_headings=True,
                   headings_style=_heading_style(), borders_layout="HORIZONTAL_LINES", padding=1) as table:
        for row in (head, *rows):
            cells = table.row()
            for text in row:
                cells.cell(doc.safe(text))
    doc.ln(1)


def _heading_style() -> Any:
    from fpdf.fonts import FontFace

    from . import pdf as P

    return FontFace(family=P.FONT, emphasis="BOLD", color=P.ACCENT, fill_color=P.SOFT_BG)


def _totals(doc: Any, bill: Superbill, total: str) -> None:
    from . import pdf as P

    label_w, value_w = 50.0, 28.0
    x = doc.w - doc.r_margin - label_w - value_w
    for label, value, style in (("Total charges", total, "B"), ("Amount paid", "", ""),
                                ("Balance due", "", "")):
        doc.set_x(x)
        doc.set_font(P.FONT, style, 9.5)
        doc.cell(label_w, 6, doc.safe(label))
        doc.cell(value_w, 6, doc.safe(value), border="B", align="R", new_x="LMARGIN", new_y="NEXT")


def _signatures(doc: Any) -> None:
    from . import pdf as P

    doc.keep(52)  # the two statements and their signature lines stay on one page
    doc.ln(5)
    doc.para("I certify that the services listed above were medically indicated and personally provided by the "
             "rendering provider named, on the dates shown.", size=8.5, line_h=4.2, align="L")
    doc.ln(7)
    _sign_line(doc, "Provider signature")
    doc.ln(4)
    doc.para("I authorize the release of any information needed to process this claim and ask that payment of "
             "benefits be made to me or to the provider.", size=8.5, line_h=4.2, align="L")
    doc.ln(7)
    _sign_line(doc, "Patient signature")
    doc.set_text_color(*P.INK)


def _sign_line(doc: Any, label: str) -> None:
    from . import pdf as P

    y = doc.get_y()
    doc.set_draw_color(*P.INK)
    doc.line(doc.l_margin, y, doc.l_margin + 95, y)
    doc.line(doc.l_margin + 110, y, doc.l_margin + 150, y)
    doc.set_font(P.FONT, "", 7.5)
    doc.set_text_color(*P.MUTED)
    doc.set_xy(doc.l_margin, y + 0.8)
    doc.cell(95, 3.5, doc.safe(label))
    doc.set_x(doc.l_margin + 110)
    doc.cell(40, 3.5, doc.safe("Date"), new_x="LMARGIN", new_y="NEXT")
