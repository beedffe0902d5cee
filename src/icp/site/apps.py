"""Django app configuration for the site (templates, static files, home page)."""

from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "icp.site"
    label = "icp_site"
    verbose_name = "icp site"
