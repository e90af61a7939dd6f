"""The pages: the intake-to-chart workflow, the safety stops, escaping, conflicts, CSP, login throttling."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from clinic_fixtures import PASSWORD
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from sciatica_care.clinic.models import AuditEvent, Episode, Patient, PlanRevision, Visit

pytestmark = pytest.mark.django_db

INTAKE_POST = {
    "red_flags_screened": "1", "patient.age": "42", "patient.sex": "female", "patient.pregnant": "no",
    "episode.side": "left", "episode.duration_weeks": "3", "pain.leg_nrs": "7",
    "pain.areas": ["buttock", "posterior_thigh"], "medical__asked": "1",
}


def chart_post(**extra: Any) -> dict[str, Any]:
    data = {"red_flags_rechecked": "1", "date": timezone.localdate().isoformat(), "pt_code_0": "GB30",
            "pt_side_0": "left", "pt_done_0": "1", "leg_nrs": "5", "subjective": "Better"}
    data.update(extra)
    return data


def test_whole_course_through_the_pages(world: dict[str, Any], login: Any) -> None:
    """New patient → episode → intake → plan → charted visit with ODI → timeline."""
    client = login(world["a"]["practitioner"])
    r = client.post(reverse("clinic:patient_new"), {"first_name": "Bea", "last_name": "Jones",
                                                    "date_of_birth": "1984-02-03", "sex": "female",
                                                    "consent_treatment": "on"})
    patient = Patient.objects.get(last_name="Jones")
    assert r.status_code == 302
    assert patient.clinic == world["a"]["clinic"]
    assert patient.consent_treatment_at
    r = client.get(reverse("clinic:episode_new", args=[patient.pk]))
    assert not Episode.objects.filter(patient=patient).exists()  # nothing stored until the intake is saved
    r = client.post(reverse("clinic:episode_new", args=[patient.pk]), INTAKE_POST)
    episode = Episode.objects.get(patient=patient)
    plan = PlanRevision.objects.get(episode=episode)
    assert r.status_code == 302
    assert r["Location"] == reverse("clinic:plan", args=[plan.pk])
    assert plan.intake.data["medical"] == []
    assert plan.intake.data["pain"]["areas"] == ["buttock", "posterior_thigh"]
    assert "tcm" not in plan.intake.data  # not recorded stays absent
    body = client.get(r["Location"]).content.decode()
    assert "GB30" in body
    assert "Guideline position" in body
    form = client.get(reverse("clinic:visit_new", args=[episode.pk])).content.decode()
    assert re.search(r'name="pt_code_\d+" value="GB30"', form)
    pairs = ", ".join("–".join(pair) for pair in plan.plan["electroacupuncture"]["pairs"])
    assert "GB30–BL40" in pairs
    assert f'name="ea_pairs" value="{pairs}"' in form  # the plan's pairs, pre-filled
    r = client.post(reverse("clinic:visit_new", args=[episode.pk]),
                    chart_post(**{f"odi_{k}": "2" for k in range(10)}, ea_pairs="GB30-BL40", ea_minutes="20"))
    assert r.status_code == 302, r.content.decode()
    visit = Visit.objects.get(episode=episode)
    assert visit.points == [{"code": "GB30", "side": "left"}]
    assert visit.ea_pairs == [["GB30", "BL40"]]
    timeline = client.get(reverse("clinic:episode", args=[episode.pk])).content.decode()
    assert "ODI 40.0" in timeline
    assert "Plan 1" in timeline


def test_intake_preview_returns_plan_without_storing(world: dict[str, Any], login: Any) -> None:
    """The htmx preview shows the plan and stores nothing."""
    client = login(world["a"]["practitioner"])
    before = PlanRevision.objects.count()
    r = client.post(reverse("clinic:intake_preview", args=[world["a"]["episode"].pk]), INTAKE_POST,
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert "GB30" in r.content.decode()
    assert "<html" not in r.content.decode()
    assert PlanRevision.objects.count() == before


def test_intake_preview_lists_missing_fields(world: dict[str, Any], login: Any) -> None:
    """An incomplete form previews the engine's problems with their paths."""
    client = login(world["a"]["practitioner"])
    r = client.post(reverse("clinic:intake_preview", args=[world["a"]["episode"].pk]), {"patient.age": "40"})
    assert "episode.side" in r.content.decode()


