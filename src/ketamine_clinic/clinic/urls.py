from django.urls import path

from ketamine_clinic.clinic import kiosk, views

app_name = "clinic"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("me/questionnaires/", views.my_questionnaires, name="my_questionnaires"),
    path("patients/<uuid:patient_id>/timeline/", views.timeline, name="timeline"),
    path("patients/<uuid:patient_id>/at-a-glance/", views.at_a_glance, name="glance"),
    path(
        "patients/<uuid:patient_id>/consent/<slug:product>/tablet/",
        kiosk.start_consent,
        name="kiosk_start_consent",
    ),
    path(
        "patients/<uuid:patient_id>/questionnaire/tablet/",
        kiosk.start_questionnaire,
        name="kiosk_start_questionnaire",
    ),
    path("kiosk/consent/", kiosk.consent, name="kiosk_consent"),
    path("kiosk/hand-back/", kiosk.hand_back, name="kiosk_hand_back"),
]
