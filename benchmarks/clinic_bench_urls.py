"""The app's URLs plus two trivial views to compare the clinic's pages with (benchmarks only).

- `/bench/trivial/`: a plain Django view returning "ok", through the app's full middleware stack;
- `/bench/trivial-auth/`: the same behind `login_required` (so it also loads the session and the user).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("bench/trivial-auth/", login_required(trivial), name="bench_trivial_auth"),
    path("", include("sciatica_care.site.urls")),
]
