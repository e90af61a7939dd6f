"""Signing in to the portal: a one-time email code (hashed, short-lived, a few tries, throttled), or the patient's
password; the optional second factor; invitations that work once and expire. Staff and patients never sign in
through each other's page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sciatica_care.clinic.models import AuditEvent, Patient, Role, Staff
from sciatica_care.portal import accounts, sign_in_codes
from sciatica_care.portal.models import PatientAccount, PortalInvitation, SignInCode

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"  # noqa: S105 - test data (clinic_fixtures.PASSWORD)


def ask_code(client: Client, email: str) -> Any:
    return client.post(reverse("portal:signin"), {"email": email})


def code_in(message: Any) -> str:
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, message.body
    return found.group(1)


def signed_in_as(client: Client) -> Any:
    r = client.get(reverse("portal:home"))
    return r.context["patient"] if r.status_code == 200 else None


def test_sign_in_by_email_code(world: dict[str, Any], accounts_ab: dict[str, Any]) -> None:
    """Email → a 6-digit code by email → signed in to the patient's own portal; each step audited."""
    client = Client()
    email = accounts_ab["a"].email
    r = ask_code(client, email)
    assert r.status_code == 302
    assert r["Location"] == reverse("portal:signin_code")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]
    r = client.post(reverse("portal:signin_code"), {"code": code_in(mail.outbox[0])})
    assert r.status_code == 302
    assert signed_in_as(client) == world["a"]["patient"]
    actions = set(AuditEvent.objects.filter(actor=accounts_ab["a"]).values_list("action", flat=True))
    assert {"portal_code_sent", "login"} <= actions


def test_the_code_is_kept_only_as_a_keyed_digest(accounts_ab: dict[str, Any]) -> None:
    """The database never holds the code itself."""
    ask_code(Client(), accounts_ab["a"].email)
    code = code_in(mail.outbox[0])
    row = SignInCode.objects.get()
    assert code not in row.digest
    assert len(row.digest) == 64


def test_a_code_works_once(accounts_ab: dict[str, Any]) -> None:
    """A spent code does not sign in again."""
    client = Client()
    ask_code(client, accounts_ab["a"].email)
    code = code_in(mail.outbox[0])
    client.post(reverse("portal:signin_code"), {"code": code})
    again = Client()
    ask_code(again, accounts_ab["a"].email)
    mail.outbox.clear()
    assert again.post(reverse("portal:signin_code"), {"code": code}).status_code == 422


def test_a_code_expires(accounts_ab: dict[str, Any], time_machine: Any) -> None:
    """After CODE_MINUTES the code is refused."""
    client = Client()
    ask_code(client, accounts_ab["a"].email)
    code = code_in(mail.outbox[0])
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=sign_in_codes.CODE_MINUTES, seconds=5))
    r = client.post(reverse("portal:signin_code"), {"code": code})
    assert r.status_code == 422
    assert "Code:" in r.content.decode()


def test_a_code_stops_working_after_its_tries(accounts_ab: dict[str, Any]) -> None:
    """CODE_TRIES wrong codes spend the code, even the right one typed afterwards."""
    ask_code(Client(), accounts_ab["a"].email)
    code = code_in(mail.outbox[0])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(sign_in_codes.CODE_TRIES):
        assert sign_in_codes.check_code(accounts_ab["a"].email, wrong) is None
    assert sign_in_codes.check_code(accounts_ab["a"].email, code) is None


def test_wrong_codes_are_throttled(accounts_ab: dict[str, Any]) -> None:
    """django-axes counts wrong codes per email and address: the fifth failure locks (429), and it is audited."""
    client = Client()
    ask_code(client, accounts_ab["a"].email)
    code = code_in(mail.outbox[0])
    statuses = [client.post(reverse("portal:signin_code"), {"code": "999999" if code != "999999" else "888888"},
                            REMOTE_ADDR="10.0.0.7").status_code for _ in range(6)]
    assert statuses == [422] * 4 + [429] * 2
    r = client.post(reverse("portal:signin_code"), {"code": code}, REMOTE_ADDR="10.0.0.7")
    assert r.status_code == 429  # locked: even the right code waits for the cool-off
    assert "Too many failed attempts" in r.content.decode()
    assert AuditEvent.objects.filter(action="login_locked").exists()


