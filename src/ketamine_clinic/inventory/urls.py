from django.urls import path

from ketamine_clinic.inventory import views

app_name = "inventory"
urlpatterns = [
    path("vault/", views.vault, name="vault"),
    path("vault/<uuid:container_id>/", views.container, name="container"),
]
