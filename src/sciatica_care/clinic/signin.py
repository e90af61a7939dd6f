"""Signing in: who is asking (the real client address, believed from a configured proxy only), the username as
one account (so `name `, ` Name` and full-width letters count as one), and the audit of every failure and lock.

Throttling itself is django-axes (settings `AXES_*`): failures are counted per username-and-address pair, in the
database (or Redis when `CACHE_URL` is set) so that every server process sees them, and a locked pair cools off
after `AXES_COOLOFF_TIME`. A stranger guessing from elsewhere cannot lock a colleague out, and one proxy address
in front of the whole clinic cannot be locked for everyone by one mistyped name.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sciatica_care.clinic import audit

LOCKED_MESSAGE = ("Too many failed attempts for this account from this device. Wait 15 minutes and try again, "
                  "or ask your clinic admin.")


def normalise_username(value: object) -> str:
    """One spelling per account: NFKC (full-width letters become plain ones), spaces stripped, case folded."""
    return unicodedata.normalize("NFKC", str(value or "")).strip().casefold()


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str) -> bool:
    proxies = tuple(getattr(settings, "SCIATICA_CARE_TRUSTED_PROXIES", ()) or ())
    if not proxies:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(proxies))


def client_address(request: Any) -> str:
    """The client's address: the connection's peer, unless that peer is a configured trusted proxy, in which case
    the nearest address in X-Forwarded-For that is not itself a trusted proxy. Without trusted proxies the
    header is ignored (anyone can write it)."""
    peer = str(request.META.get("REMOTE_ADDR", "") or "")
    if not _trusted(peer):
        return peer
    forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()]
    for address in reversed(forwarded):
        try:
            ipaddress.ip_address(address)
        except ValueError:
            return peer  # a garbled header: the proxy itself is all we know
        if not _trusted(address):
            return address
    return forwarded[0] if forwarded else peer


# django-axes hooks (named in settings).

def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field) if credentials else None
    if raw is None and request is not None:
        raw = request.POST.get(field, "")
    return normalise_username(raw)


def axes_client_ip(request: HttpRequest) -> str:
    return client_address(request)


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """The login page again, saying the account is locked from here for now (429). The portal's sign-in pages
    answer a lock themselves (their own page, 429): that answer is kept."""
    from django.contrib.auth.forms import AuthenticationForm

    if request.path.startswith("/portal/") and original_response is not None and original_response.status_code == 429:
        return original_response  # type: ignore[no-any-return]

    form = AuthenticationForm(request, data=None)
    response = render(request, "clinic/login.html",
                      {"form": form, "locked": LOCKED_MESSAGE, "next": request.POST.get("next", "")}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


# Audit of every sign-in event, whichever login page it came through (the clinic's, or Django's admin).

@receiver(user_login_failed)
def _audit_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                   **kwargs: Any) -> None:
    if request is None:
        return
    audit.record(None, "login_throttled" if getattr(request, "sign_in_refused_locked", False) else "login_failed",
                 username=normalise_username(credentials.get("username")), address=client_address(request),
                 path=request.path[:200])


@receiver(user_logged_in)
def _audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.record(user, "login", address=client_address(request) if request is not None else "",
                 path=request.path[:200] if request is not None else "")


def _audit_lock(sender: Any, request: HttpRequest | None = None, username: str = "", ip_address: str = "",
                **kwargs: Any) -> None:
    if getattr(request, "sign_in_refused_locked", False):
        return  # axes repeats the signal at each refused try: the lock is audited when it starts
    audit.record(None, "login_locked", username=normalise_username(username), address=ip_address or "",
                 cooloff_seconds=int(settings.AXES_COOLOFF_TIME.total_seconds()))


def connect() -> None:
    """Connect the lock audit to django-axes's signal (called from the app's ready())."""
    from axes.signals import user_locked_out

    user_locked_out.connect(_audit_lock, dispatch_uid="sciatica-care-login-locked")
