"""Billing in the clinic: the course's diagnosis (suggested, confirmed, audited), face-to-face minutes on the chart,
NPIs and the fee schedule, and the superbill (refused naming what is missing; printed, read back and audited;
reception may print it, never the notes; another clinic's record is 404)."""

from __future__ import annotations

import re
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from django.urls import reverse

from sciatica_care.clinic import billing, records
from sciatica_care.clinic.models import AuditEvent, Clinic, Episode, Staff, Visit

pytestmark = pytest.mark.django_db

FEES = {"97810": "65.00", "97811": "45.00", "97813": "75.00", "97814": "50.00", "97124": "40.00",
        "97140": "45.00"}


def chart(client: Any, episode: Episode, **extra: Any) -> Any:
    data = {"red_flags_rechecked": "1", "pt_code_0": "GB30", "pt_side_0": "left", "pt_done_0": "1", "leg_nrs": "5",
            **{k: str(v) for k, v in extra.items()}}
    return client.post(reverse("clinic:visit_new", args=[episode.pk]), data)


def ready(world: dict[str, Any], key: str = "a") -> dict[str, Any]:
    """Clinic `key` set up to bill a US payer in dollars: identifiers, fees, the practitioner's NPI, a confirmed
    diagnosis, minutes."""
    a = world[key]
    Clinic.objects.filter(pk=a["clinic"].pk).update(npi="1234567893", tax_id="12-3456789", cpt_fees=FEES,
                                                    billing_address="12 River Road", currency="USD")
    Staff.objects.filter(pk=a["practitioner"].pk).update(npi="1245319599")
    a["practitioner"].refresh_from_db()
    episode = Episode.objects.get(pk=a["episode"].pk)
    billing.confirm_diagnoses(a["practitioner"], episode, episode.version, ["disc_radiculopathy_lumbosacral"])
    visit = Visit.objects.get(pk=a["visit"].pk)
    billing.update_visit_minutes(a["practitioner"], visit, visit.version,
                                 {"minutes_acupuncture": 30, "needle_reinsertions": 1, "minutes_massage": 23})
    return a


def pdf_text(content: bytes) -> str:
    doc = pdfium.PdfDocument(content)
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    doc.close()
    return re.sub(r"[ \t]+", " ", text.replace("\r", ""))


# --- the diagnosis ----------------------------------------------------------------------------------------------

def test_the_diagnosis_page_suggests_from_the_assessment(world: dict[str, Any], login: Any) -> None:
    """The left S1 disc case is suggested M51.17 (lumbosacral disc with radiculopathy); opening it is audited."""
    a = world["a"]
    r = login(a["practitioner"]).get(reverse("clinic:episode_diagnosis", args=[a["episode"].pk]))
    assert r.status_code == 200
    page = r.content.decode()
    assert "M51.17" in page
    assert 'value="disc_radiculopathy_lumbosacral" selected' in page
    assert AuditEvent.objects.filter(action="read", object_id=a["episode"].pk, detail__purpose="diagnosis").exists()


def test_confirming_stores_and_audits_the_diagnosis(world: dict[str, Any], login: Any) -> None:
    """The confirmed codes are stored on the course with who and when; the audit says whether it was as suggested."""
    a = world["a"]
    episode = Episode.objects.get(pk=a["episode"].pk)
    r = login(a["practitioner"]).post(reverse("clinic:episode_diagnosis", args=[episode.pk]), {
        "version": episode.version, "dx_A": "disc_radiculopathy_lumbosacral",
        "dx_B": "lumbar_stenosis_with_claudication"})
    assert r.status_code == 302
    episode.refresh_from_db()
    assert [d["code"] for d in episode.diagnoses] == ["M51.17", "M48.062"]
    assert episode.diagnoses_confirmed_by == a["practitioner"]
    event = AuditEvent.objects.get(action="confirm_diagnosis", object_id=episode.pk)
    assert (event.detail["codes"], event.detail["as_suggested"]) == (["M51.17", "M48.062"], False)
    page = login(a["practitioner"]).get(reverse("clinic:episode", args=[episode.pk])).content.decode()
    assert 'data-code="M51.17"' in page


