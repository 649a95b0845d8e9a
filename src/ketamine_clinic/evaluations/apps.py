from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "ketamine_clinic.evaluations"
    label = "evaluations"
    verbose_name = "Evaluations and eligibility"
