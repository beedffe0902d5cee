"""Page URLs of the governance app."""

from django.urls import URLPattern, URLResolver

app_name = "governance"
urlpatterns: list[URLPattern | URLResolver] = []
