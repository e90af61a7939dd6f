"""The public booking pages, under /book/. Anyone may open them: each checks its own token or code."""

from typing import Any

from django.urls import path

from sciatica_care.scheduling.online import manage_pages

app_name = "booking"
urlpatterns: list[Any] = [
    path("manage/<str:token>/", manage_pages.manage, name="manage"),
    path("manage/<str:token>/cancel/", manage_pages.manage_cancel, name="manage_cancel"),
    path("manage/<str:token>/reschedule/", manage_pages.manage_move, name="manage_move"),
]
