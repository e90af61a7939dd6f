"""One-time submission tokens: a repeated POST of a write form (a double click, Back and send again, a browser's
"resend") stores once.

A form carries `{% submission_token "intake" %}` (a builtin tag: see `templatetags/submission_tags.py`), which renders a
hidden field holding a fresh random token signed for that form and the session it was shown in. The view that
stores it is wrapped in `@submit_once("intake")`. On a POST carrying a token the decorator, in one transaction:

- inserts the token's digest into `SubmissionToken` (a unique column): the database decides, atomically, which of
  two concurrent POSTs is first; the second waits for the first to commit, then finds the digest taken;
- runs the view; when it stores something (answers with a redirect) the redirect target is kept with the digest
  and committed with the view's writes; when it does not (a form shown again with its problems), the digest is
  removed in the same transaction, so the same token may be sent again;
- a POST whose token is already spent is not run again: it is redirected to what the first POST produced, with
  the message "Already saved".

A token signed for another form or another session is refused (400) before the view runs. A POST without a token
(an API client, a script) runs as before: the token protects people at a browser, CSRF still guards every POST.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html

from sciatica_care.clinic.models import SubmissionToken

FIELD = "submission_token"
ALREADY_SAVED = "Already saved: this form was sent more than once and was stored once. This is what it stored."
REFUSED = ("This form could not be checked (it was opened in another session or for another page). "
           "Go back, reload the page and send it again.")
#: How long a spent token is kept (a Back and resend days later is still caught within this time).
KEEP = dt.timedelta(days=2)
#: How recent a stored submission must be for the form to say so when it is shown again.
RECENT = dt.timedelta(minutes=30)


def _session(request: HttpRequest) -> str:
    """The session the token is bound to: a digest of the session key for a signed-in person, "" otherwise
    (the patient's questionnaire page has no session)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    key = request.session.session_key or ""
    return hashlib.sha256(key.encode()).hexdigest() if key else ""


def _signer(form: str, session: str) -> signing.Signer:
    return signing.Signer(salt=f"sciatica_care.submission:{form}:{session}")


def issue(request: HttpRequest, form: str) -> str:
    """A fresh token for one showing of `form`."""
    return _signer(form, _session(request)).sign(secrets.token_urlsafe(24))


def _digest(form: str, token: str) -> str:
    return hashlib.sha256(f"{form}:{token}".encode()).hexdigest()


def recent(request: HttpRequest, form: str) -> SubmissionToken | None:
    """This session's latest stored submission of `form` at this page within RECENT, if any."""
    session = _session(request)
    if not session:
        return None
    return (SubmissionToken.objects.filter(session=session, form=form, path=request.path[:300],
                                           created_at__gte=timezone.now() - RECENT)
            .exclude(result_url="").order_by("-created_at").first())


def _stored(response: HttpResponse) -> bool:
    return 300 <= response.status_code < 400 and response.has_header("Location")


def submit_once(form: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Wrap a view that stores `form`: a POST's token is spent once (see the module's note)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            token = request.POST.get(FIELD, "") if request.method == "POST" else ""
            if not token:
                return view(request, *args, **kwargs)
            session = _session(request)
            try:
                _signer(form, session).unsign(token)
            except signing.BadSignature:
                return HttpResponseBadRequest(format_html('<p class="error" role="alert">{}</p>', REFUSED))
            digest = _digest(form, token)
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        SubmissionToken.objects.create(digest=digest, form=form, session=session,
                                                       path=request.path[:300])
                except IntegrityError:
                    return _replay(request, digest)
                response = view(request, *args, **kwargs)
                if _stored(response):
                    SubmissionToken.objects.filter(digest=digest).update(result_url=response["Location"][:500])
                    if digest[0] == "0":  # now and then, forget tokens older than KEEP
                        SubmissionToken.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
                else:
                    SubmissionToken.objects.filter(digest=digest).delete()
                return response

        wrapped.submit_once = form  # type: ignore[attr-defined]
        return wrapped

    return decorate


def _replay(request: HttpRequest, digest: str) -> HttpResponse:
    first = SubmissionToken.objects.filter(digest=digest).values_list("result_url", flat=True).first()
    messages.info(request, ALREADY_SAVED)
    return redirect(first or request.path)
