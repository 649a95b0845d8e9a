from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "ketamine_clinic.patients"
    label = "patients"
    verbose_name = "Patients"
