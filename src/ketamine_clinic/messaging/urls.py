from django.urls import path

from ketamine_clinic.messaging import views

app_name = "messaging"
urlpatterns = [
    path("me/contact/", views.mine, name="mine"),
    path("me/messages/", views.threads, name="threads"),
    path("messages/<uuid:thread_id>/", views.thread, name="thread"),
    path("messages/files/<uuid:attachment_id>/", views.attachment, name="attachment"),
    path("inbox/", views.inbox, name="inbox"),
    path("messages/patients/<uuid:patient_id>/", views.chart_section, name="chart_section"),
]
