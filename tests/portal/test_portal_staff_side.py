"""The clinic's side of the portal: the practitioner sees the diary, adherence and what the diary shows on the
episode page; alerts from the diary on the patient's page, the patient list and the dashboard until handled;
and a patient's account is never listed or treated as staff."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from portal_fixtures import entry

from sciatica_care.clinic.forms import StaffRoleForm
from sciatica_care.clinic.models import AuditEvent, Role
from sciatica_care.portal.models import ClinicAlert, JournalEntry

pytestmark = pytest.mark.django_db


def _diary(patient: Any, account: Any, days: int, *, sitting_effect: float = 0.0, seed: int = 1) -> None:
    """`days` days of diary ending today; on days after more than 6 hours' sitting the leg pain is higher."""
    rng = random.Random(seed)  # noqa: S311 - test data
    today = timezone.localdate()
    sitting = [rng.choice([3, 4, 8, 9]) for _ in range(days)]
    rows = []
    for i in range(days):
        day = today - dt.timedelta(days=days - 1 - i)
        bump = sitting_effect if i and sitting[i - 1] > 6 else 0
        rows.append(JournalEntry(clinic_id=patient.clinic_id, patient=patient, client_id=uuid.uuid4(), date=day,
                                 leg_nrs=max(0, min(10, round(4 + bump + rng.gauss(0, 0.7)))),
                                 sitting_hours=sitting[i], recorded_by=account))
    JournalEntry.objects.bulk_create(rows)


def test_the_episode_page_shows_the_diary_and_what_it_shows(world: dict[str, Any], accounts_ab: dict[str, Any],
                                                            login: Any) -> None:
    """The practitioner sees the last weeks of the diary and the trigger analysis's findings with their
    intervals, in association words; the page's read is audited."""
    a = world["a"]
    _diary(a["patient"], accounts_ab["a"], 60, sitting_effect=3.0)
    r = login(a["practitioner"]).get(reverse("clinic:episode", args=[a["episode"].pk]))
    body = r.content.decode()
    assert "From the patient&#x27;s portal" in body or "From the patient's portal" in body
    assert "Entered on 28 of the last 28 days" in body
    assert 'data-factor="sitting_over_6h"' in body
    assert "On days after you sat more than 6 hours" in body
    assert " to " in body.split('data-factor="sitting_over_6h"')[1][:400]  # the interval
    assert "not proof" in body
    assert "An association is not a cause" in body
    assert AuditEvent.objects.filter(actor=a["practitioner"], action="read", object_type="Episode").exists()


def test_a_short_diary_says_not_enough_data(world: dict[str, Any], accounts_ab: dict[str, Any], login: Any) -> None:
    """Below the journal's minimum of days: "not enough data yet", nothing claimed."""
    a = world["a"]
    _diary(a["patient"], accounts_ab["a"], 5)
    body = login(a["practitioner"]).get(reverse("clinic:episode", args=[a["episode"].pk])).content.decode()
    assert "Not enough data yet" in body
    assert "data-factor=" not in body


def test_reception_never_sees_the_diary(world: dict[str, Any], accounts_ab: dict[str, Any], login: Any) -> None:
    """The diary is clinical: the episode page is refused to reception, and the panel renders nothing for them."""
    from django.template import Context, Template
    from django.test import RequestFactory

    a = world["a"]
    _diary(a["patient"], accounts_ab["a"], 20)
    request = RequestFactory().get("/")
    request.user = a["reception"]
    html = Template("{% load portal_staff %}{% portal_episode_panel episode %}").render(
        Context({"request": request, "episode": a["episode"]}))
    assert "Diary" not in html


def _alert(world: dict[str, Any], accounts_ab: dict[str, Any]) -> ClinicAlert:
    client = Client()
    client.force_login(accounts_ab["a"], backend="sciatica_care.portal.patient_auth.PatientBackend")
    client.post(reverse("portal:diary_api"), json.dumps(entry(alarm_signs=["both_legs"])),
                content_type="application/json")
    return ClinicAlert.objects.get()


@pytest.mark.parametrize("page", ["patient_list", "dashboard"])
def test_an_open_alert_is_on_the_clinics_pages(world: dict[str, Any], accounts_ab: dict[str, Any], login: Any,
                                               page: str) -> None:
    """Until handled, the alert is at the top of the patient list and the dashboard."""
    _alert(world, accounts_ab)
    body = login(world["a"]["clinic_admin"]).get(reverse(f"clinic:{page}")).content.decode()
    assert "reported emergency signs in their diary" in body
    other = login(world["b"]["clinic_admin"]).get(reverse(f"clinic:{page}")).content.decode()
    assert "reported emergency signs" not in other  # another clinic's alert is not shown


def test_the_alert_on_the_patients_page_gives_clinical_detail_to_clinicians_only(
        world: dict[str, Any], accounts_ab: dict[str, Any], login: Any) -> None:
    """A practitioner reads the signs and can mark it handled; reception is told to fetch a practitioner."""
    _alert(world, accounts_ab)
    url = reverse("clinic:patient_detail", args=[world["a"]["patient"].pk])
    prac = login(world["a"]["practitioner"]).get(url).content.decode()
    assert "Sudden symptoms in both legs" in prac  # the red flag's name, never its id
    assert "Mark handled" in prac
    recep = Client()
    recep.force_login(world["a"]["reception"])
    body = recep.get(url).content.decode()
    assert "Tell a practitioner now" in body
    assert "Mark handled" not in body


