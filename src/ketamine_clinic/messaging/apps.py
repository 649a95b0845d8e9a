from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "ketamine_clinic.messaging"
    label = "messaging"
    verbose_name = "Reminders and messages"
