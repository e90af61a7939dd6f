"""Staff administration inside the app: invite → set password → log in, role changes, deactivation, the last
active admin, version conflicts, audit with old and new values, and nothing beyond the admin's own clinic."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from sciatica_care.clinic import api_tokens, staff_admin
from sciatica_care.clinic.models import AuditEvent, Role, Staff

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lilac-tractor-harbour-71"  # noqa: S105 - test data


def _invite(client: Client, **overrides: str) -> Any:
    form = {"username": "newcomer", "first_name": "Nia", "last_name": "Lowe", "email": "nia@example.org",
            "role": "practitioner", **overrides}
    return client.post(reverse("clinic:staff_list"), form)


def _link(response: Any) -> str:
    match = re.search(r'<code id="invite-link" class="wrap">([^<]+)</code>', response.content.decode())
    assert match, "no set-password link shown"
    return match.group(1).replace("http://testserver", "")


def test_invite_then_set_password_then_log_in(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    response = _invite(login(a["clinic_admin"]))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    member = Staff.objects.get(username="newcomer")
    assert (member.clinic_id, member.role, member.is_active, member.is_staff, member.is_superuser) == (
        a["clinic"].pk, "practitioner", False, False, False)
    assert not member.has_usable_password()
    link = _link(response)
    assert len(mail.outbox) == 1
    assert link in mail.outbox[0].body
    assert mail.outbox[0].to == ["nia@example.org"]
    assert AuditEvent.objects.filter(action="invite_staff", actor=a["clinic_admin"], object_id=member.pk).exists()
    # Before choosing a password the account cannot log in.
    visitor = Client()
    assert not visitor.login(username="newcomer", password=NEW_PASSWORD)
    form_page = visitor.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Choose your password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = visitor.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("clinic:login")
    member.refresh_from_db()
    assert member.is_active
    assert member.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="accept_invite", actor=member).exists()
    logged_in = visitor.post(reverse("clinic:login"), {"username": "newcomer", "password": NEW_PASSWORD})
    assert logged_in.status_code == 302
    assert visitor.get(reverse("clinic:patient_list")).status_code == 200
    # The link works once.
    again = Client().get(link, follow=True)
    assert "does not work any more" in again.content.decode()


def test_invite_link_dies_when_the_invitation_is_withdrawn(world: dict[str, Any], login: Any) -> None:
    admin = world["a"]["clinic_admin"]
    client = login(admin)
    link = _link(_invite(client))
    member = Staff.objects.get(username="newcomer")
    assert client.post(reverse("clinic:staff_deactivate", args=[member.pk]),
                       {"version": member.version}).status_code == 302
    page = Client().get(link, follow=True)
    assert "does not work any more" in page.content.decode()
    member.refresh_from_db()
    assert not member.is_active
    assert member.deactivated_at is not None


def test_invite_cannot_set_superuser_staff_or_clinic(world: dict[str, Any], login: Any) -> None:
    """Extra fields in the POST are ignored: the account joins the admin's clinic, with no admin rights."""
    _invite(login(world["a"]["clinic_admin"]), is_superuser="on", is_staff="on", clinic=str(world["b"]["clinic"].pk),
            is_active="on")
    member = Staff.objects.get(username="newcomer")
    assert (member.is_superuser, member.is_staff, member.is_active, member.clinic_id) == (
        False, False, False, world["a"]["clinic"].pk)


def test_invite_refuses_a_taken_user_name_and_a_missing_email(world: dict[str, Any], login: Any) -> None:
    client = login(world["a"]["clinic_admin"])
    r = _invite(client, username="PRAC_B")  # another clinic's, in other letters
    assert r.status_code == 422
    assert "That user name is taken" in r.content.decode()
    r = _invite(client, email="")
    assert r.status_code == 422
    assert not Staff.objects.filter(username="newcomer").exists()


def _role(client: Client, member: Staff, role: str, version: int | None = None) -> Any:
    return client.post(reverse("clinic:staff_detail", args=[member.pk]),
                       {"role": role, "version": member.version if version is None else version})