def test_marking_an_alert_handled_records_what_was_done(world: dict[str, Any], accounts_ab: dict[str, Any],
                                                        login: Any) -> None:
    """The note is kept with who and when, audited; the alert leaves the pages."""
    alert = _alert(world, accounts_ab)
    client = login(world["a"]["practitioner"])
    url = reverse("clinic:portal_alerts_handled", args=[world["a"]["patient"].pk])
    assert client.post(url, {"note": ""}).status_code == 422
    assert client.post(url, {"note": "Phoned: on the way to A&E"}).status_code == 302
    alert.refresh_from_db()
    assert alert.handled_by == world["a"]["practitioner"]
    assert alert.handled_note == "Phoned: on the way to A&E"
    assert AuditEvent.objects.filter(action="clinic_alert_handled").exists()
    assert "reported emergency signs" not in client.get(reverse("clinic:patient_list")).content.decode()


def test_reception_cannot_mark_an_alert_handled(world: dict[str, Any], accounts_ab: dict[str, Any],
                                                login: Any) -> None:
    _alert(world, accounts_ab)
    r = login(world["a"]["reception"]).post(
        reverse("clinic:portal_alerts_handled", args=[world["a"]["patient"].pk]), {"note": "done"})
    assert r.status_code == 403
    assert ClinicAlert.objects.filter(handled_at__isnull=True).count() == 1


# --- a patient's account is never staff ------------------------------------------------------------------------

def test_the_staff_list_never_lists_a_patient_account(world: dict[str, Any], accounts_ab: dict[str, Any],
                                                      login: Any) -> None:
    body = login(world["a"]["clinic_admin"]).get(reverse("clinic:staff_list")).content.decode()
    assert accounts_ab["a"].username not in body
    assert "prac_a" in body


def test_a_patient_account_has_no_staff_page(world: dict[str, Any], accounts_ab: dict[str, Any], login: Any) -> None:
    """The staff administration pages answer 404 for a patient's account."""
    client = login(world["a"]["clinic_admin"])
    pk = accounts_ab["a"].pk
    assert client.get(reverse("clinic:staff_detail", args=[pk])).status_code == 404
    assert client.post(reverse("clinic:staff_deactivate", args=[pk]), {"version": "1"}).status_code == 404


def test_a_patient_account_cannot_join_a_care_team(world: dict[str, Any], accounts_ab: dict[str, Any],
                                                   login: Any) -> None:
    """The care-team form does not offer it, and posting its id assigns nothing."""
    from sciatica_care.clinic.models import CareAssignment

    client = login(world["a"]["clinic_admin"])
    page = client.get(reverse("clinic:patient_detail", args=[world["a"]["patient"].pk])).content.decode()
    assert f'value="{accounts_ab["a"].pk}"' not in page
    client.post(reverse("clinic:care_team", args=[world["a"]["patient"].pk]),
                {"staff": accounts_ab["a"].pk, "action": "add"})
    assert not CareAssignment.objects.filter(staff=accounts_ab["a"]).exists()


def test_no_staff_form_offers_the_patient_role() -> None:
    """The role choices of the staff forms are the staff roles only."""
    from sciatica_care.clinic.forms import InviteStaffForm

    assert Role.PATIENT not in dict(StaffRoleForm().fields["role"].choices)
    assert Role.PATIENT not in dict(InviteStaffForm().fields["role"].choices)


def test_the_audit_log_names_a_patient_account_as_a_patient(world: dict[str, Any], accounts_ab: dict[str, Any],
                                                            login: Any) -> None:
    """What patients do is in the audit log, under "Patient (portal)", never as a member of staff."""
    _alert(world, accounts_ab)
    body = login(world["a"]["clinic_admin"]).get(reverse("clinic:audit_log")).content.decode()
    assert "Patient (portal): " in body


def test_anonymising_the_patient_ends_their_portal_account(world: dict[str, Any], accounts_ab: dict[str, Any]) -> None:
    """The account keeps no name or email and signs in no more; its session no longer opens the portal."""
    from sciatica_care.clinic.anonymise import anonymise
    from sciatica_care.clinic.models import Staff

    a = world["a"]
    client = Client()
    client.force_login(accounts_ab["a"], backend="sciatica_care.portal.patient_auth.PatientBackend")
    patient = a["patient"]
    patient.refresh_from_db()
    anonymise(a["clinic_admin"], patient, patient.version, legal_reason="The patient asked for erasure under GDPR")
    account = Staff.objects.get(pk=accounts_ab["a"].pk)
    assert (account.is_active, account.email, account.first_name) == (False, "", "Anonymised")
    assert account.last_name == patient.pseudonym  # never the name it had
    assert client.get(reverse("portal:home")).status_code == 302
