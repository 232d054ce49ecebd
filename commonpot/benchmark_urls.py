"""The site's addresses and a bare view beside them, for `manage.py benchmark pages`.

A module of its own: the site's URLs are read only once the benchmark runs, after
every app (and the admin) has registered what it serves."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("benchmark/bare/", bare, name="benchmark_bare"),
    path("", include("commonpot.urls")),
]
