"""The diary: validated by the journal's own rules with every problem named by its field, stored once per entry
(a replay from the offline queue returns the stored entry), and emergency signs alert the clinic."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from portal_fixtures import days_ago, entry

from sciatica_care.clinic.clinical import ALARM_IDS, diary_alarm
from sciatica_care.clinic.models import AuditEvent
from sciatica_care.portal import alerts
from sciatica_care.portal.models import ClinicAlert, JournalEntry

pytestmark = pytest.mark.django_db

API = "portal:diary_api"


def send(client: Client, doc: Any) -> Any:
    return client.post(reverse(API), json.dumps(doc), content_type="application/json")


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what waits for the commit (the clinic's alert email) as each request's transaction would."""
    def post(client: Client, doc: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return send(client, doc)

    return post


def test_an_entry_is_stored_with_every_field(patient_client: Client, world: dict[str, Any]) -> None:
    """201 with the stored entry; the row holds what was sent, names normalised as the journal does."""
    doc = entry(activities=["Long  Drive", "desk work"], medications=["Ibuprofen"], flare_up=True,
                flare_trigger="lifting the shopping", sleep_quality=3)
    r = send(patient_client, doc)
    assert r.status_code == 201
    assert r.json()["entry"]["client_id"] == doc["client_id"]
    row = JournalEntry.objects.get(client_id=doc["client_id"])
    assert (row.patient, row.leg_nrs, row.sitting_hours, row.sleep_quality) == (world["a"]["patient"], 5, 7.0, 3)
    assert row.activities == ["long drive", "desk work"]
    assert row.medications == ["ibuprofen"]
    assert row.flare_up
    assert row.flare_trigger == "lifting the shopping"


def test_the_entry_is_audited_with_the_patients_account_as_actor(patient_client: Client,
                                                                accounts_ab: dict[str, Any]) -> None:
    """Everything a patient does is audited like a staff action."""
    send(patient_client, entry())
    event = AuditEvent.objects.filter(action="create", object_type="JournalEntry").get()
    assert event.actor == accounts_ab["a"]
    assert event.patient_id == accounts_ab["a"].patient_account.patient_id


def test_a_replayed_entry_is_stored_once(patient_client: Client) -> None:
    """The same entry sent three times (offline queue, lost answer): 201, then 200 with the same entry, one row."""
    doc = entry()
    first = send(patient_client, doc)
    again = [send(patient_client, doc) for _ in range(2)]
    assert first.status_code == 201
    assert [r.status_code for r in again] == [200, 200]
    assert all(r.json()["entry"] == first.json()["entry"] for r in again)
    assert JournalEntry.objects.filter(client_id=doc["client_id"]).count() == 1


def test_a_replay_with_changed_values_changes_nothing(patient_client: Client) -> None:
    """A replay is recognised by its id alone: the stored entry stands."""
    doc = entry(leg_nrs=4)
    send(patient_client, doc)
    r = send(patient_client, {**doc, "leg_nrs": 9})
    assert r.status_code == 200
    assert r.json()["entry"]["leg_nrs"] == 4


def test_another_patients_entry_id_is_refused(client: Client, accounts_ab: dict[str, Any]) -> None:
    """An id already used by another patient's entry is refused by name (and reveals nothing of it)."""
    doc = entry()
    a, b = Client(), Client()
    a.force_login(accounts_ab["a"], backend="sciatica_care.portal.patient_auth.PatientBackend")
    b.force_login(accounts_ab["b"], backend="sciatica_care.portal.patient_auth.PatientBackend")
    assert send(a, doc).status_code == 201
    r = send(b, doc)
    assert r.status_code == 422
    assert [e["path"] for e in r.json()["errors"]] == ["client_id"]


def test_a_day_entered_twice_counts_its_latest_entry(patient_client: Client, world: dict[str, Any]) -> None:
    """Two entries for one date (a correction): both kept, the latest is the day's."""
    from sciatica_care.portal import journal_store

    send(patient_client, entry(leg_nrs=7))
    send(patient_client, entry(leg_nrs=3))
    days = journal_store.days(world["a"]["patient"])
    assert [d.leg_nrs for d in days] == [3]


@pytest.mark.parametrize(("changes", "path"), [
    ({"leg_nrs": 11}, "leg_nrs"),
    ({"leg_nrs": "seven"}, "leg_nrs"),
    ({"leg_nrs": None}, "leg_nrs"),
    ({"back_nrs": -1}, "back_nrs"),
    ({"sleep_hours": 25}, "sleep_hours"),
    ({"sleep_quality": 2.5}, "sleep_quality"),
    ({"sitting_hours": "lots"}, "sitting_hours"),
    ({"walking_minutes": 2000}, "walking_minutes"),
    ({"stress": True}, "stress"),
    ({"activities": "driving"}, "activities"),
    ({"activities": ["ok", 3]}, "activities[1]"),
    ({"medications": ["x" * 81]}, "medications[0]"),
    ({"date": "2024-02-30"}, "date"),
    ({"date": "yesterday"}, "date"),
    ({"client_id": "not-a-uuid"}, "client_id"),
    ({"client_id": None}, "client_id"),
    ({"flare_up": "yes"}, "flare_up"),
    ({"flare_trigger": "a\x00b"}, "flare_trigger"),
    ({"flare_trigger": "x" * 201}, "flare_trigger"),
    ({"alarm_signs": ["headache"]}, "alarm_signs[0]"),
    ({"alarm_signs": "bladder_bowel"}, "alarm_signs"),
    ({"made_at": "noon"}, "made_at"),
    ({"mood": 3}, "mood"),
])
def test_a_refused_entry_names_the_field(patient_client: Client, changes: dict[str, Any], path: str) -> None:
    """422 with the field's path and a message; nothing stored."""
    doc = entry(**changes)
    if changes.get("leg_nrs", 0) is None:
        del doc["leg_nrs"]
    r = send(patient_client, doc)
    assert r.status_code == 422, r.content
    assert path in [e["path"] for e in r.json()["errors"]]
    assert all(e["message"] for e in r.json()["errors"])
    assert not JournalEntry.objects.exists()


def test_a_missing_leg_pain_is_required_by_name(patient_client: Client) -> None:
    """Leg pain is the one score the day needs."""
    doc = entry()
    del doc["leg_nrs"]
    r = send(patient_client, doc)
    assert r.json()["errors"] == [{"path": "leg_nrs", "message": "is required"}]


@pytest.mark.parametrize(("date", "ok"), [(days_ago(0), True), (days_ago(14), True), (days_ago(15), False),
                                          (days_ago(-1), True), (days_ago(-2), False)])
def test_the_day_is_today_or_one_of_the_last_two_weeks(patient_client: Client, date: str, ok: bool) -> None:
    """An offline entry may arrive days later; a day far back or in the future is refused by name."""
    r = send(patient_client, entry(date=date))
    assert (r.status_code == 201) is ok
    if not ok:
        assert [e["path"] for e in r.json()["errors"]] == ["date"]


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_a_body_that_is_no_entry_is_a_clear_4xx(patient_client: Client, body: bytes) -> None:
    """Never a 5xx: a body that is not an entry object is refused in words."""
    r = patient_client.post(reverse(API), body, content_type="application/json")
    assert r.status_code in (400, 422)
    assert r.json()["errors"][0]["message"]


def test_the_plain_form_stores_an_entry_without_script(patient_client: Client) -> None:
    """Without script the page's form is posted: the same rules, the same store."""
    doc = entry()
    r = patient_client.post(reverse("portal:diary"), {
        "client_id": doc["client_id"], "date": doc["date"], "leg_nrs": "6", "sleep_hours": "7.5",
        "activities": ["driving", "gardening"], "activities_other": "cycling, swimming", "medications_other": ""})
    assert r.status_code == 201
    row = JournalEntry.objects.get()
    assert (row.leg_nrs, row.sleep_hours, row.activities) == (6, 7.5, ["driving", "gardening", "cycling", "swimming"])


def test_the_plain_form_names_the_refused_field(patient_client: Client) -> None:
    """A refused form is shown again (422) with the problem beside its field."""
    r = patient_client.post(reverse("portal:diary"), {"client_id": entry()["client_id"], "date": days_ago(0),
                                                      "leg_nrs": "²", "sitting_hours": "lots"})
    body = r.content.decode()
    assert r.status_code == 422
    assert "leg_nrs:" in body
    assert "sitting_hours:" in body
    assert not JournalEntry.objects.exists()


# --- emergency signs ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sign", ALARM_IDS)
def test_an_emergency_sign_alerts_the_clinic(patient_client: Client, world: dict[str, Any],
                                             staff_emails: dict[str, str], sign: str, committed: Any) -> None:
    """H-portal: a reported cauda equina sign makes an alert staff see, emails the clinic's practitioners and
    admins, is audited, and the answer tells the patient to go to an emergency department now."""
    r = committed(patient_client, entry(alarm_signs=[sign]))
    assert r.status_code == 201
    alarm = r.json()["alarm"]
    assert alarm["headline"] == diary_alarm([sign]).headline  # the triage knowledge's own words for "now"
    assert "emergency department" in alarm["headline"].lower()
    assert alarm["clinic_alerted"] is True
    alert = ClinicAlert.objects.get()
    assert alert.patient == world["a"]["patient"]
    assert alert.handled_at is None
    assert alert.signs == list(diary_alarm([sign]).flags)
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([staff_emails["practitioner"], staff_emails["clinic_admin"]])
    assert world["a"]["patient"].last_name not in mail.outbox[0].subject + mail.outbox[0].body
    assert "URGENT" in mail.outbox[0].subject
    assert AuditEvent.objects.filter(action="clinic_alert_raised", patient_id=world["a"]["patient"].pk).exists()


def test_an_entry_without_emergency_signs_alerts_no_one(patient_client: Client) -> None:
    """No sign ticked: no alert, no email."""
    r = send(patient_client, entry())
    assert r.json()["alarm"] is None
    assert not ClinicAlert.objects.exists()
    assert not mail.outbox


def test_a_replayed_emergency_entry_alerts_once(patient_client: Client, staff_emails: dict[str, str],
                                                committed: Any) -> None:
    """The offline queue sending the same entry again makes no second alert (the answer still says go now)."""
    doc = entry(alarm_signs=["both_legs"])
    committed(patient_client, doc)
    r = committed(patient_client, doc)
    assert r.status_code == 200
    assert r.json()["alarm"]["headline"]
    assert ClinicAlert.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_page_says_go_to_an_emergency_department(patient_client: Client) -> None:
    """Without script, the saved page leads with the emergency advice and says the clinic was told."""
    r = patient_client.post(reverse("portal:diary"), {"client_id": entry()["client_id"], "date": days_ago(0),
                                                      "leg_nrs": "6", "alarm_signs": ["saddle_numbness"]})
    body = r.content.decode()
    assert r.status_code == 201
    assert diary_alarm(["saddle_numbness"]).headline in body
    assert diary_alarm(["saddle_numbness"]).signs[0][1] in body
    assert "We have told your clinic." in body


def test_the_alert_is_kept_when_the_email_fails(patient_client: Client, staff_emails: dict[str, str],
                                               monkeypatch: Any, committed: Any) -> None:
    """The clinic's mail server failing does not lose the alert: it stays for staff, and the failure is audited."""
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("mail server down")

    monkeypatch.setattr(alerts, "send_mail", broken)
    r = committed(patient_client, entry(alarm_signs=["bladder_bowel"]))
    assert r.status_code == 201
    assert ClinicAlert.objects.filter(handled_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="clinic_alert_email_failed").exists()


def test_every_alarm_question_reports_emergency_flags_of_the_knowledge() -> None:
    """Each diary question maps to triage flags that exist and are "now" (emergency department within hours)."""
    from sciatica_care.clinic.clinical import ALARM_QUESTIONS, red_flags

    flags = {f.id: f for f in red_flags()}
    for question in ALARM_QUESTIONS:
        assert question.flags
        for flag in question.flags:
            assert flags[flag].see_within == "now", flag
