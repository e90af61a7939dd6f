"""The body figures and documents in the clinic: the pain drawing at intake, the plan's points on the figure,
and the downloads (patient handout as a web page and a PDF, the one-page practitioner print)."""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from clinic_fixtures import base_intake
from django.http import QueryDict
from django.urls import reverse

from sciatica_care.clinic import clinical, pain_drawing, records
from sciatica_care.clinic.models import AuditEvent, PlanRevision

pytestmark = pytest.mark.django_db

DOWNLOADS = {  # url name: (content type, purpose in the audit, starts with)
    "clinic:handout_html": ("text/html; charset=utf-8", "handout_html", b"<!DOCTYPE html>"),
    "clinic:handout_pdf": ("application/pdf", "handout_pdf", b"%PDF"),
    "clinic:practitioner_pdf": ("application/pdf", "practitioner_pdf", b"%PDF"),
}


class _Regions(HTMLParser):
    """The pain map's regions on a page: (side, area) → aria-pressed values."""

    def __init__(self) -> None:
        super().__init__()
        self.pressed: dict[tuple[str, str], set[str]] = {}
        self.tokens: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "path" and (a.get("class") or "").startswith("region"):
            key = (a.get("data-side") or "", a.get("data-area") or "")
            self.pressed.setdefault(key, set()).add(a.get("aria-pressed") or "")
        if tag == "input" and a.get("name") == "pain.drawing":
            self.tokens.append(a.get("value") or "")


def regions_on(html: str) -> _Regions:
    parser = _Regions()
    parser.feed(html)
    return parser


def marked(html: str) -> set[tuple[str, str]]:
    found = regions_on(html).pressed
    for key, states in found.items():
        assert len(states) == 1, f"the views of {key} disagree: {states}"
    return {key for key, states in found.items() if states == {"true"}}


# ------------------------------------------------------------------------------------------------ pain drawing


def test_intake_page_has_the_pain_drawing(world: dict[str, Any], login: Any) -> None:
    """The intake form carries the interactive figure (every area, both sides), its script loaded deferred
    from our own static files, and keeps the checkboxes as the fallback."""
    body = login(world["a"]["practitioner"]).get(reverse("clinic:intake", args=[world["a"]["episode"].pk])) \
        .content.decode()
    assert "data-pain-drawing" in body
    assert re.search(r'<script src="/static/clinic/figures\.js" defer></script>', body)
    assert "<script>" not in body  # nothing inline: the CSP forbids it
    found = regions_on(body).pressed
    assert {area for _, area in found} == set(pain_drawing.areas())
    assert {side for side, _ in found} == {"left", "right"}
    assert body.count('role="button"') >= 2 * 19
    assert body.count('name="pain.areas"') == 19


def test_stored_intake_is_drawn_again(world: dict[str, Any], login: Any) -> None:
    """Re-assessing shows the last intake's areas on the side it names (left here)."""
    body = login(world["a"]["practitioner"]).get(reverse("clinic:intake", args=[world["a"]["episode"].pk])) \
        .content.decode()
    areas = ["lower_back", "buttock", "posterior_thigh", "posterior_calf", "sole"]
    assert base_intake()["pain"]["areas"] == areas  # the world's intake (examples/s1-disc-acute.yaml)
    assert marked(body) == {("left", area) for area in areas}
    assert regions_on(body).tokens == [f"left:{area}" for area in areas]
    assert "Left: lower back, buttock, back of the thigh, calf (back of the lower leg), sole." in body


