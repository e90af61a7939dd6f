"""The front desk's setup, for the clinic admin: one page leading to the locations, services, working hours,
time off and booking rules, saying what is set up so far."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sciatica_care.scheduling.booking import rules_for
from sciatica_care.scheduling.models import Location, Service, Shift, ShiftException
from sciatica_care.scheduling.views.setup_common import admin, page
from sciatica_care.scheduling.views.setup_rules import booking_address


@login_required
@never_cache
@require_GET
def setup_home(request: HttpRequest) -> HttpResponse:
    user = admin(request, "FrontDeskSetup")
    clinic_id = user.clinic_id
    rules = rules_for(clinic_id)  # type: ignore[arg-type]
    return page(request, user, "home.html", {
        "locations": Location.objects.filter(clinic_id=clinic_id, active=True).count(),
        "services": Service.objects.filter(clinic_id=clinic_id, active=True).count(),
        "shifts": Shift.objects.filter(location__clinic_id=clinic_id).count(),
        "time_off": ShiftException.objects.filter(clinic_id=clinic_id, ends_at__gt=timezone.now()).count(),
        "rules": rules, "address": booking_address(rules.public_slug)})
