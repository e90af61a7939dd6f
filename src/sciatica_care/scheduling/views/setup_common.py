"""What the clinic admin's setup pages share: who may open them (the clinic admin only; anyone else 403, audited;
another clinic's row 404, audited), the audit of each change with its old and new values, and the list of booked
appointments a change leaves outside working hours (kept in the session for the page the change redirects to)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sciatica_care.clinic import audit
from sciatica_care.clinic.models import Staff
from sciatica_care.clinic.views.staff import admin_only
from sciatica_care.scheduling import stranded
from sciatica_care.scheduling.models import Appointment

TAKEN = "Name: there is already one called that; choose another name."
STRANDED_KEY = "setup_stranded"
STRANDED_WHY_KEY = "setup_stranded_why"
#: Why the kept appointments are listed: outside working hours, or in a room taken out of use.
HOURS, ROOM = "hours", "room"
#: The most stranded appointments listed on the page (the rest are counted).
STRANDED_SHOWN = 50


def admin(request: HttpRequest, object_type: str) -> Staff:
    """The clinic admin of a clinic (see `clinic/views/staff.py`): anyone else is refused, 403, audited."""
    return admin_only(request, object_type)


def own(user: Staff, model: type[models.Model], pk: Any, clinic_path: str = "clinic_id") -> Any:
    """One row of the admin's clinic (`clinic_path` leads from the row to its clinic), or 404; another clinic's
    row is audited as a denied access."""
    found = model._default_manager.filter(pk=pk, **{clinic_path: user.clinic_id}).first()  # type: ignore[attr-defined]
    if found is None:
        if model._default_manager.filter(pk=pk).exists():  # type: ignore[attr-defined]
            audit.record(user, "denied_other_clinic", None, object_type=model.__name__, object_id=int(pk))
        raise Http404(f"No {model.__name__.lower()} here")
    return found


def save_form(form: Any) -> Any:
    """The form's row saved, or None with the form's errors (a name taken meanwhile included)."""
    if not form.is_valid():
        return None
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error("name", TAKEN)
        return None


def plain(value: Any) -> Any:
    """A value as the audit event's JSON keeps it."""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {f: plain(getattr(obj, f)) for f in fields}


def record_change(user: Staff, action: str, obj: models.Model, before: dict[str, Any],
                  after: dict[str, Any], **detail: Any) -> None:
    """Audit a create, update or delete with each changed field's old and new value."""
    changes = {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v}
    if action == "delete":
        changes = {k: {"from": v, "to": None} for k, v in before.items()}
    audit.record(user, action, obj, fields=sorted(changes), changes=changes, **detail)


def refused(user: Staff, action: str, object_type: str, form: Any) -> None:
    audit.attempted(user, action, object_type=object_type, fields=list(form.errors))


def keep_stranded(request: HttpRequest, appointments: list[Appointment], why: str = HOURS) -> None:
    """Remember, for the next page, the appointments a change just left outside working hours (or, `why` ROOM,
    in a room taken out of use)."""
    if appointments:
        request.session[STRANDED_KEY] = [a.pk for a in appointments]
        request.session[STRANDED_WHY_KEY] = why if why in (HOURS, ROOM) else HOURS


def keep_stranding(request: HttpRequest, user: Staff, who: list[int] | None, change: Callable[[], Any]) -> Any:
    """Run `change` (a change of working hours) and keep, for the next page, the appointments of `who` (or
    everyone's, None) it newly leaves outside working hours. Answers what `change` answered."""
    clinic_id: int = user.clinic_id  # type: ignore[assignment]
    before = stranded.outside_hours(clinic_id, who)
    result = change()
    keep_stranded(request, stranded.newly_stranded(before, stranded.outside_hours(clinic_id, who)))
    return result


def take_stranded(request: HttpRequest, user: Staff) -> tuple[list[dict[str, Any]], int]:
    """The appointments kept by `keep_stranded` (once), each with its time in its location's zone; no patient is
    named here: each links to the appointment's own page."""
    ids = request.session.pop(STRANDED_KEY, None)
    request.session.pop(STRANDED_WHY_KEY, None)
    if not isinstance(ids, list) or not ids:
        return [], 0
    ids = [i for i in ids if isinstance(i, int)]
    found = list(Appointment.objects.filter(clinic_id=user.clinic_id, pk__in=ids)
                 .select_related("service", "location", "practitioner").order_by("start")[:STRANDED_SHOWN])
    rows = [{"pk": a.pk, "start": a.start.astimezone(zoneinfo.ZoneInfo(a.location.time_zone)),
             "end": a.end.astimezone(zoneinfo.ZoneInfo(a.location.time_zone)), "service": a.service.name,
             "practitioner": a.practitioner.display(), "location": a.location.name,
             "zone": a.location.time_zone} for a in found]
    return rows, max(len(ids) - len(rows), 0)


def page(request: HttpRequest, user: Staff, template: str, context: dict[str, Any],
         status: int = 200) -> HttpResponse:
    stranded, more = ([], 0)
    why = request.session.get(STRANDED_WHY_KEY, HOURS)
    if request.method == "GET":
        stranded, more = take_stranded(request, user)
        audit.record(user, "read", object_type="FrontDeskSetup", purpose=template.removesuffix(".html"))
    return render(request, f"scheduling/setup/{template}",
                  {**context, "stranded": stranded, "stranded_more": more,
                   "stranded_in_room": why == ROOM}, status=status)
