from django.urls import path

from ketamine_clinic.clinic import views

app_name = "clinic"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("me/questionnaires/", views.my_questionnaires, name="my_questionnaires"),
    path("patients/<uuid:patient_id>/timeline/", views.timeline, name="timeline"),
]
