"""HTTP views for the orders app.

Note: orders.payments is deliberately *not* imported here; it talks to the
payment provider and only runs in the background worker.
"""
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import reports
from .models import Customer, Order, OrderLine


@require_GET
def order_list(request):
    orders = Order.objects.select_related("customer")
    status = request.GET.get("status")  # ok: QueryDict.get, not an HTTP call
    if status:
        orders = orders.filter(status=status)

    rows = []
    if orders:  # ok: orders is iterated right below, so this only fills the cache
        for order in orders:
            rows.append({"id": order.pk, "customer": order.customer.name, "total": order.total})
    return JsonResponse({"orders": rows})


@require_GET
def order_detail(request, order_id):
    try:
        order = Order.objects.select_related("customer").get(pk=order_id)  # ok: manager .get(), not requests
    except Order.DoesNotExist:
        return JsonResponse({"error": "not found"}, status=404)

    lines = OrderLine.objects.filter(order=order).select_related("product")
    context = {"order": order, "lines": lines}
    return render(request, "orders/order_detail.html", context)


@require_GET
def customer_summary(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id)

    # "active" customers have placed at least one order, ever.
    if Order.objects.filter(customer=customer).count() > 0:  # ORM101
        label = "active"
    else:
        label = "new"

    pending = Order.objects.filter(customer=customer, status=Order.Status.PENDING)
    pending_count = pending.count()  # ok: count() used as a number
    has_paid = Order.objects.filter(customer=customer, status=Order.Status.PAID).exists()  # ok: already exists()

    return JsonResponse(
        {
            "customer": customer.name,
            "label": label,
            "pending_orders": pending_count,
            "has_paid_orders": has_paid,
        }
    )


@require_GET
def customer_can_be_deleted(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id)
    open_orders = Order.objects.filter(customer=customer).exclude(
        status__in=[Order.Status.SHIPPED, Order.Status.CANCELLED],
    )
    if open_orders:  # ORM103
        return JsonResponse({"deletable": False, "reason": "open orders"}, status=409)
    return JsonResponse({"deletable": True})


@require_GET
def dashboard(request):
    summary = reports.daily_summary(timezone.localdate())
    summary["stale_orders"] = reports.count_stale_orders(days=7)
    summary["backlog"] = reports.has_backlog()
    return JsonResponse(summary)


@require_GET
def recent_orders(request):
    """The last 50 orders with their customer and quantities, for the staff feed."""
    orders = Order.objects.filter(status=Order.Status.PAID).order_by("-created")[:50]
    feed = []
    for order in orders:  # ORM001
        feed.append({"id": order.pk, "customer": order.customer.name, "total": str(order.total)})
    quantities = {  # ORM002
        order.pk: [line.quantity for line in order.lines.all()]
        for order in Order.objects.filter(status=Order.Status.PAID)
    }
    return JsonResponse({"feed": feed, "quantities": quantities})
