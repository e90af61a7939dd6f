"""The portal's addresses, all under /portal/ (site/urls.py). Every page is `patient_required` except signing in,
taking up an invitation and what makes the app installable (manifest, service worker, offline page)."""

from django.urls import path

from sciatica_care.clinic.submission import submit_once
from sciatica_care.portal.views import (
    appointment_pages,
    journal_pages,
    patient_signin,
    plan_handout,
    portal_questionnaires,
    portal_settings,
    programme_page,
    progress_page,
    pwa,
    today,
)

app_name = "portal"
urlpatterns = [
    path("", today.home, name="home"),
    path("sign-in/", patient_signin.signin, name="signin"),
    path("sign-in/code/", patient_signin.signin_code, name="signin_code"),
    path("sign-in/second-step/", patient_signin.signin_second_factor, name="signin_second_factor"),
    path("sign-out/", patient_signin.signout, name="signout"),
    path("programme/", programme_page.programme, name="programme"),
    path("programme/done/", programme_page.done, name="programme_done"),
    path("welcome/<str:token>/", patient_signin.welcome, name="welcome"),
    path("diary/", journal_pages.diary, name="diary"),
    path("api/diary/", journal_pages.diary_api, name="diary_api"),
    path("progress/", progress_page.progress, name="progress"),
    path("progress/scores.svg", progress_page.scores_chart, name="scores_chart"),
    path("progress/diary.svg", progress_page.diary_chart, name="diary_chart"),
    path("questionnaires/<int:pk>/", submit_once("portal_questionnaire")(portal_questionnaires.questionnaire),
         name="questionnaire"),
    path("appointments/<int:pk>/cancel/", appointment_pages.appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:pk>/reschedule/", appointment_pages.appointment_reschedule,
         name="appointment_reschedule"),
    path("home-programme/handout/", plan_handout.handout, name="handout"),
    path("settings/", submit_once("portal_settings")(portal_settings.settings_page), name="settings"),
    path("settings/password/", submit_once("portal_password")(portal_settings.password), name="password"),
    path("settings/second-step/", submit_once("portal_second_factor")(portal_settings.second_factor_page),
         name="second_factor"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
]
