"""The letters to the patient's doctor, from the episode page: the referral letter and the progress letter (a
discharge letter once the course is closed), each previewed as a web page and downloaded as a PDF; and the
signature a member of staff's letters carry (qualifications, registration), set on their account page.

A letter is part of the clinical record: scoped to the user's clinic (another clinic's episode is 404, audited),
refused to reception (403, audited), and every preview and download is audited (`read` with the letter as its
purpose, `print` with the letter as the document). A letter that cannot be written (no intake yet, a plan that
cannot be read) answers 409 with the reason and prints nothing. Nothing is cached by the browser or a proxy.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sciatica_care.clinic import access, audit, letter_facts, records
from sciatica_care.clinic.forms import SignatureForm
from sciatica_care.clinic.models import Episode, Staff
from sciatica_care.reports.letter_content import Letter

Build = Callable[[Episode, Staff], Letter]
LETTERS: dict[str, Build] = {"referral": letter_facts.referral, "progress": letter_facts.progress}


def _episode(request: HttpRequest, pk: int) -> Episode:
    qs = access.scoped(request.user, Episode).select_related("patient", "clinic")
    return access.get_for(request.user, Episode, pk, queryset=qs)


def _document(which: str, letter: Letter | None) -> str:
    """The audit's name for the letter: referral_letter, progress_letter or discharge_letter."""
    return f"{letter.kind if letter is not None else which}_letter"


def _letter(request: HttpRequest, pk: int, which: str) -> tuple[Episode, Letter | None, HttpResponse | None]:
    episode = _episode(request, pk)
    try:
        return episode, LETTERS[which](episode, request.user), None  # type: ignore[arg-type]
    except letter_facts.NoLetter as exc:
        audit.record(request.user, "refused", episode, patient_id=episode.patient_id, purpose=f"{which}_letter",
                     reason=str(exc))
        return episode, None, render(request, "clinic/letter_refused.html", {
            "episode": episode, "patient": episode.patient, "reason": str(exc)}, status=409)


def _preview(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    episode, letter, refused = _letter(request, pk, which)
    if refused is not None:
        return refused
    audit.record(request.user, "read", episode, patient_id=episode.patient_id, purpose=_document(which, letter))
    return render(request, "clinic/letter.html", {
        "episode": episode, "patient": episode.patient, "letter": letter,
        "pdf_url": reverse(f"clinic:letter_{which}_pdf", args=[episode.pk])})


def _pdf(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    episode, letter, refused = _letter(request, pk, which)
    if refused is not None or letter is None:
        return refused  # type: ignore[return-value]
    audit.record(request.user, "print", episode, patient_id=episode.patient_id, document=_document(which, letter))
    return letter_facts.pdf_response(letter, episode)


def _page(which: str, show: Callable[[HttpRequest, int, str], HttpResponse]) -> Callable[..., HttpResponse]:
    """A letter's page or PDF as a view: signed in, GET only, never cached."""
    @login_required
    @require_GET
    @never_cache
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return show(request, pk, which)

    view.__name__ = view.__qualname__ = f"{which}_{'pdf' if show is _pdf else 'html'}"
    return view


referral_html = _page("referral", _preview)
referral_pdf = _page("referral", _pdf)
progress_html = _page("progress", _preview)
progress_pdf = _page("progress", _pdf)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def signature(request: HttpRequest) -> HttpResponse:
    """One's own qualifications and registration, printed under one's name on the letters (version-checked,
    audited with the old and new values)."""
    user = Staff.objects.select_related("clinic").get(pk=request.user.pk)
    if request.method == "GET":
        audit.record(user, "read", user, purpose="letter_signature")
        form = SignatureForm(initial={"version": user.version, **{k: getattr(user, k) for k in SignatureForm.FIELDS}})
        return render(request, "clinic/letter_signature.html", {"form": form, "member": user})
    form = SignatureForm(request.POST)
    if not form.is_valid():
        audit.attempted(user, "update", user, fields=list(form.errors))
        return render(request, "clinic/letter_signature.html", {"form": form, "member": user}, status=422)
    expected = form.cleaned_data["version"]
    changes = {k: form.cleaned_data[k] for k in SignatureForm.FIELDS if form.cleaned_data[k] != getattr(user, k)}
    try:
        if changes:
            records.update_versioned(user, user, expected, changes, keep_changes=True)
    except records.Conflict as exc:
        user.refresh_from_db()
        audit.record(user, "conflict", user, expected=expected, current=exc.current_version)
        data = request.POST.copy()
        data["version"] = str(user.version)  # saving again, having seen what is stored, is deliberate
        form = SignatureForm(data)
        form.is_valid()
        form.add_error(None, "Your signature was changed elsewhere while this page was open, so this was not saved. "
                             "What is stored now is shown below the form: save again to keep yours.")
        return render(request, "clinic/letter_signature.html", {"form": form, "member": user, "conflict": True},
                      status=409)
    messages.success(request, "Your signature on letters is saved.")
    return redirect("clinic:letter_signature")
