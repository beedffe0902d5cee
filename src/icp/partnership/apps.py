"""Django app configuration for the partnership registry."""

from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "icp.partnership"
    label = "partnership"
    verbose_name = "Partnership registry"
