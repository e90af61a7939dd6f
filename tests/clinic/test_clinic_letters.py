"""Letters to the patient's doctor from the clinic: the referral and progress/discharge letters previewed and
downloaded (pages and API), for practitioners and clinic admins only (reception 403, another clinic 404, each
audited), every preview and download audited; addressed to the GP on the patient's record and signed with the
writer's qualifications and registration and the clinic's address; the referral button prominent when the records
refer (the plan's triage, a later re-check, the course review)."""

from __future__ import annotations

import re
from typing import Any

import pypdfium2 as pdfium
import pytest
from clinic_fixtures import base_intake
from django.urls import reverse
from django.utils import timezone

from sciatica_care.api.rest import issue_token
from sciatica_care.clinic import records
from sciatica_care.clinic.models import AuditEvent, Clinic, Patient, PlanRevision, Staff, TokenScope

pytestmark = pytest.mark.django_db

PAGES = ("letter_referral", "letter_referral_pdf", "letter_progress", "letter_progress_pdf")
API = ("/api/episodes/{}/letters/referral.pdf", "/api/episodes/{}/letters/progress.pdf")


def pdf_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    return re.sub(r"\s+", " ", text)


def _addressed(world: dict[str, Any]) -> dict[str, Any]:
    """Clinic A with its letter details, its practitioner's signature and the patient's GP on record."""
    a = world["a"]
    Clinic.objects.filter(pk=a["clinic"].pk).update(address="1 River St\nTown AB1 2CD", phone="01234 567890",
                                                    email="clinic@example.org")
    Staff.objects.filter(pk=a["practitioner"].pk).update(qualifications="BSc (Hons) Acupuncture",
                                                         registration="BAcC 012345", last_name="Hart")
    Patient.objects.filter(pk=a["patient"].pk).update(gp_name="Dr A Patel", gp_practice="High Street Surgery",
                                                      gp_address="2 High St\nTown")
    for key in ("clinic", "practitioner", "patient"):
        a[key].refresh_from_db()
    return a


def _referring(a: dict[str, Any], **changes: Any) -> PlanRevision:
    """A re-assessment whose triage refers (saddle numbness: emergency department now, no treatment)."""
    return records.record_intake(a["practitioner"], a["episode"], base_intake(**changes))


# ── what the pages show ────────────────────────────────────────────────────────────────────────────────────


def test_the_referral_letter_preview_is_addressed_signed_and_timed(world: dict[str, Any], login: Any) -> None:
    """The GP from the patient's record, the writer's qualifications, the clinic's address, the timing first."""
    a = _addressed(world)
    _referring(a, red_flags=["saddle_anaesthesia"])
    body = login(a["practitioner"]).get(reverse("clinic:letter_referral", args=[a["episode"].pk])).content.decode()
    for words in ("Dr A Patel", "High Street Surgery", "Re: Ann Smitha, born 1 May 1980", "1 River St",
                  "Telephone 01234 567890", "Timing: NOW — emergency department, within hours", "Saddle numbness — now",
                  "Since these findings I have given no acupuncture", "Prac_A Hart", "BSc (Hons) Acupuncture",
                  "BAcC 012345", "Download PDF"):
        assert words in body, words
    assert 'class="stop letter-urgency"' in body


def test_the_referral_letter_pdf_reads_back(world: dict[str, Any], login: Any) -> None:
    """The PDF download: a no-store attachment whose text has the Re: line, timing, finding and signature."""
    a = _addressed(world)
    _referring(a, red_flags=["incapacitating_pain"])
    r = login(a["practitioner"]).get(reverse("clinic:letter_referral_pdf", args=[a["episode"].pk]))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == f'attachment; filename="referral-letter-{a["episode"].pk}.pdf"'
    assert "no-store" in r["Cache-Control"]
    text = pdf_text(r.content)
    for words in ("Re: Ann Smitha, born 1 May 1980", "Timing: TODAY", "Dear Dr A Patel,", "Incapacitating pain — today",
                  "Prac_A Hart", "BAcC 012345", "Page 1 of"):
        assert words in text, words


