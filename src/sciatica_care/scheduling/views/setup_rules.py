"""The clinic admin's booking rules: notice, horizon, late cancellation, approval of new patients, the slot step,
reminders, the waiting list's offer time, what practitioners see of colleagues, the front desk's email, and the
public booking page (on or off, and its address). Saved only over the version the form was opened at: a form
left open while someone else saved is refused, showing their values, and nothing is written."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sciatica_care.clinic import audit, records
from sciatica_care.clinic.models import Staff
from sciatica_care.scheduling.booking import rules_for
from sciatica_care.scheduling.models import BookingRules
from sciatica_care.scheduling.setup_forms import BookingRulesForm
from sciatica_care.scheduling.views.setup_common import admin, page, plain, record_change, refused, snapshot

CONFLICT = ("Someone else saved the booking rules while you were editing them, so yours were not saved. The form "
            "below shows your values; the rules as they are now are listed. Check them and save again to keep "
            "yours.")


def booking_address(slug: str | None) -> str:
    """The public booking page's address for `slug`."""
    base = str(getattr(settings, "SCIATICA_CARE_BASE_URL", "") or "").rstrip("/")
    return f"{base}/book/{slug}/" if slug else ""


def _page(request: HttpRequest, user: Staff, rules: BookingRules, form: BookingRulesForm, status: int = 200,
          **extra: Any) -> HttpResponse:
    return page(request, user, "rules.html", {"rules": rules, "form": form,
                                              "address": booking_address(rules.public_slug), **extra}, status=status)


def _save(user: Staff, rules: BookingRules, expected: int, values: dict[str, Any]) -> None:
    """Write the rules over version `expected` (the row is made at version 1 the first time)."""
    fields = list(values)
    if rules._state.adding:
        if expected != 1:
            raise records.Conflict(rules, None)
        try:
            with transaction.atomic():
                made = BookingRules.objects.create(clinic_id=rules.clinic_id, **values)
        except IntegrityError:
            if BookingRules.objects.filter(pk=rules.clinic_id).exists():  # another admin made them meanwhile
                raise records.Conflict(rules, None) from None
            raise
        record_change(user, "create", made, {}, snapshot(made, fields))
        return
    changes = {k: v for k, v in values.items() if plain(getattr(rules, k)) != plain(v)}
    if not changes:
        if BookingRules.objects.filter(pk=rules.pk, version=expected).exists():
            return
        raise records.Conflict(rules, rules.version)
    records.update_versioned(user, rules, expected, changes, keep_changes=True)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    user = admin(request, "BookingRules")
    current = rules_for(user.clinic_id)  # type: ignore[arg-type]
    if request.method == "GET":
        return _page(request, user, current, BookingRulesForm(instance=current, initial={
            "version": current.version}))
    form = BookingRulesForm(request.POST, instance=rules_for(user.clinic_id))  # type: ignore[arg-type]
    if not form.is_valid():
        refused(user, "update", "BookingRules", form)
        return _page(request, user, current, form, status=422)
    expected = form.cleaned_data["version"]
    try:
        with transaction.atomic():
            _save(user, current, expected, form.values())
    except records.Conflict:
        fresh = rules_for(user.clinic_id)  # type: ignore[arg-type]
        data = request.POST.copy()
        data["version"] = str(fresh.version)  # saving again, having seen theirs, is deliberate
        form = BookingRulesForm(data, instance=rules_for(user.clinic_id))  # type: ignore[arg-type]
        form.is_valid()
        audit.record(user, "conflict", fresh, expected=expected, current=fresh.version)
        return _page(request, user, fresh, form, status=409, conflict=CONFLICT)
    except IntegrityError:
        form.add_error("public_slug", "Booking page address: already taken; choose another.")
        refused(user, "update", "BookingRules", form)
        return _page(request, user, current, form, status=422)
    messages.success(request, "Booking rules saved.")
    return redirect("scheduling:setup_rules")
