"""The clinic admin's services: list, add, edit; a service no longer offered is switched off (appointments keep
theirs, a protected reference), never deleted."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sciatica_care.scheduling.models import Service
from sciatica_care.scheduling.setup_forms import ServiceForm
from sciatica_care.scheduling.views.setup_common import admin, own, page, record_change, refused, save_form, snapshot

SERVICE_FIELDS = list(ServiceForm.Meta.fields)


def _services(clinic_id: int) -> list[Service]:
    return list(Service.objects.filter(clinic_id=clinic_id).order_by("-active", "name"))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def services(request: HttpRequest) -> HttpResponse:
    user = admin(request, "Service")
    form = ServiceForm(request.POST or None, instance=Service(clinic_id=user.clinic_id))
    form.siblings = Service.objects.filter(clinic_id=user.clinic_id)
    if request.method == "POST":
        saved = save_form(form)
        if saved is None:
            refused(user, "create", "Service", form)
            return page(request, user, "services.html", {"form": form, "services": _services(user.clinic_id)},
                        status=422)
        record_change(user, "create", saved, {}, snapshot(saved, SERVICE_FIELDS))
        messages.success(request, f"{saved.name} is added.")
        return redirect("scheduling:setup_services")
    return page(request, user, "services.html", {"form": form, "services": _services(user.clinic_id)})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def service(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin(request, "Service")
    offered: Service = own(user, Service, pk)
    before = snapshot(offered, SERVICE_FIELDS)
    form = ServiceForm(request.POST or None, instance=offered)
    form.siblings = Service.objects.filter(clinic_id=user.clinic_id)
    if request.method == "POST":
        saved = save_form(form)
        if saved is None:
            refused(user, "update", "Service", form)
            offered.refresh_from_db()
            return page(request, user, "service.html", {"service": offered, "form": form}, status=422)
        record_change(user, "update", saved, before, snapshot(saved, SERVICE_FIELDS))
        messages.success(request, f"{saved.name} is saved.")
        return redirect("scheduling:setup_services")
    return page(request, user, "service.html", {"service": offered, "form": form})
