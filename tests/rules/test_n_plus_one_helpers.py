"""ORM001-ORM003 across a call: rows passed to a project function or method that loops
over them and reads relations are reported, and fixed, where the query is built."""

import textwrap

import pytest

from harness import check, fix, make_project, marked_rows, rows

HELPERS = '''
from shop.models import Order


def customer_names(orders):
    return [order.customer.name for order in orders]


def order_summaries(orders, *, prefix=""):
    lines = []
    for order in orders:
        lines.append(f"{prefix}{order.status}: {order.customer.name}")
    return lines


def statuses_per_customer(customers):
    return {customer.name: [o.status for o in customer.orders.all()] for customer in customers}


def labels(orders):
    return [str(order) for order in orders]


def first_ten(orders):
    return [order.customer.name for order in orders[:10]]


def loads_itself(orders):
    orders = orders.select_related("customer")
    return [order.customer.name for order in orders]


def plain_fields(orders):
    return [(order.status, order.customer_id) for order in orders]


class Report:
    def names(self, orders):
        return [order.customer.name for order in orders]

    @staticmethod
    def static_names(orders):
        return [order.customer.name for order in orders]
'''

MODELS_WITH_STR = '''
from django.db import models

from shop.models import Customer


class Labelled(models.Model):
    owner = models.ForeignKey(Customer, on_delete=models.CASCADE)

    def __str__(self):
        return self.owner.name
'''


def diagnostics(tmp_path, code, select="ORM001"):
    make_project(tmp_path, {"shop/helpers.py": HELPERS})
    return check(tmp_path, code, select)


FIRES = [
    pytest.param(
        """
        from shop.helpers import customer_names
        from shop.models import Order

        def view():
            orders = Order.archived.filter(status="open")  # error: ORM001
            return customer_names(orders)
        """,
        "ORM001",
        id="function-in-another-module",
    ),
    pytest.param(
        """
        from shop import helpers
        from shop.models import Order

        def view():
            return helpers.order_summaries(Order.archived.all(), prefix="- ")  # error: ORM001
        """,
        "ORM001",
        id="module-attribute-and-inline-queryset",
    ),
    pytest.param(
        """
        from shop.helpers import order_summaries
        from shop.models import Order

        def view():
            return order_summaries(prefix="", orders=Order.archived.all())  # error: ORM001
        """,
        "ORM001",
        id="keyword-argument",
    ),
    pytest.param(
        """
        from shop.helpers import Report
        from shop.models import Order

        def view():
            return Report.static_names(Order.archived.all())  # error: ORM001
        """,
        "ORM001",
        id="static-method-through-the-class",
    ),
    pytest.param(
        """
        from shop.models import Order

        class View:
            def get(self):
                return self.names(Order.archived.all())  # error: ORM001

            def names(self, orders):
                return [order.customer.name for order in orders]
        """,
        "ORM001",
        id="own-method",
    ),
    pytest.param(
        """
        from shop.helpers import statuses_per_customer
        from shop.models import Customer

        def view():
            return statuses_per_customer(Customer.objects.all())  # error: ORM002
        """,
        "ORM002",
        id="reverse-relation",
    ),
]


@pytest.mark.parametrize("code, select", FIRES)
def test_fires(tmp_path, code, select):
    assert rows(diagnostics(tmp_path, code, select)) == sorted(marked_rows(code))


SILENT = [
    pytest.param(
        """
        from shop.helpers import customer_names
        from shop.models import Order

        def view():
            return customer_names(Order.archived.select_related("customer"))
        """,
        id="already-loaded",
    ),
    pytest.param(
        """
        from shop.helpers import first_ten, loads_itself, plain_fields
        from shop.models import Order

        def view():
            orders = Order.archived.all()
            return first_ten(orders), loads_itself(orders), plain_fields(orders)
        """,
        id="helper-slices-loads-or-reads-no-relation",
    ),
    pytest.param(
        """
        from shop.helpers import customer_names

        def view(orders, rows):
            return customer_names(orders) + customer_names(rows.values("status"))
        """,
        id="rows-of-unknown-origin",
    ),
    pytest.param(
        """
        from shop.helpers import Report
        from shop.models import Order

        def view():
            return Report.names(Order.archived.all())
        """,
        id="instance-method-through-the-class",
    ),
    pytest.param(
        """
        from django.shortcuts import render
        from shop.models import Order

        def view(request, names):
            names(Order.archived.all())
            return render(request, "orders.html", {"orders": Order.archived.all()})
        """,
        id="unknown-or-third-party-callee",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code, "ORM0")) == []


