"""Throttling guesses of questionnaire links, in the default cache (settings.CACHES: the database, or Redis with
CACHE_URL — shared by every server process), counted per key for a fixed window. (Login throttling is
django-axes: see signin.py.)

Questionnaire links (`/q/<token>/`, no account): after QUESTIONNAIRE_LINK_FAILURE_LIMIT lookups of an unknown token
from one address, refuse every link from that address for QUESTIONNAIRE_LINK_LOCKOUT_SECONDS, valid ones included
(otherwise the answer would still tell a guesser which tokens exist). A patient's own valid link is never counted.

The links to manage an appointment (`/book/manage/<token>/`) and waitlist offers (`/book/offer/<token>/`) are
throttled the same way, each counted apart (`scope="manage"`, `scope="offer"`), so guessing one kind of link does
not lock another.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

QUESTIONNAIRE_LINK_FAILURE_LIMIT = 10
QUESTIONNAIRE_LINK_LOCKOUT_SECONDS = 15 * 60


def _count(key: str, seconds: int) -> int:
    """Add one failure under `key`; the window starts at the first failure and keeps its end (the shared cache's
    `incr` would restart the expiry). Returns the count."""
    now = time.time()
    count, ends = _read(key, now)
    count, ends = (count + 1, ends) if count else (1, now + seconds)
    cache.set(key, (count, ends), max(1, math.ceil(ends - now)))
    return count


def _read(key: str, now: float) -> tuple[int, float]:
    value = cache.get(key)
    if isinstance(value, list | tuple) and len(value) == 2 and float(value[1]) > now:
        return int(value[0]), float(value[1])
    return 0, 0.0


def _link_key(address: str, scope: str) -> str:
    return f"{scope}-fail:addr:{address}"


def link_limit() -> int:
    return int(getattr(settings, "QUESTIONNAIRE_LINK_FAILURE_LIMIT", QUESTIONNAIRE_LINK_FAILURE_LIMIT))


def link_lockout_seconds() -> int:
    return int(getattr(settings, "QUESTIONNAIRE_LINK_LOCKOUT_SECONDS", QUESTIONNAIRE_LINK_LOCKOUT_SECONDS))


def link_locked(address: str, scope: str = "qlink") -> bool:
    """Whether questionnaire links (or the links of `scope`) from `address` are refused for now."""
    return _read(_link_key(address, scope), time.time())[0] >= link_limit()


def link_failed(address: str, scope: str = "qlink") -> bool:
    """Count one unknown-token lookup from `address`; True when this one reaches the limit (the lock starts
    with the next request)."""
    return _count(_link_key(address, scope), link_lockout_seconds()) == link_limit()


def hit(key: str, seconds: int) -> int:
    """Count one event under `key` (a window of `seconds` from the first); returns the count so far."""
    return _count(key, seconds)


def hits(key: str) -> int:
    """The events counted under `key` in its current window."""
    return _read(key, time.time())[0]


#: Joining a clinic's waitlist from its public page: at most this many times from one address in the window.
WAITLIST_JOIN_LIMIT = 5
WAITLIST_JOIN_WINDOW_SECONDS = 60 * 60


def waitlist_join_allowed(address: str) -> bool:
    """Count one attempt to join a waitlist from `address`; False once it has made WAITLIST_JOIN_LIMIT in the
    window (the attempt is refused, nothing saved)."""
    limit = int(getattr(settings, "WAITLIST_JOIN_LIMIT", WAITLIST_JOIN_LIMIT))
    key = f"waitlist-join:addr:{address}"
    if hits(key) >= limit:
        return False
    hit(key, WAITLIST_JOIN_WINDOW_SECONDS)
    return True


def lockout_page(request: HttpRequest, template: str) -> HttpResponse:
    """The 429 page a locked-out address gets for a kind of link, saying how long the lock lasts."""
    seconds = link_lockout_seconds()
    response = render(request, template, {"minutes": max(1, seconds // 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response
