"""The second factor (django-otp): a TOTP authenticator app, with ten one-time recovery codes (static tokens).

Who needs one: every clinic admin, always; everyone in a clinic whose setting "require second factor" is on; and
anyone who has set one up. After the password, such a person reaches no page but the second-factor step (enrol if
they have no authenticator yet, else verify), logging out, and the public pages. Each step is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciatica_care.clinic import audit, records
from sciatica_care.clinic.models import Staff

RECOVERY_CODES = 10
_OPEN_NAMES = ("login", "logout", "second_factor_verify", "second_factor_enrol", "password_reset",
               "password_reset_done", "password_reset_confirm", "password_reset_complete", "questionnaire", "kiosk")


def required(user: Staff) -> bool:
    """Whether this person must give a second factor after their password. A patient account never here: the
    portal asks for a patient's optional second factor before it signs them in (portal/patient_signin)."""
    if user.is_patient:
        return False
    if user.is_clinic_admin or user.is_superuser:
        return True
    clinic = getattr(user, "clinic", None)
    return bool(getattr(clinic, "require_second_factor", False)) or has_device(user)


def has_device(user: Staff) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: Staff) -> TOTPDevice:
    """The authenticator being set up (unconfirmed), made once and kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def qr_svg_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// address as a QR code, an SVG data URI drawn here (no outside service)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, dark="#1b2a3a", border=2))


def display_key(device: TOTPDevice) -> str:
    """The authenticator's key to type by hand (base32, in groups of four), when the QR code cannot be scanned."""
    import base64

    key = base64.b32encode(bytes.fromhex(device.key)).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def confirm(device: TOTPDevice) -> list[str]:
    """Confirm a verified authenticator; replace any recovery codes with ten new ones, returned to show once."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=device.user).delete()
        static = StaticDevice.objects.create(user=device.user, name="Recovery codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def recovery_codes_left(user: Staff) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def reset(actor: Staff, member: Staff, expected_version: int) -> Staff:
    """The clinic admin removes a colleague's second factor (lost phone): version-checked, audited; the
    colleague's sessions end and they set up a new authenticator at their next sign-in."""
    from sciatica_care.clinic import staff_admin

    with transaction.atomic():
        changed: Staff = records.update_versioned(actor, member, expected_version, {})
        totp = TOTPDevice.objects.filter(user=member).delete()[0]
        static = StaticDevice.objects.filter(user=member).delete()[0]
        sessions = staff_admin.end_sessions(member)
        audit.record(actor, "reset_second_factor", changed, devices_removed=totp + static, sessions_ended=sessions)
    return changed


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return str(target)
    return default


class SecondFactorMiddleware:
    """After the password, nothing but the second-factor step for those who need one (see `required`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def _open_prefixes(self) -> tuple[str, ...]:
        if self._open is None:
            self._open = (settings.STATIC_URL, reverse("clinic:login"), reverse("clinic:logout"),
                          reverse("clinic:second_factor_verify"), reverse("clinic:second_factor_enrol"),
                          reverse("clinic:kiosk"), "/q/", "/password-reset/", "/api/")
        return self._open

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if not getattr(settings, "SCIATICA_CARE_SECOND_FACTOR", True):  # off only in tests that are not about it
            return self.get_response(request)
        pending = user is not None and user.is_authenticated and not user.is_verified() and required(user)
        request.second_factor_pending = pending  # type: ignore[attr-defined]  # the header then shows no menu
        if pending and not request.path.startswith(self._open_prefixes()):
            target = "clinic:second_factor_verify" if has_device(user) else "clinic:second_factor_enrol"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
