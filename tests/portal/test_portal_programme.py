"""The home programme page: only the patient themself sees it, it shows only what their current plan lists (never a
point forbidden in pregnancy, nothing for a plan not for treatment), and "done" is stored once, checked against the
programme, audited, and refused with the field named."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from clinic_fixtures import base_intake, example
from django.urls import reverse
from portal_fixtures import PATIENT_BACKEND

from sciatica_care.clinic import records
from sciatica_care.clinic.models import AuditEvent, PlanRevision
from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.portal.models import AdherenceRecord

pytestmark = pytest.mark.django_db

PAGE = "portal:programme"
DONE = "portal:programme_done"


def page(client: Any) -> str:
    r = client.get(reverse(PAGE))
    assert r.status_code == 200, r.status_code
    return str(r.content.decode())


def forbidden_words() -> list[re.Pattern[str]]:
    """Every way a page could name a point forbidden in pregnancy or easily mistaken for one: code, aliases,
    pinyin, English name."""
    k = load_knowledge()
    bad = {p.code for p in k.points if p.forbidden_in_pregnancy}
    bad |= {p.code for p in k.points if bad & set(p.confusable_with)}
    words = [w for p in k.points if p.code in bad for w in (p.code, *p.aliases, p.pinyin, p.english)]
    return [re.compile(rf"(?<![\w.-]){re.escape(w)}(?![\w.-])", re.IGNORECASE) for w in words]


@pytest.fixture
def signed_in(client: Any, world: dict[str, Any], account_for: Any, patient_with: Any) -> Any:
    """`signed_in(intake)`: the test client signed in to the portal as a new patient of clinic A whose course is
    planned from `intake`; returns (client, plan revision)."""
    def make(intake: dict[str, Any]) -> tuple[Any, PlanRevision]:
        revision = patient_with(intake, world["a"]["practitioner"])
        client.force_login(account_for(revision.episode.patient), backend=PATIENT_BACKEND)
        return client, revision

    return make


def done_post(revision: PlanRevision, **fields: Any) -> dict[str, Any]:
    """The "done" form for the plan's first pressure point (or the whole session), as the page posts it."""
    press = revision.typed.self_care.acupressure if revision.typed else []
    first = {"kind": "acupressure", "item": press[0].code} if press else {"kind": "session", "item": ""}
    return {"plan": revision.pk, **first, "felt": "better", "note": "", **fields}


# ------------------------------------------------------------------------------------------------ who sees it


def test_anonymous_visitors_are_sent_to_the_portal_sign_in(client: Any) -> None:
    for name, method in ((PAGE, "get"), (DONE, "post")):
        r = getattr(client, method)(reverse(name))
        assert r.status_code == 302
        assert r["Location"].startswith(reverse("portal:signin"))


@pytest.mark.parametrize("role", ["practitioner", "clinic_admin", "reception"])
def test_staff_cannot_open_a_patients_programme_page(client: Any, world: dict[str, Any], role: str) -> None:
    """The page is the patient's own: staff get 403 (they see the plan and its handout in the clinic)."""
    client.force_login(world["a"][role])
    assert client.get(reverse(PAGE)).status_code == 403
    assert client.post(reverse(DONE), {}).status_code == 403
    assert not AdherenceRecord.objects.exists()


def test_each_patient_sees_their_own_programme_only(client: Any, world: dict[str, Any], account_for: Any,
                                                    patient_with: Any) -> None:
    """Two patients with different plans: each page holds its own plan's points and not the other's, and reading
    it is audited against that patient."""
    prac = world["a"]["practitioner"]
    left = patient_with(example("piriformis-chronic"), prac, "Lefty")
    right = patient_with(example("l4-anterior-medial-man"), prac, "Righty")
    mine = {a.code for a in left.typed.self_care.acupressure} - {a.code for a in right.typed.self_care.acupressure}
    theirs = {a.code for a in right.typed.self_care.acupressure} - {a.code for a in left.typed.self_care.acupressure}
    assert mine
    assert theirs
    client.force_login(account_for(left.episode.patient), backend=PATIENT_BACKEND)
    html = page(client)
    assert all(f"acupressure-{c.lower().replace('.', '-')}" in html for c in mine)
    assert not any(f"acupressure-{c.lower().replace('.', '-')}" in html for c in theirs)
    event = AuditEvent.objects.filter(action="read", detail__purpose="home_programme").latest("id")
    assert (event.patient_id, event.detail["plan"]) == (left.episode.patient_id, left.pk)


