from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "ketamine_clinic.messaging"
    label = "messaging"
    verbose_name = "Reminders and messages"

    def ready(self) -> None:
        from ketamine_clinic.messaging import receivers  # noqa: F401  # connects the webhook's signal
