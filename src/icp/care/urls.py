"""Page URLs of the care app."""

from django.urls import URLPattern, URLResolver

app_name = "care"
urlpatterns: list[URLPattern | URLResolver] = []
