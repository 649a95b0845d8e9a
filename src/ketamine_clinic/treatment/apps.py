from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "ketamine_clinic.treatment"
    label = "treatment"
    verbose_name = "Protocols, orders and courses"
