"""The public booking pages, under /book/. Anyone may open them: each checks its own token or code."""

from typing import Any

from django.urls import path

from sciatica_care.clinic.submission import submit_once
from sciatica_care.scheduling.online import manage_pages, offer_pages, public_booking

app_name = "booking"
urlpatterns: list[Any] = [
    # literal prefixes first: a clinic's address can never be one of them (front_desk.RESERVED_SLUGS)
    path("manage/<str:token>/", manage_pages.manage, name="manage"),
    path("manage/<str:token>/cancel/", manage_pages.manage_cancel, name="manage_cancel"),
    path("manage/<str:token>/reschedule/", manage_pages.manage_move, name="manage_move"),
    path("offer/<str:token>/", offer_pages.offer, name="offer"),
    path("<slug:slug>/", public_booking.start, name="online_start"),
    path("<slug:slug>/details/", submit_once("online_booking")(public_booking.details), name="online_details"),
    path("<slug:slug>/code/", submit_once("online_booking_code")(public_booking.code), name="online_code"),
    path("<slug:slug>/booked/<str:token>/", public_booking.done, name="online_done"),
    path("<slug:slug>/waitlist/", offer_pages.join, name="waitlist_join"),
]
