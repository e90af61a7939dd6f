"""Pages about messages: the patient's unsubscribe page (from the link in every email, no sign-in) and, for staff,
a patient's messages and their choices (the front desk records "no text messages, please" said on the phone)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sciatica_care.clinic import access, audit
from sciatica_care.clinic.models import Patient, Staff
from sciatica_care.clinic.submission import submit_once
from sciatica_care.scheduling import unsubscribe
from sciatica_care.scheduling.models import PATIENT_TOPICS, Channel, Message

TOPICS = [(t.value, t.label) for t in PATIENT_TOPICS]


def _refused(request: HttpRequest, template: str, context: dict[str, Any], field: str, text: str) -> HttpResponse:
    return render(request, template, {**context, "error": {"field": field, "message": text}}, status=422)


# RFC 8058: a mail client's one-click unsubscribe POSTs here without a CSRF token; the signed token is the
# authority, and it changes nothing but one person's choices about messages.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """Stop (or start again) a kind of message on this channel, from the link in an email."""
    subscriber = unsubscribe.read(token)
    if subscriber is None:
        return render(request, "scheduling/unsubscribe_gone.html", status=404)
    topic = request.GET.get("topic", "")
    topic = topic if topic in dict(TOPICS) else ""
    stopped = unsubscribe.stopped(subscriber)
    context: dict[str, Any] = {"subscriber": subscriber, "topic": topic,
                               "channel": Channel(subscriber.channel).label.lower(),
                               "topics": [(v, label, v in stopped or (v == topic and request.method == "GET"))
                                          for v, label in TOPICS]}
    if request.method == "GET":
        return render(request, "scheduling/unsubscribe.html", context)
    if request.POST.get("List-Unsubscribe") == "One-Click":
        stop = stopped | ({topic} if topic else set())
    else:
        chosen = request.POST.getlist("stop")
        unknown = [v for v in chosen if v not in dict(TOPICS)]
        if unknown:
            return _refused(request, "scheduling/unsubscribe.html", context, "stop",
                            f"not a kind of message: {', '.join(v[:40] for v in unknown[:3])}")
        stop = set(chosen)
    unsubscribe.choose(subscriber, stop, via="unsubscribe_link")
    stopped = unsubscribe.stopped(subscriber)
    return render(request, "scheduling/unsubscribe.html", {
        **context, "saved": True, "topics": [(v, label, v in stopped) for v, label in TOPICS]})


def _choices(patient: Patient) -> list[dict[str, Any]]:
    rows = []
    for channel in Channel:
        subscriber = unsubscribe.Subscriber(patient.clinic, channel.value, patient,
                                            patient.email if channel == Channel.EMAIL else patient.phone)
        stopped = unsubscribe.stopped(subscriber)
        rows.append({"channel": channel.value, "label": channel.label, "address": subscriber.address,
                     "topics": [(f"stop_{channel.value}_{v}", label, v in stopped) for v, label in TOPICS]})
    return rows


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@submit_once("message_choices")
def patient_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """A patient's messages (what was sent, skipped or is queued) and the kinds they receive on each channel."""
    user: Staff = request.user  # type: ignore[assignment]
    patient = access.get_for(user, Patient, pk, kind=access.DEMOGRAPHIC)
    if request.method == "POST":
        known = {name for row in _choices(patient) for name, _, _ in row["topics"]}
        unknown = [k for k in request.POST if k.startswith("stop_") and k not in known]
        if unknown:
            audit.attempted(user, "message_choices", patient, fields=["stop"])
            return render(request, "scheduling/patient_messages.html", _context(patient, error=(
                "stop", f"not a channel and kind of message: {unknown[0][:60]}")), status=422)
        for channel in Channel:
            subscriber = unsubscribe.Subscriber(patient.clinic, channel.value, patient,
                                                patient.email if channel == Channel.EMAIL else patient.phone)
            stop = {v for v, _ in TOPICS if request.POST.get(f"stop_{channel.value}_{v}")}
            unsubscribe.choose(subscriber, stop, via="staff", actor=user)
        return redirect("scheduling:patient_messages", pk=patient.pk)
    audit.record(user, "read_messages", patient)
    return render(request, "scheduling/patient_messages.html", _context(patient))


def _context(patient: Patient, error: tuple[str, str] | None = None) -> dict[str, Any]:
    rows = list(Message.objects.filter(patient=patient).order_by("-due_at", "-id")
                .only("id", "kind", "channel", "status", "skip_reason", "due_at", "sent_at", "subject",
                      "possible_duplicate", "to_address")[:100])
    return {"patient": patient, "rows": rows, "choices": _choices(patient),
            "error": {"field": error[0], "message": error[1]} if error else None}
