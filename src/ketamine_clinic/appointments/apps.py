from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "ketamine_clinic.appointments"
    label = "appointments"
    verbose_name = "Appointments, chairs and rooms"
