from django.urls import path

from ketamine_clinic.inventory.views import counts as count_views
from ketamine_clinic.inventory.views import movements as movement_views
from ketamine_clinic.inventory.views import reports as report_views
from ketamine_clinic.inventory.views import stock as stock_views
from ketamine_clinic.inventory.views import vault as views

app_name = "inventory"
urlpatterns = [
    path("vault/", views.vault, name="vault"),
    path("vault/receive/", stock_views.receive, name="receive"),
    path("vault/products/new/", stock_views.add_product, name="add_product"),
    path("vault/counts/", count_views.count_list, name="counts"),
    path("vault/counts/new/", count_views.count_new, name="count_new"),
    path("vault/counts/<uuid:count_id>/", count_views.count_detail, name="count"),
    path("vault/losses/<uuid:report_id>/", count_views.loss_report, name="loss_report"),
    path("vault/reports/", report_views.report_page, name="reports"),
    path("vault/<uuid:container_id>/", views.container, name="container"),
    path("vault/<uuid:container_id>/waste/", movement_views.waste, name="waste"),
    path("vault/<uuid:container_id>/move/", movement_views.move, name="move"),
    path(
        "vault/<uuid:container_id>/history.<str:fmt>",
        report_views.container_history,
        name="container_history",
    ),
]
