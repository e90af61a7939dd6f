"""Staff administration: the clinic admin invites colleagues, changes their role, deactivates and reactivates them.

Every write is version-checked (`records.update_versioned`) and audited with old and new values. Nothing here
ever sets `is_superuser`, `is_staff` or `clinic`: an invitation joins the admin's own clinic, and the only fields
changed afterwards are `role`, `is_active` and `deactivated_at`. A change that would leave the clinic without an
active clinic admin is refused. Deactivation ends the person's sessions and revokes their API tokens.

Invitations use Django's password-reset token machinery with their own salt and a hash that includes the account's
version and state: the link works only while the account is an invitation not yet taken up, and dies as soon as the
account is changed (deactivated, role changed — the admin sends a new one) or the password is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sciatica_care.clinic import api_tokens, audit, records
from sciatica_care.clinic.models import STAFF_ROLES, ApiToken, Role, Staff


class LastAdmin(Exception):
    """The change would leave the clinic with no active clinic admin."""

    def __init__(self, attempted: list[str], message: str) -> None:
        self.attempted = attempted
        super().__init__(message)


@contextmanager
def _refusals_audited(actor: Staff, user: Staff) -> Iterator[None]:
    """Audit a last-admin refusal after its transaction has rolled back (so that the event is kept)."""
    try:
        yield
    except LastAdmin as exc:
        audit.record(actor, "refused_last_admin", user, attempted=exc.attempted)
        raise


class InviteTokenGenerator(PasswordResetTokenGenerator):
    # The salt keeps the module's first name: changing it would void every invitation link already sent.
    key_salt = "sciatica_care.clinic.staff.InviteTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}|{user.version}|{user.is_active}|{user.deactivated_at}"


invite_tokens = InviteTokenGenerator()


def invite_path(user: Staff) -> str:
    from django.urls import reverse

    return reverse("clinic:invite_accept", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                                 invite_tokens.make_token(user)])


def invite(actor: Staff, *, username: str, first_name: str, last_name: str, email: str, role: str) -> Staff:
    """A new account in the admin's own clinic, inactive and without a password until the link is used."""
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown role {role!r}")
    with transaction.atomic():
        user = Staff(username=username, first_name=first_name, last_name=last_name, email=email, role=role,
                     clinic_id=actor.clinic_id, is_active=False, is_staff=False, is_superuser=False)
        user.set_unusable_password()
        user.save()
        audit.record(actor, "invite_staff", user, username=username, role=role, email=email)
    return user


def send_invite(actor: Staff, user: Staff, link: str, *, again: bool = False) -> bool:
    """Email the set-password link (Django's email backend; the console unless SMTP is configured)."""
    if not user.email:
        return False
    clinic = actor.clinic.name if actor.clinic else "the clinic"
    send_mail(
        f"Your Sciatica Care account at {clinic}",
        f"{actor.display()} has made you an account at {clinic} (user name: {user.username}, role: "
        f"{user.get_role_display()}).\n\nChoose your password here within 3 days:\n{link}\n\n"  # type: ignore[attr-defined]
        "The link works once. If you did not expect this, ignore this message.",
        None, [user.email])
    audit.record(actor, "send_invite", user, email=user.email, again=again)
    return True


def _admins_left(clinic_id: int, without: int) -> int:
    """Active clinic admins of the clinic other than `without`, locking their rows against a concurrent change."""
    rows = Staff.objects.select_for_update().filter(clinic_id=clinic_id, role=Role.CLINIC_ADMIN, is_active=True)
    return sum(1 for pk in rows.values_list("pk", flat=True) if pk != without)


def _change(actor: Staff, user: Staff, expected_version: int, changes: dict[str, Any]) -> Staff:
    stays_admin = changes.get("role", user.role) == Role.CLINIC_ADMIN and changes.get("is_active", user.is_active)
    leaves_admins = user.role == Role.CLINIC_ADMIN and user.is_active and not stays_admin
    with transaction.atomic():
        if not (leaves_admins and _admins_left(user.clinic_id, user.pk) == 0):  # type: ignore[arg-type]
            return records.update_versioned(actor, user, expected_version, changes,  # type: ignore[no-any-return]
                                            keep_changes=True)
    raise LastAdmin(sorted(changes), f"{user.display()} is the clinic's only active clinic admin: make someone "
                    "else a clinic admin first, so that the clinic is never left without one")


def change_role(actor: Staff, user: Staff, expected_version: int, role: str) -> Staff:
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown role {role!r}")
    if role == user.role:
        return user
    with _refusals_audited(actor, user):
        return _change(actor, user, expected_version, {"role": role})


def end_sessions(user: Staff) -> int:
    """Delete every live session of `user` (database sessions); returns how many."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def deactivate(actor: Staff, user: Staff, expected_version: int) -> Staff:
    """Switch the account off: it cannot log in, its sessions end now and its API tokens are revoked."""
    with _refusals_audited(actor, user), transaction.atomic():
        changed = _change(actor, user, expected_version, {"is_active": False, "deactivated_at": timezone.now()})
        sessions = end_sessions(changed)
        revoked = sum(api_tokens.revoke(actor, row, via="deactivate")
                      for row in ApiToken.objects.filter(staff=changed, revoked=False).select_related("staff"))
        audit.record(actor, "deactivate_staff", changed, sessions_ended=sessions, tokens_revoked=revoked)
    return changed


def reactivate(actor: Staff, user: Staff, expected_version: int) -> Staff:
    """Switch a deactivated account back on. One that never set its password goes back to being an invitation."""
    with _refusals_audited(actor, user), transaction.atomic():
        changed = _change(actor, user, expected_version,
                          {"is_active": user.has_usable_password(), "deactivated_at": None})
        audit.record(actor, "reactivate_staff", changed, invited_again=not changed.is_active)
    return changed


def accept_invite(user: Staff, password_hash: str) -> bool:
    """The invited person chose their password: activate the account, if it is still the invitation it was."""
    with transaction.atomic():
        n = Staff.objects.filter(pk=user.pk, version=user.version, is_active=False, deactivated_at=None).update(
            password=password_hash, is_active=True, version=F("version") + 1)
        if n == 1:
            audit.record(user, "accept_invite", user, clinic_id=user.clinic_id)
    return n == 1