def test_a_patient_cannot_mark_done_under_another_patients_plan(signed_in: Any, world: dict[str, Any]) -> None:
    """The plan is always the signed-in patient's own: another patient's plan number is refused, naming `plan`,
    and nothing is stored."""
    client, _ = signed_in(base_intake())
    other = world["a"]["plan"]  # Ann Smitha's plan, same clinic
    r = client.post(reverse(DONE), done_post(other))
    assert r.status_code == 409
    assert "plan" in r.content.decode()
    assert not AdherenceRecord.objects.exists()


def test_an_account_linked_to_another_clinics_patient_is_refused(client: Any, world: dict[str, Any],
                                                                 account_for: Any) -> None:
    """A patient account whose patient belongs to another clinic (a broken link) reaches nothing."""
    user = account_for(world["b"]["patient"])
    user.clinic = world["a"]["clinic"]
    user.save()
    client.force_login(user, backend=PATIENT_BACKEND)
    assert client.get(reverse(PAGE)).status_code == 403


# ------------------------------------------------------------------------------------------------ what it shows


def test_the_page_shows_the_plans_points_exercises_and_advice(signed_in: Any) -> None:
    """Every point the plan lists for home pressing with its figure, timer and done form; every exercise with its
    picture and dosage; the heat-or-ice advice; every everyday tip; held-back exercises only as "not for now"."""
    client, revision = signed_in(example("piriformis-chronic"))
    care = revision.typed.self_care
    html = page(client)
    for a in care.acupressure:
        anchor = f"acupressure-{a.code.lower().replace('.', '-')}"
        assert f'id="{anchor}"' in html
        assert f'id="{anchor}-timer"' in html
        assert f'name="item" value="{a.code}"' in html
    for e in care.exercise_details:
        assert f'id="exercise-{e.id}"' in html
        assert f'name="item" value="{e.id}"' in html
    assert html.count('class="done-form"') == len(care.acupressure) + len(care.exercise_details) + 1
    assert care.thermal_advice is not None
    for g in care.ergonomic_details:
        assert g.name in html


def test_a_point_with_an_unchecked_location_tells_the_patient_to_be_shown(signed_in: Any) -> None:
    """GB41's location is not yet checked against WHO 2008: its card asks the patient to have the spot shown; GB34's
    does not."""
    client, _ = signed_in(example("l5-stenosis-older"))
    html = page(client)
    note = "has not yet been checked against the international standard"
    gb41 = html[html.index('id="acupressure-gb41"'):]
    gb34 = html[html.index('id="acupressure-gb34"'):html.index('id="acupressure-gb41"')]
    assert note in gb41[:gb41.index("</article>")]
    assert note not in gb34


def test_held_back_exercises_are_not_offered_as_things_to_do(signed_in: Any) -> None:
    """An exercise the plan holds back appears only under "Not for now", with no form to mark it done, and a
    "done" for it is refused naming `item`."""
    client, revision = signed_in(example("pregnancy-third-trimester"))
    held = revision.typed.self_care.exercises_to_hold_off
    assert held
    html = page(client)
    for h in held:
        assert f'value="{h.id}"' not in html
        assert f'id="exercise-{h.id}"' not in html
    assert "Not for now" in html
    r = client.post(reverse(DONE), done_post(revision, kind="exercise", item=held[0].id))
    assert r.status_code == 422
    assert "item" in r.content.decode()
    assert not AdherenceRecord.objects.exists()


def test_a_pregnant_patients_page_never_names_a_forbidden_point(signed_in: Any) -> None:
    """Not in the list, the figures, the timers or anywhere else on the page (the plan's needling points and
    exclusions are never shown to the patient)."""
    client, revision = signed_in(base_intake(pregnant=26))
    assert revision.typed.acupuncture.excluded  # the engine excluded points: the page must not show them
    html = page(client)
    assert "pressure points that are avoided in pregnancy" in html
    hits = [w.pattern for w in forbidden_words() if w.search(html)]
    assert not hits, hits


