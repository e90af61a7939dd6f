"""The clinic's settings page (name and outcome settings): clinic admins edit their own clinic only, practitioners
read, reception is refused; reads and changes audited (old → new); two admins saving at once get a conflict and
nothing is lost; bad input is named, never a 500. Django admin's clinic page is the deployment superuser's only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sciatica_care.clinic import questionnaires
from sciatica_care.clinic.models import AuditEvent, Clinic, Role

pytestmark = pytest.mark.django_db

URL = "/settings/"


def _form(clinic: Clinic, **changes: Any) -> dict[str, Any]:
    data = {
        "name": clinic.name,
        "disability_instrument": clinic.disability_instrument,
        "questionnaire_every_n_visits": str(clinic.questionnaire_every_n_visits),
        "version": str(clinic.version),
    }
    if clinic.payer_rule_warning:
        data["payer_rule_warning"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_page_is_at_settings() -> None:
    assert reverse("clinic:clinic_settings") == URL


def test_clinic_admin_changes_settings_audited_old_to_new(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    clinic = a["clinic"]
    client = login(a["clinic_admin"])
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    for words in (
        "Clinic settings",
        "Disability questionnaire",
        "Oswestry Disability Index",
        "Roland-Morris",
        "every Nth session",
        "US Medicare",
        "Save settings",
    ):
        assert words in body
    read = AuditEvent.objects.get(action="read", object_type="Clinic")
    assert (read.actor, read.object_id, read.detail["purpose"]) == (a["clinic_admin"], clinic.pk, "settings")
    r = client.post(
        URL,
        _form(
            clinic,
            name="Riverside Clinic",
            disability_instrument="rmdq",
            questionnaire_every_n_visits="6",
            payer_rule_warning="on",
        ),
    )
    assert r.status_code == 302
    assert r["Location"] == URL
    clinic.refresh_from_db()
    assert (
        clinic.name,
        clinic.disability_instrument,
        clinic.questionnaire_every_n_visits,
        clinic.payer_rule_warning,
        clinic.version,
    ) == ("Riverside Clinic", "rmdq", 6, True, 2)
    event = AuditEvent.objects.get(action="update", object_type="Clinic")
    assert event.actor == a["clinic_admin"]
    assert event.clinic_id_at_time == clinic.pk
    assert event.detail["changes"] == {
        "name": {"from": "Clinic A", "to": "Riverside Clinic"},
        "disability_instrument": {"from": "odi", "to": "rmdq"},
        "questionnaire_every_n_visits": {"from": 4, "to": 6},
        "payer_rule_warning": {"from": False, "to": True},
    }
    assert "Clinic settings saved" in client.get(URL).content.decode()


def test_saving_unchanged_settings_writes_nothing(world: dict[str, Any], login: Any) -> None:
    clinic = world["a"]["clinic"]
    assert login(world["a"]["clinic_admin"]).post(URL, _form(clinic)).status_code == 302
    clinic.refresh_from_db()
    assert clinic.version == 1
    assert not AuditEvent.objects.filter(action="update", object_type="Clinic").exists()


def test_the_settings_change_what_the_charting_form_asks(world: dict[str, Any], login: Any) -> None:
    """RMDQ every 2 sessions: the second session's form asks the RMDQ (the fixture has charted one session)."""
    a = world["a"]
    clinic = a["clinic"]
    login(a["clinic_admin"]).post(URL, _form(clinic, disability_instrument="rmdq", questionnaire_every_n_visits="2"))
    clinic.refresh_from_db()
    assert [d.measure for d in questionnaires.due_for(clinic, 2)] == ["nrs_leg", "nrs_back", "rmdq", "sbi"]
    form = login(a["practitioner"]).get(reverse("clinic:visit_new", args=[a["episode"].pk])).content.decode()
    assert 'name="rmdq_0"' in form
    assert 'name="odi_0"' not in form


