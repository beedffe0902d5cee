"""Django app configuration for governance."""

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "icp.governance"
    label = "governance"