def test_a_pregnant_patients_plan_that_lists_a_forbidden_point_shows_no_programme(signed_in: Any) -> None:
    """Defence in depth: a stored plan that (wrongly) lists LI4 for home pressing for a pregnant patient gives the
    "contact your clinic" page, with no point and no timer."""
    client, revision = signed_in(base_intake(pregnant=26))
    plan = dict(revision.plan)
    care = dict(plan["self_care"])
    care["acupressure"] = [*care["acupressure"], {**care["acupressure"][0], "code": "LI4"}]
    PlanRevision.objects.filter(pk=revision.pk).update(plan={**plan, "self_care": care})
    html = page(client)
    assert "could not be shown safely" in html
    assert "data-timer" not in html
    assert not [w.pattern for w in forbidden_words() if w.search(html)]


@pytest.mark.parametrize("case", ["cauda-equina", "dvt-same-day", "foot-drop"])
def test_a_plan_not_for_treatment_shows_only_the_advice_to_contact_the_clinic(signed_in: Any, case: str) -> None:
    client, revision = signed_in(example(case))
    assert not revision.typed.treatment_allowed
    html = page(client)
    assert "Please contact Clinic A" in html
    assert "data-timer" not in html
    assert 'class="done-form"' not in html
    assert "timer.js" not in html
    r = client.post(reverse(DONE), done_post(revision, kind="session", item=""))
    assert r.status_code == 409
    assert "there is no home programme to mark done" in r.content.decode()
    assert not AdherenceRecord.objects.exists()


def test_an_unreadable_plan_shows_no_programme(signed_in: Any) -> None:
    client, revision = signed_in(base_intake())
    plan = {k: v for k, v in revision.plan.items() if k != "treatment_allowed"}
    PlanRevision.objects.filter(pk=revision.pk).update(plan=plan)
    html = page(client)
    assert "could not be shown safely" in html
    assert "data-timer" not in html


def test_without_a_plan_there_is_no_programme(client: Any, world: dict[str, Any], account_for: Any) -> None:
    prac = world["a"]["practitioner"]
    patient = records.create_patient(prac, first_name="New", last_name="Comer", date_of_birth=dt.date(1990, 1, 1))
    records.open_episode(prac, patient)
    client.force_login(account_for(patient), backend=PATIENT_BACKEND)
    html = page(client)
    assert "has not written a programme for you yet" in html
    assert "data-timer" not in html


def test_a_red_flag_at_the_latest_session_withdraws_the_programme(signed_in: Any) -> None:
    """The re-check at a session found a red flag (needling stopped): the plan still allows treatment, but the page
    shows no programme until a later session's re-check is clear, and "done" is refused meanwhile."""
    client, revision = signed_in(base_intake())
    prac, episode = revision.created_by, revision.episode
    assert "data-timer" in page(client)
    records.chart_visit(prac, episode, revision, {"red_flags_rechecked": True, "needling_stopped": True,
                                                  "red_flags_found": ["saddle_anaesthesia"]})
    html = page(client)
    assert "a doctor needs to check" in html
    assert "data-timer" not in html
    assert client.post(reverse(DONE), done_post(revision)).status_code == 409
    records.chart_visit(prac, episode, revision, {"red_flags_rechecked": True})
    assert "data-timer" in page(client)


@pytest.mark.parametrize(("case", "warm_up"), [
    ("piriformis-chronic", True), ("l5-stenosis-older", True), ("pregnancy-third-trimester", False),
    ("spinal-cord-stimulator", False), ("anticoagulated-older", False),
])
def test_the_warm_up_step_is_on_the_page_only_when_the_plan_says_heat(signed_in: Any, case: str,
                                                                      warm_up: bool) -> None:
    client, _ = signed_in(example(case))
    html = page(client)
    assert ('id="warm-up"' in html) is warm_up
    assert ('id="warm-up-timer"' in html) is warm_up


def test_the_timer_holds_the_plans_range_and_one_set_per_side(signed_in: Any) -> None:
    """LR3 on both feet: holds of 1, 2 and 3 minutes offered (the plan's 1–3), two sets (right, then left)."""
    client, _revision = signed_in(example("pregnancy-third-trimester"))
    html = page(client)
    timer = re.search(r'<div class="timer" id="acupressure-lr3-timer"[^>]*>', html)
    assert timer is not None
    assert 'data-sets="2"' in timer.group(0)
    assert 'data-labels="Right side|Left side"' in timer.group(0)
    block = html[timer.start():html.index("</select>", timer.start())]
    assert re.findall(r'<option value="(\d+)"', block) == ["60", "120", "180"]


# ------------------------------------------------------------------------------------------------ "done"


