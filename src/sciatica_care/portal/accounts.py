"""Patient accounts: invitation by the clinic (or when booking online), taking the invitation up, ending access.

An account is a `clinic.Staff` row with the patient role (never staff: the staff pages and the API do not list it
and it can never hold an API token), linked to its patient by `PatientAccount`, in the patient's clinic. It stays
inactive until the patient opens the invitation link (one-time, `INVITE_DAYS` long, only its digest kept).
Everything is audited: by the member of staff who invited, or with the clinic alone when booking made it.

    from sciatica_care.portal.accounts import invite
    invitation = invite(patient, by=request.user, base_url=request.build_absolute_uri("/"))
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import Patient, Role, Staff
from sciatica_care.errors import InputRefused, Problem
from sciatica_care.portal.models import PatientAccount, PortalInvitation

INVITE_DAYS = 7


@dataclass(frozen=True)
class Invitation:
    account: PatientAccount
    link: str  # the one-time link itself: shown once and emailed, never stored
    emailed: bool


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(patient: Patient, by: Staff | None = None, *, base_url: str = "", send: bool = True) -> Invitation:
    """Make (or find) the patient's portal account and send a new one-time invitation link to the patient's email.

    `by` is the member of staff inviting, or None when the patient's online booking makes the account. Earlier
    links not yet used stop working. Refused (InputRefused) without an email address, for an anonymised patient,
    or by staff of another clinic. `send=False` (the demo's own patient) makes the link without emailing it."""
    problems = []
    if not patient.email:
        problems.append(Problem("email", "the patient has no email address: add one on the patient's page first"))
    if patient.anonymised_at is not None:
        problems.append(Problem("patient", "this patient's record is anonymised"))
    if by is not None and (by.clinic_id != patient.clinic_id or not by.is_active or by.is_patient):
        problems.append(Problem("patient", "only the patient's own clinic can invite them"))
    if problems:
        raise InputRefused(problems)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        account = _account(patient, by)
        PortalInvitation.objects.filter(account=account, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now)
        invitation = PortalInvitation.objects.create(account=account, digest=digest(token), created_by=by,
                                                     created_at=now, expires_at=now + dt.timedelta(days=INVITE_DAYS))
        audit.record(by, "portal_invite", invitation, patient_id=patient.pk, clinic_id=patient.clinic_id,
                     via="staff" if by is not None else "online_booking", days=INVITE_DAYS)
    link = base_url.rstrip("/") + reverse("portal:welcome", args=[token])
    emailed = _send(patient, link, by) if send else False
    return Invitation(account, link, emailed)


def _account(patient: Patient, by: Staff | None) -> PatientAccount:
    """The patient's account, made (inactive, no password) on the first invitation; its email follows the
    patient's record at every invitation."""
    account = PatientAccount.objects.select_related("user").filter(patient=patient).first()
    if account is not None:
        user = account.user
        if user.email != patient.email:
            Staff.objects.filter(pk=user.pk).update(email=patient.email)
        return account
    user = Staff(username=f"patient-{patient.pk}", email=patient.email, first_name=patient.first_name,
                 last_name=patient.last_name, role=Role.PATIENT, clinic_id=patient.clinic_id, is_active=False,
                 is_staff=False, is_superuser=False)
    user.set_unusable_password()
    user.save()
    account = PatientAccount.objects.create(user=user, patient=patient, invited_by=by)
    audit.record(by, "portal_account_made", account, patient_id=patient.pk, clinic_id=patient.clinic_id)
    return account


def _send(patient: Patient, link: str, by: Staff | None) -> bool:
    clinic = patient.clinic.name
    send_mail(
        f"Your Sciatica Care patient account at {clinic}",
        f"Hello {patient.first_name},\n\n{clinic} has made you an account in Sciatica Care, where you can keep "
        "your pain diary, follow your home programme and see how you are doing.\n\n"
        f"Open this link within {INVITE_DAYS} days to start:\n{link}\n\n"
        "The link works once. If you did not expect this message, ignore it.",
        None, [patient.email])
    audit.record(by, "portal_invite_sent", patient, clinic_id=patient.clinic_id)
    return True


class InvitationUnusable(Exception):
    """The link is unknown, used or expired: the page says so (and offers signing in)."""


def usable_invitation(token: str) -> PortalInvitation:
    row = (PortalInvitation.objects.select_related("account__user", "account__patient")
           .filter(digest=digest(token)).first()) if token else None
    if row is None or row.used_at is not None or row.expires_at <= timezone.now():
        raise InvitationUnusable
    if row.account.patient.anonymised_at is not None:
        raise InvitationUnusable
    return row


def accept(token: str, password: str | None = None) -> Staff:
    """Spend the invitation (once, whoever is first) and make the account active; with `password`, the patient
    may also sign in with it (otherwise by email code)."""
    with transaction.atomic():
        row = usable_invitation(token)
        spent = PortalInvitation.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now())
        if spent != 1:
            raise InvitationUnusable
        user = row.account.user
        user.is_active = True
        if password:
            user.set_password(password)
        user.save(update_fields=["is_active", "password"])
        audit.record(user, "portal_invite_accepted", row, patient_id=row.account.patient_id,
                     password_set=bool(password))
    return user


def account_of(patient: Patient) -> PatientAccount | None:
    return PatientAccount.objects.select_related("user").filter(patient=patient).first()


def end_access(by: Staff, patient: Patient) -> bool:
    """The clinic turns the patient's portal access off (the account stays, inactive, for the audit trail)."""
    account = account_of(patient)
    if account is None or not account.user.is_active:
        return False
    with transaction.atomic():
        Staff.objects.filter(pk=account.user_id).update(is_active=False)
        PortalInvitation.objects.filter(account=account, used_at__isnull=True).update(expires_at=timezone.now())
        from sciatica_care.clinic import staff_admin

        ended = staff_admin.end_sessions(account.user)
        audit.record(by, "portal_access_ended", account, patient_id=patient.pk, sessions_ended=ended)
    return True