def test_a_progress_letter_becomes_a_discharge_letter_with_the_scores(world: dict[str, Any], login: Any) -> None:
    """Charted pain scores: baseline against discharge with the minimal-important-change verdict; the guideline."""
    a = _addressed(world)
    prac, episode, plan = a["practitioner"], a["episode"], a["plan"]
    for leg in (3, 2):
        records.chart_visit(prac, episode, plan, {"red_flags_rechecked": True, "leg_nrs": leg,
                                                  "points": [{"code": "GB30", "side": "left"}]})
    client = login(prac)
    progress = client.get(reverse("clinic:letter_progress", args=[episode.pk])).content.decode()
    assert "Progress letter" in progress
    assert "at the latest session" in progress
    records.discharge_episode(prac, episode, episode.version, timezone.localdate())
    text = pdf_text(client.get(reverse("clinic:letter_progress_pdf", args=[episode.pk])).content)
    assert "DISCHARGE LETTER" in text
    assert "Leg pain (NRS): 5 at the start, 2 at discharge — down 3 points (60 %): an important improvement" in text
    assert "NICE guideline NG59" in text
    assert "No action is needed from you." in text
    assert "3 sessions" in text
    assert "Keep up the home programme" in text


def _no_improvement(a: dict[str, Any]) -> None:
    """Six more sessions with the leg pain where it started: the course review suggests a medical opinion."""
    for _ in range(6):
        records.chart_visit(a["practitioner"], a["episode"], a["plan"], {"red_flags_rechecked": True, "leg_nrs": 5})


def test_the_letter_repeats_the_patients_advice_not_the_practitioners(world: dict[str, Any], login: Any) -> None:
    """The course review's suggestions (review the plan, refer, taper) are for the practitioner: the letter's
    "Advice given to the patient" holds the home programme, the everyday habits and when to come back."""
    from sciatica_care.clinic import episode_progress

    a = world["a"]
    prac, episode = a["practitioner"], a["episode"]
    _no_improvement(a)
    course = episode_progress.episode_progress(episode)
    assert course.advice
    text = pdf_text(login(prac).get(reverse("clinic:letter_progress_pdf", args=[episode.pk])).content)
    for advice in course.advice:
        assert advice.text[:40] not in text, advice.id
    assert "Come back, or see a doctor, if the leg pain returns or gets worse" in text
    assert "The scores show no important improvement" in text


def test_a_course_without_improvement_asks_for_a_routine_review(world: dict[str, Any], login: Any) -> None:
    """No red flag, but no important improvement after the sessions: the referral button is prominent and the
    letter asks for a review at a routine appointment, saying why."""
    a = world["a"]
    _no_improvement(a)
    client = login(a["practitioner"])
    page = client.get(reverse("clinic:episode", args=[a["episode"].pk])).content.decode()
    assert 'class="button danger" href="/episodes/' in page
    body = client.get(reverse("clinic:letter_referral", args=[a["episode"].pk])).content.decode()
    assert "Timing: no red flag found — no urgent action" in body
    assert ("review the patient at a routine appointment: there has been no important improvement in the pain or "
            "disability scores after 7 sessions.") in body


@pytest.mark.parametrize(("flags", "danger"), [(["saddle_anaesthesia"], True), ([], False)])
def test_the_referral_button_is_prominent_when_triage_refers(world: dict[str, Any], login: Any, flags: list[str],
                                                             danger: bool) -> None:
    """A referring plan: the referral button and a banner in red; a routine one: a plain button."""
    a = world["a"]
    _referring(a, red_flags=flags)
    body = login(a["practitioner"]).get(reverse("clinic:episode", args=[a["episode"].pk])).content.decode()
    button = re.search(r'<a class="button( danger)?" href="[^"]+" data-letter="referral">Referral letter</a>', body)
    assert button, body
    assert bool(button.group(1)) is danger
    assert ("Write the referral letter" in body) is danger
    assert 'data-letter="progress">Progress letter</a>' in body


def test_a_closed_course_offers_the_discharge_letter(world: dict[str, Any], login: Any) -> None:
    """A discharged course's page offers the discharge letter."""
    a = world["a"]
    records.discharge_episode(a["practitioner"], a["episode"], a["episode"].version, timezone.localdate())
    body = login(a["practitioner"]).get(reverse("clinic:episode", args=[a["episode"].pk])).content.decode()
    assert 'data-letter="progress">Discharge letter</a>' in body


