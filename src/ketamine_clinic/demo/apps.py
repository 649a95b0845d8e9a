from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No tables: the `demo` and `synth` commands, which fill a database through the actions."""

    name = "ketamine_clinic.demo"
    label = "demo"
    verbose_name = "Demo and synthetic data"
