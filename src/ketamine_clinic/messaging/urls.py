from django.urls import path

from ketamine_clinic.messaging import views

app_name = "messaging"
urlpatterns = [path("me/contact/", views.mine, name="mine")]
