from django.urls import path

from ketamine_clinic.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("me/", views.portal, name="portal"),
    path("<uuid:patient_id>/", views.patient_chart, name="chart"),
    path("<uuid:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<uuid:patient_id>/entered-in-error/", views.patient_in_error, name="in_error"),
    path("<uuid:patient_id>/<slug:segment>/add/", views.record_add, name="record_add"),
    path(
        "<uuid:patient_id>/<slug:segment>/<uuid:record_id>/entered-in-error/",
        views.record_in_error,
        name="record_in_error",
    ),
]
