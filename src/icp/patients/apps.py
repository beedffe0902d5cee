"""Django app configuration for patients."""

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "icp.patients"
    label = "patients"
    verbose_name = "Patients"
