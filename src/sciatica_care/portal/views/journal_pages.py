"""The diary: the day's entry on a phone, sent by the page's script (kept on the phone while offline and sent
once when back online) or, without script, as a plain form; the JSON endpoint the script sends to.

The endpoint answers 201 with the stored entry, 200 with the same entry when it was stored already (the entry's
`client_id` is unique: a replay changes nothing), 422 with every problem by field, 401 when the session has ended
(the phone keeps the entry and asks the patient to sign in). An entry that reports an emergency sign answers with
the emergency advice, and the clinic has been alerted before the answer leaves.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sciatica_care.clinic import audit
from sciatica_care.clinic.clinical import ALARM_QUESTIONS, DiaryAlarm, diary_alarm
from sciatica_care.errors import InputRefused
from sciatica_care.portal import journal_input, journal_store
from sciatica_care.portal.access import patient_required, patient_required_json
from sciatica_care.portal.models import JournalEntry

#: The activities offered as tick boxes (the patient adds their own beside them).
ACTIVITIES = ("desk work", "driving", "lifting", "housework", "gardening", "exercise", "long walk",
              "standing a long time")
RECENT_DAYS = 7
MAX_BODY = 20_000


def _entry_json(entry: JournalEntry) -> dict[str, Any]:
    return {"client_id": str(entry.client_id), "date": entry.date.isoformat(), "leg_nrs": entry.leg_nrs,
            "back_nrs": entry.back_nrs, "received_at": entry.received_at.isoformat()}


def _alarm_json(alarm: DiaryAlarm | None) -> dict[str, Any] | None:
    if alarm is None:
        return None
    return {"headline": alarm.headline, "signs": [{"name": n, "text": t} for n, t in alarm.signs],
            "flags": list(alarm.flags), "clinic_alerted": True}


def _signs(ticked: list[str]) -> list[tuple[str, str, str]]:
    """(question, red flag name, the patient's words) for each ticked question's flags."""
    out = []
    for question in ticked:
        alarm = diary_alarm([question])
        if alarm is not None:
            out.extend((question, name, text) for name, text in alarm.signs)
    return out


def _medication_names(patient: Any) -> list[str]:
    """The names the patient has used before, most recent first (tick boxes next time)."""
    names: list[str] = []
    rows = JournalEntry.objects.filter(patient=patient).order_by("-date", "-id").values_list("medications",
                                                                                             flat=True)[:30]
    for row in rows:
        names.extend(n for n in row if n not in names)
    return names[:8]


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    patient = request.patient  # type: ignore[attr-defined]
    today = timezone.localdate()
    recent = journal_store.days(patient, since=today - dt.timedelta(days=RECENT_DAYS - 1))
    return {"nav": "diary", "patient": patient, "today": today, "client_id": uuid.uuid4(),
            "activities": ACTIVITIES, "medications": _medication_names(patient), "scale": range(11),
            "alarm_questions": ALARM_QUESTIONS, "alarm_preview": diary_alarm([q.id for q in ALARM_QUESTIONS]),
            "alarm_signs": _signs([q.id for q in ALARM_QUESTIONS]),
            "recent": list(reversed(recent)), "done_today": any(e.date == today for e in recent),
            "account": request.user.pk, **extra}


@never_cache
@patient_required
@require_http_methods(["GET", "POST"])
def diary(request: HttpRequest) -> HttpResponse:
    """The day's entry (GET), or the plain form sent without script (POST)."""
    patient = request.patient  # type: ignore[attr-defined]
    if request.method == "GET":
        audit.record(request.user, "portal_view_diary", patient)  # type: ignore[arg-type]
        return render(request, "portal/diary.html", _context(request))
    doc = journal_input.from_form(request.POST)
    try:
        saved = journal_store.save(request.user, patient, journal_input.check(doc))  # type: ignore[arg-type]
    except InputRefused as refused:
        audit.attempted(request.user, "create", object_type="JournalEntry", patient_id=patient.pk,  # type: ignore[arg-type]
                        fields=refused.problems)
        errors = {p.path.split("[")[0]: p.message for p in refused.problems}
        return render(request, "portal/diary.html", _context(request, errors=errors, problems=refused.problems,
                                                             posted=request.POST), status=422)
    return render(request, "portal/diary_saved.html", {
        "nav": "diary", "entry": saved.entry, "created": saved.created, "alarm": saved.alarm,
        "alarm_signs": _signs(saved.entry.alarm_signs)},
        status=201 if saved.created else 200)


@never_cache
@patient_required_json
@require_POST
def diary_api(request: HttpRequest) -> HttpResponse:
    """One entry as JSON (the page's script and its offline queue)."""
    patient = request.patient  # type: ignore[attr-defined]
    if len(request.body) > MAX_BODY:
        return JsonResponse({"errors": [{"path": "(entry)", "message": "too large"}]}, status=413)
    try:
        doc = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"errors": [{"path": "(entry)", "message": "must be a JSON object"}]}, status=400)
    try:
        saved = journal_store.save(request.user, patient, journal_input.check(doc))  # type: ignore[arg-type]
    except InputRefused as refused:
        audit.attempted(request.user, "create", object_type="JournalEntry", patient_id=patient.pk,  # type: ignore[arg-type]
                        fields=refused.problems)
        return JsonResponse(refused.as_json(), status=422)
    return JsonResponse({"entry": _entry_json(saved.entry), "created": saved.created,
                         "alarm": _alarm_json(saved.alarm)}, status=201 if saved.created else 200)
