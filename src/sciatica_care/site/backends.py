"""The authentication backend: Django's own, fetching the logged-in user's clinic in the same query.

Every page shows the clinic's name in its header and every view scopes records by the user's clinic, so the
user row and the clinic row are always needed together: one join instead of a second query on every request.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied


class ClinicModelBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     portal: bool = False, **kwargs: Any) -> Any:
        """Staff sign-in only: the portal's sign-in (`portal=True`) is `PatientBackend`'s, and a patient account
        never signs in on the staff login page."""
        if portal:
            return None
        user = super().authenticate(request, username, password, **kwargs)
        return None if user is not None and user.is_patient else user

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.select_related("clinic").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ThrottleBackend(AxesStandaloneBackend):
    """django-axes's refusal of a locked username-and-address pair, for every sign-in that comes with a request
    (every login page). A call without a request (a command, a test client's `login`) has no address to throttle
    and passes on to the password check."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if request is None:
            return None
        try:
            return super().authenticate(request, username, password, **kwargs)
        except PermissionDenied:
            request.sign_in_refused_locked = True  # already locked: audited as throttled, not as a new lock
            raise
