from django.urls import path

from ketamine_clinic.evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("patients/<uuid:patient_id>/evaluations/new/", views.create, name="create"),
    path("patients/<uuid:patient_id>/eligibility/", views.chart_section, name="chart_section"),
    path("evaluations/<uuid:evaluation_id>/", views.detail, name="detail"),
    path("evaluations/<uuid:evaluation_id>/edit/", views.edit, name="edit"),
    path("evaluations/<uuid:evaluation_id>/override/", views.override, name="override"),
    path("evaluations/<uuid:evaluation_id>/sign/", views.sign, name="sign"),
    path("evaluations/<uuid:evaluation_id>/amend/", views.amend, name="amend"),
]
