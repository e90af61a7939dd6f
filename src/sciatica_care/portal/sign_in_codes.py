"""One-time sign-in codes sent by email: six digits, `CODE_MINUTES` long, `CODE_TRIES` tries each.

Only a keyed digest of a code is kept (HMAC with the deployment's secret key and the account: a copy of the table
does not give the codes away). Asking for a code never says whether the address has an account. Wrong codes are
counted by django-axes like wrong passwords (per address and email), through `PatientBackend`.
"""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from sciatica_care.clinic import audit, one_time_codes
from sciatica_care.clinic.models import Role
from sciatica_care.portal.models import PatientAccount, SignInCode

CODE_MINUTES = 10
CODE_TRIES = 5
#: At most this many codes are sent to one account in `CODE_MINUTES` (a flood of emails is refused quietly).
CODES_PER_WINDOW = 3


def _digest(account_id: int, code: str) -> str:
    return salted_hmac("sciatica_care.portal.sign_in_code", f"{account_id}:{code}", algorithm="sha256").hexdigest()


def accounts_for(email: str) -> list[PatientAccount]:
    """The active patient accounts signed in with this email address (a family may share one)."""
    email = email.strip()
    if not email:
        return []
    return list(PatientAccount.objects.select_related("user", "patient", "patient__clinic").filter(
        user__email__iexact=email, user__is_active=True, user__role=Role.PATIENT,
        patient__anonymised_at__isnull=True))


def send_code(email: str, address: str = "") -> int:
    """Email a fresh code to each account of `email`; returns how many were sent (the page never says)."""
    sent = 0
    now = timezone.now()
    for account in accounts_for(email):
        recent = SignInCode.objects.filter(account=account, created_at__gt=now - dt.timedelta(minutes=CODE_MINUTES))
        if recent.count() >= CODES_PER_WINDOW:
            audit.record(account.user, "portal_code_refused", patient_id=account.patient_id, reason="too_many",
                         address=address)
            continue
        code = one_time_codes.new_code()
        SignInCode.objects.create(account=account, digest=_digest(account.pk, code), created_at=now,
                                  expires_at=now + dt.timedelta(minutes=CODE_MINUTES))
        send_mail("Your Sciatica Care sign-in code",
                  f"Your sign-in code is {code}\n\nIt works once, for {CODE_MINUTES} minutes. If you did not ask "
                  "for it, ignore this message: nobody can sign in without the code.",
                  None, [account.user.email])
        audit.record(account.user, "portal_code_sent", patient_id=account.patient_id, address=address)
        sent += 1
    return sent


def check_code(email: str, code: str) -> PatientAccount | None:
    """The account whose live code this is (the code is spent), or None (each live code of the address loses a
    try; a code out of tries stops working)."""
    typed = one_time_codes.typed(code)
    if typed is None:
        return None
    code = typed
    now = timezone.now()
    for account in accounts_for(email):
        with transaction.atomic():
            live = list(SignInCode.objects.select_for_update().filter(
                account=account, used_at__isnull=True, expires_at__gt=now, tries__lt=CODE_TRIES))
            for row in live:
                if constant_time_compare(row.digest, _digest(account.pk, code)):
                    SignInCode.objects.filter(pk=row.pk).update(used_at=now)
                    return account
            SignInCode.objects.filter(pk__in=[r.pk for r in live]).update(tries=F("tries") + 1)
    return None