def test_intake_errors_shown_next_to_fields(world: dict[str, Any], login: Any) -> None:
    """A refused intake re-renders the form (422) with the message at the field and keeps the answers."""
    client = login(world["a"]["practitioner"])
    r = client.post(reverse("clinic:intake", args=[world["a"]["episode"].pk]), {**INTAKE_POST, "patient.age": "12"})
    body = r.content.decode()
    assert r.status_code == 422
    assert "under 16" in body
    assert 'value="12"' in body


def test_intake_requires_red_flag_confirmation(world: dict[str, Any], login: Any) -> None:
    """The intake cannot be saved until the practitioner confirms the red-flag screen."""
    client = login(world["a"]["practitioner"])
    data = {k: v for k, v in INTAKE_POST.items() if k != "red_flags_screened"}
    r = client.post(reverse("clinic:intake", args=[world["a"]["episode"].pk]), data)
    assert r.status_code == 422
    assert "red-flag question" in r.content.decode()


def test_red_flag_on_recheck_stops_needling(world: dict[str, Any], login: Any) -> None:
    """A red flag on re-check: no points are stored, the referral advice is shown, the stop is audited."""
    a = world["a"]
    client = login(a["practitioner"])
    r = client.post(reverse("clinic:visit_new", args=[a["episode"].pk]),
                    chart_post(recheck_flags="saddle_anaesthesia"), follow=True)
    visit = Visit.objects.filter(episode=a["episode"]).latest("id")
    assert visit.needling_stopped
    assert visit.points == []
    assert visit.red_flags_found == ["saddle_anaesthesia"]
    assert "Needling stopped" in r.content.decode()
    assert "emergency department" in r.content.decode()  # the triage rules' referral for this flag
    routine = a["plan"].plan["triage"]["advice"]
    assert routine.startswith("No referral needed")
    assert escape(routine) not in r.content.decode()  # the routine plan's advice never sits under a red flag
    assert AuditEvent.objects.filter(action="red_flag_stop", object_id=visit.pk).exists()


def test_excluded_point_needs_override_reason(world: dict[str, Any], login: Any) -> None:
    """Charting a point the plan excluded without a reason is refused; with one it is stored and audited."""
    from clinic_fixtures import base_intake

    from sciatica_care.clinic import records

    a = world["a"]
    episode = records.open_episode(a["practitioner"], a["patient"])
    records.record_intake(a["practitioner"], episode,
                          base_intake(patient={"age": 30, "sex": "female", "pregnant": True, "pregnancy_weeks": 20}))
    client = login(a["practitioner"])
    url = reverse("clinic:visit_new", args=[episode.pk])
    assert "Override: needle <strong>SP6</strong>" in client.get(url).content.decode()
    r = client.post(url, chart_post(ex_done_SP6="1", ex_side_SP6="left"))
    assert r.status_code == 422
    assert "give the reason" in r.content.decode()
    assert not Visit.objects.filter(episode=episode).exists()
    r = client.post(url, chart_post(ex_done_SP6="1", ex_side_SP6="left", ex_reason_SP6="Post-term, obstetric advice"))
    assert r.status_code == 302
    visit = Visit.objects.get(episode=episode)
    assert {"code": "SP6", "side": "left"} in visit.points
    [override] = visit.overrides
    assert {k: override[k] for k in ("code", "side", "rule", "reason")} == {
        "code": "SP6", "side": "left", "rule": "pregnancy-forbidden-points", "reason": "Post-term, obstetric advice"}
    event = AuditEvent.objects.get(action="override_excluded_point")
    assert event.detail["code"] == "SP6"
    assert event.patient_id == a["patient"].pk


def test_extra_excluded_point_typed_in_also_needs_reason(world: dict[str, Any], login: Any) -> None:
    """Typing an excluded point into 'other points' is caught just the same."""
    from clinic_fixtures import base_intake

    from sciatica_care.clinic import records

    a = world["a"]
    episode = records.open_episode(a["practitioner"], a["patient"])
    records.record_intake(a["practitioner"], episode, base_intake(patient={"age": 30, "pregnant": True}))
    r = login(a["practitioner"]).post(reverse("clinic:visit_new", args=[episode.pk]),
                                      chart_post(extra_points="LI4 both"))
    assert r.status_code == 422


