from django.urls import path

from orders import views

urlpatterns = [
    path("orders/", views.order_list, name="order-list"),
    path("orders/<int:order_id>/", views.order_detail, name="order-detail"),
    path(
        "customers/<int:customer_id>/summary/",
        views.customer_summary,
        name="customer-summary",
    ),
    path(
        "customers/<int:customer_id>/can-delete/",
        views.customer_can_be_deleted,
        name="customer-can-delete",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
]
