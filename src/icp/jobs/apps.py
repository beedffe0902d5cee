"""Django app configuration for background jobs."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "icp.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
