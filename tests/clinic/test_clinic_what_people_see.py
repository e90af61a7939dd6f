"""What a practitioner sees: the styled 403, 404 and 500 pages (DEBUG off); no knowledge id in the visible text of
the main pages of a demo clinic (the real engine); the handout and the practitioner print downloaded from the clinic
headed by the patient, the clinic, the practitioner and the date."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils import timezone

from sciatica_care.knowledge.load import load_knowledge

pytestmark = pytest.mark.django_db


# --- a test URLconf: the site, and one view that fails ------------------------------------------------------------

def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failure inside a view")


urlpatterns = [path("boom/", _boom), path("", include("sciatica_care.site.urls"))]


@pytest.fixture
def debug_off(settings: Any) -> Any:
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    return settings


# --- visible text -------------------------------------------------------------------------------------------------

class _Text(HTMLParser):
    """The text a person can read: every text node outside <script> and <style>; attribute values are not text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def knowledge_ids() -> set[str]:
    """The snake_case and kebab-case ids of the knowledge that a page could show: safety rules and their warnings,
    red flags (and derived ones), escalations, causes, patterns, massage techniques, exercises, everyday habits,
    and the protocol's and self-care's rules."""
    k = load_knowledge()
    ids = {r.id for r in k.safety} | {r.warning_id for r in k.safety if r.warning_id}
    ids |= {f.id for f in k.triage.flags} | {d.id for d in k.triage.derived} | {e.id for e in k.triage.escalations}
    ids |= {c.id for c in k.assessment.causes} | {p.id for p in k.assessment.patterns}
    ids |= {t.id for t in k.protocol.massage} | {e.id for e in k.self_care.exercises}
    ids |= {e.id for e in k.self_care.ergonomics} | {r.id for r in k.self_care.thermal_rules}
    ids |= {r.id for r in (*k.protocol.point_rules, *k.protocol.pair_rules, *k.protocol.frequency_rules,
                           *k.protocol.needle_caps)}
    return {i for i in ids if re.fullmatch(r"[a-z0-9]+(?:[_-][a-z0-9]+)+", i)}


_IDS = knowledge_ids()
_ID_PATTERN = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, _IDS), key=len, reverse=True)) + r")(?![\w-])")