def test_asking_a_code_never_says_whether_the_address_has_an_account(accounts_ab: dict[str, Any]) -> None:
    """An unknown address gets the same answer and no email."""
    known, unknown = ask_code(Client(), accounts_ab["a"].email), ask_code(Client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert len(mail.outbox) == 1


def test_codes_are_not_sent_without_limit(accounts_ab: dict[str, Any]) -> None:
    """At most CODES_PER_WINDOW codes a window for one account (no flood of emails)."""
    for _ in range(sign_in_codes.CODES_PER_WINDOW + 2):
        ask_code(Client(), accounts_ab["a"].email)
    assert len(mail.outbox) == sign_in_codes.CODES_PER_WINDOW


def test_sign_in_by_password(world: dict[str, Any], accounts_ab: dict[str, Any]) -> None:
    """Email and the patient's own password."""
    client = Client()
    r = client.post(reverse("portal:signin") + "?with=password",
                    {"email": accounts_ab["a"].email, "password": PASSWORD})
    assert r.status_code == 302
    assert signed_in_as(client) == world["a"]["patient"]


def test_a_wrong_password_is_refused(accounts_ab: dict[str, Any]) -> None:
    r = Client().post(reverse("portal:signin") + "?with=password",
                      {"email": accounts_ab["a"].email, "password": "not it at all 1"})
    assert r.status_code == 422


def test_a_patient_never_signs_in_on_the_staff_login(accounts_ab: dict[str, Any]) -> None:
    """The staff login refuses a patient's account, by user name or email, with the right password."""
    for username in (accounts_ab["a"].username, accounts_ab["a"].email):
        r = Client().post(reverse("clinic:login"), {"username": username, "password": PASSWORD})
        assert r.status_code == 200  # the login form again
        assert "_auth_user_id" not in Client().session


def test_staff_never_sign_in_on_the_portal(world: dict[str, Any]) -> None:
    """A member of staff whose user name looks like an email address is not signed in by the portal."""
    staff = world["a"]["practitioner"]
    Staff.objects.filter(pk=staff.pk).update(username="prac@example.org", email="prac@example.org")
    client = Client()
    r = client.post(reverse("portal:signin") + "?with=password", {"email": "prac@example.org", "password": PASSWORD})
    assert r.status_code == 422
    ask_code(client, "prac@example.org")
    assert not mail.outbox


@pytest.mark.second_factor
def test_a_patients_second_factor_is_asked_before_the_session_starts(world: dict[str, Any],
                                                                      accounts_ab: dict[str, Any]) -> None:
    """With an authenticator set up: the code alone does not sign in; the app's code then does."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sciatica_care.clinic import second_factor

    user = accounts_ab["a"]
    device = second_factor.pending_device(user)
    second_factor.confirm(device)
    client = Client()
    client.post(reverse("portal:signin") + "?with=password", {"email": user.email, "password": PASSWORD})
    assert signed_in_as(client) is None
    device = TOTPDevice.objects.get(user=user)
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    r = client.post(reverse("portal:signin_second_factor"), {"token": token})
    assert r.status_code == 302
    assert signed_in_as(client) == world["a"]["patient"]


@pytest.mark.second_factor
def test_a_clinic_requiring_a_second_factor_does_not_send_patients_to_staff_pages(
        world: dict[str, Any], accounts_ab: dict[str, Any]) -> None:
    """The staff rule "everyone needs a second factor" is for staff: the patient's is their own choice."""
    from sciatica_care.clinic.models import Clinic

    Clinic.objects.filter(pk=world["a"]["clinic"].pk).update(require_second_factor=True)
    client = Client()
    client.post(reverse("portal:signin") + "?with=password", {"email": accounts_ab["a"].email, "password": PASSWORD})
    assert client.get(reverse("portal:home")).status_code == 200


# --- invitations -------------------------------------------------------------------------------------------------

def _token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def test_the_clinic_invites_a_patient_by_email(world: dict[str, Any], login: Any) -> None:
    """The button on the patient's page: an account (inactive), a one-time link by email, audited."""
    patient = world["a"]["patient"]
    Patient.objects.filter(pk=patient.pk).update(email="ann@example.org")
    client = login(world["a"]["reception"])
    page = client.get(reverse("clinic:patient_detail", args=[patient.pk])).content.decode()
    assert "Invite to the portal" in page
    r = client.post(reverse("clinic:portal_invite", args=[patient.pk]))
    assert r.status_code == 302
    account = PatientAccount.objects.get(patient=patient)
    assert not account.user.is_active
    assert account.user.role == Role.PATIENT
    assert account.user.clinic_id == patient.clinic_id
    assert mail.outbox[0].to == ["ann@example.org"]
    assert "/portal/welcome/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="portal_invite", actor=world["a"]["reception"]).exists()


def test_an_invitation_needs_an_email_address(world: dict[str, Any], login: Any) -> None:
    """No email on the record: refused by name (422), nothing made."""
    r = login(world["a"]["practitioner"]).post(reverse("clinic:portal_invite", args=[world["a"]["patient"].pk]))
    assert r.status_code == 422
    assert "email" in r.content.decode()
    assert not PatientAccount.objects.exists()


def test_another_clinic_cannot_invite_the_patient(world: dict[str, Any], login: Any) -> None:
    """Staff of clinic B: 404 for clinic A's patient."""
    Patient.objects.filter(pk=world["a"]["patient"].pk).update(email="ann@example.org")
    r = login(world["b"]["clinic_admin"]).post(reverse("clinic:portal_invite", args=[world["a"]["patient"].pk]))
    assert r.status_code == 404
    assert not PatientAccount.objects.exists()


def test_an_invitation_works_once(world: dict[str, Any]) -> None:
    """Taking up the link activates the account and signs in; the link then says it is no longer valid."""
    patient = world["a"]["patient"]
    Patient.objects.filter(pk=patient.pk).update(email="ann@example.org")
    patient.refresh_from_db()
    invitation = accounts.invite(patient, by=world["a"]["practitioner"])
    client = Client()
    url = reverse("portal:welcome", args=[_token(invitation.link)])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 302
    assert signed_in_as(client) == patient
    assert Client().get(url).status_code == 410


def test_an_invitation_expires(world: dict[str, Any], time_machine: Any) -> None:
    patient = world["a"]["patient"]
    Patient.objects.filter(pk=patient.pk).update(email="ann@example.org")
    patient.refresh_from_db()
    invitation = accounts.invite(patient, by=None)
    time_machine.move_to(timezone.now() + dt.timedelta(days=accounts.INVITE_DAYS, minutes=1))
    assert Client().get(reverse("portal:welcome", args=[_token(invitation.link)])).status_code == 410


def test_a_new_invitation_ends_the_earlier_link(world: dict[str, Any]) -> None:
    patient = world["a"]["patient"]
    Patient.objects.filter(pk=patient.pk).update(email="ann@example.org")
    patient.refresh_from_db()
    first = accounts.invite(patient, by=None)
    accounts.invite(patient, by=None)
    assert Client().get(reverse("portal:welcome", args=[_token(first.link)])).status_code == 410
    assert PortalInvitation.objects.count() == 2


def test_an_invitation_made_by_online_booking_is_audited_for_the_clinic(world: dict[str, Any]) -> None:
    """`invite(patient, by=None)` (online booking): audited with the clinic, no member of staff."""
    patient = world["a"]["patient"]
    Patient.objects.filter(pk=patient.pk).update(email="ann@example.org")
    patient.refresh_from_db()
    accounts.invite(patient, by=None)
    event = AuditEvent.objects.get(action="portal_invite")
    assert event.actor is None
    assert event.clinic_id_at_time == patient.clinic_id
    assert event.detail["via"] == "online_booking"


def test_a_password_chosen_at_welcome_must_be_a_good_one(world: dict[str, Any]) -> None:
    """Django's password rules apply (422 naming the password), and the link is not spent."""
    patient = world["a"]["patient"]
    Patient.objects.filter(pk=patient.pk).update(email="ann@example.org")
    patient.refresh_from_db()
    url = reverse("portal:welcome", args=[_token(accounts.invite(patient, by=None).link)])
    r = Client().post(url, {"password": "123", "password2": "123"})
    assert r.status_code == 422
    assert "Password:" in r.content.decode()
    assert Client().get(url).status_code == 200
