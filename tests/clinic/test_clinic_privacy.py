"""Privacy (issue 11): consent enforced, every patient read and write audited, optimistic concurrency required on
every edit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from clinic_fixtures import an_appointment
from django.urls import URLPattern, reverse
from django.utils import timezone

from sciatica_care.api.rest import issue_token
from sciatica_care.clinic import records
from sciatica_care.clinic.forms import PATIENT_FIELDS
from sciatica_care.clinic.models import AuditEvent, Clinic, Episode, Patient, Staff, Visit
from sciatica_care.clinic.urls import urlpatterns
from sciatica_care.errors import InputRefused
from sciatica_care.scheduling.urls import urlpatterns as scheduling_urlpatterns

pytestmark = pytest.mark.django_db


def patient_post(patient: Patient, **changes: Any) -> dict[str, Any]:
    """The patient form as the page posts it (a checkbox left unticked is not sent)."""
    values = {k: getattr(patient, k) for k in PATIENT_FIELDS} | changes
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()
            if not isinstance(v, bool)}
    data.update({k: "on" for k, v in values.items() if v is True})
    return data


# --- consent -------------------------------------------------------------------------------------------------

def _without_consent(world: dict[str, Any]) -> tuple[Patient, Episode]:
    a = world["a"]
    patient = records.create_patient(a["practitioner"], first_name="No", last_name="Consent",
                                     date_of_birth=dt.date(1970, 1, 1))
    plan = records.record_intake(a["practitioner"], records.open_episode(a["practitioner"], patient),
                                 dict(a["plan"].intake.data))
    return patient, plan.episode


def test_no_session_is_charted_without_consent_to_treatment(world: dict[str, Any], login: Any) -> None:
    """The review: sessions could be charted with no consent recorded. The charting form refuses (409, saying
    how to record it), a POST stores nothing, and records.chart_visit refuses whoever calls it."""
    _, episode = _without_consent(world)
    prac = world["a"]["practitioner"]
    client = login(prac)
    page = client.get(reverse("clinic:visit_new", args=[episode.pk]))
    assert page.status_code == 409
    assert "No consent to treatment is recorded" in page.content.decode()
    r = client.post(reverse("clinic:visit_new", args=[episode.pk]),
                    {"red_flags_rechecked": "1", "date": timezone.localdate().isoformat()})
    assert r.status_code == 409
    assert not Visit.objects.filter(episode=episode).exists()
    with pytest.raises(InputRefused) as refused:
        records.chart_visit(prac, episode, None, {"red_flags_rechecked": True})
    assert refused.value.problems[0].path == "consent_treatment"
    assert not Visit.objects.filter(episode=episode).exists()


def test_consent_recorded_on_the_patient_form_keeps_when_and_who(world: dict[str, Any], login: Any) -> None:
    patient, episode = _without_consent(world)
    recep = world["a"]["reception"]
    client = login(recep)
    r = client.post(reverse("clinic:patient_edit", args=[patient.pk]),
                     patient_post(patient, consent_treatment=True, version=patient.version))
    assert r.status_code == 302, r.content.decode()
    patient.refresh_from_db()
    assert patient.consent_treatment
    assert patient.consent_treatment_by == recep
    assert patient.consent_treatment_at is not None
    assert "by Recep_A" in client.get(reverse("clinic:patient_detail", args=[patient.pk])).content.decode()
    assert login(world["a"]["practitioner"]).get(reverse("clinic:visit_new", args=[episode.pk])).status_code == 200


def test_the_research_csv_leaves_out_patients_who_declined_data_use(world: dict[str, Any], login: Any) -> None:
    """Only patients who consented to the use of their anonymised data are in the de-identified CSV."""
    a = world["a"]
    declined = a["patient"]  # made without consent to data use
    _, other = _without_consent(world)
    Patient.objects.filter(pk=other.patient_id).update(consent_data_use=True)
    text = login(a["clinic_admin"]).get(reverse("clinic:dashboard_csv")).content.decode()
    from sciatica_care.clinic.dashboard_stats import opaque_id

    ids = [row["episode"] for row in csv.DictReader(io.StringIO(text))]
    assert ids == [opaque_id(other.pk)]
    assert opaque_id(a["episode"].pk) not in text
    assert not declined.consent_data_use


# --- audit of every patient read and write ---------------------------------------------------------------------

#: Every page of the clinic that shows a patient's data: (object of world["a"], method).
PATIENT_PAGES = {
    "patient_list": (None, "get"), "patient_detail": ("patient", "get"), "patient_edit": ("patient", "get"),
    "episode_new": ("patient", "get"), "course_preview": ("patient", "post"), "episode": ("episode", "get"),
    "intake": ("episode", "get"), "intake_preview": ("episode", "post"), "visit_new": ("episode", "get"),
    "plan": ("plan", "get"), "handout_html": ("plan", "get"), "handout_pdf": ("plan", "get"),
    "practitioner_pdf": ("plan", "get"), "visit_detail": ("visit", "get"), "visit_edit": ("visit", "get"),
    "progress_chart": ("episode", "get"), "discharge": ("episode", "get"), "discharge_pdf": ("episode", "get"),
    "record_json": ("patient", "get"), "record_pdf": ("patient", "get"), "record_fhir": ("patient", "get"),
    "episode_diagnosis": ("episode", "get"), "visit_superbill": ("visit", "get"),
    "patient_superbill": ("patient", "get"),
    # the front desk (namespace scheduling)
    "patient_messages": ("patient", "get"), "appointment_ics": ("appointment", "get"),
    "letter_referral": ("episode", "get"), "letter_referral_pdf": ("episode", "get"),
    "letter_progress": ("episode", "get"), "letter_progress_pdf": ("episode", "get"),
}
#: The pages of the front desk's namespace (the others are the clinic's).
SCHEDULING = {p.name for p in scheduling_urlpatterns if isinstance(p, URLPattern)}
#: Every other page or action, and why it is not one of those.
NOT_PATIENT_PAGES = {
    "home": "a redirect",
    "patient_new": "an empty form (its refusals and duplicate warnings are audited)",
    "login": "no patient data", "logout": "no patient data",
    "kiosk": "the tablet lock screen", "questionnaire": "the patient's own form (audited as patient_opened)",
    "questionnaire_link_new": "a write (audited as create)", "discharge_close": "a write (audited)",
    "episode_reopen": "a write (audited)", "dashboard": "counts only (audited as read_dashboard)",
    "dashboard_csv": "de-identified (audited as export_analysis)", "tokens": "staff data",
    "token_revoke": "staff data", "my_tokens": "staff data", "clinic_settings": "clinic settings",
    "staff_list": "staff data", "staff_detail": "staff data", "staff_deactivate": "staff data",
    "staff_reactivate": "staff data", "staff_invite_again": "staff data", "invite_accept": "staff data",
    "audit_log": "the audit log (audited as read)", "audit_export": "the audit log (audited as export_audit)",
    "patient_anonymise": "clinic admins only; its page is audited as a read (purpose anonymise)",
    "care_team": "a write (audited)", "break_glass": "the reason form before a record opens (audited)",
    "break_glass_list": "the grants, for the clinic admin (audited)",
    "account": "one's own account", "password_change": "one's own account", "password_reset": "no patient data",
    "password_reset_done": "no patient data", "password_reset_confirm": "no patient data",
    "password_reset_complete": "no patient data", "second_factor_enrol": "one's own account",
    "second_factor_verify": "one's own account", "staff_second_factor_reset": "staff data",
    "portal_invite": "a write (audited as portal_invite)", "portal_end": "a write (audited as portal_access_ended)",
    "portal_alerts_handled": "a write (audited as clinic_alert_handled)",
    "letter_signature": "one's own account (the signature on one's letters)",
    "staff_npi": "staff data (a practitioner's NPI)",
    "unsubscribe": "a patient's own choices about messages, by the signed link in their email (audited as "
                   "message_choices); shows no more than the clinic and a masked address",
    "calendar_feed": "a practitioner's own appointments, patients by initials only (audited as calendar_feed_read)",
    "my_calendar_feed": "one's own calendar feed", "staff_calendar_feed_revoke": "staff data",
}


#: The front desk's pages (namespace `scheduling`) that show a patient, with what they are opened on: an
#: appointment of clinic A's patient, or the address's query naming it (see `desk_url`).
DESK_PATIENT_PAGES = {
    "calendar": "the practitioner's week with the appointment", "appointment": "the appointment",
    "appointment_move": "the appointment", "appointment_cancel": "the appointment",
    "book": "the booking form filled in for the patient", "patient_search": "the patient found by name",
    "course_book": "the patient's course", "course_start": "the patient found by name, with their courses",
    "waitlist": "the waitlist with the patient's entry",
}
#: The front desk's other pages and actions, and why they are not among those.
DESK_NOT_PATIENT_PAGES = {
    "appointment_mark": "a write (audited by the booking service)",
    "appointment_stop_link": "a write, POST only (audited as manage_link_stopped)",
    "appointment_chart": "a redirect to the charting form (audited there as a read)",
    # the clinic admin's setup of the diary: no patient; a change's stranded appointments are listed by time,
    # service and practitioner, each linked to its own (audited) page
    "setup": "the clinic's setup, counts only (audited as read)",
    "setup_locations": "locations (audited)", "setup_location": "a location and its rooms (audited)",
    "setup_room_add": "a write (audited as create)", "setup_room": "a room (audited)",
    "setup_services": "services (audited)", "setup_service": "a service (audited)",
    "setup_shifts": "staff working hours (audited)", "setup_shift": "a shift (audited)",
    "setup_shift_delete": "a write (audited as delete)", "setup_exceptions": "staff time off (audited)",
    "setup_exception": "one staff member's or the clinic's time off (audited)",
    "setup_exception_delete": "a write (audited as delete)", "setup_rules": "the booking rules (audited)",
    "waitlist_add": "a write (audited by the waitlist service; a refused one as attempted)",
    "waitlist_withdraw": "a write (audited by the waitlist service)",
    "waitlist_link": "a write (audited as waitlist_link)",
}


def test_every_clinic_url_is_classified() -> None:
    """A new page must say whether it shows patient data (then the walk below checks its audit) or why not."""
    from sciatica_care.scheduling.urls import urlpatterns as desk_urlpatterns

    names = {p.name for p in urlpatterns if isinstance(p, URLPattern)}
    unclassified = names - PATIENT_PAGES.keys() - NOT_PATIENT_PAGES.keys()
    assert not unclassified, f"classify these clinic URLs in PATIENT_PAGES or NOT_PATIENT_PAGES: {unclassified}"
    desk = {p.name for p in desk_urlpatterns if isinstance(p, URLPattern)}
    unclassified = (desk - DESK_PATIENT_PAGES.keys() - DESK_NOT_PATIENT_PAGES.keys() - PATIENT_PAGES.keys()
                    - NOT_PATIENT_PAGES.keys())
    assert not unclassified, f"classify these front-desk URLs in DESK_PATIENT_PAGES or DESK_NOT_PATIENT_PAGES: " \
                             f"{unclassified}"


def desk_url(name: str, world: dict[str, Any]) -> str:
    """A front-desk page opened on clinic A's patient: an appointment of theirs tomorrow, with the practitioner."""
    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import Location, Service, ServiceKind

    a = world["a"]
    location = Location.objects.create(clinic=a["clinic"], name="Privacy Street")
    service = Service.objects.create(clinic=a["clinic"], name="Call", kind=ServiceKind.CONSULTATION_CALL,
                                     duration_minutes=15, room_needed=False, by_phone=True)
    start = (timezone.now() + dt.timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    appt = booking.book(clinic=a["clinic"], practitioner=a["practitioner"], service=service, location=location,
                        start=start, patient=a["patient"], by=a["reception"], apply_policy=False,
                        override_reason="privacy test")
    if name == "calendar":
        return reverse("scheduling:calendar") + f"?who=practitioner:{a['practitioner'].pk}&date={start.date()}"
    if name == "book":
        return reverse("scheduling:book") + f"?patient={a['patient'].pk}"
    if name in ("patient_search", "course_start"):
        return reverse(f"scheduling:{name}") + f"?q={a['patient'].last_name}"
    if name == "course_book":
        return reverse("scheduling:course_book", args=[a["episode"].pk])
    if name == "waitlist":
        from sciatica_care.scheduling import waitlist

        today = timezone.now().date()
        waitlist.join(clinic=a["clinic"], service=service, earliest=today, latest=today + dt.timedelta(days=7),
                      patient=a["patient"], by=a["reception"])
        return reverse("scheduling:waitlist")
    return reverse(f"scheduling:{name}", args=[appt.pk])


@pytest.mark.parametrize("name", sorted(DESK_PATIENT_PAGES))
def test_every_front_desk_page_showing_a_patient_is_audited(world: dict[str, Any], login: Any, name: str) -> None:
    a = world["a"]
    url = desk_url(name, world)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    r = login(a["reception"]).get(url)
    assert r.status_code == 200, (name, r.status_code)
    events = list(AuditEvent.objects.filter(id__gt=last, actor=a["reception"]))
    patient = a["patient"].pk
    assert any(e.patient_id == patient or patient in e.detail.get("ids", []) for e in events), (
        name, [(e.action, e.patient_id, e.detail) for e in events])


@pytest.mark.parametrize("name", sorted(PATIENT_PAGES))
def test_every_page_showing_patient_data_is_audited(world: dict[str, Any], login: Any, name: str) -> None:
    a = world["a"]
    key, method = PATIENT_PAGES[name]
    if key == "appointment":
        a = a | {"appointment": an_appointment(a)}
    url = reverse(f"{'scheduling' if name in SCHEDULING else 'clinic'}:{name}", args=[a[key].pk] if key else [])
    client = login(a["practitioner"])
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    r = getattr(client, method)(url)
    assert r.status_code in (200, 422), (name, r.status_code)
    events = list(AuditEvent.objects.filter(id__gt=last, actor=a["practitioner"]))
    patient = a["patient"].pk
    assert any(e.patient_id == patient or patient in e.detail.get("ids", []) for e in events), (
        name, [(e.action, e.patient_id, e.detail) for e in events])


def test_the_patient_list_audits_which_patients_it_showed(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    login(a["reception"]).get(reverse("clinic:patient_list"), {"q": "Smith"})
    event = AuditEvent.objects.get(action="list", object_type="Patient")
    # which patients by id, never the words searched for (the audit stays pseudonymous)
    assert (event.detail["ids"], event.detail["searched"], event.detail["shown"]) == ([a["patient"].pk], True, 1)
    assert "Smith" not in str(event.detail)


def test_the_intake_preview_is_audited_as_a_read(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    login(a["practitioner"]).post(reverse("clinic:intake_preview", args=[a["episode"].pk]), {})
    event = AuditEvent.objects.get(action="read", detail__purpose="intake_preview")
    assert (event.object_type, event.object_id, event.patient_id) == ("Episode", a["episode"].pk, a["patient"].pk)


@pytest.mark.parametrize("form", ["patient_new", "patient_edit", "visit_edit", "intake", "discharge_close"])
def test_a_form_shown_again_with_errors_is_audited_as_an_attempted_write(world: dict[str, Any], login: Any,
                                                                         form: str) -> None:
    """A refused write is audited (`attempted_…`, naming the refused fields, never what was typed)."""
    a = world["a"]
    p = a["patient"]
    posts = {
        "patient_new": ("clinic:patient_new", [], {"first_name": "Secret", "last_name": ""}, "attempted_create"),
        "patient_edit": ("clinic:patient_edit", [p.pk], patient_post(p, last_name="", version=p.version),
                         "attempted_update"),
        "visit_edit": ("clinic:visit_edit", [a["visit"].pk], {"subjective": "x", "version": "x"}, "attempted_update"),
        "intake": ("clinic:intake", [a["episode"].pk], {}, "attempted_create"),
        "discharge_close": ("clinic:discharge_close", [a["episode"].pk], {"version": a["episode"].version},
                            "attempted_discharge"),
    }
    url_name, args, data, action = posts[form]
    r = login(a["practitioner"]).post(reverse(url_name, args=args), data)
    assert r.status_code == 422, r.status_code
    event = AuditEvent.objects.get(action=action)
    assert event.detail["fields"]
    assert "Secret" not in str(event.detail)
    if form != "patient_new":
        assert event.patient_id == p.pk


# --- optimistic concurrency required on every edit -------------------------------------------------------------

def test_a_patient_edit_without_its_version_is_refused_on_the_page(world: dict[str, Any], login: Any) -> None:
    """The review: posted without its version, a patient edit silently overwrote. Now it is 422 naming it."""
    p = world["a"]["patient"]
    r = login(world["a"]["reception"]).post(reverse("clinic:patient_edit", args=[p.pk]),
                                            patient_post(p, last_name="Overwritten"))
    assert r.status_code == 422
    assert "version number" in r.content.decode()
    assert Patient.objects.get(pk=p.pk).last_name == "Smitha"


def test_a_patient_edit_without_its_version_is_refused_by_records(world: dict[str, Any]) -> None:
    p = world["a"]["patient"]
    with pytest.raises(InputRefused) as refused:
        records.update_patient(world["a"]["practitioner"], p, None, {"last_name": "X"})
    assert refused.value.problems[0].path == "version"


@pytest.mark.parametrize(("path", "key", "body"), [
    ("/api/patients/{}", "patient", {"last_name": "Overwritten"}),
    ("/api/visits/{}", "visit", {"subjective": "overwritten"}),
])
def test_an_api_edit_without_its_version_is_refused(world: dict[str, Any], client: Any, path: str, key: str,
                                                    body: dict[str, str]) -> None:
    obj = world["a"][key]
    token = issue_token(world["a"]["practitioner"])
    r = client.patch(path.format(obj.pk), body, content_type="application/json",
                     HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 422
    assert "version" in [e["path"] for e in r.json()["errors"]]
    obj.refresh_from_db()
    assert obj.version == 1


@pytest.mark.parametrize("edit", ["visit_edit", "discharge_close", "episode_reopen", "clinic_settings",
                                  "staff_detail"])
def test_every_other_page_edit_without_its_version_is_refused(world: dict[str, Any], login: Any,
                                                              edit: str) -> None:
    a = world["a"]
    if edit == "episode_reopen":
        records.discharge_episode(a["practitioner"], a["episode"], a["episode"].version, timezone.localdate())
    posts = {
        "visit_edit": ([a["visit"].pk], {"subjective": "overwritten"}, Visit, a["visit"].pk),
        "discharge_close": ([a["episode"].pk], {"discharged_on": timezone.localdate().isoformat()}, Episode,
                            a["episode"].pk),
        "episode_reopen": ([a["episode"].pk], {"reason": "back again"}, Episode, a["episode"].pk),
        "clinic_settings": ([], {"name": "Renamed", "disability_instrument": "rmdq",
                                 "questionnaire_every_n_visits": "3"}, Clinic, a["clinic"].pk),
        "staff_detail": ([a["reception"].pk], {"role": "practitioner"}, Staff, a["reception"].pk),
    }
    args, data, model, pk = posts[edit]
    before = model.objects.values_list("version", flat=True).get(pk=pk)
    r = login(a["clinic_admin"]).post(reverse(f"clinic:{edit}", args=args), data)
    assert r.status_code == 422, (edit, r.status_code)
    assert model.objects.values_list("version", flat=True).get(pk=pk) == before
