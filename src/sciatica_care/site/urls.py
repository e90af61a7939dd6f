from django.contrib import admin
from django.urls import include, path

from sciatica_care.api.json import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("sciatica_care.clinic.urls")),
]
