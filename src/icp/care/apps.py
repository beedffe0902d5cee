"""Django app configuration for care."""

from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "icp.care"
    label = "care"
