"""Precision of the per-row query rule (ORM004) and of "are the rows used later"
(ORM102, ORM103): queries that are one per row by design, related managers that are only
SQL in another query, and the uses of a queryset that do not read its rows."""

import pytest

from harness import check, make_project, marked_rows, rows


def assert_marked(tmp_path, code, select):
    """``select`` fires exactly on the rows marked ``# error: <code>``."""
    assert rows(check(tmp_path, code, select)) == sorted(marked_rows(code))


# -- 1. a per-row query that locks its row, or runs in its own transaction ----------------

DELIBERATE_FIRES = [
    pytest.param(
        """
        from django.db import transaction

        from shop.models import Order

        def f(ids):
            for i in ids:  # error: ORM004
                with transaction.atomic():
                    pass
                print(Order.objects.get(pk=i))
        """,
        id="query-after-the-transaction-block",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            locked = Order.objects.select_for_update().filter(status='open')
            for i in ids:  # error: ORM004
                print(Order.objects.filter(pk=i).first(), locked.count())
        """,
        id="lock-on-another-query",
    ),
    pytest.param(
        """
        from django.db import transaction

        from shop.models import Order

        def f(ids):
            with transaction.atomic():
                for i in ids:  # error: ORM004
                    print(Order.objects.get(pk=i))
        """,
        id="loop-inside-one-transaction",
    ),
    pytest.param(
        """
        from contextlib import suppress

        from shop.models import Order

        def f(ids):
            for i in ids:  # error: ORM004
                with suppress(Order.DoesNotExist):
                    print(Order.objects.get(pk=i))
        """,
        id="other-context-manager",
    ),
]

DELIBERATE_SILENT = [
    pytest.param(
        """
        from django.db import transaction

        from shop.models import Order

        def f(ids):
            for i in ids:
                with transaction.atomic():
                    order = Order.objects.get(pk=i)
                    order.status = 'paid'
        """,
        id="inside-atomic",
    ),
    pytest.param(
        """
        from django.db.transaction import atomic

        from shop.models import Order

        def f(ids):
            for i in ids:
                with atomic(using='default'), open('log') as log:
                    log.write(str(Order.objects.filter(pk=i).exists()))
        """,
        id="inside-atomic-imported-by-name-with-arguments",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            for i in ids:
                order = Order.objects.select_for_update().get(pk=i)
                print(order)
        """,
        id="select-for-update-get",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(customers):
            return [Order.objects.filter(customer=c).select_for_update(skip_locked=True).first() for c in customers]
        """,
        id="select-for-update-inside-the-chain",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ids):
            pending = Order.objects.select_for_update().filter(status='pending')
            for i in ids:
                print(pending.filter(pk=i).exists())
        """,
        id="select-for-update-through-a-variable",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                print(customer.orders.select_for_update().count())
        """,
        id="select-for-update-on-a-related-manager",
    ),
]


@pytest.mark.parametrize("code", DELIBERATE_FIRES)
def test_deliberate_per_row_query_fires_around_it(tmp_path, code):
    assert_marked(tmp_path, code, "ORM004")


@pytest.mark.parametrize("code", DELIBERATE_SILENT)
def test_deliberate_per_row_query_is_silent(tmp_path, code):
    assert rows(check(tmp_path, code, "ORM004")) == []


# -- 2. a related manager used only as a subquery is SQL, not a fetch ----------------------

SUBQUERY_FIRES = [
    pytest.param(
        """
        from shop.models import Customer, Order

        def f():
            for customer in Customer.objects.all():  # error: ORM004
                print(Order.objects.filter(pk__in=customer.orders.all()).exists())
        """,
        id="the-outer-query-still-runs-per-row",
    ),
    pytest.param(
        """
        from shop.models import Customer, Order

        def f():
            for customer in Customer.objects.all():  # error: ORM004
                print(Order.objects.exclude(pk__in=customer.orders.all()).count(), customer.orders.count())
        """,
        id="and-the-manager-counted-on-its-own",
    ),
]

SUBQUERY_SILENT = [
    pytest.param(
        """
        from shop.models import Customer, Order

        def f():
            for customer in Customer.objects.all():
                Order.objects.filter(pk__in=customer.orders.all()).update(status='seen')
        """,
        id="filter-in-of-a-write",
    ),
    pytest.param(
        """
        from shop.models import Customer, Order

        def f():
            return [Order.objects.exclude(pk__in=c.orders.filter(status='x')) for c in Customer.objects.all()]
        """,
        id="exclude-in-of-a-queryset-not-run",
    ),
    pytest.param(
        """
        from django.db.models import Exists, OuterRef, Subquery

        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                print(
                    Customer.objects.annotate(last=Subquery(customer.orders.values('status')[:1])),
                    Customer.objects.filter(Exists(customer.orders.filter(status=OuterRef('name')))),
                )
        """,
        id="subquery-and-exists",
    ),
]


@pytest.mark.parametrize("code", SUBQUERY_FIRES)
def test_query_around_a_subquery_fires(tmp_path, code):
    assert_marked(tmp_path, code, "ORM004")


@pytest.mark.parametrize("code", SUBQUERY_SILENT)
def test_related_manager_as_subquery_is_not_a_query(tmp_path, code):
    assert rows(check(tmp_path, code, "ORM004")) == []


def test_related_manager_as_subquery_is_not_a_relation_read(tmp_path):
    code = """
    from shop.models import Customer, Order

    def f():
        for customer in Customer.objects.all():
            Order.objects.filter(pk__in=customer.orders.all()).update(status='seen')
    """
    assert rows(check(tmp_path, code, "ORM002")) == []


# -- 4. a query that a model's method or property runs on a relation of self ---------------

#: Events whose methods and properties query their tickets, or do not.
EVENT_MODELS = """
from django.db import models
from django.utils.functional import cached_property


class Dated(models.Model):
    class Meta:
        abstract = True

    def has_open_tickets(self):
        return self.tickets.filter(open=True).exists()


class Event(Dated):
    name = models.CharField(max_length=50)
    venue = models.ForeignKey("shop.Customer", on_delete=models.CASCADE)

    def open_tickets_count(self):
        return self.tickets.filter(open=True).count()

    @property
    def ticket_total(self):
        return self.tickets.count()

    @cached_property
    def cheapest_ticket(self):
        return self.tickets.order_by("price").first()

    def ticket_ids(self):
        return Ticket.objects.filter(pk__in=self.tickets.all()).values_list("pk", flat=True)

    def sold_out_later(self):
        return lambda: self.tickets.exists()

    def shout(self):
        return self.name.upper()

    def venue_name(self):
        return self.venue.name.strip()

    def open_tickets(self):
        return self.tickets.filter(open=True)

    def sold_count(self):
        if not self.pk:
            return 0
        with open("log") as log:
            try:
                log.write(self.name)
                return self.tickets.filter(open=False).count()
            except OSError:
                return self.tickets.count()

    def maybe_open(self, check):
        if check:
            return self.tickets.filter(open=True).exists()
        for name in ("a", "b"):
            self.tickets.filter(name=name).exists()
        return check and self.tickets.exists() or [t for t in self.tickets.filter(price=1).exists()]


class Ticket(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tickets")
    open = models.BooleanField(default=True)
    price = models.IntegerField()
"""

IN_METHOD_FIRES = [
    pytest.param(
        """
        from shop.events import Event

        def f():
            for event in Event.objects.all():  # error: ORM004
                print(event.open_tickets_count())
        """,
        id="method",
    ),
    pytest.param(
        """
        from shop.events import Event

        def f():
            return [event.ticket_total for event in Event.objects.filter(name='x')]  # error: ORM004
        """,
        id="property",
    ),
    pytest.param(
        """
        from shop.events import Event

        def f():
            for event in Event.objects.prefetch_related('tickets'):  # error: ORM004
                print(event.cheapest_ticket)
        """,
        id="cached-property-ordered-after-prefetch",
    ),
    pytest.param(
        """
        from shop.events import Event

        def f():
            for event in Event.objects.all():  # error: ORM004
                if event.has_open_tickets():
                    print(event)
        """,
        id="method-of-an-abstract-base",
    ),
    pytest.param(
        """
        from shop.events import Event

        def f():
            for event in Event.objects.prefetch_related('tickets'):  # error: ORM004
                print(event.sold_count())
        """,
        id="after-an-early-return-in-with-and-try",
    ),
]

IN_METHOD_SILENT = [
    pytest.param(
        """
        from shop.events import Event

        def f():
            for event in Event.objects.prefetch_related('tickets'):
                print(event.ticket_total)
        """,
        id="count-answered-by-the-prefetch",
    ),
    pytest.param(
        """
        from shop.events import Event

        def f():
            for event in Event.objects.all():
                print(event.ticket_ids(), event.sold_out_later(), event.shout(), event.venue_name())
        """,
        id="subquery-lambda-and-non-relation-chains",
    ),
    pytest.param(
        """
        from shop.events import Event

        def f():
            for event in Event.objects.all():
                print(event.open_tickets())
        """,
        id="queryset-returned-not-run",
    ),
    pytest.param(
        """
        from shop.events import Event

        def f():
            for event in Event.objects.all():
                callbacks = [event.open_tickets_count, event.has_open_tickets]
                print(callbacks)
        """,
        id="method-not-called",
    ),
    pytest.param(
        """
        from shop.events import Event

        def f():
            for event in Event.objects.all():
                event.ticket_total = 0
        """,
        id="property-assigned",
    ),
    pytest.param(
        """
        def f(events):
            for event in events:
                print(event.open_tickets_count())
        """,
        id="rows-of-an-unknown-model",
    ),
    pytest.param(
        """
        from shop.events import Event

        def f():
            for event in Event.objects.all():
                print(event.maybe_open(True))
        """,
        id="only-some-calls-query",
    ),
]


def check_events(tmp_path, code):
    make_project(tmp_path, {"shop/events.py": EVENT_MODELS})
    return check(tmp_path, code, "ORM004")


@pytest.mark.parametrize("code", IN_METHOD_FIRES)
def test_query_in_a_method_of_the_row_fires(tmp_path, code):
    assert rows(check_events(tmp_path, code)) == sorted(marked_rows(code))


@pytest.mark.parametrize("code", IN_METHOD_SILENT)
def test_method_of_the_row_without_a_query_of_its_own_is_silent(tmp_path, code):
    assert rows(check_events(tmp_path, code)) == []


def test_message_names_the_method_and_the_relation(tmp_path):
    code = """
    from shop.events import Event

    def f():
        for event in Event.objects.all():
            print(event.open_tickets_count())
    """
    (found,) = check_events(tmp_path, code)
    assert "`event.open_tickets_count()` runs on every iteration" in found.message
    assert "(`open_tickets_count` queries `self.tickets`)" in found.message
    assert "`annotate(Count(...))`" in found.message


# -- 3. uses of a queryset that do not read its rows ---------------------------------------

COUNTED_ONLY_FIRES = [
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            n = len(qs)  # error: ORM102
            if qs:  # error: ORM103
                return n
        """,
        id="len-then-truth-test",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if not qs:  # error: ORM103
                return 0
            return len(qs)  # error: ORM102
        """,
        id="not-then-len",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(ready):
            qs = Order.objects.filter(status='x')
            while ready and qs:  # error: ORM103
                print(bool(qs))  # error: ORM103
                print(len(qs))  # error: ORM102
                assert qs  # error: ORM103
                ready = 1 if qs else 0  # error: ORM103
        """,
        id="and-in-a-while-test-bool-ifexp-assert",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if qs:  # error: ORM103
                for order in qs.all():
                    print(order)
        """,
        id="all-is-a-new-query",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            total = len(qs)  # error: ORM102
            return total, [o.status for o in qs.all().order_by('pk')]
        """,
        id="len-then-all-iterated",
    ),
]

COUNTED_ONLY_SILENT = [
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            n = len(qs)
            if qs:
                return [o.status for o in qs]
            return n
        """,
        id="iterated-as-well",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if qs:
                return qs or None
        """,
        id="or-as-a-value-hands-on-the-rows",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            n = len(qs)
            return n, qs[0]
        """,
        id="indexed",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(sizes):
            qs = Order.objects.filter(status='x')
            if qs:
                return sizes(qs)
        """,
        id="passed-on",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            n = len(qs)
            return n, list(qs)
        """,
        id="listed",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            len = list
            if qs:
                return len(qs)
        """,
        id="len-that-is-not-the-builtin",
    ),
]


@pytest.mark.parametrize("code", COUNTED_ONLY_FIRES)
def test_rows_only_counted_elsewhere_fire(tmp_path, code):
    assert_marked(tmp_path, code, "ORM1")


@pytest.mark.parametrize("code", COUNTED_ONLY_SILENT)
def test_rows_used_elsewhere_are_silent(tmp_path, code):
    assert rows(check(tmp_path, code, "ORM1")) == []