def test_stored_intake_on_both_sides_is_drawn_on_both_legs(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    records.record_intake(a["practitioner"], a["episode"], base_intake(
        episode={"side": "both", "duration_weeks": 3}, pain={"leg_nrs": 6, "areas": ["heel", "sole"]}))
    body = login(a["practitioner"]).get(reverse("clinic:intake", args=[a["episode"].pk])).content.decode()
    assert marked(body) == {(s, x) for s in ("left", "right") for x in ("heel", "sole")}


def test_drawing_comes_back_as_drawn_when_the_form_has_an_error(world: dict[str, Any], login: Any) -> None:
    """A form sent back (422) keeps the drawing exactly: left buttock and right heel, not both on both legs."""
    post = {"red_flags_screened": "1", "patient.age": "42", "episode.side": "both", "episode.duration_weeks": "3",
            "pain.areas": ["buttock", "heel"], "pain.drawing": ["left:buttock", "right:heel", "right:groin"],
            "medical__asked": "1"}  # no leg pain score: refused
    r = login(world["a"]["practitioner"]).post(reverse("clinic:intake", args=[world["a"]["episode"].pk]), post)
    assert r.status_code == 422
    assert marked(r.content.decode()) == {("left", "buttock"), ("right", "heel")}  # groin was not ticked


def test_submitted_drawing_stores_areas_and_side_only(world: dict[str, Any], login: Any) -> None:
    """What the script sends (ticked areas, the side, the drawing's own fields) is stored as the contract has it."""
    post = {"red_flags_screened": "1", "patient.age": "42", "episode.side": "left", "episode.duration_weeks": "3",
            "pain.leg_nrs": "6", "pain.areas": ["posterior_thigh", "lateral_calf"],
            "pain.drawing": ["left:posterior_thigh", "left:lateral_calf"], "medical__asked": "1"}
    r = login(world["a"]["practitioner"]).post(reverse("clinic:intake", args=[world["a"]["episode"].pk]), post)
    assert r.status_code == 302
    plan = PlanRevision.objects.get(pk=int(r["Location"].rstrip("/").split("/")[-1]))
    assert plan.intake.data["pain"] == {"leg_nrs": 6, "areas": ["posterior_thigh", "lateral_calf"]}
    assert plan.intake.data["episode"]["side"] == "left"


@pytest.mark.parametrize(("side", "left", "right"), [
    ("left", {"heel"}, set()), ("right", set(), {"heel"}), ("both", {"heel"}, {"heel"}), (None, {"heel"}, {"heel"}),
])
def test_drawing_from_a_stored_intake(side: str | None, left: set[str], right: set[str]) -> None:
    episode = {"duration_weeks": 2} if side is None else {"side": side, "duration_weeks": 2}
    assert pain_drawing.from_intake({"episode": episode, "pain": {"areas": ["heel", "elbow"]}}) == (left, right)


def test_drawing_from_the_form_trusts_only_ticked_areas() -> None:
    post = QueryDict(mutable=True)
    post.setlist("pain.drawing", ["left:heel", "right:sole", "right:elbow", "middle:heel", "left:groin"])
    intake = {"episode": {"side": "both"}, "pain": {"areas": ["heel", "sole", "buttock"]}}
    left, right = pain_drawing.from_form(post, intake)
    assert left == {"heel", "buttock"}  # buttock was ticked but not drawn: it goes on the side the form names
    assert right == {"sole", "buttock"}


# ------------------------------------------------------------------------------------------------ plan figure


def test_plan_page_shows_the_points_on_the_figure(world: dict[str, Any], login: Any) -> None:
    """The plan page has the chart inline: each planned point on the planned side, coloured by role, with its
    location, depth and cautions in its <title>; the electroacupuncture pair joined; the details panel."""
    plan = world["a"]["plan"]
    doctored = copy.deepcopy(plan.plan)  # a stored location that is not the knowledge base's
    next(p for p in doctored["acupuncture"]["points"] if p["code"] == "GB30")["location"] = "Stored-location"
    PlanRevision.objects.filter(pk=plan.pk).update(plan=doctored)
    body = login(world["a"]["practitioner"]).get(reverse("clinic:plan", args=[plan.pk])).content.decode()
    assert "data-plan-figure" in body
    assert 'id="point-details"' in body
    assert re.search(r'<script src="/static/clinic/figures\.js" defer></script>', body)
    assert 'data-code="GB30" data-side="left" data-role="local"' in body
    figure = body.split("data-plan-figure", 1)[1].split("</figure>")[0]
    drawn = set(re.findall(r'data-code="([^"]+)" data-side="([^"]+)" data-role', figure))
    planned = {(p["code"], side) for p in plan.plan["acupuncture"]["points"]
               if clinical.find_point(p["code"]).placement is not None  # ashi: wherever it is tender, not drawn
               for side in (("left", "right") if p["side"] == "both" else (p["side"],))}
    assert drawn == planned  # each point on its planned side (a left-sided plan, its hand points on the right)
    assert 'data-side="right"' not in re.sub(r'data-side="right" data-role', "", figure)  # nothing else on the right
    gb30 = re.search(r'<g class="point role-local" data-code="GB30".*?</g>', body, re.DOTALL)
    assert gb30
    assert "Stored-location" not in gb30.group(0)  # the chart uses the knowledge base's location, not the plan's
    assert "press one third of the way in from the trochanter" in gb30.group(0)
    assert "Depth:" in gb30.group(0)
    assert "Cautions:" in gb30.group(0)
    assert "Electroacupuncture" in body
    for name in DOWNLOADS:
        assert reverse(name, args=[world["a"]["plan"].pk]) in body


def test_plan_figure_strikes_out_excluded_points(world: dict[str, Any], login: Any) -> None:
    """A pregnant patient's plan shows the excluded points struck out, with the rule that excluded them."""
    a = world["a"]
    plan = records.record_intake(a["practitioner"], a["episode"], base_intake(
        patient={"age": 31, "sex": "female", "pregnant": True, "pregnancy_weeks": 20}))
    body = login(a["practitioner"]).get(reverse("clinic:plan", args=[plan.pk])).content.decode()
    figure = body.split("data-plan-figure", 1)[1].split("</figure>")[0]
    for code in ("SP6", "LI4"):  # the engine excludes both in pregnancy
        assert f'class="point excluded" data-code="{code}"' in figure
        assert f"{code}, " in figure
    assert 'data-excluded-by="pregnancy"' in figure
    assert "EXCLUDED by Pregnancy" in figure  # the rule by its name


def test_withheld_plan_has_no_figure(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    plan = records.record_intake(a["practitioner"], a["episode"], base_intake(red_flags=["bladder_dysfunction"]))
    body = login(a["practitioner"]).get(reverse("clinic:plan", args=[plan.pk])).content.decode()
    assert "data-plan-figure" not in body
    assert reverse("clinic:handout_pdf", args=[plan.pk]) in body  # the warning signs still go home with them


# ------------------------------------------------------------------------------------------------ downloads


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
@pytest.mark.parametrize("role", ["practitioner", "clinic_admin"])
def test_downloads_are_served_and_audited(world: dict[str, Any], login: Any, name: str, role: str) -> None:
    """Each download is served with its content type, never cached, and audited as a read of the record."""
    a = world["a"]
    content_type, purpose, head = DOWNLOADS[name]
    r = login(a[role]).get(reverse(name, args=[a["plan"].pk]))
    assert r.status_code == 200
    assert r["Content-Type"] == content_type
    assert r.content.startswith(head)
    assert "no-store" in r["Cache-Control"]
    assert f"-{a['plan'].pk}." in r["Content-Disposition"]
    assert ("attachment" if content_type == "application/pdf" else "inline") in r["Content-Disposition"]
    event = AuditEvent.objects.filter(action="read", object_type="PlanRevision", detail__purpose=purpose).get()
    assert event.actor == a[role]
    assert event.patient_id == a["patient"].pk
    assert event.object_id == a["plan"].pk


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_reception_may_not_download_clinical_documents(world: dict[str, Any], login: Any, name: str) -> None:
    r = login(world["a"]["reception"]).get(reverse(name, args=[world["a"]["plan"].pk]))
    assert r.status_code == 403
    assert AuditEvent.objects.filter(action="denied_role", actor=world["a"]["reception"]).exists()
    assert not AuditEvent.objects.filter(action="read", detail__has_key="purpose",
                                         actor=world["a"]["reception"]).exists()


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_another_clinics_plan_is_not_found(world: dict[str, Any], login: Any, name: str) -> None:
    r = login(world["a"]["practitioner"]).get(reverse(name, args=[world["b"]["plan"].pk]))
    assert r.status_code == 404
    assert b"%PDF" not in r.content
    assert AuditEvent.objects.filter(action="denied_other_clinic", object_id=world["b"]["plan"].pk).exists()


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_downloads_need_a_login(client: Any, world: dict[str, Any], name: str) -> None:
    r = client.get(reverse(name, args=[world["a"]["plan"].pk]))
    assert r.status_code == 302
    assert "/login/" in r["Location"]


def test_downloads_are_read_only(world: dict[str, Any], login: Any) -> None:
    r = login(world["a"]["practitioner"]).post(reverse("clinic:handout_pdf", args=[world["a"]["plan"].pk]))
    assert r.status_code == 405


def test_handout_page_allows_only_its_own_style(world: dict[str, Any], login: Any) -> None:
    """The handout's <style> is allowed by its hash; scripts stay 'self' only, nothing unsafe-inline."""
    r = login(world["a"]["practitioner"]).get(reverse("clinic:handout_html", args=[world["a"]["plan"].pk]))
    csp = r["Content-Security-Policy"]
    style = re.search(r"<style>(.*?)</style>", r.content.decode(), re.DOTALL)
    assert style
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp
    assert "script-src 'self'" in csp
    assert "<script" not in r.content.decode()


def test_plan_page_policy_is_unchanged(world: dict[str, Any], login: Any) -> None:
    r = login(world["a"]["practitioner"]).get(reverse("clinic:plan", args=[world["a"]["plan"].pk]))
    assert "sha256" not in r["Content-Security-Policy"]


# ------------------------------------------------------------------------------------------------ pregnancy


def _forbidden() -> set[str]:
    from sciatica_care.knowledge.load import load_knowledge

    return {p.code for p in load_knowledge().points if p.forbidden_in_pregnancy}


def _codes_in(text: str) -> set[str]:
    from sciatica_care.knowledge.load import load_knowledge

    return {p.code for p in load_knowledge().points if re.search(rf"(?<![\w-]){re.escape(p.code)}(?![\w.-])", text)}


def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def test_pregnant_patients_handout_shows_no_forbidden_point(world: dict[str, Any], login: Any) -> None:
    """A pregnant patient's handout (web page and PDF) names pressure points, and none of
    them is forbidden in pregnancy; the one for a patient who is not pregnant does name one (BL60)."""
    a = world["a"]
    pregnant = records.record_intake(a["practitioner"], a["episode"], base_intake(
        patient={"age": 31, "sex": "female", "pregnant": True, "pregnancy_weeks": 24},
        pain={"leg_nrs": 7, "areas": ["buttock", "posterior_thigh", "lateral_calf"]}))
    client = login(a["practitioner"])
    html = client.get(reverse("clinic:handout_html", args=[pregnant.pk])).content.decode()
    pdf = client.get(reverse("clinic:handout_pdf", args=[pregnant.pk])).content
    pressed = {x["code"] for x in pregnant.plan["self_care"]["acupressure"]}
    assert pressed, "the test needs a plan with acupressure"
    for text in (html, _pdf_text(pdf)):
        shown = _codes_in(text)
        assert pressed <= shown
        assert not shown & _forbidden(), f"forbidden in pregnancy, yet shown: {shown & _forbidden()}"
    not_pregnant = records.record_intake(a["practitioner"], a["episode"], base_intake(
        patient={"age": 40, "sex": "male"},
        pain={"leg_nrs": 7, "areas": ["buttock", "posterior_thigh", "lateral_calf"]}))
    html = client.get(reverse("clinic:handout_html", args=[not_pregnant.pk])).content.decode()
    assert _codes_in(html) & _forbidden()  # the check above is not vacuous


@pytest.mark.parametrize("name", ["clinic:handout_html", "clinic:handout_pdf"])
def test_a_plan_that_would_show_a_forbidden_point_is_refused(world: dict[str, Any], login: Any, name: str) -> None:
    """A stored plan for a pregnant patient that somehow holds SP6 for acupressure is never printed: 409, the
    reason, no document, and the refusal audited."""
    a = world["a"]
    plan = records.record_intake(a["practitioner"], a["episode"], base_intake(
        patient={"age": 31, "sex": "female", "pregnant": True, "pregnancy_weeks": 24}))
    doctored = dict(plan.plan)
    doctored["self_care"] = {**plan.plan["self_care"], "acupressure": [
        {"code": "SP6", "side": "left", "how": "press", "hold_minutes": [1, 2], "times_per_day": [2, 3]}]}
    PlanRevision.objects.filter(pk=plan.pk).update(plan=doctored)
    r = login(a["practitioner"]).get(reverse(name, args=[plan.pk]))
    assert r.status_code == 409
    assert r["Content-Type"].startswith("text/html")
    assert b"%PDF" not in r.content
    assert "SP6" in r.content.decode()  # the reason names it, on the practitioner's page
    assert "Handout not printed" in r.content.decode()
    assert AuditEvent.objects.filter(action="refused", object_id=plan.pk, detail__purpose=name.split(":")[1]) \
        .exists()
    assert not AuditEvent.objects.filter(action="read", object_id=plan.pk, detail__has_key="purpose").exists()
