import re

from django.urls import path, register_converter

from ketamine_clinic.patients import views
from ketamine_clinic.patients.records import RECORD_KINDS


class RecordSegment:
    """Only the chart's own record kinds, so that other apps' pages under a patient (such as
    /patients/<id>/assessments/...) are not taken for an unknown kind and refused."""

    regex = "|".join(re.escape(segment) for segment in sorted(RECORD_KINDS))

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RecordSegment, "record_segment")

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("me/", views.portal, name="portal"),
    path("<uuid:patient_id>/", views.patient_chart, name="chart"),
    path("<uuid:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<uuid:patient_id>/entered-in-error/", views.patient_in_error, name="in_error"),
    path("<uuid:patient_id>/<record_segment:segment>/add/", views.record_add, name="record_add"),
    path(
        "<uuid:patient_id>/<record_segment:segment>/<uuid:record_id>/entered-in-error/",
        views.record_in_error,
        name="record_in_error",
    ),
]
