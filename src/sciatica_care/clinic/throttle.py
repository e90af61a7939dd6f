"""Login throttling: after LOGIN_FAILURE_LIMIT failures for one username or one address, refuse for a while."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    return [f"login-fail:user:{username.lower()}", f"login-fail:addr:{address}"]


def locked(username: str, address: str) -> bool:
    return any((cache.get(k) or 0) >= settings.LOGIN_FAILURE_LIMIT for k in _keys(username, address))


def failed(username: str, address: str) -> None:
    for key in _keys(username, address):
        cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def succeeded(username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])
