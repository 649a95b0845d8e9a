from django.urls import path

from ketamine_clinic.treatment_sessions import views

app_name = "treatment_sessions"
urlpatterns = [
    path("me/superbill.pdf", views.my_superbill, name="my_superbill"),
    path("chair/", views.today, name="today"),
    path("chair/board/", views.board, name="board"),
    path("chair/open/<uuid:scheduled_id>/", views.open_session, name="open"),
    path("chair/<uuid:session_id>/", views.chair, name="chair"),
    path("chair/<uuid:session_id>/follow-ups/", views.follow_ups, name="follow_ups"),
    path("chair/<uuid:session_id>/status/", views.status, name="status"),
    path("chair/<uuid:session_id>/<slug:name>/", views.step, name="step"),
]
