"""The front desk's pages: the staff calendar and what is done from it."""

from django.urls import path

from sciatica_care.clinic.submission import submit_once
from sciatica_care.scheduling import feed_views, message_views
from sciatica_care.scheduling.views import (
    appointment_actions,
    calendar_views,
    course_views,
    setup_home,
    setup_places,
    setup_rules,
    setup_services,
    setup_shifts,
)

# Write forms spend a one-time token (`clinic/submission.py`): a repeated POST changes the diary once.
app_name = "scheduling"
urlpatterns = [
    path("calendar/", calendar_views.calendar_view, name="calendar"),
    path("calendar/book/", submit_once("booking")(appointment_actions.book), name="book"),
    path("calendar/patients/", appointment_actions.patient_search, name="patient_search"),
    path("appointments/<int:pk>/", appointment_actions.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/move/", submit_once("appointment_move")(appointment_actions.move),
         name="appointment_move"),
    path("appointments/<int:pk>/cancel/", submit_once("appointment_cancel")(appointment_actions.cancel),
         name="appointment_cancel"),
    path("appointments/<int:pk>/mark/", submit_once("appointment_mark")(appointment_actions.mark),
         name="appointment_mark"),
    path("appointments/<int:pk>/stop-link/", submit_once("appointment_stop_link")(appointment_actions.stop_link),
         name="appointment_stop_link"),
    path("appointments/<int:pk>/chart/", appointment_actions.chart, name="appointment_chart"),
    path("calendar/course/", course_views.course_start, name="course_start"),
    path("episodes/<int:pk>/course/", submit_once("course")(course_views.course_book), name="course_book"),
    path("messages/unsubscribe/<str:token>/", message_views.unsubscribe_page, name="unsubscribe"),
    path("patients/<int:pk>/messages/", message_views.patient_messages, name="patient_messages"),
    path("calendar/feed/<str:token>.ics", feed_views.calendar_feed, name="calendar_feed"),
    path("calendar/my-feed/", feed_views.my_calendar_feed, name="my_calendar_feed"),
    path("staff/<int:pk>/calendar-feed/revoke/", feed_views.staff_calendar_feed_revoke,
         name="staff_calendar_feed_revoke"),
    path("calendar/appointments/<int:pk>.ics", feed_views.appointment_ics, name="appointment_ics"),
    # The clinic admin's setup of the diary (views/setup_*.py).
    path("settings/front-desk/", setup_home.setup_home, name="setup"),
    path("settings/front-desk/locations/", submit_once("setup_location")(setup_places.locations),
         name="setup_locations"),
    path("settings/front-desk/locations/<int:pk>/", submit_once("setup_location")(setup_places.location),
         name="setup_location"),
    path("settings/front-desk/locations/<int:pk>/rooms/", submit_once("setup_room")(setup_places.room_add),
         name="setup_room_add"),
    path("settings/front-desk/rooms/<int:pk>/", submit_once("setup_room")(setup_places.room), name="setup_room"),
    path("settings/front-desk/services/", submit_once("setup_service")(setup_services.services),
         name="setup_services"),
    path("settings/front-desk/services/<int:pk>/", submit_once("setup_service")(setup_services.service),
         name="setup_service"),
    path("settings/front-desk/shifts/", submit_once("setup_shift")(setup_shifts.shifts), name="setup_shifts"),
    path("settings/front-desk/shifts/<int:pk>/", submit_once("setup_shift")(setup_shifts.shift),
         name="setup_shift"),
    path("settings/front-desk/shifts/<int:pk>/delete/", submit_once("setup_shift_delete")(setup_shifts.shift_delete),
         name="setup_shift_delete"),
    path("settings/front-desk/time-off/", submit_once("setup_time_off")(setup_shifts.exceptions),
         name="setup_exceptions"),
    path("settings/front-desk/time-off/<int:pk>/", submit_once("setup_time_off")(setup_shifts.exception),
         name="setup_exception"),
    path("settings/front-desk/time-off/<int:pk>/delete/",
         submit_once("setup_time_off_delete")(setup_shifts.exception_delete), name="setup_exception_delete"),
    path("settings/front-desk/rules/", submit_once("setup_rules")(setup_rules.rules), name="setup_rules"),
]
