from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """No tables of its own: it reads the other apps, above all of them."""

    name = "ketamine_clinic.clinic"
    label = "clinic"
    verbose_name = "Clinic"
