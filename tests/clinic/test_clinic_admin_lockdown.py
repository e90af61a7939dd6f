"""Django's admin is the deployment superuser's alone: off by default, on an unguessable path when configured, and
no clinic role reaches it. The review's reproduction: a clinic admin made themself a superuser through it."""

from __future__ import annotations

from typing import Any

import pytest

from sciatica_care.clinic.models import Staff

pytestmark = pytest.mark.django_db


def _escalation_form(user: Staff) -> dict[str, str]:
    return {"username": user.username, "first_name": user.first_name, "last_name": "", "email": "",
            "is_active": "on", "is_staff": "on", "is_superuser": "on", "role": user.role,
            "clinic": str(user.clinic_id), "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "10:00:00"}


def test_clinic_admin_cannot_make_themself_superuser_at_the_default_admin_path(world: dict[str, Any],
                                                                                login: Any) -> None:
    """The review's reproduction, as it was done: POST /admin/clinic/staff/<own id>/change/ with is_superuser=on."""
    me = world["a"]["clinic_admin"]
    client = login(me)
    response = client.post(f"/admin/clinic/staff/{me.pk}/change/", _escalation_form(me))
    me.refresh_from_db()
    assert not me.is_superuser
    assert response.status_code == 404


def test_clinic_admin_cannot_make_themself_superuser_at_the_configured_admin_path(
        world: dict[str, Any], login: Any, django_admin_on: str) -> None:
    """With the admin switched on, the same POST is 404, changes nothing and is audited."""
    from sciatica_care.clinic.models import AuditEvent

    me = world["a"]["clinic_admin"]
    response = login(me).post(f"{django_admin_on}clinic/staff/{me.pk}/change/", _escalation_form(me))
    me.refresh_from_db()
    assert not me.is_superuser
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="denied_admin", actor=me)
    assert event.detail["method"] == "POST"
    assert event.clinic_id_at_time == world["a"]["clinic"].pk


def test_clinic_admin_cannot_move_staff_or_patients_to_another_clinic(world: dict[str, Any], login: Any,
                                                                      django_admin_on: str) -> None:
    """The other half of the finding: moving a practitioner or a patient to another clinic through the admin."""
    from sciatica_care.clinic.models import Patient

    a, b = world["a"], world["b"]
    client = login(a["clinic_admin"])
    prac = a["practitioner"]
    form = {**_escalation_form(prac), "is_superuser": "", "is_staff": "", "clinic": str(b["clinic"].pk)}
    for prefix in ("/admin/", django_admin_on):
        assert client.post(f"{prefix}clinic/staff/{prac.pk}/change/", form).status_code == 404
        assert client.post(f"{prefix}clinic/patient/{a['patient'].pk}/change/", {
            "clinic": str(b["clinic"].pk), "first_name": "Ann", "last_name": "Moved",
            "date_of_birth": "1980-05-01"}).status_code == 404
    prac.refresh_from_db()
    assert prac.clinic_id == a["clinic"].pk
    assert Patient.objects.get(pk=a["patient"].pk).clinic_id == a["clinic"].pk


ADMIN_URLS = ["", "login/", "logout/", "password_change/", "jsi18n/", "clinic/", "clinic/staff/",
              "clinic/staff/add/", "clinic/staff/{me}/change/", "clinic/staff/{me}/password/", "clinic/clinic/",
              "clinic/clinic/{clinic}/change/", "clinic/clinic/add/", "clinic/apitoken/", "clinic/auditevent/",
              "clinic/patient/", "auth/group/", "nothing-here/"]


@pytest.mark.parametrize("role", ["clinic_admin", "practitioner", "reception"])
@pytest.mark.parametrize("admin_on", [False, True], ids=["admin-off", "admin-on"])
def test_no_clinic_role_reaches_any_admin_url(world: dict[str, Any], login: Any, role: str, admin_on: bool,
                                              request: pytest.FixtureRequest) -> None:
    """Every admin address, GET and POST, for every clinic role: 404, at /admin/ and at the configured path; with
    the admin on, each attempt is audited."""
    from clinic_fixtures import ADMIN_PATH

    from sciatica_care.clinic.models import AuditEvent

    if admin_on:
        request.getfixturevalue("django_admin_on")
    user = world["a"][role]
    client = login(user)
    for prefix in ("/admin/", f"/{ADMIN_PATH}/"):
        for url in ADMIN_URLS:
            address = prefix + url.format(me=user.pk, clinic=user.clinic_id)
            assert client.get(address).status_code == 404, address
            assert client.post(address, {"is_superuser": "on"}).status_code == 404, address
    user.refresh_from_db()
    assert not user.is_superuser
    denied = AuditEvent.objects.filter(action="denied_admin", actor=user).count()
    assert denied == (2 * len(ADMIN_URLS) if admin_on else 0)


