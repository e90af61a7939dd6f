"""The front desk's pages (namespace `scheduling`)."""

from __future__ import annotations

from django.urls import path

from sciatica_care.scheduling import feed_views, message_views

app_name = "scheduling"

urlpatterns = [
    path("messages/unsubscribe/<str:token>/", message_views.unsubscribe_page, name="unsubscribe"),
    path("patients/<int:pk>/messages/", message_views.patient_messages, name="patient_messages"),
    path("calendar/feed/<str:token>.ics", feed_views.calendar_feed, name="calendar_feed"),
    path("calendar/my-feed/", feed_views.my_calendar_feed, name="my_calendar_feed"),
    path("staff/<int:pk>/calendar-feed/revoke/", feed_views.staff_calendar_feed_revoke,
         name="staff_calendar_feed_revoke"),
    path("calendar/appointments/<int:pk>.ics", feed_views.appointment_ics, name="appointment_ics"),
]
