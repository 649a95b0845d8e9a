from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "ketamine_clinic.interop"
    label = "interop"
    verbose_name = "Interoperability and reporting"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from ketamine_clinic.interop.smart.origins import registered_origin

        check_request_enabled.connect(registered_origin, dispatch_uid="smart-app-origins")
