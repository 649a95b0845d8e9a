from django.urls import path

from ketamine_clinic.appointments import views

app_name = "appointments"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("me/appointments/", views.mine, name="mine"),
    path("calendar/events/", views.events, name="events"),
    path("calendar/feed/", views.feed_link, name="feed_link"),
    path("calendar/feed/<str:token>.ics", views.feed, name="feed"),
    path("calendar/book/", views.book_any, name="book_any"),
    path("calendar/waiting/", views.waiting, name="waiting"),
    path("calendar/places/", views.places, name="places"),
    path("calendar/patients/<uuid:patient_id>/wait/", views.wait, name="wait"),
    path("calendar/appointments/<uuid:appointment_id>/", views.detail, name="detail"),
    path("calendar/appointments/<uuid:appointment_id>/drop/", views.drop, name="drop"),
    path("calendar/patients/<uuid:patient_id>/book/", views.book, name="book"),
    path("calendar/patients/<uuid:patient_id>/", views.chart_section, name="chart_section"),
    path("calendar/courses/<uuid:course_id>/book/", views.book_series, name="book_series"),
]
