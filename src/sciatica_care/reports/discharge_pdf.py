"""The discharge summary of one episode as a one-page A4 PDF (fpdf2, through `reports.pdf`).

The clinic builds the summary (a plain mapping, see `discharge_pdf`) from its records; this module only lays it
out, so it can be tested without a database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any


def discharge_pdf(summary: Mapping[str, Any]) -> bytes:
    """`summary`: patient, episode, opened, discharged, sessions, practitioners (list), measures (list of
    {name, baseline, discharge, change, status}), done (list of lines), advice (list of lines) and an optional
    matched_care line. Everything fits one page: the text shrinks before it would overflow."""
    from . import pdf as P

    doc = P.Document(f"Sciatica Care · discharge summary · {summary.get('patient', '')}")
    doc.set_title("Discharge summary")
    doc.set_lang("en")
    doc.set_auto_page_break(False)
    room = doc.h - doc.t_margin - 16
    size = 10.0
    def drawn_at(points: float) -> Callable[[Any], None]:
        return lambda d: _draw(d, summary, points)

    while size > 6.5 and doc.measure(drawn_at(size)) > room:
        size -= 0.5
    # Still too long at the smallest size: keep the first lines of each list and say how many were left out.
    keep = max(len(summary.get("done", [])), len(summary.get("advice", [])))
    while keep > 1 and doc.measure(drawn_at(size)) > room:
        keep -= 1
        summary = {**summary, "done": _first(summary.get("done", []), keep),
                   "advice": _first(summary.get("advice", []), keep)}
    doc.add_page()
    _draw(doc, summary, size)
    return bytes(doc.output())


def _first(lines: Sequence[str], keep: int) -> list[str]:
    if len(lines) <= keep:
        return list(lines)
    return [*lines[:keep - 1], f"… and {len(lines) - keep + 1} more (see the clinic record)"]


def _heading(doc: Any, text: str, size: float) -> None:
    from . import pdf as P

    doc.ln(size * 0.35)
    doc.set_font(P.FONT, "B", size)
    doc.set_text_color(*P.ACCENT)
    doc.multi_cell(0, size * 0.5, doc.safe(text), new_x="LMARGIN", new_y="NEXT")
    doc.set_draw_color(*P.RULE)
    doc.line(doc.l_margin, doc.get_y() + 0.6, doc.w - doc.r_margin, doc.get_y() + 0.6)
    doc.ln(1.8)
    doc.set_text_color(*P.INK)


def _draw(doc: Any, summary: Mapping[str, Any], size: float) -> None:
    from . import pdf as P

    line = size * 0.5
    doc.set_font(P.FONT, "B", size + 6)
    doc.set_text_color(*P.ACCENT)
    doc.multi_cell(0, (size + 6) * 0.5, doc.safe("Discharge summary"), new_x="LMARGIN", new_y="NEXT")
    doc.para(f"{summary.get('patient', '')} · {summary.get('episode', '')}", size=size + 1, line_h=line + 0.6,
             style="B")
    doc.para(f"Course: {summary.get('opened', '')} to {summary.get('discharged', '')} · "
             f"{summary.get('sessions', 0)} sessions · {', '.join(summary.get('practitioners', []))}",
             size=size, line_h=line, colour=P.MUTED)
    _heading(doc, "Baseline and discharge scores", size + 2)
    _table(doc, ["Measure", "Baseline", "Discharge", "Change", "Status"],
           [[m["name"], str(m["baseline"]), str(m["discharge"]), m["change"], m["status"]]
            for m in summary.get("measures", [])], size)
    _heading(doc, "What was done", size + 2)
    for text in summary.get("done", []) or ["Nothing charted."]:
        doc.para(f"- {text}", size=size, line_h=line)
    _heading(doc, "Advice", size + 2)
    if summary.get("matched_care"):
        doc.para(summary["matched_care"], size=size, line_h=line)
    for text in summary.get("advice", []) or ["No further advice."]:
        doc.para(f"- {text}", size=size, line_h=line)


def _table(doc: Any, head: Sequence[str], rows: Sequence[Sequence[str]], size: float) -> None:
    from . import pdf as P

    widths = [0.34, 0.14, 0.14, 0.2, 0.18]
    total = doc.content_width
    doc.set_font(P.FONT, "B", size)
    for text, w in zip(head, widths, strict=True):
        doc.cell(total * w, size * 0.6, doc.safe(text), border="B")
    doc.ln(size * 0.6)
    doc.set_font(P.FONT, "", size)
    for row in rows or [["No scores recorded", "", "", "", ""]]:
        for text, w in zip(row, widths, strict=True):
            doc.cell(total * w, size * 0.6, doc.safe(text))
        doc.ln(size * 0.6)
