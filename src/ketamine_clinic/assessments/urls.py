from django.urls import path

from ketamine_clinic.assessments import views

app_name = "assessments"
urlpatterns = [
    path("alerts/<uuid:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("instruments/", views.instruments, name="instruments"),
    path("q/<str:token>/", views.link, name="link"),
    path("me/questionnaires/<slug:instrument_id>/", views.fill_in, name="fill_in"),
    path("patients/<uuid:patient_id>/measurements/", views.measurements, name="measurements"),
    path(
        "patients/<uuid:patient_id>/measurements/<slug:instrument_id>.svg",
        views.chart_svg,
        name="chart_svg",
    ),
    path("patients/<uuid:patient_id>/assessments/link/", views.send_link, name="send_link"),
    path(
        "patients/<uuid:patient_id>/assessments/new/<slug:instrument_id>/",
        views.record,
        name="record",
    ),
    path(
        "patients/<uuid:patient_id>/assessments/<uuid:assessment_id>/entered-in-error/",
        views.in_error,
        name="in_error",
    ),
]