def test_message_names_the_function(tmp_path):
    code = """
    from shop.helpers import customer_names
    from shop.models import Order

    def view():
        return customer_names(Order.archived.all())
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.message.startswith("`customer_names()` loops over these rows and reads `.customer` of every row")


def test_fix_goes_where_the_query_is_built(tmp_path):
    make_project(tmp_path, {"shop/helpers.py": HELPERS})
    before = """
    from shop.helpers import customer_names, statuses_per_customer
    from shop.models import Customer, Order

    def view():
        orders = Order.archived.filter(status="open")
        customers = Customer.objects.all()
        return customer_names(orders), statuses_per_customer(customers)
    """
    after = """
    from shop.helpers import customer_names, statuses_per_customer
    from shop.models import Customer, Order

    def view():
        orders = Order.archived.filter(status="open").select_related("customer")
        customers = Customer.objects.all().prefetch_related("orders")
        return customer_names(orders), statuses_per_customer(customers)
    """
    assert fix(tmp_path, textwrap.dedent(before), "ORM0") == textwrap.dedent(after)


def test_str_of_each_row_reads_what_str_reads(tmp_path):
    make_project(tmp_path, {"shop/helpers.py": HELPERS, "shop/labels.py": MODELS_WITH_STR})
    code = """
    from shop.helpers import labels
    from shop.labels import Labelled

    def view():
        return labels(Labelled.objects.all())
    """
    (found,) = check(tmp_path, code, "ORM001")
    assert "`.owner`" in found.message


def test_sqlalchemy_rows_passed_to_a_helper(tmp_path):
    make_project(
        tmp_path,
        {"shop/render.py": "def author_names(posts):\n    return [post.author.name for post in posts]\n"},
    )
    code = """
    from sqlalchemy import select
    from shop.render import author_names
    from shop.tables import Post, SessionLocal

    def view():
        session = SessionLocal()
        posts = session.scalars(select(Post)).all()
        return author_names(session.query(Post).all())
    """
    found = check(tmp_path, code, "ORM003")
    assert [d.location.row for d in found] == [9]
    assert "`author_names()` loops over these rows" in found[0].message


def test_rows_passed_from_several_places_are_reported_once(tmp_path):
    code = """
    from shop.helpers import customer_names
    from shop.models import Order

    def view(flag):
        orders = Order.archived.all()
        if flag:
            return customer_names(orders)
        return customer_names(orders)
    """
    assert rows(diagnostics(tmp_path, code)) == [(6, "ORM001")]


CLASS_QUERIES = '''
from django.db import models
from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from shop.models import Customer
from shop.tables import Base, User


class Ticket(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    status = models.CharField(max_length=10)

    @classmethod
    def open(cls):
        return cls.objects.filter(status="open").order_by("pk")

    @classmethod
    def open_with_customers(cls):
        return cls.objects.filter(status="open").select_related("customer")


class Entry(Base):
    __tablename__ = "entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user: Mapped["User"] = relationship()

    @classmethod
    def recent(cls):
        return select(cls).order_by(cls.id.desc())

    @classmethod
    def recent_with_users(cls):
        return select(cls).options(joinedload(cls.user))
'''


@pytest.mark.parametrize(
    "code, expected",
    [
        pytest.param("[t.customer.name for t in Ticket.open()]", [(9, "ORM001")], id="django-class-method"),
        pytest.param("[t.customer.name for t in Ticket.open_with_customers()]", [], id="django-class-method-that-loads"),
        pytest.param("[e.user.name for e in session.scalars(Entry.recent())]", [(9, "ORM003")], id="sqlalchemy-class-method"),
        pytest.param("[e.user.name for e in session.scalars(Entry.recent_with_users())]", [], id="sqlalchemy-options-are-unknown"),
    ],
)
def test_class_methods_that_return_a_query_of_their_class(tmp_path, code, expected):
    make_project(tmp_path, {"shop/support.py": CLASS_QUERIES})
    view = f"""
    from shop.support import Entry, Ticket
    from shop.tables import SessionLocal


    def view():
        session = SessionLocal()
        return (
            {code}
        )
    """
    assert rows(check(tmp_path, view, "ORM0")) == expected
