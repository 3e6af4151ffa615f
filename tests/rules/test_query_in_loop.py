"""ORM004 query-in-loop: a read query built from the loop variable runs on every iteration."""

import pytest

from harness import check, marked_rows, rows


def diagnostics(tmp_path, code, select="ORM004", name="shop/views.py"):
    return check(tmp_path, code, select, name=name)


# -- must fire ---------------------------------------------------------------------------


FIRES = [
    pytest.param(
        """
        from shop.models import Order

        def f(order_ids):
            for order_id in order_ids:  # error: ORM004
                print(Order.objects.get(pk=order_id).status)
        """,
        id="get-by-id",
    ),
    pytest.param(
        """
        from shop.models import Order

        def statuses(order_ids):
            return [Order.objects.get(pk=order_id).status for order_id in order_ids]  # error: ORM004
        """,
        id="get-in-list-comprehension",
    ),
    pytest.param(
        """
        from shop.models import Order

        def statuses(order_ids):
            return {order_id: Order.objects.filter(pk=order_id).exists() for order_id in order_ids}  # error: ORM004
        """,
        id="exists-in-dict-comprehension",
    ),
    pytest.param(
        """
        from shop.models import Order

        def statuses(order_ids):
            return any(Order.objects.filter(pk=order_id).exists() for order_id in order_ids)  # error: ORM004
        """,
        id="generator-expression",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(customers):
            for customer in customers:  # error: ORM004
                latest = Order.objects.filter(customer=customer).first()
                print(latest)
        """,
        id="filter-first-over-plain-iterable",
    ),
    pytest.param(
        """
        from shop.models import Order, Customer

        def f():
            for customer in Customer.objects.all():  # error: ORM004
                print(Order.objects.filter(customer=customer).first())
        """,
        id="filter-first-over-queryset",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():  # error: ORM004
                print(customer.orders.count())
        """,
        id="reverse-manager-count",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.filter(name='x'):  # error: ORM004
                if customer.orders.filter(status='x').exists():
                    print(customer.name)
        """,
        id="reverse-manager-filter-exists",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():  # error: ORM004
                print(customer.orders.first(), customer.orders.last())
        """,
        id="reverse-manager-first-last",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            return [customer.orders.exclude(status='x').count() for customer in Customer.objects.all()]  # error: ORM004
        """,
        id="reverse-manager-exclude-count-comprehension",
    ),
    pytest.param(
        """
        from shop.models import Order, Customer

        def f():
            for order in Order.objects.all():  # error: ORM004
                print(Customer.objects.get(pk=order.customer_id))
        """,
        id="get-by-attribute-of-row",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(statuses):
            for status in statuses:  # error: ORM004
                print(Order.archived.filter(status=status).latest('id'))
        """,
        id="extra-manager-latest",
    ),
    pytest.param(
        """
        from django.db.models import Sum
        from shop.models import Order

        def f(statuses):
            for status in statuses:  # error: ORM004
                print(Order.objects.filter(status=status).aggregate(total=Sum('id')))
        """,
        id="aggregate",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(groups):
            for group in groups:  # error: ORM004
                print(Order.objects.in_bulk(group))
        """,
        id="in-bulk-per-group",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(order_ids):
            qs = Order.objects.filter(status='x')
            for order_id in order_ids:  # error: ORM004
                print(qs.get(pk=order_id))
        """,
        id="get-on-assigned-queryset",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(order_ids, flag):
            for order_id in order_ids:  # error: ORM004
                if flag:
                    try:
                        print(Order.objects.get(pk=order_id))
                    except Order.DoesNotExist:
                        pass
        """,
        id="nested-in-body",
    ),
    pytest.param(
        """
        from shop.models import Order

        for order_id in [1, 2, 3]:  # error: ORM004
            print(Order.objects.get(pk=order_id))
        """,
        id="module-level",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(order_ids):
            for order_id in order_ids:  # error: ORM004
                print(Order.objects.filter(customer__orders__pk=order_id).earliest('id'))
        """,
        id="earliest",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related('customer'):  # error: ORM004
                print(order.customer.orders.count())
        """,
        id="manager-reached-through-forward-relation",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.prefetch_related('orders'):  # error: ORM004
                print(customer.orders.first())
        """,
        id="first-on-prefetched-unordered-manager-orders-by-pk-anew",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


@pytest.mark.parametrize(
    "call, advice",
    [
        ("Order.objects.get(pk=i)", "`in_bulk()` or one `filter(pk__in=...)`"),
        ("Order.objects.filter(customer_id=i).count()", "`annotate(Count(...))`"),
        ("Order.objects.filter(customer_id=i).exists()", "`Exists(...)`"),
        ("Order.objects.filter(customer_id=i).first()", "one `filter(...__in=...)` or a `Prefetch(...)`"),
    ],
)
def test_message_names_the_call_and_advice(tmp_path, call, advice):
    code = f"from shop.models import Order\n\n\ndef f(ids):\n    for i in ids:\n        print({call})\n"
    (found,) = diagnostics(tmp_path, code)
    assert (found.location.row, found.code) == (5, "ORM004")
    assert f"`{call}`" in found.message
    assert advice in found.message
    assert found.fix is None


def test_one_finding_per_loop_counts_the_others(tmp_path):
    code = """
    from shop.models import Order

    def f(ids):
        for i in ids:
            print(Order.objects.get(pk=i), Order.objects.filter(customer_id=i).count())
            print(Order.objects.filter(pk=i).exists())
    """
    found = diagnostics(tmp_path, code)
    assert rows(found) == [(5, "ORM004")]
    assert "`Order.objects.get(pk=i)` (and 2 more)" in found[0].message


def test_long_call_is_shortened(tmp_path):
    code = """
    from shop.models import Order

    def f(ids):
        for i in ids:
            print(Order.objects.filter(customer__name__icontains=i, status='open').exclude(status='closed').first())
    """
    (found,) = diagnostics(tmp_path, code)
    shown = found.message.split("`")[1]
    assert len(shown) == 60 and shown.endswith("...")


# -- must not fire -----------------------------------------------------------------------


SILENT = [
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            for i in ids:
                print(i, Order.objects.count(), Order.objects.filter(status='x').exists())
        """,
        id="query-not-depending-on-loop-variable",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(customers):
            for customer in customers:
                order = Order(customer=customer, status='new')
                order.save()
        """,
        id="save",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(customers):
            for customer in customers:
                Order.objects.create(customer=customer, status='new')
        """,
        id="create",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                order.delete()
        """,
        id="delete-row",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            for i in ids:
                Order.objects.filter(pk=i).delete()
                Order.objects.filter(pk=i).update(status='x')
        """,
        id="queryset-delete-update",
    ),
    pytest.param(
        """
        def f(ids, lookup):
            names = {1: 'a'}
            for i in ids:
                print(names.get(i), lookup.get(i))
        """,
        id="dict-get",
    ),
    pytest.param(
        """
        def f(ids, text):
            values = [1, 2, 1]
            for i in ids:
                print(values.count(i), text.count(str(i)))
        """,
        id="list-and-str-count",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                print(order.customer.name)
        """,
        id="forward-relation-is-orm001",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                print(list(customer.orders.all()))
        """,
        id="reverse-manager-all-is-orm002",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.prefetch_related('orders'):
                print(customer.orders.count(), customer.orders.exists())
        """,
        id="count-exists-answered-from-prefetch-cache",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            for i in ids:
                pass
            print(Order.objects.get(pk=i))
        """,
        id="query-after-loop",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            return [lambda: Order.objects.get(pk=i) for i in ids]
        """,
        id="query-in-lambda-not-per-row",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            for i in ids:
                def later():
                    return Order.objects.get(pk=i)
                print(later)
        """,
        id="query-in-nested-function-not-per-row",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            for order in Order.objects.filter(pk__in=ids):
                print(order.status)
        """,
        id="query-in-iterable-runs-once",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            order = Order.objects.get(pk=ids[0])
            return order
        """,
        id="no-loop",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(customers):
            querysets = []
            for customer in customers:
                querysets.append(Order.objects.filter(customer=customer).order_by('id'))
            return querysets
        """,
        id="queryset-built-not-evaluated",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(customers):
            return [str(Order.objects.filter(customer=customer).query) for customer in customers]
        """,
        id="sql-text-not-executed",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(batches):
            for batch in batches:
                Order.objects.bulk_create(batch)
        """,
        id="bulk-create",
    ),
    pytest.param(
        """
        import os

        import requests

        def f(urls):
            for url in urls:
                print(requests.get(url, timeout=5), os.environ.get(url))
        """,
        id="not-an-orm-get",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            for i in ids:
                print(i)
            else:
                print(Order.objects.get(pk=i))
        """,
        id="query-in-for-else-runs-once",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            for i in ids:
                order = Order(pk=i, status='new')
                order.full_clean()
        """,
        id="unsaved-instance",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


@pytest.mark.parametrize(
    "name", ["tests/test_views.py", "shop/tests/views.py", "shop/test_views.py", "shop/views_test.py", "conftest.py"]
)
def test_off_in_test_code_by_default(tmp_path, name):
    code = """
    from shop.models import Order

    def f(ids):
        for i in ids:
            print(Order.objects.get(pk=i))
    """
    assert rows(diagnostics(tmp_path, code, name=name)) == []
    assert rows(diagnostics(tmp_path, code)) == [(5, "ORM004")]


def test_only_orm004_on_filtered_manager(tmp_path):
    code = """
    from shop.models import Customer

    def f():
        for customer in Customer.objects.all():
            print(customer.orders.filter(status='x').exists(), customer.orders.count())
    """
    assert rows(diagnostics(tmp_path, code, select="ORM00")) == [(5, "ORM004")]
