from django.apps import AppConfig


class TreatmentSessionsConfig(AppConfig):
    name = "ketamine_clinic.treatment_sessions"
    label = "treatment_sessions"
    verbose_name = "Treatment sessions at the chair"