def test_red_flags_found_at_a_later_session_make_the_letter_refer(world: dict[str, Any], login: Any) -> None:
    """A routine plan, then bladder changes at a session's re-check: the letter is sent now, and the button says so."""
    a = world["a"]
    records.chart_visit(a["practitioner"], a["episode"], a["plan"], {
        "red_flags_rechecked": True, "red_flags_found": ["bladder_dysfunction"], "needling_stopped": True})
    client = login(a["practitioner"])
    assert "Write the referral letter" in client.get(reverse("clinic:episode", args=[a["episode"].pk])).content.decode()
    body = client.get(reverse("clinic:letter_referral", args=[a["episode"].pk])).content.decode()
    assert "Timing: NOW — emergency department, within hours" in body
    assert "Bladder dysfunction — now (red-flag re-check)" in body
    assert "I stopped the needling that day" in body


def test_without_a_gp_on_record_the_page_says_so(world: dict[str, Any], login: Any) -> None:
    """No GP on the patient's record: the preview says so and the letter goes to "The patient's GP"."""
    a = world["a"]
    body = login(a["practitioner"]).get(reverse("clinic:letter_referral", args=[a["episode"].pk])).content.decode()
    assert "No GP is recorded for this patient" in body
    assert "The patient&#x27;s GP" in body
    assert "Dear Doctor," in body


# ── refusals ───────────────────────────────────────────────────────────────────────────────────────────────


def test_no_intake_means_no_referral_letter(world: dict[str, Any], login: Any) -> None:
    """409 with the reason, nothing printed, the refusal audited."""
    a = world["a"]
    empty = records.open_episode(a["practitioner"], a["patient"])
    r = login(a["practitioner"]).get(reverse("clinic:letter_referral_pdf", args=[empty.pk]))
    assert r.status_code == 409
    assert "There is no intake on this course yet" in r.content.decode()
    assert AuditEvent.objects.filter(action="refused", object_id=empty.pk, detail__purpose="referral_letter").exists()


def test_an_unreadable_plan_writes_no_letter(world: dict[str, Any], login: Any) -> None:
    """A stored plan missing a safety field is never read as "no referral": both letters refuse (409)."""
    a = world["a"]
    broken = dict(a["plan"].plan)
    del broken["treatment_allowed"]
    PlanRevision.objects.filter(pk=a["plan"].pk).update(plan=broken)
    client = login(a["practitioner"])
    for name in PAGES:
        r = client.get(reverse(f"clinic:{name}", args=[a["episode"].pk]))
        assert r.status_code == 409, name
        assert "cannot be read" in r.content.decode()
    assert 'class="button danger"' in client.get(reverse("clinic:episode", args=[a["episode"].pk])).content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_reception_never_sees_a_letter(world: dict[str, Any], login: Any, name: str) -> None:
    """Reception gets 403 for every letter page and PDF, audited."""
    a = world["a"]
    r = login(a["reception"]).get(reverse(f"clinic:{name}", args=[a["episode"].pk]))
    assert r.status_code == 403
    assert AuditEvent.objects.filter(action="denied_role", actor=a["reception"], object_id=a["episode"].pk).exists()


@pytest.mark.parametrize("name", PAGES)
def test_another_clinics_letter_is_not_found(world: dict[str, Any], login: Any, name: str) -> None:
    """Another clinic's episode: 404, audited."""
    a, b = world["a"], world["b"]
    r = login(a["practitioner"]).get(reverse(f"clinic:{name}", args=[b["episode"].pk]))
    assert r.status_code == 404
    assert AuditEvent.objects.filter(action="denied_other_clinic", actor=a["practitioner"],
                                     object_id=b["episode"].pk).exists()


@pytest.mark.parametrize(("name", "action", "key"), [
    ("letter_referral", "read", "purpose"), ("letter_referral_pdf", "print", "document"),
    ("letter_progress", "read", "purpose"), ("letter_progress_pdf", "print", "document")])