def test_practitioner_sees_the_settings_read_only(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    client = login(a["practitioner"])
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Only the clinic admin can change them" in body
    assert "Oswestry Disability Index" in body
    assert "every 4 sessions" in body
    assert '<form method="post" class="card clinic-settings"' not in body
    assert "Save settings" not in body
    assert AuditEvent.objects.filter(action="read", object_type="Clinic", actor=a["practitioner"]).exists()
    r = client.post(URL, _form(a["clinic"], name="Taken over"))
    assert r.status_code == 403
    a["clinic"].refresh_from_db()
    assert a["clinic"].name == "Clinic A"
    assert AuditEvent.objects.filter(action="denied_role", actor=a["practitioner"], object_type="Clinic").exists()


def test_reception_is_refused_and_audited(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    client = login(a["reception"])
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form(a["clinic"], name="Taken over")).status_code == 403
    a["clinic"].refresh_from_db()
    assert a["clinic"].name == "Clinic A"
    assert AuditEvent.objects.filter(action="denied_role", actor=a["reception"], object_type="Clinic").count() == 2


def test_staff_without_a_clinic_get_404(db: Any, make_staff: Any, client: Client) -> None:
    from sciatica_care.clinic.models import Staff

    loose = Staff.objects.create_user(username="loose", password="x-long-password-1", role=Role.CLINIC_ADMIN)
    client.force_login(loose)
    assert client.get(URL).status_code == 404


def test_two_admins_saving_at_once_get_a_conflict_and_nothing_is_lost(world: dict[str, Any], make_staff: Any) -> None:
    a = world["a"]
    clinic = a["clinic"]
    first, second = Client(), Client()
    first.force_login(a["clinic_admin"])
    second.force_login(make_staff(clinic, Role.CLINIC_ADMIN, "admin_a2"))
    stale = _form(clinic)  # both opened the page at version 1
    assert first.post(URL, {**stale, "questionnaire_every_n_visits": "2"}).status_code == 302
    r = second.post(URL, {**stale, "disability_instrument": "rmdq"})
    assert r.status_code == 409
    body = r.content.decode()
    assert "Someone else saved the clinic" in body
    assert "were <em>not</em> saved" in body
    assert "every 2 sessions" in body  # what the first admin saved is shown
    assert re.search(r'<option value="rmdq" selected>', body)  # the second admin's choice is still in the form
    assert re.search(r'name="version" value="2"', body)  # saving again, having seen theirs, is deliberate
    clinic.refresh_from_db()
    assert (clinic.questionnaire_every_n_visits, clinic.disability_instrument, clinic.version) == (2, "odi", 2)
    assert AuditEvent.objects.filter(
        action="conflict", object_type="Clinic", detail__expected=1, detail__current=2
    ).exists()
    again = second.post(
        URL, {**stale, "questionnaire_every_n_visits": "2", "disability_instrument": "rmdq", "version": "2"}
    )
    assert again.status_code == 302
    clinic.refresh_from_db()
    assert (clinic.questionnaire_every_n_visits, clinic.disability_instrument, clinic.version) == (2, "rmdq", 3)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("questionnaire_every_n_visits", "0", "at least 1"),
        ("questionnaire_every_n_visits", "13", "at most 12"),
        ("questionnaire_every_n_visits", "-3", "at least 1"),
        ("questionnaire_every_n_visits", "four", "whole number from 1 to 12"),
        ("questionnaire_every_n_visits", "", "Say every how many sessions"),
        ("questionnaire_every_n_visits", "99999999999999999999", "at most 12"),
        ("name", "", "The clinic needs a name"),
        ("name", "   ", "The clinic needs a name"),
        ("name", "x" * 201, "at most 200 characters"),
        ("disability_instrument", "sf36", "Select a valid choice"),
        ("version", "", "The form has no version number"),
        ("version", "abc", "The version number in the form is not a number"),
    ],
)
def test_bad_input_is_named_and_nothing_changes(
    world: dict[str, Any], login: Any, field: str, value: str, message: str
) -> None:
    clinic = world["a"]["clinic"]
    r = login(world["a"]["clinic_admin"]).post(URL, _form(clinic, **{field: value, "payer_rule_warning": "on"}))
    assert r.status_code == 422
    body = r.content.decode()
    assert message in body
    if field != "version":
        assert f'id="setting-{field}"' in body
        assert re.search(rf'<div class="field has-error" id="setting-{field}">', body)
    clinic.refresh_from_db()
    assert (clinic.name, clinic.version, clinic.payer_rule_warning) == ("Clinic A", 1, False)


def test_the_settings_never_show_or_touch_another_clinic(world: dict[str, Any], login: Any) -> None:
    """Whatever is posted (another clinic's id included), the page is the user's own clinic."""
    b = world["b"]["clinic"]
    client = login(world["a"]["clinic_admin"])
    assert "Clinic B" not in client.get(URL).content.decode()
    r = client.post(
        URL, {**_form(world["a"]["clinic"], name="Renamed A"), "clinic": str(b.pk), "id": str(b.pk), "pk": str(b.pk)}
    )
    assert r.status_code == 302
    b.refresh_from_db()
    assert (b.name, b.version) == ("Clinic B", 1)
    assert Clinic.objects.get(pk=world["a"]["clinic"].pk).name == "Renamed A"


