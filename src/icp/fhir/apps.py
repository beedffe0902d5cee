"""Django app configuration for the FHIR API."""

from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "icp.fhir"
    label = "fhir"
    verbose_name = "FHIR R4 API"
