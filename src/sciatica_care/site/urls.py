"""The API, the clinic's pages and — only when `SCIATICA_CARE_ADMIN_PATH` is configured — Django's admin (the
deployment's superuser only, see `admin_site.py`). Without that setting no admin address exists: /admin/ is 404."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from sciatica_care.api.fhir import api as fhir_api
from sciatica_care.api.fhir import unknown_address
from sciatica_care.api.rest import api


def build(admin_path: str | None) -> list[Any]:
    patterns: list[Any] = [path("api/fhir/", fhir_api.urls), path("api/fhir/<path:rest>", unknown_address),
                           path("api/", api.urls), path("portal/", include("sciatica_care.portal.urls")),
                           path("book/", include("sciatica_care.scheduling.online.urls")),
                           path("", include("sciatica_care.scheduling.urls")),
                           path("", include("sciatica_care.clinic.urls"))]
    if admin_path:
        patterns.insert(0, path(f"{admin_path}/", admin.site.urls))
    return patterns


urlpatterns = build(getattr(settings, "SCIATICA_CARE_ADMIN_PATH", None))