def test_an_excluded_combination_is_refused_and_nothing_stored(world: dict[str, Any], login: Any) -> None:
    """Sciatica with a disc disorder with radiculopathy (ICD-10-CM Excludes1): 422 naming it, nothing stored."""
    a = world["a"]
    episode = Episode.objects.get(pk=a["episode"].pk)
    r = login(a["practitioner"]).post(reverse("clinic:episode_diagnosis", args=[episode.pk]), {
        "version": episode.version, "dx_A": "sciatica_left", "dx_B": "disc_radiculopathy_lumbosacral"})
    assert r.status_code == 422
    assert "M51.1-" in r.content.decode()
    episode.refresh_from_db()
    assert episode.diagnoses == []


def test_a_stale_diagnosis_form_is_a_conflict(world: dict[str, Any], login: Any) -> None:
    """Two people confirming at once: the second gets 409 and nothing of theirs is stored."""
    a = world["a"]
    episode = Episode.objects.get(pk=a["episode"].pk)
    stale = episode.version
    billing.confirm_diagnoses(a["clinic_admin"], episode, stale, ["sciatica_left"])
    r = login(a["practitioner"]).post(reverse("clinic:episode_diagnosis", args=[episode.pk]), {
        "version": stale, "dx_A": "disc_radiculopathy_lumbosacral"})
    assert r.status_code == 409
    episode.refresh_from_db()
    assert [d["code"] for d in episode.diagnoses] == ["M54.32"]


def test_reception_cannot_open_the_diagnosis(world: dict[str, Any], login: Any) -> None:
    """The diagnosis is clinical: reception 403, another clinic 404."""
    a, b = world["a"], world["b"]
    url = reverse("clinic:episode_diagnosis", args=[a["episode"].pk])
    assert login(a["reception"]).get(url).status_code == 403
    assert login(b["practitioner"]).get(url).status_code == 404


# --- minutes on the chart -----------------------------------------------------------------------------------------

def test_charting_stores_the_minutes_and_shows_the_cpt_units(world: dict[str, Any], login: Any) -> None:
    """Minutes per modality are stored on the visit; its page shows the CPT lines they give."""
    a = world["a"]
    client = login(a["practitioner"])
    r = chart(client, a["episode"], minutes_acupuncture=38, needle_reinsertions=2)
    assert r.status_code == 302, r.content.decode()[:2000]
    visit = Visit.objects.filter(episode=a["episode"]).latest("id")
    assert (visit.minutes_acupuncture, visit.needle_reinsertions) == (38, 2)
    page = client.get(reverse("clinic:visit_detail", args=[visit.pk])).content.decode()
    assert "97810 × 1" in page
    assert "97811 × 2" in page


@pytest.mark.parametrize(("extra", "field", "words"), [
    ({"minutes_acupuncture": 10, "minutes_electroacupuncture": 10, "ea_pairs": "GB30–BL40"}, "acupuncture_first",
     "which came first"),
    ({"minutes_electroacupuncture": 20}, "minutes_electroacupuncture", "but no e-stim pair"),
    ({"minutes_massage": 20}, "minutes_massage", "but no massage technique"),
    ({"minutes_acupuncture": 241}, "minutes_acupuncture", "from 0 to 240"),
    ({"needle_reinsertions": "²"}, "needle_reinsertions", "digits 0-9"),
])
def test_minutes_that_cannot_be_billed_are_refused(world: dict[str, Any], login: Any, extra: dict[str, Any],
                                                   field: str, words: str) -> None:
    """Both kinds of needling without an order, minutes for something not charted, out of range: 422, nothing
    stored, the field named."""
    a = world["a"]
    before = Visit.objects.count()
    r = chart(login(a["practitioner"]), a["episode"], **extra)
    assert r.status_code == 422
    page = r.content.decode()
    assert words in page
    assert re.search(rf'class="has-error">[^<]*<(input|select) [^>]*name="{field}"', page)
    assert Visit.objects.count() == before


def test_minutes_are_corrected_version_checked_and_audited(world: dict[str, Any]) -> None:
    """A correction keeps the old and new values in the audit log; a stale version is a conflict."""
    a = world["a"]
    visit = Visit.objects.get(pk=a["visit"].pk)
    billing.update_visit_minutes(a["practitioner"], visit, visit.version, {"minutes_massage": 30})
    event = AuditEvent.objects.filter(action="update", object_type="Visit", object_id=visit.pk).latest("id")
    assert event.detail["changes"]["minutes_massage"] == {"from": 0, "to": 30}
    with pytest.raises(records.Conflict):
        billing.update_visit_minutes(a["practitioner"], visit, 1, {"minutes_massage": 8})


# --- identifiers and fees -----------------------------------------------------------------------------------------

