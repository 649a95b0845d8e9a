from django.urls import path

from ketamine_clinic.interop import export_views
from ketamine_clinic.interop import views as report_views
from ketamine_clinic.interop.smart import views as smart_views

app_name = "interop"
urlpatterns = [
    path("reports/outcomes/", report_views.outcomes, name="outcomes"),
    path("reports/outcomes/durability.svg", report_views.durability_chart, name="durability"),
    path("reports/outcomes/response.svg", report_views.response_chart, name="response"),
    path("exports/", export_views.exports, name="exports"),
    path("exports/bulk/", export_views.bulk_exports, name="bulk_exports"),
    path("patients/<uuid:patient_id>/fhir/", export_views.patient_record, name="patient_record"),
    path("patients/<uuid:patient_id>/apps/", smart_views.patient_apps, name="patient_apps"),
    path("account/apps/", smart_views.connected_apps, name="connected_apps"),
    path("clinic/apps/", smart_views.clinic_apps, name="smart_apps"),
]
