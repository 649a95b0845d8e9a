from django.urls import path

from ketamine_clinic.evaluations import views
from ketamine_clinic.evaluations.consent import views as consent_views
from ketamine_clinic.evaluations.notes import views as notes_views

app_name = "evaluations"
urlpatterns = [
    path("patients/<uuid:patient_id>/evaluations/new/", views.create, name="create"),
    path("patients/<uuid:patient_id>/eligibility/", views.chart_section, name="chart_section"),
    path("evaluations/<uuid:evaluation_id>/", views.detail, name="detail"),
    path("evaluations/<uuid:evaluation_id>/edit/", views.edit, name="edit"),
    path("evaluations/<uuid:evaluation_id>/override/", views.override, name="override"),
    path("evaluations/<uuid:evaluation_id>/sign/", views.sign, name="sign"),
    path("evaluations/<uuid:evaluation_id>/amend/", views.amend, name="amend"),
    path("consent-documents/", consent_views.documents, name="consent_documents"),
    path(
        "patients/<uuid:patient_id>/consents/sign/<slug:product>/",
        consent_views.sign,
        name="consent_sign",
    ),
    path("consents/<uuid:consent_id>/withdraw/", consent_views.withdraw, name="consent_withdraw"),
    path("consents/<uuid:consent_id>/consent.pdf", consent_views.pdf, name="consent_pdf"),
    path("me/consents/", consent_views.my_consents, name="my_consents"),
    path("patients/<uuid:patient_id>/rems-enrolment/", consent_views.rems, name="rems"),
    path("patients/<uuid:patient_id>/notes/", notes_views.section, name="notes"),
    path("patients/<uuid:patient_id>/notes/new/<slug:kind>/", notes_views.write, name="note_write"),
    path("notes/<uuid:note_id>/sign/", notes_views.sign, name="note_sign"),
]