def test_done_is_stored_with_how_it_felt_and_audited(signed_in: Any) -> None:
    client, revision = signed_in(example("piriformis-chronic"))
    code = revision.typed.self_care.acupressure[0].code
    r = client.post(reverse(DONE), done_post(revision, felt="worse", note="Sharp ache, stopped early"))
    assert r.status_code == 302
    assert r["Location"].endswith(f"#acupressure-{code.lower()}")
    done = AdherenceRecord.objects.get()
    assert (done.kind, done.item, done.felt, done.note) == ("acupressure", code, "worse", "Sharp ache, stopped early")
    assert (done.plan_id, done.episode_id, done.patient_id) == (revision.pk, revision.episode_id,
                                                                revision.episode.patient_id)
    event = AuditEvent.objects.get(action="create", object_type="AdherenceRecord")
    assert (event.object_id, event.patient_id) == (done.pk, done.patient_id)
    assert event.detail["felt"] == "worse"
    assert "Sharp ache" not in str(event.detail)  # the patient's words stay in the record, not the audit
    followed = client.get(r["Location"]).content.decode()
    assert "Done today (it felt: worse)" in followed
    card = followed[followed.index(f'id="acupressure-{code.lower()}"'):]
    card = card[:card.index("</article>")]
    assert "leave it out until you have talked to your practitioner" in card  # beside the point, not only on top


@pytest.mark.parametrize(("changes", "field"), [
    ({"felt": ""}, "felt"),
    ({"felt": "great"}, "felt"),
    ({"kind": "massage"}, "kind"),
    ({"kind": "exercise", "item": "GB30"}, "item"),
    ({"item": "LI4"}, "item"),
    ({"kind": "session", "item": "GB30"}, "item"),
    ({"note": "x" * 501}, "note"),
    ({"note": "a\x00b"}, "note"),
    ({"note": "bell\x07"}, "note"),
    ({"plan": "²"}, "plan"),
    ({"plan": ""}, "plan"),
])
def test_bad_input_is_refused_naming_the_field(signed_in: Any, changes: dict[str, Any], field: str) -> None:
    """422 with the page shown again, the problem named by its field beside the form and in the alert; nothing
    stored; the attempt audited with the field's name."""
    client, revision = signed_in(example("piriformis-chronic"))
    r = client.post(reverse(DONE), done_post(revision, **changes))
    assert r.status_code == 422, r.status_code
    body = r.content.decode()
    assert f"<strong>{field}</strong>:" in body
    assert 'role="alert"' in body
    assert not AdherenceRecord.objects.exists()
    event = AuditEvent.objects.filter(action="attempted_create").latest("id")
    assert field in event.detail["fields"]


def test_a_page_opened_before_the_plan_changed_is_refused_with_409(signed_in: Any) -> None:
    """The practitioner re-assessed after the page was opened: "done" under the old plan is refused (409, `plan`)
    and the new programme is shown."""
    client, revision = signed_in(example("piriformis-chronic"))
    newer = records.record_intake(revision.created_by, revision.episode, example("l5-stenosis-older"), "re-assessed")
    r = client.post(reverse(DONE), done_post(revision))
    assert r.status_code == 409
    assert "changed by your practitioner" in r.content.decode()
    assert f'name="plan" value="{newer.pk}"' in r.content.decode()
    assert not AdherenceRecord.objects.exists()


def test_the_same_form_sent_twice_is_stored_once(signed_in: Any) -> None:
    """A double tap (the same one-time token twice) stores one record."""
    client, revision = signed_in(example("piriformis-chronic"))
    html = page(client)
    token = re.search(r'name="submission_token" value="([^"]+)"', html)
    assert token is not None
    data = done_post(revision, submission_token=token.group(1))
    first, second = client.post(reverse(DONE), data), client.post(reverse(DONE), data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert AdherenceRecord.objects.count() == 1


def test_done_takes_only_a_post(signed_in: Any) -> None:
    client, _ = signed_in(base_intake())
    assert client.get(reverse(DONE)).status_code == 405


def test_the_whole_session_and_each_exercise_can_be_marked_done(signed_in: Any) -> None:
    client, revision = signed_in(example("piriformis-chronic"))
    exercise = revision.typed.self_care.exercise_details[0].id
    for fields in ({"kind": "session", "item": ""}, {"kind": "exercise", "item": exercise, "felt": "same"}):
        assert client.post(reverse(DONE), done_post(revision, **fields)).status_code == 302
    assert sorted(AdherenceRecord.objects.values_list("kind", "item")) == [("exercise", exercise), ("session", "")]