def test_every_preview_and_download_is_audited(world: dict[str, Any], login: Any, name: str, action: str,
                                               key: str) -> None:
    """A preview is a read and a PDF a print, naming the letter and the patient."""
    a = world["a"]
    assert login(a["clinic_admin"]).get(reverse(f"clinic:{name}", args=[a["episode"].pk])).status_code == 200
    event = AuditEvent.objects.filter(actor=a["clinic_admin"], action=action).latest("id")
    which = "referral" if "referral" in name else "progress"
    assert (event.object_type, event.object_id, event.patient_id) == ("Episode", a["episode"].pk, a["patient"].pk)
    assert event.detail[key] == f"{which}_letter"


# ── the API ────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("path", API)
def test_the_api_gives_the_letter_as_pdf_and_audits_it(world: dict[str, Any], client: Any, path: str) -> None:
    """A read-only token is enough (a GET); the print is audited with the token's number."""
    a = world["a"]
    token = issue_token(a["practitioner"], scope=TokenScope.READ)
    r = client.get(path.format(a["episode"].pk), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert "Re: Ann Smitha, born 1 May 1980" in pdf_text(r.content)
    event = AuditEvent.objects.filter(action="print", object_id=a["episode"].pk).latest("id")
    assert event.detail["via"] == "api"
    assert "api_token" in event.detail


@pytest.mark.parametrize("path", API)
def test_the_api_refuses_reception_and_other_clinics(world: dict[str, Any], client: Any, path: str) -> None:
    """Through the API: reception 403, another clinic 404, no token 401."""
    a, b = world["a"], world["b"]
    reception = issue_token(a["reception"])
    r = client.get(path.format(a["episode"].pk), HTTP_AUTHORIZATION=f"Bearer {reception}")
    assert r.status_code == 403
    practitioner = issue_token(a["practitioner"])
    r = client.get(path.format(b["episode"].pk), HTTP_AUTHORIZATION=f"Bearer {practitioner}")
    assert r.status_code == 404
    assert r.json()["errors"]
    assert client.get(path.format(a["episode"].pk)).status_code == 401


def test_the_api_says_why_no_letter_can_be_written(world: dict[str, Any], client: Any) -> None:
    """No intake: the API answers 409 with the reason."""
    a = world["a"]
    empty = records.open_episode(a["practitioner"], a["patient"])
    r = client.get(API[0].format(empty.pk), HTTP_AUTHORIZATION=f"Bearer {issue_token(a['practitioner'])}")
    assert r.status_code == 409
    assert "no intake" in r.json()["errors"][0]["message"]


def test_the_gp_is_recorded_through_the_api_and_checked(world: dict[str, Any], client: Any) -> None:
    """The GP's details through the API, each field checked and named when refused."""
    a = world["a"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(a['reception'])}"}
    url = f"/api/patients/{a['patient'].pk}"
    r = client.patch(url, {"version": a["patient"].version, "gp_name": "Dr B Okafor",
                           "gp_practice": "Mill Lane Practice"}, content_type="application/json", **auth)
    assert r.status_code == 200, r.content
    assert (r.json()["gp_name"], r.json()["gp_practice"]) == ("Dr B Okafor", "Mill Lane Practice")
    r = client.patch(url, {"version": r.json()["version"], "gp_name": "x" * 201}, content_type="application/json",
                     **auth)
    assert r.status_code == 422
    assert r.json()["errors"][0]["path"] == "gp_name"


# ── the signature, the GP and the clinic's address ─────────────────────────────────────────────────────────


def test_a_practitioner_sets_their_own_signature(world: dict[str, Any], login: Any) -> None:
    """Saved on the account's letters page with its version; the change is audited with old and new values."""
    a = world["a"]
    prac = a["practitioner"]
    client = login(prac)
    assert client.get(reverse("clinic:letter_signature")).status_code == 200
    r = client.post(reverse("clinic:letter_signature"), {"version": prac.version, "qualifications": "Lic Ac",
                                                         "registration": "BAcC 777"})
    assert r.status_code == 302
    prac.refresh_from_db()
    assert (prac.qualifications, prac.registration) == ("Lic Ac", "BAcC 777")
    event = AuditEvent.objects.filter(action="update", object_type="Staff", object_id=prac.pk).latest("id")
    assert event.detail["changes"]["registration"] == {"from": "", "to": "BAcC 777"}
    letter = client.get(reverse("clinic:letter_progress", args=[a["episode"].pk])).content.decode()
    assert "Lic Ac" in letter
    assert "BAcC 777" in letter


@pytest.mark.parametrize(("data", "status", "says"), [
    ({"qualifications": "x" * 201}, 422, "Qualifications: at most 200 characters"),
    ({"registration": "BAcC\x07"}, 422, "Professional registration: contains a control character"),
    ({"registration": "BAcC\x00"}, 422, "Professional registration: contains a null character"),
    ({"version": ""}, 422, "version number"),
    ({"version": "99", "qualifications": "Lic Ac"}, 409, "changed elsewhere"),
])
def test_a_bad_signature_is_refused_naming_the_field(world: dict[str, Any], login: Any, data: dict[str, str],
                                                     status: int, says: str) -> None:
    """Too long, control characters, no version or a stale one: refused, nothing saved."""
    prac = world["a"]["practitioner"]
    r = login(prac).post(reverse("clinic:letter_signature"), {"version": prac.version, **data})
    assert r.status_code == status
    assert says in r.content.decode()
    prac.refresh_from_db()
    assert (prac.qualifications, prac.registration, prac.version) == ("", "", 1)


def test_the_gp_is_recorded_on_the_patient_form(world: dict[str, Any], login: Any) -> None:
    """Reception records the GP on the patient form; the letter is addressed to them."""
    from test_clinic_privacy import patient_post

    a = world["a"]
    p = a["patient"]
    r = login(a["reception"]).post(reverse("clinic:patient_edit", args=[p.pk]), patient_post(
        p, gp_name="Dr C Jones", gp_practice="Elm Surgery", gp_address="5 Elm Rd", version=p.version))
    assert r.status_code == 302, r.content.decode()
    detail = login(a["practitioner"]).get(reverse("clinic:patient_detail", args=[p.pk])).content.decode()
    assert "Dr C Jones, Elm Surgery" in detail
    letter = login(a["practitioner"]).get(reverse("clinic:letter_referral", args=[a["episode"].pk]))
    assert "Dear Dr C Jones," in letter.content.decode()


def test_the_clinics_letter_details_are_clinic_settings(world: dict[str, Any], login: Any) -> None:
    """The clinic's address, telephone and email are set in its settings and printed on letters."""
    a = world["a"]
    clinic = a["clinic"]
    r = login(a["clinic_admin"]).post(reverse("clinic:clinic_settings"), {
        "version": clinic.version, "name": clinic.name, "disability_instrument": "odi",
        "questionnaire_every_n_visits": "4", "idle_minutes": "15", "address": "9 Quay St\nPort",
        "phone": "0100 000", "email": "desk@example.org"})
    assert r.status_code == 302, r.content.decode()
    clinic.refresh_from_db()
    assert (clinic.address, clinic.phone, clinic.email) == ("9 Quay St\nPort", "0100 000", "desk@example.org")
    letter = login(a["practitioner"]).get(reverse("clinic:letter_referral", args=[a["episode"].pk])).content.decode()
    assert "9 Quay St" in letter
    assert "desk@example.org" in letter
    bad = login(a["clinic_admin"]).post(reverse("clinic:clinic_settings"), {
        "version": clinic.version, "name": clinic.name, "disability_instrument": "odi",
        "questionnaire_every_n_visits": "4", "email": "not an address"})
    assert bad.status_code == 422
    assert "Clinic email: not an email address." in bad.content.decode()


def test_anonymising_clears_the_gp_and_the_export_carries_it(world: dict[str, Any], login: Any) -> None:
    """The subject-access export holds the GP; anonymising clears it."""
    from sciatica_care.clinic import anonymise, subject_access

    a = _addressed(world)
    assert subject_access.bundle(a["patient"], generated_by=a["clinic_admin"])["patient"]["gp_name"] == "Dr A Patel"
    anonymise.anonymise(a["clinic_admin"], a["patient"], a["patient"].version,
                        legal_reason="erasure required by the data protection law", today=timezone.localdate())
    a["patient"].refresh_from_db()
    assert (a["patient"].gp_name, a["patient"].gp_practice, a["patient"].gp_address) == ("", "", "")
