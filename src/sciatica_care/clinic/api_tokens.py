"""API tokens: issue (by their owner, for themselves; shown once, only the SHA-256 kept), look up, revoke — each
change audited, and every use of a token audited with its id.

A token expires (`DEFAULT_DAYS` unless its owner chooses otherwise, never beyond the clinic's
`api_token_max_days`) and has a scope: `read` tokens are refused every write (api/rest.py, TokenAuth).
Used by the API's bearer auth, the `createtoken` command and the token pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import ApiToken, Staff, TokenScope
from sciatica_care.errors import InputRefused, Problem

LAST_USED_EVERY = dt.timedelta(minutes=5)  # refresh last_used_at at most this often: no write on every request
DEFAULT_DAYS = 90
SCOPES = tuple(TokenScope.values)

def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def max_days(owner: Staff) -> int:
    clinic = owner.clinic
    return int(clinic.api_token_max_days) if clinic is not None else DEFAULT_DAYS


def issue(owner: Staff, name: str = "api", *, days: int | None = None, scope: str = TokenScope.READ,
          via: str = "") -> tuple[ApiToken, str]:
    """Create a token for `owner`, made by `owner` (or from the command line, `via="cli"`, for the named
    account); returns the row and the token itself, which is never stored: show it once.

    `days` defaults to `DEFAULT_DAYS` (or the clinic's maximum when lower); more than the clinic's maximum, less
    than one or an unknown scope is InputRefused. There is no way to make a token for someone else."""
    if owner.is_patient:  # a patient's portal account is never given API access
        raise InputRefused([Problem("owner", "a patient's portal account cannot have an API token")])
    limit = max_days(owner)
    days = min(DEFAULT_DAYS, limit) if days is None else days
    problems = []
    if not 1 <= days <= limit:
        problems.append(Problem("days", f"a token lasts from 1 to {limit} days (the clinic's maximum)"))
    if scope not in SCOPES:
        problems.append(Problem("scope", f"must be one of {', '.join(SCOPES)}"))
    if problems:
        raise InputRefused(problems)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        row = ApiToken.objects.create(staff=owner, name=name[:100] or "api", digest=digest(token), created_at=now,
                                      expires_at=now + dt.timedelta(days=days), scope=scope)
        detail = {"name": row.name, "owner": owner.username, "scope": scope, "days": days,
                  "expires_at": row.expires_at.isoformat(), **({"via": via} if via else {})}
        audit.record(None if via == "cli" else owner, "issue_api_token", row, clinic_id=owner.clinic_id, **detail)
    return row, token


def lookup(token: str) -> ApiToken | None:
    """The live token row (not revoked, not expired, its owner an active member of staff), or None: a patient's
    portal account never reaches the API, whatever token it might hold."""
    row = ApiToken.objects.select_related("staff").filter(digest=digest(token), revoked=False).first()
    if row is None or not row.staff.is_active or row.expired or row.staff.is_patient:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def authenticate(token: str) -> Staff | None:
    """The active staff member a live token belongs to, or None."""
    row = lookup(token)
    return row.staff if row is not None else None


def revoke(actor: Staff | None, row: ApiToken, *, via: str = "") -> bool:
    """Revoke a token (idempotent); True when it was live until now."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=row.pk, revoked=False).update(revoked=True)
        if changed:
            audit.record(actor, "revoke_api_token", row, clinic_id=row.staff.clinic_id, name=row.name,
                         owner=row.staff.username, **({"via": via} if via else {}))
    row.refresh_from_db()
    return bool(changed)


def use(row: ApiToken, method: str, path: str) -> None:
    """Audit this use of the token (its id, the request), and name the token on every audit event the request
    writes after this (`audit.current_token`)."""
    audit.current_token.set(row.pk)
    audit.record(row.staff, "api_token_use", row, method=method, path=path[:300], scope=row.scope)
