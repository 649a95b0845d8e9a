from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """No tables of its own: the abstract base every clinical record inherits."""

    name = "ketamine_clinic.records"
    label = "records"
    verbose_name = "Clinical records"
