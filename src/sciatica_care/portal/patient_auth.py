"""The authentication backend for patient accounts: email and a one-time code, or email and the patient's own
password. Staff accounts are never signed in here, and the staff login never signs in a patient account
(`site/backends.py`). django-axes runs before it (`ThrottleBackend`) and counts every failure, with the email
as the username."""

from __future__ import annotations

from typing import Any

from sciatica_care.portal import sign_in_codes
from sciatica_care.site.backends import ClinicModelBackend


class PatientBackend(ClinicModelBackend):
    """Sessions it starts are restored like any other (`ClinicModelBackend.get_user`)."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     code: str | None = None, portal: bool = False, **kwargs: Any) -> Any:
        if not portal or not username:
            return None
        if code is not None:
            account = sign_in_codes.check_code(username, code)
            return account.user if account is not None else None
        if password is None:
            return None
        for account in sign_in_codes.accounts_for(username):
            if account.user.check_password(password):
                return account.user
        return None