def test_a_clinic_role_cannot_log_in_to_the_admin_and_is_audited(world: dict[str, Any], client: Any,
                                                                  django_admin_on: str) -> None:
    """The right password is not enough: the admin's login refuses every account but a superuser's."""
    from clinic_fixtures import PASSWORD

    from sciatica_care.clinic.models import AuditEvent

    me = world["a"]["clinic_admin"]
    assert me.is_staff  # even with Django's staff flag (as older accounts had it) the admin stays shut
    response = client.post(f"{django_admin_on}login/", {"username": me.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="denied_admin", actor=me, detail__how="login").exists()
    Staff.objects.create_superuser(username="root", password="x-long-password-1")
    response = client.post(f"{django_admin_on}login/", {"username": "root", "password": "x-long-password-1"})
    assert response.status_code == 302
    assert client.get(django_admin_on).status_code == 200


def test_anonymous_visitors_find_no_admin_by_default(client: Any, db: Any) -> None:
    """Off by default: /admin/ is not an address at all (404, not a login page)."""
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


def test_anonymous_visitors_are_sent_to_the_admin_login_when_on(client: Any, django_admin_on: str) -> None:
    response = client.get(f"{django_admin_on}clinic/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{django_admin_on}login/")


def test_superuser_changes_to_a_staff_account_are_audited_old_to_new(world: dict[str, Any], login: Any,
                                                                     django_admin_on: str) -> None:
    """What the deployment's superuser does to a clinic's account reaches that clinic's audit log."""
    from sciatica_care.clinic.models import AuditEvent

    root = Staff.objects.create_superuser(username="root", password="x-long-password-1")
    prac = world["a"]["practitioner"]
    client = login(root)
    assert client.get(f"{django_admin_on}clinic/staff/{prac.pk}/change/").status_code == 200
    form = {**_escalation_form(prac), "is_superuser": "", "is_staff": "", "role": "reception"}
    response = client.post(f"{django_admin_on}clinic/staff/{prac.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    prac.refresh_from_db()
    assert prac.role == "reception"
    event = AuditEvent.objects.get(action="update", object_type="Staff", object_id=prac.pk)
    assert event.actor == root
    assert event.clinic_id_at_time == world["a"]["clinic"].pk
    assert event.detail["changes"]["role"] == {"from": "practitioner", "to": "reception"}
    assert AuditEvent.objects.filter(action="read", object_type="Staff", object_id=prac.pk, actor=root).exists()


@pytest.mark.parametrize("value", ["admin", "secret-admin-path-2026", "aaaaaaaaaaaaaaaaaaaaaaaa",
                                   "abcabcabcabcabcabcabcabc", "short1X", "has/two-segments-q7Zr2xKp9vLw4N",
                                   "sp ace-q7Zr2xKp9vLw4NbT8cY", "djangoQ7Zr2xKp9vLw4NbT8cYh3"])
def test_a_short_or_guessable_admin_path_is_refused(value: str) -> None:
    from sciatica_care.site import config

    with pytest.raises(config.UnsafeSettings, match="SCIATICA_CARE_ADMIN_PATH"):
        config.load({"SCIATICA_CARE_ENV": "development", "SCIATICA_CARE_ADMIN_PATH": value})


def test_admin_path_is_off_by_default_and_taken_when_unguessable() -> None:
    from clinic_fixtures import ADMIN_PATH

    from sciatica_care.site import config

    assert config.load({"SCIATICA_CARE_ENV": "development"}).admin_path is None
    on = config.load({"SCIATICA_CARE_ENV": "development", "SCIATICA_CARE_ADMIN_PATH": f"/{ADMIN_PATH}/"})
    assert on.admin_path == ADMIN_PATH
