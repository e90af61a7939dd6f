"""The portal's addresses, all under /portal/ (site/urls.py). Every view is `patient_required` except sign-in."""

from django.urls import path

from sciatica_care.portal.views import patient_signin, today

app_name = "portal"
urlpatterns = [
    path("", today.home, name="home"),
    path("sign-in/", patient_signin.signin, name="signin"),
    path("sign-out/", patient_signin.signout, name="signout"),
]