def test_role_change_is_audited_old_to_new(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    prac = a["practitioner"]
    assert _role(login(a["clinic_admin"]), prac, "reception").status_code == 302
    prac.refresh_from_db()
    assert (prac.role, prac.version) == ("reception", 2)
    event = AuditEvent.objects.get(action="update", object_type="Staff", object_id=prac.pk)
    assert event.actor == a["clinic_admin"]
    assert event.detail["changes"] == {"role": {"from": "practitioner", "to": "reception"}}
    assert event.clinic_id_at_time == a["clinic"].pk


def test_two_admins_at_once_get_a_version_conflict(world: dict[str, Any], login: Any, make_staff: Any) -> None:
    a = world["a"]
    prac = a["practitioner"]
    second = Client()
    second.force_login(make_staff(a["clinic"], Role.CLINIC_ADMIN, "admin_a2"))
    assert _role(login(a["clinic_admin"]), prac, "reception", version=1).status_code == 302
    stale = _role(second, prac, "clinic_admin", version=1)
    assert stale.status_code == 409
    assert "Someone else changed this account" in stale.content.decode()
    prac.refresh_from_db()
    assert (prac.role, prac.version) == ("reception", 2)
    assert AuditEvent.objects.filter(action="conflict", object_id=prac.pk).exists()
    stale_off = second.post(reverse("clinic:staff_deactivate", args=[prac.pk]), {"version": "1"})
    assert stale_off.status_code == 409
    prac.refresh_from_db()
    assert prac.is_active


def test_last_active_admin_cannot_demote_or_deactivate_themself(world: dict[str, Any], login: Any,
                                                                make_staff: Any) -> None:
    a = world["a"]
    me = a["clinic_admin"]
    client = login(me)
    r = _role(client, me, "practitioner")
    assert r.status_code == 409
    assert "only active clinic admin" in r.content.decode()
    r = client.post(reverse("clinic:staff_deactivate", args=[me.pk]), {"version": me.version})
    assert r.status_code == 409
    me.refresh_from_db()
    assert (me.role, me.is_active, me.version) == ("clinic_admin", True, 1)
    assert AuditEvent.objects.filter(action="refused_last_admin", actor=me).count() == 2
    # With a second active admin, stepping down is allowed.
    make_staff(a["clinic"], Role.CLINIC_ADMIN, "admin_a2")
    assert _role(client, me, "practitioner").status_code == 302
    me.refresh_from_db()
    assert me.role == "practitioner"


def test_an_inactive_second_admin_does_not_count(world: dict[str, Any], login: Any, make_staff: Any) -> None:
    a = world["a"]
    other = make_staff(a["clinic"], Role.CLINIC_ADMIN, "admin_a2")
    staff_admin.deactivate(a["clinic_admin"], other, other.version)
    me = a["clinic_admin"]
    assert _role(login(me), me, "reception").status_code == 409


def test_deactivation_ends_sessions_and_revokes_tokens(world: dict[str, Any], login: Any) -> None:
    from clinic_fixtures import PASSWORD

    a = world["a"]
    prac = a["practitioner"]
    theirs = Client()
    assert theirs.login(username=prac.username, password=PASSWORD)
    assert theirs.get(reverse("clinic:patient_list")).status_code == 200
    row, token = api_tokens.issue(prac, "laptop")
    r = login(a["clinic_admin"]).post(reverse("clinic:staff_deactivate", args=[prac.pk]), {"version": prac.version})
    assert r.status_code == 302
    assert theirs.get(reverse("clinic:patient_list")).status_code == 302  # sent to log in again
    assert not any(str(s.get_decoded().get("_auth_user_id")) == str(prac.pk) for s in Session.objects.all())
    assert api_tokens.authenticate(token) is None
    row.refresh_from_db()
    assert row.revoked
    assert not theirs.login(username=prac.username, password=PASSWORD)
    event = AuditEvent.objects.get(action="deactivate_staff", object_id=prac.pk)
    assert (event.detail["sessions_ended"], event.detail["tokens_revoked"]) == (1, 1)
    update = AuditEvent.objects.get(action="update", object_type="Staff", object_id=prac.pk)
    assert update.detail["changes"]["is_active"] == {"from": True, "to": False}
    # Reactivated: they log in again with their own password; the old token stays revoked.
    prac.refresh_from_db()
    login(a["clinic_admin"]).post(reverse("clinic:staff_reactivate", args=[prac.pk]), {"version": prac.version})
    prac.refresh_from_db()
    assert prac.is_active
    assert prac.deactivated_at is None
    assert Client().login(username=prac.username, password=PASSWORD)
    assert api_tokens.authenticate(token) is None


def test_staff_pages_show_only_the_admins_clinic(world: dict[str, Any], login: Any) -> None:
    client = login(world["a"]["clinic_admin"])
    body = client.get(reverse("clinic:staff_list")).content.decode()
    assert "prac_a" in body
    assert "prac_b" not in body
    assert "admin_b" not in body
    assert AuditEvent.objects.filter(action="read", object_type="Staff", detail__purpose="staff_list").exists()


def test_header_shows_staff_and_audit_log_to_clinic_admins_only(world: dict[str, Any], login: Any) -> None:
    for role, shown in (("clinic_admin", True), ("practitioner", False), ("reception", False)):
        body = login(world["a"][role]).get(reverse("clinic:patient_list")).content.decode()
        assert (f'href="{reverse("clinic:staff_list")}"' in body) is shown
        assert (f'href="{reverse("clinic:audit_log")}"' in body) is shown


def test_a_new_link_for_a_lost_invitation(world: dict[str, Any], login: Any) -> None:
    client = login(world["a"]["clinic_admin"])
    _invite(client)
    member = Staff.objects.get(username="newcomer")
    r = client.post(reverse("clinic:staff_invite_again", args=[member.pk]))
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    assert len(mail.outbox) == 2
    assert client.post(reverse("clinic:staff_invite_again", args=[world["a"]["practitioner"].pk])).status_code == 409
