from django.urls import path

from ketamine_clinic.treatment.views import courses as views
from ketamine_clinic.treatment.views import pk as pk_views
from ketamine_clinic.treatment.views import protocols as protocol_views

app_name = "treatment"
urlpatterns = [
    path("protocols/", protocol_views.protocol_list, name="protocols"),
    path("protocols/copy/", protocol_views.protocol_copy, name="protocol_copy"),
    path("protocols/<slug:key>/adjust/", protocol_views.protocol_adjust, name="protocol_adjust"),
    path("protocols/<slug:key>/retire/", protocol_views.protocol_retire, name="protocol_retire"),
    path("patients/<uuid:patient_id>/courses/new/", views.order, name="order"),
    path("patients/<uuid:patient_id>/courses/preview/", views.preview, name="preview"),
    path("patients/<uuid:patient_id>/courses/", views.chart_section, name="chart_section"),
    path("courses/<uuid:course_id>/", views.course, name="course"),
    path("courses/<uuid:course_id>/pk.svg", pk_views.course_chart, name="pk_chart"),
    path("courses/<uuid:course_id>/what-if/", pk_views.what_if, name="what_if"),
    path("courses/<uuid:course_id>/what-if.svg", pk_views.what_if_chart, name="what_if_chart"),
    path("patients/<uuid:patient_id>/pk-preview.svg", pk_views.preview_chart, name="pk_preview"),
    path("courses/<uuid:course_id>/maintenance/", views.maintenance, name="maintenance"),
    path("courses/<uuid:course_id>/adjunct/", views.adjunct, name="adjunct"),
    path("courses/<uuid:course_id>/titration/", views.decide, name="decide"),
    path("courses/<uuid:course_id>/orders/new/", views.new_order, name="new_order"),
    path("orders/<uuid:order_id>/sign/", views.sign, name="sign"),
    path("schedule/<uuid:session_id>/move/", views.move, name="move"),
    path("schedule/<uuid:session_id>/mark/", views.mark, name="mark"),
]
