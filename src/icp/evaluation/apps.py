"""Django app configuration for evaluation."""

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "icp.evaluation"
    label = "evaluation"