# The Django admin's clinic page: the deployment's superuser only (clinic admins use the settings page)


def _admin_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_django_admin_clinic_pages_are_404_for_every_clinic_role(world: dict[str, Any], django_admin_on: str) -> None:
    a, b = world["a"]["clinic"], world["b"]["clinic"]
    for role in ("clinic_admin", "practitioner", "reception"):
        client = _admin_client(world["a"][role])
        for url in ("clinic/clinic/", f"clinic/clinic/{a.pk}/change/", "clinic/clinic/add/"):
            assert client.get(django_admin_on + url).status_code == 404
        form = {"name": "Taken over", "disability_instrument": "odi", "questionnaire_every_n_visits": "4",
                "version": "1"}
        assert client.post(f"{django_admin_on}clinic/clinic/{b.pk}/change/", form).status_code == 404
    assert {c.name for c in Clinic.objects.all()} == {"Clinic A", "Clinic B"}


def test_django_admin_edit_is_version_checked_and_audited(world: dict[str, Any], django_admin_on: str) -> None:
    from sciatica_care.clinic.models import Staff

    a = world["a"]["clinic"]
    client = _admin_client(Staff.objects.create_superuser(username="root", password="x-long-password-1"))
    url = f"{django_admin_on}clinic/clinic/{a.pk}/change/"
    form = {"name": "Clinic A", "disability_instrument": "rmdq", "questionnaire_every_n_visits": "3", "version": "1"}
    assert client.post(url, form).status_code == 302
    a.refresh_from_db()
    assert (a.disability_instrument, a.questionnaire_every_n_visits, a.version) == ("rmdq", 3, 2)
    event = AuditEvent.objects.get(action="update", object_type="Clinic")
    assert event.detail["changes"]["disability_instrument"] == {"from": "odi", "to": "rmdq"}
    assert event.clinic_id_at_time == a.pk  # the clinic's own admin sees it in their audit log
    stale = client.post(url, {**form, "questionnaire_every_n_visits": "5"})  # still at version 1
    assert stale.status_code == 200
    assert "Someone else saved this clinic" in stale.content.decode()
    a.refresh_from_db()
    assert (a.questionnaire_every_n_visits, a.version) == (3, 2)
    bad = client.post(url, {**form, "version": "2", "questionnaire_every_n_visits": "40"})
    assert bad.status_code == 200
    assert "less than or equal to 12" in bad.content.decode()


def test_superuser_sees_and_adds_clinics(world: dict[str, Any], django_admin_on: str) -> None:
    from sciatica_care.clinic.models import Staff

    root = Staff.objects.create_superuser(username="root", password="x-long-password-1")
    client = _admin_client(root)
    body = client.get(f"{django_admin_on}clinic/clinic/").content.decode()
    assert "Clinic A" in body
    assert "Clinic B" in body
    r = client.post(
        f"{django_admin_on}clinic/clinic/add/",
        {"name": "Clinic C", "disability_instrument": "odi", "questionnaire_every_n_visits": "4"},
    )
    assert r.status_code == 302
    new = Clinic.objects.get(name="Clinic C")
    assert new.version == 1
    assert AuditEvent.objects.filter(action="create", object_type="Clinic", object_id=new.pk).exists()
    b = world["b"]["clinic"]
    assert (
        client.post(
            f"{django_admin_on}clinic/clinic/{b.pk}/change/",
            {"name": "Clinic B2", "disability_instrument": "odi", "questionnaire_every_n_visits": "4", "version": "1"},
        ).status_code
        == 302
    )
    b.refresh_from_db()
    assert (b.name, b.version) == ("Clinic B2", 2)
    assert AuditEvent.objects.get(action="update", object_type="Clinic").clinic_id_at_time == b.pk


def test_clinic_admin_sets_the_longest_token_life(world: dict[str, Any], login: Any) -> None:
    """The clinic's ceiling on API token life is a setting: changed on the page, version-checked and audited,
    and refused outside 1 to 3650 days with the field named."""
    a = world["a"]
    clinic = a["clinic"]
    client = login(a["clinic_admin"])
    assert "Longest life of an API token" in client.get(URL).content.decode()
    r = client.post(URL, _form(clinic, api_token_max_days="0"))
    assert r.status_code == 422
    assert "api_token_max_days" in r.content.decode()
    r = client.post(URL, _form(clinic, api_token_max_days="30"))
    assert r.status_code == 302
    clinic.refresh_from_db()
    assert clinic.api_token_max_days == 30
    event = AuditEvent.objects.filter(action="update", object_type="Clinic").latest("id")
    assert "api_token_max_days" in str(event.detail)
