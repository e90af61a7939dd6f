"""API tokens: issue (shown once, only the SHA-256 kept), look up, revoke — each change audited.

Used by the API's bearer auth, the `createtoken` command and the clinic admin's token page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import ApiToken, Staff

LAST_USED_EVERY = dt.timedelta(minutes=5)  # refresh last_used_at at most this often: no write on every request


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(owner: Staff, name: str = "api", *, actor: Staff | None = None, via: str = "") -> tuple[ApiToken, str]:
    """Create a token for `owner`; returns the row and the token itself, which is never stored: show it once.

    `actor` is who asked for it (the owner when None; nobody known when issued from the command line).
    """
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(staff=owner, name=name[:100] or "api", digest=digest(token))
        detail = {"name": row.name, "owner": owner.username, **({"via": via} if via else {})}
        audit.record(actor if actor is not None else (None if via == "cli" else owner), "issue_api_token", row,
                     clinic_id=owner.clinic_id, **detail)
    return row, token


def authenticate(token: str) -> Staff | None:
    """The active staff member a live token belongs to, or None."""
    row = ApiToken.objects.select_related("staff").filter(digest=digest(token), revoked=False).first()
    if row is None or not row.staff.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.staff


def revoke(actor: Staff | None, row: ApiToken, *, via: str = "") -> bool:
    """Revoke a token (idempotent); True when it was live until now."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=row.pk, revoked=False).update(revoked=True)
        if changed:
            audit.record(actor, "revoke_api_token", row, clinic_id=row.staff.clinic_id, name=row.name,
                         owner=row.staff.username, **({"via": via} if via else {}))
    row.refresh_from_db()
    return bool(changed)
