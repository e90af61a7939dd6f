from django.urls import path
from django.views.generic import RedirectView

from sciatica_care.clinic.views import (
    auth,
    dashboard,
    discharge,
    episodes,
    handouts,
    outcomes,
    patients,
    preferences,
    tokens,
    visits,
)

app_name = "clinic"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="clinic:patient_list"), name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("patients/", patients.patient_list, name="patient_list"),
    path("patients/new/", patients.patient_new, name="patient_new"),
    path("patients/<int:pk>/", patients.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/episodes/new/", episodes.episode_new, name="episode_new"),
    path("episodes/<int:pk>/", episodes.episode_detail, name="episode"),
    path("episodes/<int:pk>/intake/", episodes.intake, name="intake"),
    path("episodes/<int:pk>/intake/preview/", episodes.intake_preview, name="intake_preview"),
    path("episodes/<int:pk>/visits/new/", visits.visit_new, name="visit_new"),
    path("plans/<int:pk>/", episodes.plan_view, name="plan"),
    path("plans/<int:pk>/handout.html", handouts.handout_html, name="handout_html"),
    path("plans/<int:pk>/handout.pdf", handouts.handout_pdf, name="handout_pdf"),
    path("plans/<int:pk>/print.pdf", handouts.practitioner_pdf, name="practitioner_pdf"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", visits.visit_edit, name="visit_edit"),
    path("episodes/<int:pk>/progress.svg", outcomes.progress_chart, name="progress_chart"),
    path("episodes/<int:pk>/questionnaire-links/", outcomes.link_new, name="questionnaire_link_new"),
    path("q/<str:token>/", outcomes.questionnaire, name="questionnaire"),
    path("episodes/<int:pk>/discharge/", discharge.discharge_html, name="discharge"),
    path("episodes/<int:pk>/discharge.pdf", discharge.discharge_pdf, name="discharge_pdf"),
    path("episodes/<int:pk>/discharge/close/", discharge.discharge_close, name="discharge_close"),
    path("episodes/<int:pk>/reopen/", discharge.reopen, name="episode_reopen"),
    path("dashboard/", dashboard.dashboard_view, name="dashboard"),
    path("dashboard/analysis.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("settings/", preferences.clinic_settings, name="clinic_settings"),
]
