"""The public booking pages, under /book/. Anyone may open them: each checks its own token or code."""

from typing import Any

from django.urls import path

from sciatica_care.scheduling.online import offer_pages

app_name = "booking"
urlpatterns: list[Any] = [
    path("offer/<str:token>/", offer_pages.offer, name="offer"),
    path("<slug:slug>/waitlist/", offer_pages.join, name="waitlist_join"),
]
