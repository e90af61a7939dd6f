"""Throttling guesses, in the default cache (settings.CACHES), counted per key for a fixed window.

Login: after LOGIN_FAILURE_LIMIT failures for one username or one address, refuse for LOGIN_LOCKOUT_SECONDS.

Questionnaire links (`/q/<token>/`, no account): after QUESTIONNAIRE_LINK_FAILURE_LIMIT lookups of an unknown token
from one address, refuse every link from that address for QUESTIONNAIRE_LINK_LOCKOUT_SECONDS, valid ones included
(otherwise the answer would still tell a guesser which tokens exist). A patient's own valid link is never counted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

QUESTIONNAIRE_LINK_FAILURE_LIMIT = 10
QUESTIONNAIRE_LINK_LOCKOUT_SECONDS = 15 * 60


def _count(key: str, seconds: int) -> int:
    """Add one failure under `key`; the window starts at the first failure. Returns the count."""
    cache.add(key, 0, seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return 1


def _keys(username: str, address: str) -> list[str]:
    return [f"login-fail:user:{username.lower()}", f"login-fail:addr:{address}"]


def locked(username: str, address: str) -> bool:
    return any((cache.get(k) or 0) >= settings.LOGIN_FAILURE_LIMIT for k in _keys(username, address))


def failed(username: str, address: str) -> None:
    for key in _keys(username, address):
        _count(key, settings.LOGIN_LOCKOUT_SECONDS)


def succeeded(username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])


def _link_key(address: str) -> str:
    return f"qlink-fail:addr:{address}"


def link_limit() -> int:
    return int(getattr(settings, "QUESTIONNAIRE_LINK_FAILURE_LIMIT", QUESTIONNAIRE_LINK_FAILURE_LIMIT))


def link_lockout_seconds() -> int:
    return int(getattr(settings, "QUESTIONNAIRE_LINK_LOCKOUT_SECONDS", QUESTIONNAIRE_LINK_LOCKOUT_SECONDS))


def link_locked(address: str) -> bool:
    """Whether questionnaire links from `address` are refused for now."""
    return (cache.get(_link_key(address)) or 0) >= link_limit()


def link_failed(address: str) -> bool:
    """Count one unknown-token lookup from `address`; True when this one reaches the limit (the lock starts
    with the next request)."""
    return _count(_link_key(address), link_lockout_seconds()) == link_limit()
