"""A letter (`letter_content.Letter`) laid out as an A4 PDF with fpdf2, through `reports.pdf`'s Unicode fonts: the
clinic's letterhead, the recipient and the date, the "Re:" line with the patient's date of birth, the timing in a
box when the letter refers, the body, the signature block, and on every page a footer naming the letter, the patient
and the page ("Page 1 of 2").

Layout only: every word comes from the letter, so the PDF says exactly what the preview page says.
"""

from __future__ import annotations

from typing import Any

from .letter_content import Letter, Section
from .letterhead import Letterhead, format_date

#: The recipient's block starts here (mm from the top), where a window envelope shows it.
ADDRESS_TOP = 46.0
SIZE = 10.5
LINE = 5.2
#: The box colours by referral timing: red for a doctor today or sooner, the house accent otherwise.
URGENT = frozenset({"now", "same_day"})


def letter_pdf(letter: Letter) -> bytes:
    """The letter as PDF bytes."""
    from . import pdf as P

    head = Letterhead(patient=f"{letter.patient.name}"
                      + (f", born {format_date(letter.patient.born)}" if letter.patient.born else ""),
                      clinic=letter.sender.clinic or None, date=letter.date)
    doc = P.Document(f"{letter.title} · {head.line()}")
    doc.set_title(f"{letter.title} — {letter.patient.name}")
    doc.set_author(letter.sender.name)
    doc.set_lang("en-GB")
    doc.set_margins(20, 16, 20)
    doc.set_auto_page_break(True, margin=18)
    doc.add_page()
    _letterhead(doc, letter)
    _addresses(doc, letter)
    _subject(doc, letter)
    if letter.urgency:
        _urgency(doc, letter)
    doc.ln(2)
    _para(doc, letter.recipient.salutation())
    for text in letter.opening:
        _para(doc, text)
    for section in letter.sections:
        _section(doc, section)
    _signature(doc, letter)
    return bytes(doc.output())


def _letterhead(doc: Any, letter: Letter) -> None:
    from . import pdf as P

    lines = letter.sender.letterhead()
    if not lines:
        return
    doc.set_font(P.FONT, "B", 15)
    doc.set_text_color(*P.ACCENT)
    doc.multi_cell(0, 7, doc.safe(lines[0]), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(P.FONT, "", 9)
    doc.set_text_color(*P.MUTED)
    for line in lines[1:]:
        doc.multi_cell(0, 4.4, doc.safe(line), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.set_draw_color(*P.RULE)
    doc.set_line_width(0.4)
    doc.line(doc.l_margin, doc.get_y() + 2, doc.w - doc.r_margin, doc.get_y() + 2)
    doc.set_text_color(*P.INK)


def _addresses(doc: Any, letter: Letter) -> None:
    """The recipient on the left at the window's height (or below the letterhead when it runs long), the date on
    the right of the same line."""
    from . import pdf as P

    top = max(ADDRESS_TOP, doc.get_y() + 6)
    doc.set_xy(doc.l_margin, top)
    doc.set_font(P.FONT, "B", SIZE)
    doc.cell(0, LINE, doc.safe(format_date(letter.date)), align="R")
    doc.set_xy(doc.l_margin, top)
    width = doc.content_width * 0.6
    for i, line in enumerate(letter.recipient.lines()):
        doc.set_font(P.FONT, "B" if i == 0 else "", SIZE)
        doc.multi_cell(width, LINE, doc.safe(line), new_x="LMARGIN", new_y="NEXT")
    doc.ln(7)


def _subject(doc: Any, letter: Letter) -> None:
    from . import pdf as P

    doc.set_font(P.FONT, "B", SIZE - 2)
    doc.set_text_color(*P.MUTED)
    doc.set_char_spacing(0.6)
    doc.cell(0, LINE - 1, doc.safe(letter.title.upper()), new_x="LMARGIN", new_y="NEXT")
    doc.set_char_spacing(0)
    doc.set_text_color(*P.INK)
    doc.set_font(P.FONT, "B", SIZE + 1)
    doc.multi_cell(0, LINE + 0.6, doc.safe(letter.subject), new_x="LMARGIN", new_y="NEXT")
    address = ", ".join(line.strip() for line in letter.patient.address.splitlines() if line.strip())
    if address:
        doc.para(address, size=SIZE - 1, line_h=LINE - 0.4, colour=P.MUTED, align="L")
    doc.ln(2)


def _urgency(doc: Any, letter: Letter) -> None:
    from . import pdf as P

    urgent = letter.see_within in URGENT
    colour = P.DANGER if urgent else P.ACCENT

    def draw(d: Any) -> None:
        d.para(letter.urgency, size=SIZE + 1.5, line_h=LINE + 1, style="B", colour=colour, align="L")
        if letter.where:
            d.para(letter.where, size=SIZE, line_h=LINE, align="L")

    doc.box(draw, fill=P.DANGER_BG if urgent else P.SOFT_BG, border=colour)


def _para(doc: Any, text: str) -> None:
    doc.para(text, size=SIZE, line_h=LINE, align="L")
    doc.ln(2)


def _section(doc: Any, section: Section) -> None:
    from . import pdf as P

    if not section.paragraphs and not section.items:
        return
    doc.keep(LINE * 4)  # a heading never ends a page
    doc.ln(1)
    doc.set_font(P.FONT, "B", SIZE + 0.5)
    doc.set_text_color(*P.ACCENT)
    doc.multi_cell(0, LINE + 0.4, doc.safe(section.heading), new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(*P.INK)
    doc.ln(0.8)
    for text in section.paragraphs:
        _para(doc, text)
    for text in section.items:
        _item(doc, text)
    if section.items:
        doc.ln(2)


def _item(doc: Any, text: str) -> None:
    """A list item with a hanging indent."""
    from . import pdf as P

    indent = 4.5
    doc.keep(LINE)
    doc.set_font(P.FONT, "", SIZE)
    y = doc.get_y()
    doc.set_xy(doc.l_margin + 0.8, y)
    doc.cell(indent, LINE, "•" if P.FONT != "helvetica" else "-")
    doc.set_xy(doc.l_margin + indent, y)
    doc.multi_cell(doc.content_width - indent, LINE, doc.safe(text), new_x="LMARGIN", new_y="NEXT", align="L")
    doc.ln(0.6)


def _signature(doc: Any, letter: Letter) -> None:
    from . import pdf as P

    lines = letter.sender.signature()
    doc.keep(LINE * (len(lines) + 5))
    doc.ln(2)
    _para(doc, letter.closing)
    doc.ln(LINE * 1.6)  # room to sign
    for i, line in enumerate(lines):
        doc.set_font(P.FONT, "B" if i == 0 else "", SIZE)
        doc.set_text_color(*(P.INK if i == 0 else P.MUTED))
        doc.multi_cell(0, LINE, doc.safe(line), new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(*P.INK)