def test_clinic_settings_take_the_billing_identifiers_and_fees(world: dict[str, Any], login: Any) -> None:
    """The admin sets NPI, EIN (normalised) and fees; a wrong NPI check digit is refused by name."""
    a = world["a"]
    client = login(a["clinic_admin"])
    url = reverse("clinic:clinic_settings")
    page = client.get(url).content.decode()
    assert 'name="fee_97810"' in page
    clinic = Clinic.objects.get(pk=a["clinic"].pk)
    form = {"version": clinic.version, "name": clinic.name, "disability_instrument": "odi",
            "questionnaire_every_n_visits": 4, "idle_minutes": 15, "npi": "1234567890", "tax_id": "123456789",
            "place_of_service": "11", "fee_97810": "65", "fee_97124": "40.5"}
    r = client.post(url, form)
    assert r.status_code == 422
    assert "fails the NPI check digit" in r.content.decode()
    r = client.post(url, {**form, "npi": "1234567893"})
    assert r.status_code == 302
    clinic.refresh_from_db()
    assert (clinic.npi, clinic.tax_id) == ("1234567893", "12-3456789")
    assert clinic.cpt_fees == {"97810": "65.00", "97124": "40.50"}
    event = AuditEvent.objects.filter(action="update", object_type="Clinic").latest("id")
    assert event.detail["changes"]["npi"] == {"from": "", "to": "1234567893"}


def test_practitioners_see_the_fee_schedule_read_only(world: dict[str, Any], login: Any) -> None:
    """A practitioner sees the fees but cannot change them."""
    a = world["a"]
    Clinic.objects.filter(pk=a["clinic"].pk).update(cpt_fees={"97810": "65.00"})
    page = login(a["practitioner"]).get(reverse("clinic:clinic_settings")).content.decode()
    assert 'id="fee-97810">£65.00' in page  # the clinic's currency: pounds, as it has not chosen another
    assert 'name="fee_97810"' not in page


def test_the_admin_records_a_practitioners_npi(world: dict[str, Any], login: Any) -> None:
    """Staff page: a valid NPI is stored (audited), a wrong one refused; a practitioner may not set one."""
    a = world["a"]
    prac = a["practitioner"]
    url = reverse("clinic:staff_npi", args=[prac.pk])
    admin = login(a["clinic_admin"])
    assert admin.post(url, {"version": prac.version, "npi": "1245319598"}).status_code == 422
    assert admin.post(url, {"version": prac.version, "npi": "1245319599"}).status_code == 302
    prac.refresh_from_db()
    assert prac.npi == "1245319599"
    assert AuditEvent.objects.filter(action="update", object_type="Staff", object_id=prac.pk,
                                     detail__changes__npi__to="1245319599").exists()
    assert login(a["practitioner"]).post(url, {"version": prac.version, "npi": ""}).status_code == 403


# --- the superbill ------------------------------------------------------------------------------------------------

def test_a_superbill_without_what_a_payer_needs_is_refused_naming_each_thing(world: dict[str, Any],
                                                                             login: Any) -> None:
    """No diagnosis, no NPIs, no EIN, no fees, no minutes: 422 listing them; the refusal is audited."""
    a = world["a"]
    r = login(a["practitioner"]).get(reverse("clinic:visit_superbill", args=[a["visit"].pk]))
    assert r.status_code == 422
    page = r.content.decode()
    for missing in ("clinic NPI", "clinic tax id", "NPI of", "no confirmed ICD-10-CM diagnosis"):
        assert missing in page
    assert AuditEvent.objects.filter(action="refused_superbill", patient_id=a["patient"].pk).exists()


def test_a_superbill_with_an_unverified_diagnosis_is_refused(world: dict[str, Any], login: Any) -> None:
    """M43.16 (unverified) may be recorded but never billed: the superbill names it."""
    a = ready(world)
    episode = Episode.objects.get(pk=a["episode"].pk)
    billing.confirm_diagnoses(a["practitioner"], episode, episode.version, ["spondylolisthesis_lumbar"])
    r = login(a["practitioner"]).get(reverse("clinic:visit_superbill", args=[a["visit"].pk]))
    assert r.status_code == 422
    assert "M43.16" in r.content.decode()