def raw_ids(html: str) -> set[str]:
    return set(_ID_PATTERN.findall(visible_text(html)))


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    return " ".join(" ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))).split())


def test_the_id_check_reads_text_not_attributes() -> None:
    assert {"disc_herniation", "bleeding-risk"} <= _IDS
    html = ('<option value="disc_herniation">Disc herniation</option><p title="bleeding-risk">Bleeding risk</p>'
            "<script>var a = 'bleeding-risk';</script><li>excluded by bleeding-risk</li>")
    assert raw_ids(html) == {"bleeding-risk"}


# --- the error pages ----------------------------------------------------------------------------------------------

def _styled(response: Any, status: int) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert f'data-status="{status}"' in html, html[:400]
    assert "/static/clinic/clinic.css" in html
    assert "Sciatica Care" in html
    return html


def test_an_unknown_address_gives_the_styled_404(debug_off: Any, client: Any) -> None:
    html = _styled(client.get("/no-such-page/"), 404)
    assert "Page not found" in html


def test_another_clinics_record_gives_the_styled_404(debug_off: Any, world: dict[str, Any], login: Any) -> None:
    html = _styled(login(world["a"]["practitioner"]).get(f"/plans/{world['b']['plan'].pk}/"), 404)
    assert "Smithb" not in html


def test_the_apps_own_refusal_gives_the_styled_403(debug_off: Any, world: dict[str, Any], login: Any) -> None:
    """Reception opening a plan is refused by the clinic's permission check (PermissionDenied): the styled page,
    with the header of the signed-in user."""
    html = _styled(login(world["a"]["reception"]).get(f"/plans/{world['a']['plan'].pk}/"), 403)
    assert "not open to you" in html
    assert 'class="menu"' in html  # the header's menu: the person can go on from here


def test_a_failing_view_gives_the_styled_500(debug_off: Any, client: Any) -> None:
    client.raise_request_exception = False
    html = _styled(client.get("/boom/"), 500)
    assert "Something went wrong" in html
    assert "a failure inside a view" not in html
    assert "Traceback" not in html


def test_the_500_page_needs_neither_the_database_nor_the_user(django_assert_num_queries: Any) -> None:
    """Django renders 500.html with no request and no context; it must render so with no query at all."""
    from django.template import loader

    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert 'data-status="500"' in html
    assert 'class="menu"' not in html


# --- no raw ids on the main pages of a demo clinic ----------------------------------------------------------------

@pytest.fixture
def demo_clinic(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.undo()  # the real engine: the demo's plans are the engine's
    from sciatica_care.clinic import demo

    return demo.load()


def _pages(admin: Any) -> list[str]:
    from sciatica_care.clinic.models import Episode, Patient, PlanRevision, Staff, Visit

    pages = ["/patients/", "/dashboard/", "/dashboard/?cause=disc_herniation", "/settings/", "/staff/", "/audit/"]
    pages += [f"/patients/{pk}/" for pk in Patient.objects.values_list("pk", flat=True)]
    pages += [f"/staff/{pk}/" for pk in Staff.objects.filter(clinic=admin.clinic).values_list("pk", flat=True)]
    for episode in Episode.objects.all():
        pages += [f"/episodes/{episode.pk}/", f"/episodes/{episode.pk}/discharge/",
                  f"/episodes/{episode.pk}/letters/referral/", f"/episodes/{episode.pk}/letters/progress/"]
        if episode.status == "open":
            pages.append(f"/episodes/{episode.pk}/visits/new/")
    pages += [f"/plans/{pk}/" for pk in PlanRevision.objects.values_list("pk", flat=True)]
    pages += [f"/visits/{pk}/" for pk in Visit.objects.values_list("pk", flat=True)]
    return pages


def test_no_knowledge_id_on_the_main_pages(demo_clinic: dict[str, Any], client: Any) -> None:
    """Patient list, patients, episodes, plans, visits, the charting form, the dashboard (and its cause filter),
    the discharge summaries, the letters, settings, staff and the audit log: every id reaches the page as a name."""
    admin = demo_clinic["admin"]
    client.force_login(admin)
    found: dict[str, set[str]] = {}
    kinds: set[str] = set()
    for page in _pages(admin):
        response = client.get(page)
        assert response.status_code == 200, page
        kinds.add(re.sub(r"\d+", "N", page))
        for raw in raw_ids(response.content.decode()):
            found.setdefault(raw, set()).add(page)
    assert {"/episodes/N/visits/new/", "/visits/N/", "/plans/N/", "/episodes/N/discharge/",
            "/episodes/N/letters/referral/", "/episodes/N/letters/progress/"} <= kinds
    assert not found, found


def test_the_discharge_pdf_names_the_massage_and_the_exercises(demo_clinic: dict[str, Any], client: Any) -> None:
    from sciatica_care.clinic.models import Episode, Visit

    k = load_knowledge()
    massage = {t.id: t.name for t in k.protocol.massage}
    visit = next(v for v in Visit.objects.order_by("pk") if set(v.massage_done) & set(massage))
    episode = Episode.objects.get(pk=visit.episode_id)
    client.force_login(demo_clinic["admin"])
    text = pdf_text(client.get(f"/episodes/{episode.pk}/discharge.pdf").content)
    html = visible_text(client.get(f"/episodes/{episode.pk}/discharge/").content.decode())
    for shown in (text, html):
        assert not {i for i in _IDS if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", shown)}
        for technique in set(visit.massage_done) & set(massage):
            assert massage[technique] in shown, technique
    exercises = episode.plans.order_by("-number").first().typed.self_care.exercises
    names = {e.id: e.name for e in k.self_care.exercises}
    assert exercises
    for exercise in exercises:
        assert names[exercise] in html, exercise


# --- the letterhead on downloads ----------------------------------------------------------------------------------

def test_the_handout_and_the_print_from_the_clinic_carry_the_letterhead(
        monkeypatch: pytest.MonkeyPatch, make_staff: Any, client: Any) -> None:
    monkeypatch.undo()  # the real engine
    from clinic_fixtures import base_intake

    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Clinic, Role
    from sciatica_care.reports.letterhead import format_date

    clinic = Clinic.objects.create(name="Harbour Street Acupuncture")
    prac = make_staff(clinic, Role.PRACTITIONER, "dr.hart")
    prac.first_name, prac.last_name = "Sam", "Hart"
    prac.save()
    patient = records.create_patient(prac, first_name="Zoë", last_name="Łukasiewicz",
                                     date_of_birth=dt.date(1980, 5, 1), sex="female", consent_treatment=True)
    episode = records.open_episode(prac, patient)
    plan = records.record_intake(prac, episode, base_intake())
    client.force_login(prac)
    today = format_date(timezone.localdate())
    handout_html = client.get(f"/plans/{plan.pk}/handout.html")
    downloads = {
        "handout.html": visible_text(handout_html.content.decode()),
        "handout.pdf": pdf_text(client.get(f"/plans/{plan.pk}/handout.pdf").content),
        "print.pdf": pdf_text(client.get(f"/plans/{plan.pk}/print.pdf").content),
    }
    assert handout_html.status_code == 200
    for name, text in downloads.items():
        for part in ("Zoë Łukasiewicz", "Harbour Street Acupuncture", "Sam Hart", today):
            assert part in text, (name, part)
