"""The progress chart (matplotlib SVG) and the one-page discharge PDF, without a database."""

from __future__ import annotations

import datetime as dt
import gc
import re
from typing import Any

import pypdfium2 as pdfium

from sciatica_care.reports.discharge_pdf import discharge_pdf
from sciatica_care.reports.progress_chart import ChartSeries, progress_svg

DAYS = [dt.date(2026, 3, 2) + dt.timedelta(weeks=i) for i in range(4)]


def _series() -> list[ChartSeries]:
    return [ChartSeries("nrs_leg", "Leg pain (NRS)", list(zip(DAYS, [8, 6, 4, 3], strict=True)), 10, 2),
            ChartSeries("odi", "ODI", [(DAYS[0], 60.0), (DAYS[3], 24.0)], 100, 10)]


def test_chart_has_every_point_and_the_band() -> None:
    svg = progress_svg(_series())
    assert svg.lstrip().startswith("<?xml")
    for gid, points in (("nrs_leg-points", 4), ("odi-points", 2)):
        group = re.search(rf'<g id="{gid}">(.*?)</g>\s*</g>', svg, re.S)
        assert group
        assert group.group(1).count("<use ") == points
    assert 'id="nrs_leg-band"' in svg
    assert 'id="odi-band"' in svg
    assert "minimal important change" in svg


def test_chart_is_deterministic_and_handles_no_scores() -> None:
    assert progress_svg(_series()) == progress_svg(_series())
    assert "No scores yet" in progress_svg([])
    assert "matplotlib" in progress_svg([ChartSeries("sbi", "SBI", [(DAYS[0], 5)], 24, None)])


def test_chart_labels_the_charted_days_and_never_switches_the_collector(monkeypatch: Any) -> None:
    days = [dt.date(2026, 1, 5) + dt.timedelta(days=3 * i) for i in range(20)]
    svg = progress_svg([ChartSeries("nrs_leg", "Leg pain (NRS)", [(d, 5) for d in days], 10, 2)])
    labels = re.findall(r">(\d\d [A-Z][a-z]{2})<", svg)
    assert labels[0] == "05 Jan"
    assert labels[-1] == days[-1].strftime("%d %b")
    assert 2 <= len(labels) <= 8
    # No process-wide switch: the server's other threads keep their garbage collector while a chart draws.
    switched: list[str] = []
    monkeypatch.setattr(gc, "disable", lambda: switched.append("disable"))
    monkeypatch.setattr(gc, "enable", lambda: switched.append("enable"))
    monkeypatch.setattr(gc, "freeze", lambda: switched.append("freeze"))
    progress_svg(_series())
    assert switched == []


def _summary(**over: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "patient": "Bea Jones", "episode": "Sciatica", "opened": "2026-03-02", "discharged": "2026-04-20",
        "sessions": 8, "practitioners": ["Dr Lin"],
        "measures": [{"name": "Leg pain (NRS)", "baseline": "8", "discharge": "2", "change": "-6 (-75 %)",
                      "status": "responder"},
                     {"name": "ODI", "baseline": "60", "discharge": "24", "change": "-36 (-60 %)",
                      "status": "responder"}],
        "done": ["Acupuncture points (sessions): GB30 (8), BL40 (7)", "Electroacupuncture in 5 sessions"],
        "advice": ["Keep up the home programme: walking"], "matched_care": "STarT Back low risk: offer advice.",
    }
    summary.update(over)
    return summary


def test_discharge_pdf_is_one_page_with_the_scores() -> None:
    doc = pdfium.PdfDocument(discharge_pdf(_summary()))
    pages, text = len(doc), doc[0].get_textpage().get_text_range()
    doc.close()
    assert pages == 1
    for expected in ("Discharge summary", "Bea Jones", "Leg pain (NRS)", "-6 (-75 %)", "GB30 (8)",
                     "home programme", "STarT Back low risk"):
        assert expected in text


def test_a_long_discharge_summary_still_fits_one_page() -> None:
    pdf = discharge_pdf(_summary(done=[f"Line {i} of what was done in the course" for i in range(40)],
                                 advice=[f"Advice {i}" for i in range(20)]))
    doc = pdfium.PdfDocument(pdf)
    pages = len(doc)
    doc.close()
    assert pages == 1