def test_the_visit_superbill_prints_with_correct_units(world: dict[str, Any], login: Any) -> None:
    """30 minutes of needling with a re-insertion and 23 of massage: 97810×1, 97811×1, 97124×2 (modifier 59);
    identifiers, the pointer and the total read back from the PDF; the print is audited with its codes."""
    a = ready(world)
    r = login(a["practitioner"]).get(reverse("clinic:visit_superbill", args=[a["visit"].pk]))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    for expected in ("NPI: 1234567893", "Tax id (EIN): 12-3456789", "NPI 1245319599", "Ann Smitha", "M51.17"):
        assert expected in text
    assert re.search(r"97810\s.*?A\s+1\s+\$65\.00\s+\$65\.00", text, re.DOTALL)
    assert re.search(r"97811\s.*?A\s+1\s+\$45\.00\s+\$45\.00", text, re.DOTALL)
    assert re.search(r"97124\s+59\s.*?A\s+2\s+\$40\.00\s+\$80\.00", text, re.DOTALL)
    assert "Total charges $190.00" in text
    event = AuditEvent.objects.get(action="print", detail__document="superbill")
    assert event.patient_id == a["patient"].pk
    assert event.detail["codes"] == ["M51.17", "97810", "97811", "97124"]


def test_reception_prints_the_superbill_but_never_the_notes(world: dict[str, Any], login: Any) -> None:
    """Reception may print billing; the PDF holds codes, never the session's notes; the visit page stays closed."""
    a = ready(world)
    client = login(a["reception"])
    r = client.get(reverse("clinic:patient_superbill", args=[a["patient"].pk]))
    assert r.status_code == 200
    assert "better" not in pdf_text(r.content)  # the visit's subjective note
    assert client.get(reverse("clinic:visit_detail", args=[a["visit"].pk])).status_code == 403


def test_a_period_with_no_visits_is_refused(world: dict[str, Any], login: Any) -> None:
    """Dates with nothing charted between them: 422, said so; an inverted period is refused by name."""
    a = ready(world)
    client = login(a["practitioner"])
    url = reverse("clinic:patient_superbill", args=[a["patient"].pk])
    r = client.get(url, {"start": "2001-01-01", "end": "2001-01-31"})
    assert r.status_code == 422
    assert "no charted visit" in r.content.decode()
    assert client.get(url, {"start": "2001-02-01", "end": "2001-01-01"}).status_code == 422


def test_another_clinics_superbill_is_not_found(world: dict[str, Any], login: Any) -> None:
    """Clinic B's staff get 404 for clinic A's visit and patient superbills."""
    a, b = ready(world), world["b"]
    client = login(b["clinic_admin"])
    assert client.get(reverse("clinic:visit_superbill", args=[a["visit"].pk])).status_code == 404
    assert client.get(reverse("clinic:patient_superbill", args=[a["patient"].pk])).status_code == 404


# --- the API --------------------------------------------------------------------------------------------------

def _api(user: Staff) -> Any:
    from django.test import Client

    from sciatica_care.api.rest import issue_token

    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")


def test_api_diagnosis_suggested_then_confirmed(world: dict[str, Any]) -> None:
    """GET gives the suggestion with its reasons; PUT confirms (the episode then lists the codes); audited."""
    a = world["a"]
    client = _api(a["practitioner"])
    url = f"/api/episodes/{a['episode'].pk}/diagnosis"
    got = client.get(url).json()
    assert [s["code"] for s in got["suggested"]] == ["M51.17"]
    assert got["reasons"]
    r = client.put(url, {"version": got["version"], "diagnoses": ["disc_radiculopathy_lumbosacral"]},
                   content_type="application/json")
    assert r.status_code == 200, r.content
    assert [d["code"] for d in r.json()["diagnoses"]] == ["M51.17"]
    assert AuditEvent.objects.filter(action="confirm_diagnosis", detail__api_token__isnull=False).exists()


def test_api_refuses_an_unknown_diagnosis_by_field(world: dict[str, Any]) -> None:
    """An id the knowledge lacks: 422 on `diagnoses`, nothing stored."""
    a = world["a"]
    r = _api(a["practitioner"]).put(f"/api/episodes/{a['episode'].pk}/diagnosis",
                                    {"version": a["episode"].version, "diagnoses": ["M54.31"]},
                                    content_type="application/json")
    assert r.status_code == 422
    assert {e["path"] for e in r.json()["errors"]} == {"diagnoses"}
    assert Episode.objects.get(pk=a["episode"].pk).diagnoses == []