def test_script_in_note_stays_text(world: dict[str, Any], login: Any) -> None:
    """A note containing <script> is shown escaped, never executed."""
    a = world["a"]
    client = login(a["practitioner"])
    client.post(reverse("clinic:visit_new", args=[a["episode"].pk]), chart_post(subjective="<script>alert(1)</script>"))
    visit = Visit.objects.filter(episode=a["episode"]).latest("id")
    body = client.get(reverse("clinic:visit_detail", args=[visit.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_two_people_editing_a_patient_get_a_conflict(world: dict[str, Any], client: Any) -> None:
    """Both open the edit form; the first save wins, the second sees a clear conflict and keeps their input."""
    from django.test import Client

    a = world["a"]
    first, second = Client(), Client()
    first.force_login(a["practitioner"])
    second.force_login(a["reception"])
    url = reverse("clinic:patient_edit", args=[a["patient"].pk])
    assert first.get(url).status_code == 200
    assert second.get(url).status_code == 200
    base = {"first_name": "Ann", "last_name": "Smitha", "date_of_birth": "1980-05-01", "sex": "female",
            "consent_treatment": "on", "version": str(a["patient"].version)}
    assert first.post(url, {**base, "phone": "0111"}).status_code == 302
    r = second.post(url, {**base, "phone": "0222"})
    body = r.content.decode()
    assert r.status_code == 409
    assert "Someone else saved this record" in body
    assert "0222" in body
    assert "0111" in body
    assert Patient.objects.get(pk=a["patient"].pk).phone == "0111"
    # Saving again after seeing theirs is deliberate and goes through.
    assert second.post(url, {**base, "phone": "0222", "version": str(a["patient"].version + 1)}).status_code == 302


def test_pages_send_a_strict_csp(world: dict[str, Any], login: Any) -> None:
    """Every page carries the Content-Security-Policy header with no inline script or style allowed."""
    r = login(world["a"]["practitioner"]).get(reverse("clinic:patient_list"))
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_login_is_throttled_after_repeated_failures(world: dict[str, Any], client: Any) -> None:
    """Five wrong passwords lock the username out, even with the right password next."""
    url = reverse("clinic:login")
    for _ in range(5):
        client.post(url, {"username": "prac_a", "password": "wrong"})
    r = client.post(url, {"username": "prac_a", "password": PASSWORD})
    assert r.status_code == 429
    assert "Too many failed attempts" in r.content.decode()
    assert AuditEvent.objects.filter(action="login_throttled").exists()
    assert AuditEvent.objects.filter(action="login_locked").exists()


def test_login_with_argon2(world: dict[str, Any], client: Any, settings: Any) -> None:
    """Passwords are hashed with Argon2 and logging in works."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = world["a"]["practitioner"]
    user.set_password(PASSWORD)
    user.save()
    assert user.password.startswith("argon2")
    r = client.post(reverse("clinic:login"), {"username": "prac_a", "password": PASSWORD})
    assert r.status_code == 302, r.content.decode()[-1500:]


@pytest.mark.parametrize(("name", "key"), [("clinic:patient_list", None), ("clinic:patient_detail", "patient"),
                                           ("clinic:episode", "episode"), ("clinic:plan", "plan"),
                                           ("clinic:visit_new", "episode")])
def test_no_n_plus_one(world: dict[str, Any], login: Any, django_assert_max_num_queries: Any,
                       name: str, key: str | None) -> None:
    """A page's query count does not grow with the data: 15 more visits and patients change nothing."""
    from sciatica_care.clinic import records

    a = world["a"]
    client = login(a["practitioner"])
    url = reverse(name, args=[a[key].pk] if key else [])
    client.get(url)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(15):
        records.chart_visit(a["practitioner"], a["episode"], a["plan"], {"red_flags_rechecked": True},
                            odi_answers=[1] * 10)
        records.create_patient(a["practitioner"], first_name=f"P{i}", last_name="Extra", date_of_birth="1970-01-01")
    # The same count as before the data grew (each section of the page its own query, however many rows).
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(url).status_code == 200


class FormState(HTMLParser):
    """What a browser would submit from a page's form: checked boxes, selected options, field values."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(a["name"], []).append(a.get("value", "on"))
            elif a.get("type") != "submit":
                self.values.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values.setdefault(self._textarea or "", []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self.values[self._textarea][-1]
            self.values[self._textarea][-1] = text[1:] if text.startswith("\n") else text  # as HTML parsing does
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data


def form_state(body: str) -> dict[str, list[str]]:
    parser = FormState()
    parser.feed(body)
    return parser.values


def test_failed_chart_keeps_everything_ticked_and_typed(world: dict[str, Any], login: Any) -> None:
    """A session refused for one bad value comes back with every tick, side, override, note and ODI answer kept
    (peripheral neuropathy: the plan excludes BL60 and still allows electroacupuncture and cupping)."""
    from clinic_fixtures import base_intake

    from sciatica_care.clinic import records

    a = world["a"]
    episode = records.open_episode(a["practitioner"], a["patient"])
    plan = records.record_intake(a["practitioner"], episode, base_intake(medical=["peripheral_neuropathy"]))
    assert "BL60" in {x["code"] for x in plan.plan["acupuncture"]["excluded"]}
    assert plan.plan["electroacupuncture"]["allowed"]
    assert plan.plan["cupping"]["allowed"]
    client = login(a["practitioner"])
    url = reverse("clinic:visit_new", args=[episode.pk])
    fresh = form_state(client.get(url).content.decode())
    assert fresh["pt_done_0"] == ["1"]  # the plan's points are pre-ticked
    assert "pt_done_1" in fresh
    sent = {
        "red_flags_rechecked": "1", "date": "2026-03-04",
        "pt_code_0": fresh["pt_code_0"][0], "pt_side_0": "right", "pt_planned_0": "1",  # unticked, side changed
        "pt_code_1": fresh["pt_code_1"][0], "pt_side_1": "both", "pt_done_1": "1", "pt_planned_1": "1",
        "extra_points": "KI3 left", "ex_done_BL60": "1", "ex_side_BL60": "left", "ex_reason_BL60": "",  # no reason
        "ea_pairs": "GB30-BL40", "ea_frequency_hz": "2/100", "ea_minutes": "25",
        "massage_done": [], "cupping_done": "1", "leg_nrs": "11", "back_nrs": "3",  # 11: out of range
        "adverse_events": "Faint after needling", "subjective": "Sleeps <b>better</b>", "objective": "SLR 60°",
        "assessment": "Improving", "plan_notes": "Review in 2 weeks",
        **{f"odi_{k}": str(k % 6) for k in range(10)},
    }
    r = client.post(url, sent)
    assert r.status_code == 422
    assert not Visit.objects.filter(episode=episode).exists()
    body = r.content.decode()
    assert "give the reason" in body
    assert "from 0 to 10" in body
    back = form_state(body)
    for name, value in sent.items():
        expected = value if isinstance(value, list) else [value]
        assert back.get(name, []) == expected, (name, back.get(name))
    assert "pt_done_0" not in back  # what was unticked stays unticked
    assert "massage_done" not in back
    assert 'id="override-BL60"' in body
    assert "has-error" in body.split('id="override-BL60"')[0].rsplit("<div", 1)[1]


def test_failed_chart_keeps_the_red_flags_ticked(world: dict[str, Any], login: Any) -> None:
    """Red flags ticked on re-check stay ticked when the form comes back (here: the re-check not confirmed)."""
    a = world["a"]
    r = login(a["practitioner"]).post(reverse("clinic:visit_new", args=[a["episode"].pk]),
                                      {"recheck_flags": ["fever", "saddle_anaesthesia"], "subjective": "Feverish"})
    assert r.status_code == 422
    state = form_state(r.content.decode())
    assert state["recheck_flags"] == ["saddle_anaesthesia", "fever"]  # in the form's order
    assert state["subjective"] == ["Feverish"]
    assert "red_flags_rechecked" not in state


def test_fresh_chart_form_is_prefilled_from_the_previous_session(world: dict[str, Any], login: Any) -> None:
    """Without a failed submission the form is pre-filled from the last session, not left empty: the point the
    last session needled (GB30 only) is ticked, the plan's other points are not."""
    a = world["a"]
    state = form_state(login(a["practitioner"]).get(reverse("clinic:visit_new", args=[a["episode"].pk]))
                       .content.decode())
    rows = {state[f"pt_code_{i}"][0]: i for i in range(len(a["plan"].plan["acupuncture"]["points"]))}
    assert set(rows) == {p["code"] for p in a["plan"].plan["acupuncture"]["points"]}
    assert state[f"pt_done_{rows['GB30']}"] == ["1"]
    assert [code for code, i in rows.items() if f"pt_done_{i}" in state] == ["GB30"]
    assert state.get("subjective") == [""]
    assert "red_flags_rechecked" not in state  # the re-check is asked afresh every session


def test_plan_view_shows_where_and_how_deep_to_needle(world: dict[str, Any], login: Any) -> None:
    """Each planned point shows its name, location text, depth in cun and cautions, in a printable page."""
    a = world["a"]
    body = login(a["practitioner"]).get(reverse("clinic:plan", args=[a["plan"].pk])).content.decode()
    assert "Where to needle" in body
    assert "Huantiao (Jumping Round)" in body
    assert "press one third of the way in from the trochanter" in body  # GB30's location, from the knowledge
    assert "1.5–3 cun" in body  # GB30
    assert "0.5–1 cun" in body  # BL40
    assert "go slowly and stop at any shooting sensation" in body  # GB30's caution
    for point in a["plan"].plan["acupuncture"]["points"]:
        assert escape(point["name"]) in body
        assert escape(point["location"]) in body
        for caution in point["cautions"]:
            assert escape(caution) in body


def test_intake_preview_stays_compact(world: dict[str, Any], login: Any) -> None:
    """The narrow live preview lists the points without their long location texts."""
    client = login(world["a"]["practitioner"])
    r = client.post(reverse("clinic:intake_preview", args=[world["a"]["episode"].pk]), INTAKE_POST)
    assert "GB30" in r.content.decode()
    assert "Where GB30 is" not in r.content.decode()


def test_two_people_amending_visit_notes_get_a_conflict(world: dict[str, Any]) -> None:
    """Both open a session's notes; the first save wins, the second gets a clear 409 keeping their text and
    showing the first one's; saving again after that goes through; the replaced text stays in the audit."""
    from django.test import Client

    a = world["a"]
    visit = a["visit"]
    first, second = Client(), Client()
    first.force_login(a["practitioner"])
    second.force_login(a["clinic_admin"])
    url = reverse("clinic:visit_edit", args=[visit.pk])
    assert form_state(first.get(url).content.decode())["version"] == ["1"]
    assert second.get(url).status_code == 200
    base = {"version": "1", "objective": "", "assessment": "", "plan_notes": "", "adverse_events": ""}
    r = first.post(url, {**base, "subjective": "Better; slept through"})
    assert r.status_code == 302
    assert r["Location"] == reverse("clinic:visit_detail", args=[visit.pk])
    r = second.post(url, {**base, "subjective": "Better", "adverse_events": "Bruise at GB30"})
    body = r.content.decode()
    assert r.status_code == 409
    assert "Someone else saved these notes" in body
    state = form_state(body)
    assert state["adverse_events"] == ["Bruise at GB30"]  # theirs is kept in the form...
    assert state["version"] == ["2"]
    assert "Better; slept through" in body  # ...and the first one's is shown
    visit.refresh_from_db()
    assert (visit.subjective, visit.adverse_events, visit.version) == ("Better; slept through", "", 2)
    assert AuditEvent.objects.filter(action="conflict", object_type="Visit", object_id=visit.pk).exists()
    r = second.post(url, {**base, "version": "2", "subjective": "Better; slept through",
                          "adverse_events": "Bruise at GB30"})
    assert r.status_code == 302
    visit.refresh_from_db()
    assert (visit.subjective, visit.adverse_events, visit.version) == ("Better; slept through", "Bruise at GB30", 3)
    updates = AuditEvent.objects.filter(action="update", object_type="Visit", object_id=visit.pk).order_by("id")
    assert [e.detail["previous"] for e in updates] == [{"subjective": "better"}, {"adverse_events": ""}]
    assert [e.actor for e in updates] == [a["practitioner"], a["clinic_admin"]]
    detail = first.get(reverse("clinic:visit_detail", args=[visit.pk])).content.decode()
    assert "Notes amended 2 times" in detail


def test_visit_notes_edit_escapes_and_leaves_the_charting_alone(world: dict[str, Any], login: Any) -> None:
    """Amending notes never changes points or scores; a note with <script> stays text on the edit page."""
    a = world["a"]
    client = login(a["practitioner"])
    url = reverse("clinic:visit_edit", args=[a["visit"].pk])
    r = client.post(url, {"version": "1", "subjective": "<script>alert(1)</script>", "points": "[]"})
    assert r.status_code == 302
    visit = Visit.objects.get(pk=a["visit"].pk)
    assert visit.points == [{"code": "GB30", "side": "left"}]
    body = client.get(url).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
