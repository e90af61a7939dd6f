"""What makes the portal an installable web app: its manifest, its service worker (served from /portal/ so that
its scope is the portal) and the page shown offline when a page was never kept."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    icons = [{"src": static("portal/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
             {"src": static("portal/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
             {"src": static("portal/icons/icon-512-maskable.png"), "sizes": "512x512", "type": "image/png",
              "purpose": "maskable"},
             {"src": static("portal/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"}]
    response = JsonResponse({
        "name": "Sciatica Care — your diary and home programme", "short_name": "Sciatica Care",
        "start_url": reverse("portal:home"), "scope": "/portal/", "id": "/portal/", "display": "standalone",
        "background_color": "#f6f8f7", "theme_color": "#2a6560", "lang": "en", "icons": icons,
        "description": "Your pain diary, home programme and progress, from your clinic."})
    response["Content-Type"] = "application/manifest+json"
    return response


@lru_cache(maxsize=1)
def _worker_source() -> bytes:
    found = finders.find("portal/sw.js")
    return Path(str(found)).read_bytes() if found else b""


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_worker_source(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/offline.html", {})
