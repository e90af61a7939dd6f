"""The portal's addresses, all under /portal/ (site/urls.py). Every view is `patient_required` except sign-in."""

from django.urls import path

from sciatica_care.portal.views import patient_signin, programme_page, today

app_name = "portal"
urlpatterns = [
    path("", today.home, name="home"),
    path("sign-in/", patient_signin.signin, name="signin"),
    path("sign-out/", patient_signin.signout, name="signout"),
    path("programme/", programme_page.programme, name="programme"),
    path("programme/done/", programme_page.done, name="programme_done"),
]