def test_api_minutes_and_cpt_lines(world: dict[str, Any]) -> None:
    """PATCH the minutes; the visit then lists its CPT lines; both kinds of needling without an order is 422."""
    a = world["a"]
    client = _api(a["practitioner"])
    visit = Visit.objects.get(pk=a["visit"].pk)
    url = f"/api/visits/{visit.pk}/minutes"
    r = client.patch(url, {"version": visit.version, "minutes_electroacupuncture": 30, "needle_reinsertions": 1},
                     content_type="application/json")
    assert r.status_code == 200, r.content
    assert [(x["code"], x["units"]) for x in r.json()["cpt"]] == [("97813", 1), ("97814", 1)]
    r = client.patch(url, {"version": r.json()["version"], "minutes_acupuncture": 15},
                     content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"][0]["path"] == "acupuncture_first"


def test_api_superbill_pdf_and_refusal(world: dict[str, Any]) -> None:
    """The patient's superbill as a PDF; without a confirmed diagnosis, 422 listing what is missing."""
    a = world["a"]
    client = _api(a["reception"])
    url = f"/api/patients/{a['patient'].pk}/superbill"
    r = client.get(url)
    assert r.status_code == 422
    assert any("diagnosis" in e["path"] for e in r.json()["errors"])
    ready(world)
    r = client.get(url)
    assert r.status_code == 200
    assert "97124 59" in pdf_text(r.content)
    assert _api(a["reception"]).get(f"/api/episodes/{a['episode'].pk}/diagnosis").status_code == 403
    assert _api(world["b"]["practitioner"]).get(url).status_code == 404


# --- the command line -------------------------------------------------------------------------------------------

def _cli(monkeypatch: Any, *args: str) -> Any:
    from click.testing import CliRunner

    from sciatica_care.cli import billing_commands

    monkeypatch.setattr(billing_commands, "_setup", lambda data_dir: data_dir)  # this test's database, migrated
    return CliRunner().invoke(billing_commands.superbill, list(args))


def test_cli_writes_the_superbill(world: dict[str, Any], monkeypatch: Any, tmp_path: Any) -> None:
    """`sciatica-care superbill` writes the PDF and audits the print in the account's name."""
    a = ready(world)
    out = tmp_path / "bill.pdf"
    r = _cli(monkeypatch, "--username", a["reception"].username, "--patient", str(a["patient"].pk),
             "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "97811" in pdf_text(out.read_bytes())
    assert AuditEvent.objects.filter(action="print", actor=a["reception"], detail__via="cli").exists()


def test_cli_names_what_is_missing_and_exits_1(world: dict[str, Any], monkeypatch: Any, tmp_path: Any) -> None:
    """Without a confirmed diagnosis and identifiers: exit 1, one `error:` line each, no file."""
    a = world["a"]
    out = tmp_path / "bill.pdf"
    r = _cli(monkeypatch, "--username", a["practitioner"].username, "--patient", str(a["patient"].pk),
             "--out", str(out))
    assert r.exit_code == 1
    assert "error: clinic NPI: not set" in r.output
    assert not out.exists()


def test_cli_keeps_to_the_accounts_clinic(world: dict[str, Any], monkeypatch: Any, tmp_path: Any) -> None:
    """Another clinic's patient is not found for this account."""
    a, b = ready(world), world["b"]
    r = _cli(monkeypatch, "--username", b["clinic_admin"].username, "--patient", str(a["patient"].pk),
             "--out", str(tmp_path / "x.pdf"))
    assert r.exit_code == 1
    assert "no patient" in r.output


@pytest.mark.parametrize(("currency", "sign"), [("GBP", "£"), ("EUR", "€"), ("USD", "$")])
def test_the_superbill_is_in_the_clinics_currency(world: dict[str, Any], login: Any, currency: str,
                                                  sign: str) -> None:
    """H145: every fee, charge and the total carry the clinic's currency, never another's sign; the print's audit
    names the currency."""
    a = ready(world)
    Clinic.objects.filter(pk=a["clinic"].pk).update(currency=currency)
    text = pdf_text(login(a["practitioner"]).get(reverse("clinic:visit_superbill", args=[a["visit"].pk])).content)
    assert re.search(rf"97810\s.*?A\s+1\s+{re.escape(sign)}65\.00\s+{re.escape(sign)}65\.00", text, re.DOTALL)
    assert f"Total charges {sign}190.00" in text
    assert {s for s in "$£€" if s in text} == {sign}
    event = AuditEvent.objects.get(action="print", detail__document="superbill")
    assert event.detail["currency"] == currency
