"""The public booking pages, under /book/. Anyone may open them: each checks its own token or code."""

from typing import Any

from django.urls import path

from sciatica_care.clinic.submission import submit_once
from sciatica_care.scheduling.online import public_booking

app_name = "booking"
urlpatterns: list[Any] = [
    path("<slug:slug>/", public_booking.start, name="online_start"),
    path("<slug:slug>/details/", submit_once("online_booking")(public_booking.details), name="online_details"),
    path("<slug:slug>/code/", submit_once("online_booking_code")(public_booking.code), name="online_code"),
    path("<slug:slug>/booked/<str:token>/", public_booking.done, name="online_done"),
]
