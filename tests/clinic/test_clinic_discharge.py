"""The discharge summary page and PDF: content, scope, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from sciatica_care.clinic import records
from sciatica_care.clinic.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(world: dict[str, Any]) -> Any:
    a = world["a"]
    episode, plan = a["episode"], a["plan"]
    start = dt.date(2026, 3, 2)
    for i, (leg, odi) in enumerate([(8, 3), (6, None), (4, None), (2, 1)]):
        records.chart_visit(a["practitioner"], episode, plan,
                            {"red_flags_rechecked": True, "date": start + dt.timedelta(weeks=i + 1), "leg_nrs": leg,
                             "points": [{"code": "GB30", "side": "left"}, {"code": "BL40", "side": "left"}],
                             "ea_pairs": [["GB30", "BL40"]], "massage_done": ["tuina"] if i else []},
                            questionnaires={"odi": [odi] * 10} if odi is not None else None)
    return episode


def test_discharge_summary_page(world: dict[str, Any], course: Any, login: Any) -> None:
    page = login(world["a"]["practitioner"]).get(reverse("clinic:discharge", args=[course.pk])).content.decode()
    assert "Discharge summary" in page
    assert "Leg pain (NRS)" in page
    assert "5 sessions" in page  # the fixture's visit and four more
    assert "GB30 (5)" in page
    assert "Electroacupuncture in 4 sessions" in page
    assert "-40 (-66.7 %)" in page  # ODI 60 → 20
    assert AuditEvent.objects.filter(action="read", object_id=course.pk, detail__purpose="discharge_summary").exists()


def test_discharge_pdf(world: dict[str, Any], course: Any, login: Any) -> None:
    import pypdfium2 as pdfium

    r = login(world["a"]["practitioner"]).get(reverse("clinic:discharge_pdf", args=[course.pk]))
    assert r["Content-Type"] == "application/pdf"
    doc = pdfium.PdfDocument(r.content)
    pages, text = len(doc), doc[0].get_textpage().get_text_range()
    doc.close()
    assert pages == 1
    assert "Ann Smitha" in text
    assert AuditEvent.objects.filter(action="print", object_id=course.pk).exists()


def test_discharge_is_scoped_and_clinical(world: dict[str, Any], course: Any, login: Any) -> None:
    for name in ("clinic:discharge", "clinic:discharge_pdf"):
        assert login(world["b"]["practitioner"]).get(reverse(name, args=[course.pk])).status_code == 404
        assert login(world["a"]["reception"]).get(reverse(name, args=[course.pk])).status_code == 403
