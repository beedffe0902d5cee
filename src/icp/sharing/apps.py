"""Django app configuration for sharing."""

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "icp.sharing"
    label = "sharing"
