from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "ketamine_clinic.interop"
    label = "interop"
    verbose_name = "Interoperability and reporting"
