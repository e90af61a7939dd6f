"""Signing in (issue 11): django-axes throttling per normalised username and address, kept where every process
sees it; the real client address from trusted proxies only; the second factor (django-otp); password change and
reset; idle logoff. The review's reproductions are here as tests."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from clinic_fixtures import PASSWORD
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciatica_care.clinic import second_factor, signin
from sciatica_care.clinic.models import AuditEvent, Staff

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor]

HOME = "198.51.100.10"
ELSEWHERE = "203.0.113.99"
PROXY = "10.0.0.5"


def _login(client: Client, username: str, password: str, address: str = HOME, **extra: Any) -> Any:
    return client.post(reverse("clinic:login"), {"username": username, "password": password},
                       REMOTE_ADDR=address, **extra)


def _fail(n: int, username: str = "prac_a", address: str = HOME) -> None:
    for _ in range(n):
        _login(Client(), username, "wrong-password", address)


# Throttling (django-axes)

@pytest.mark.parametrize("variants", [
    ["prac_a ", " prac_a", "PRAC_A", "ｐｒａｃ＿ａ", "Prac_A\t"],
])
def test_username_variants_lock_one_account(world: dict[str, Any], variants: list[str]) -> None:
    """`name `, ` name`, capitals and full-width letters count as one account: five of them lock it."""
    for v in variants:
        _login(Client(), v, "wrong-password")
    r = _login(Client(), "prac_a", PASSWORD)
    assert r.status_code == 429
    assert "Too many failed attempts" in r.content.decode()
    assert AuditEvent.objects.filter(action="login_locked", detail__username="prac_a").count() == 1


def test_each_failure_and_the_lock_are_audited(world: dict[str, Any]) -> None:
    _fail(5)
    _login(Client(), "prac_a", PASSWORD)
    failed = AuditEvent.objects.filter(action="login_failed")
    assert failed.count() == 5
    assert {e.detail["address"] for e in failed} == {HOME}
    assert AuditEvent.objects.filter(action="login_locked", detail__address=HOME).exists()
    assert AuditEvent.objects.filter(action="login_throttled", detail__username="prac_a").exists()


def test_a_restart_keeps_the_lock(world: dict[str, Any]) -> None:
    """The lock lives in the database: clearing every in-process cache (as a restart would) keeps it."""
    from django.conf import settings
    from django.core.cache import caches

    _fail(5)
    for alias, conf in settings.CACHES.items():
        if "LocMem" in conf["BACKEND"]:
            caches[alias].clear()
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.filter(username="prac_a", ip_address=HOME).exists()
    assert _login(Client(), "prac_a", PASSWORD).status_code == 429


def test_a_different_address_still_logs_in(world: dict[str, Any]) -> None:
    """A stranger guessing from elsewhere cannot lock the practitioner out of their own desk."""
    _fail(5, address=ELSEWHERE)
    assert _login(Client(), "prac_a", PASSWORD, HOME).status_code == 302


def test_a_shared_address_does_not_lock_the_whole_clinic(world: dict[str, Any]) -> None:
    """One proxy address in front of the clinic: one name locked there leaves colleagues signing in."""
    _fail(6, username="prac_a")
    assert _login(Client(), "admin_a", PASSWORD).status_code == 302


def test_the_lock_cools_off(world: dict[str, Any]) -> None:
    _fail(5)
    assert _login(Client(), "prac_a", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert _login(Client(), "prac_a", PASSWORD).status_code == 302


def test_django_admin_login_is_throttled_and_audited(world: dict[str, Any], django_admin_on: str) -> None:
    root = Staff.objects.create_superuser("root", "root@example.org", PASSWORD)
    url = f"{django_admin_on}login/"
    for _ in range(5):
        Client().post(url, {"username": "ROOT ", "password": "nope"}, REMOTE_ADDR=HOME)
    r = Client().post(url, {"username": "root", "password": PASSWORD}, REMOTE_ADDR=HOME)
    assert r.status_code == 429
    assert AuditEvent.objects.filter(action="login_failed", detail__path=url).count() == 5
    assert AuditEvent.objects.filter(action="login_locked", detail__username=root.username).exists()


# The real client address

def _request(remote: str, forwarded: str | None = None) -> Any:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(("trusted", "remote", "forwarded", "expected"), [
    ((), "198.51.100.1", "6.6.6.6", "198.51.100.1"),  # no trusted proxy: the header is ignored
    (("10.0.0.0/8",), "198.51.100.1", "6.6.6.6", "198.51.100.1"),  # peer not a trusted proxy: ignored
    (("10.0.0.0/8",), PROXY, "198.51.100.7", "198.51.100.7"),
    (("10.0.0.0/8",), PROXY, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client wrote the first one
    (("10.0.0.0/8",), PROXY, "198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two proxies of ours
    (("10.0.0.0/8",), PROXY, "not-an-address", PROXY),
    (("10.0.0.0/8",), PROXY, None, PROXY),
])
def test_client_address_believes_trusted_proxies_only(settings: Any, trusted: tuple[str, ...], remote: str,
                                                      forwarded: str | None, expected: str) -> None:
    settings.SCIATICA_CARE_TRUSTED_PROXIES = trusted
    assert signin.client_address(_request(remote, forwarded)) == expected


def test_a_forged_forwarded_header_does_not_dodge_the_lock(world: dict[str, Any]) -> None:
    """Without a trusted proxy, changing X-Forwarded-For at each try counts against the one real address."""
    for i in range(5):
        Client().post(reverse("clinic:login"), {"username": "prac_a", "password": "x"}, REMOTE_ADDR=HOME,
                      HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert _login(Client(), "prac_a", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


def test_behind_a_trusted_proxy_each_client_counts_alone(world: dict[str, Any], settings: Any) -> None:
    settings.SCIATICA_CARE_TRUSTED_PROXIES = ("10.0.0.0/8",)
    _fail(5, address=PROXY)  # forwarded by nobody: the proxy's own address
    for _ in range(5):
        _login(Client(), "prac_a", "x", PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert _login(Client(), "prac_a", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=HOME).status_code == 302
    assert AuditEvent.objects.filter(action="login_locked", detail__address=ELSEWHERE).exists()


# Second factor (django-otp)

def code_for(device: TOTPDevice, at: float | None = None) -> str:
    """The authenticator app's current code, computed here from the device's key."""
    import time

    t = int(((at if at is not None else time.time()) - device.t0) // device.step)
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                    drift=0) if at is None else _hotp(device, t)).zfill(device.digits)


def _hotp(device: TOTPDevice, counter: int) -> int:
    from django_otp.oath import hotp

    return int(hotp(device.bin_key, counter, digits=device.digits))


def _enrol(client: Client, user: Staff) -> list[str]:
    r = client.get(reverse("clinic:second_factor_enrol"))
    assert r.status_code == 200
    assert "data:image/svg+xml" in r.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    r = client.post(reverse("clinic:second_factor_enrol"), {"token": code_for(device), "next": "/patients/"})
    assert r.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]+)</code>", r.content.decode())
    assert len(codes) == second_factor.RECOVERY_CODES
    return codes


def test_a_clinic_admin_must_set_up_a_second_factor(world: dict[str, Any]) -> None:
    client = Client()
    assert _login(client, "admin_a", PASSWORD).status_code == 302
    r = client.get(reverse("clinic:patient_list"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("clinic:second_factor_enrol"))
    assert client.get(reverse("clinic:staff_list")).status_code == 302
    _enrol(client, world["a"]["clinic_admin"])
    assert client.get(reverse("clinic:staff_list")).status_code == 200
    assert AuditEvent.objects.filter(action="second_factor_enrolled", actor=world["a"]["clinic_admin"]).exists()


def test_password_then_totp_code_signs_in(world: dict[str, Any]) -> None:
    admin = world["a"]["clinic_admin"]
    first = Client()
    _login(first, "admin_a", PASSWORD)
    _enrol(first, admin)
    device = TOTPDevice.objects.get(user=admin, confirmed=True)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=False):
        client = Client()
        _login(client, "admin_a", PASSWORD)
        r = client.get(reverse("clinic:patient_list"))
        assert r["Location"].startswith(reverse("clinic:second_factor_verify"))
        bad = client.post(reverse("clinic:second_factor_verify"), {"token": "000000"})
        assert bad.status_code == 422
        assert AuditEvent.objects.filter(action="second_factor_failed", actor=admin).exists()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4), tick=False):  # past the failure's delay
        r = client.post(reverse("clinic:second_factor_verify"), {"token": code_for(device), "next": "/staff/"})
        assert r.status_code == 302
        assert r["Location"] == "/staff/"
        assert client.get(reverse("clinic:staff_list")).status_code == 200
    assert AuditEvent.objects.filter(action="second_factor_verified", actor=admin, detail__device="totp").exists()


def test_a_recovery_code_works_once(world: dict[str, Any]) -> None:
    admin = world["a"]["clinic_admin"]
    codes = _enrol(_logged_in(admin), admin)
    client = _logged_in(admin)
    assert client.post(reverse("clinic:second_factor_verify"), {"token": codes[0]}).status_code == 302
    assert StaticToken.objects.filter(device__user=admin).count() == second_factor.RECOVERY_CODES - 1
    again = _logged_in(admin)
    assert again.post(reverse("clinic:second_factor_verify"), {"token": codes[0]}).status_code == 422


def _logged_in(user: Staff) -> Client:
    client = Client()
    assert _login(client, user.username, PASSWORD).status_code == 302
    return client


def test_a_practitioner_needs_none_unless_the_clinic_requires_it(world: dict[str, Any]) -> None:
    a = world["a"]
    assert _logged_in(a["practitioner"]).get(reverse("clinic:patient_list")).status_code == 200
    clinic = a["clinic"]
    clinic.require_second_factor = True
    clinic.save()
    r = _logged_in(a["practitioner"]).get(reverse("clinic:patient_list"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("clinic:second_factor_enrol"))
    assert _logged_in(world["b"]["practitioner"]).get(reverse("clinic:patient_list")).status_code == 200


def test_the_admin_resets_a_colleagues_second_factor(world: dict[str, Any], settings: Any) -> None:
    a = world["a"]
    prac = a["practitioner"]
    their = _logged_in(prac)
    _enrol(their, prac)
    settings.SCIATICA_CARE_SECOND_FACTOR = False  # the admin's own step is tested above
    admin = Client()
    admin.force_login(a["clinic_admin"])
    url = reverse("clinic:staff_second_factor_reset", args=[prac.pk])
    prac.refresh_from_db()
    assert admin.post(url, {"version": str(prac.version - 1)}).status_code == 409  # stale: refused
    assert TOTPDevice.objects.filter(user=prac).exists()
    assert admin.post(url, {"version": str(prac.version)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=prac).exists()
    assert not StaticToken.objects.filter(device__user=prac).exists()
    event = AuditEvent.objects.get(action="reset_second_factor")
    assert event.actor == a["clinic_admin"]
    assert event.object_id == prac.pk
    assert event.detail["sessions_ended"] >= 1
    assert their.get(reverse("clinic:patient_list")).status_code == 302  # logged out


def test_second_factor_reset_is_for_the_clinic_admin_of_the_same_clinic(world: dict[str, Any],
                                                                        settings: Any) -> None:
    settings.SCIATICA_CARE_SECOND_FACTOR = False
    a, b = world["a"], world["b"]
    url = reverse("clinic:staff_second_factor_reset", args=[a["practitioner"].pk])
    for who, status in ((a["practitioner"], 403), (a["reception"], 403), (b["clinic_admin"], 404)):
        client = Client()
        client.force_login(who)
        assert client.post(url, {"version": "1"}).status_code == status
    assert client.post(url).status_code == 404
    assert Client().post(url, {"version": "1"}).status_code == 302  # anonymous: to the login page


# Password change and reset (Django's views)

def test_password_change_is_audited(world: dict[str, Any]) -> None:
    client = _logged_in(world["a"]["practitioner"])
    r = client.post(reverse("clinic:password_change"), {"old_password": PASSWORD, "new_password1": "a-new-long-pw-77",
                                                         "new_password2": "a-new-long-pw-77"})
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="password_changed", actor=world["a"]["practitioner"]).exists()
    assert _login(Client(), "prac_a", "a-new-long-pw-77").status_code == 302


def test_password_reset_does_not_reveal_accounts_and_works(world: dict[str, Any]) -> None:
    prac = world["a"]["practitioner"]
    prac.email = "prac@example.org"
    prac.save()
    url = reverse("clinic:password_reset")
    known = Client().post(url, {"email": "prac@example.org"})
    unknown = Client().post(url, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["prac@example.org"]
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    client = Client()
    r = client.get(link, follow=True)
    assert r.status_code == 200
    r = client.post(r.redirect_chain[-1][0], {"new_password1": "another-long-pw-88",
                                              "new_password2": "another-long-pw-88"})
    assert r.status_code == 302
    assert _login(Client(), "prac_a", "another-long-pw-88").status_code == 302
    assert AuditEvent.objects.filter(action="password_reset", actor=prac).exists()
    assert AuditEvent.objects.filter(action="password_reset_requested").count() == 2


# Idle logoff

def test_an_idle_session_is_logged_off(world: dict[str, Any]) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = _logged_in(world["a"]["practitioner"])
        assert client.get(reverse("clinic:patient_list")).status_code == 200
        clock.shift(dt.timedelta(minutes=14))
        assert client.get(reverse("clinic:patient_list")).status_code == 200  # activity restarts the clock
        clock.shift(dt.timedelta(minutes=14))
        assert client.get(reverse("clinic:patient_list")).status_code == 200
        clock.shift(dt.timedelta(minutes=16))
        r = client.get(reverse("clinic:patient_list"))
        assert r.status_code == 302
        assert r["Location"] == reverse("clinic:login")
        assert client.get(reverse("clinic:patient_list"))["Location"].startswith(reverse("clinic:login"))
    event = AuditEvent.objects.get(action="idle_logoff")
    assert event.actor == world["a"]["practitioner"]
    assert event.detail["limit_seconds"] == 15 * 60


def test_idle_minutes_is_the_clinics_setting(world: dict[str, Any]) -> None:
    clinic = world["a"]["clinic"]
    clinic.idle_minutes = 60
    clinic.save()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = _logged_in(world["a"]["practitioner"])
        client.get(reverse("clinic:patient_list"))
        clock.shift(dt.timedelta(minutes=45))
        assert client.get(reverse("clinic:patient_list")).status_code == 200
