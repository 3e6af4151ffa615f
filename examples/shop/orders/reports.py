"""Back-office reports, used by the dashboard view and the nightly cron job."""
from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from .models import Customer, Order, OrderLine, Product


def daily_summary(day):
    """Headline numbers for one calendar day."""
    num_orders = len(Order.objects.filter(created__date=day))  # ORM102
    cancelled = Order.objects.filter(created__date=day, status=Order.Status.CANCELLED)
    num_cancelled = cancelled.count()  # ok: count() used as a number
    revenue = (
        Order.objects.filter(created__date=day)
        .exclude(status=Order.Status.CANCELLED)
        .aggregate(revenue=Sum("total"))["revenue"]
    )
    return {
        "day": day.isoformat(),
        "orders": num_orders,
        "cancelled": num_cancelled,
        "revenue": revenue or Decimal("0.00"),
    }


def count_stale_orders(days=7):
    """Pending orders nobody has paid for in `days` days."""
    cutoff = timezone.now() - timedelta(days=days)
    stale = Order.objects.filter(status=Order.Status.PENDING, created__lt=cutoff)
    return len(stale)  # ORM102


def has_backlog(threshold_days=3):
    """True if paid orders are waiting too long to be shipped."""
    cutoff = timezone.now() - timedelta(days=threshold_days)
    backlog = Order.objects.filter(status=Order.Status.PAID, created__lt=cutoff)
    if backlog.count():  # ORM101
        return True
    return False


def has_pending_orders(customer):
    pending = Order.objects.filter(customer=customer, status=Order.Status.PENDING)
    return bool(pending)  # ORM103


def customer_has_purchases(customer, since=None):
    orders = Order.objects.filter(customer=customer)
    if since is not None:
        orders = orders.filter(created__gte=since)
    # Cancelled orders don't count as purchases.
    orders = orders.exclude(status=Order.Status.CANCELLED)
    return 0 < orders.count()  # ORM101


def product_sold_recently(product, days=30):
    cutoff = timezone.now() - timedelta(days=days)
    recent = OrderLine.objects.filter(product=product, order__created__gte=cutoff)
    return len(recent) > 0  # ORM101


def unsold_products():
    """Names of products that never appeared on any order line."""
    names = []
    for product in Product.objects.order_by("name"):  # ORM004
        if OrderLine.objects.filter(product=product).count() == 0:  # ORM101
            names.append(product.name)
    return names


def order_lines_report(order):
    lines = OrderLine.objects.filter(order=order).select_related("product")
    n = len(lines)  # ok: lines is iterated below, len() just fills the cache
    rows = []
    for line in lines:
        rows.append(
            (line.product.name, line.quantity, line.product.price * line.quantity),
        )
    return {"order": order.pk, "line_count": n, "rows": rows}


def multi_order_customers(day):
    """Customers who placed more than one order on `day`."""
    result = []
    for customer in Customer.objects.all():
        todays = Order.objects.filter(customer=customer, created__date=day)
        if todays.count() > 1:  # ok: "more than one", not an existence check
            result.append(customer.email)
    return result


def duplicate_customer_emails():
    """Emails that only differ by case (the unique constraint misses these)."""
    emails = [e.lower() for e in Customer.objects.values_list("email", flat=True)]
    return sorted({e for e in emails if emails.count(e) > 1})  # ok: list.count, not a queryset


def export_rows(day):
    header = "id,customer,status,total"
    width = "id,customer,status,total".count(",") + 1  # ok: str.count on a literal
    rows = [header]
    for order in Order.objects.filter(created__date=day).select_related("customer"):
        fields = [str(order.pk), order.customer.name, order.status, str(order.total)]
        assert len(fields) == width  # ok: len() of a plain list
        rows.append(",".join(fields))
    return rows
