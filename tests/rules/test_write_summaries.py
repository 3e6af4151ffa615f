"""Writes passed on: a project function that creates a row on every call, fetches a row by
its argument and saves it, or saves each row of the rows it is given, writes once per
item of a loop that calls it (or once per row of the rows passed). Reported at the
caller's call, naming the helper, without a fix.

Each case marks the lines that must be reported (``# error: ORMxxx``); the silent cases
must give nothing."""

import pytest

from harness import check, make_project, marked_rows, rows

HELPERS = '''
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from shop.models import Customer, Order
from shop.tasks import background_task


def make_customer(name):
    Customer.objects.create(name=name)


def make_order(customer):
    order = Order(customer=customer, status="new")
    order.save()
    return order


def make_in_atomic(name):
    with transaction.atomic():
        Customer(name=name).save()


def touch(pk):
    order = Order.objects.get(pk=pk)
    order.status = "seen"
    order.save()


def touch_or_404(pk):
    order = get_object_or_404(Order, pk=pk)
    order.save(update_fields=["status"])


def reprice(orders):
    for order in orders:
        order.status = "repriced"
        order.save()


def make_if(name, commit):
    if commit:
        Customer.objects.create(name=name)


def make_unless_taken(name):
    try:
        Customer.objects.create(name=name)
    except Exception:
        return None


def touch_if_there(pk):
    try:
        order = Order.objects.get(pk=pk)
    except Order.DoesNotExist:
        return
    order.save()


def touch_other(pk):
    order = Order.objects.get(status="open")
    order.save()


def save_first(orders):
    for order in orders:
        order.save()
        break


def save_some(orders):
    for order in orders:
        if order.status == "new":
            order.save()


def reprice_typed(orders: QuerySet[Order]):
    for order in orders:
        order.save()


def make_later(name):
    def make():
        Customer.objects.create(name=name)
    return make


def make_or_get(name):
    Customer.objects.get_or_create(name=name)


def make_or_update(name):
    Customer.objects.update_or_create(name=name, defaults={})


def make_each(name):
    yield Customer.objects.create(name=name)


async def make_async(name):
    Customer.objects.create(name=name)


@background_task
def make_in_background(name):
    Customer.objects.create(name=name)


@transaction.atomic
def make_atomically(name):
    Customer.objects.create(name=name)


def not_a_model(name):
    Customer.registry.create(name=name)
    dict(name=name).update()
'''


@pytest.mark.parametrize(
    "code, select",
    [
        (
            """
            from shop.helpers import make_customer, make_order, make_in_atomic, make_atomically

            def view(names, customers):
                for name in names:
                    make_customer(name)  # error: ORM202
                for name in names:
                    make_atomically(name)  # error: ORM202
                for customer in customers:
                    make_order(customer)  # error: ORM202
                for name in names:
                    make_in_atomic(name=name)  # error: ORM202
            """,
            "ORM202",
        ),
        (
            """
            from shop import helpers

            class Importer:
                def make(self, name):
                    helpers.Customer.objects.create(name=name)

                def run(self, names):
                    for name in names:
                        self.make(name)  # error: ORM202
            """,
            "ORM202",
        ),
        (
            """
            from shop.helpers import touch, touch_or_404

            def view(pks):
                for pk in pks:
                    touch(pk)  # error: ORM201
                for pk in pks:
                    touch_or_404(pk=pk)  # error: ORM201
            """,
            "ORM201",
        ),
        (
            """
            from shop.helpers import reprice
            from shop.models import Order

            def view():
                reprice(Order.objects.filter(status="new"))  # error: ORM201
                orders = list(Order.objects.all())
                reprice(orders=orders)  # error: ORM201
            """,
            "ORM201",
        ),
    ],
    ids=["creates", "creates-own-method", "fetches-and-saves", "saves-each"],
)
def test_fires(tmp_path, code, select):
    make_project(tmp_path, {"shop/helpers.py": HELPERS})
    found = check(tmp_path, code, select)
    assert rows(found) == sorted(marked_rows(code))
    assert all(d.fix is None for d in found)


def test_messages_name_the_helper_and_the_model(tmp_path):
    make_project(tmp_path, {"shop/helpers.py": HELPERS})
    code = """
    from shop.helpers import make_customer, reprice, touch
    from shop.models import Order

    def view(names, pks):
        for name in names:
            make_customer(name)
        for pk in pks:
            touch(pk)
        reprice(Order.objects.all())
    """
    messages = sorted(d.message for d in check(tmp_path, code, "ORM20"))
    assert messages[0].startswith("`make_customer()` creates a `Customer` row on every call: 1 query per item")
    assert messages[1].startswith("`reprice()` saves each row of this queryset one by one: 1 query per row")
    assert messages[2].startswith("`touch()` fetches a row of `Order` and saves it on every call: 2 queries per item")


def test_a_model_whose_save_does_more_is_said_to_run_it(tmp_path):
    models = '''
from django.db import models


class Ticket(models.Model):
    title = models.CharField(max_length=20)

    def save(self, *args, **kwargs):
        self.title = self.title.strip()
        super().save(*args, **kwargs)


def open_ticket(title):
    Ticket.objects.create(title=title)
'''
    make_project(tmp_path, {"shop/tickets.py": models})
    code = """
    from shop.tickets import open_ticket

    def view(titles):
        for title in titles:
            open_ticket(title)
    """
    [found] = check(tmp_path, code, "ORM202")
    assert "each call runs `Ticket.save()`, which `bulk_create()` would skip" in found.message


@pytest.mark.parametrize(
    "code",
    [
        """
        from shop.helpers import make_if, make_unless_taken, make_later, make_or_get, make_or_update, not_a_model
        from shop.helpers import make_each, make_async, make_in_background
        from shop.models import Customer

        def view(names):
            total = Customer.objects.count()
            for name in names:
                make_if(name, True)
                make_each(name)
                make_async(name)
                make_in_background(name)
                make_unless_taken(name)
                make_later(name)
                make_or_get(name)
                make_or_update(name)
                not_a_model(name)
        """,
        """
        from shop.helpers import make_customer
        from shop.models import Customer

        def view(names, args):
            total = Customer.objects.count()
            for name in ("a", "b", "c"):
                make_customer(name)
            for name in names:
                make_customer(*args)
            for name in names:
                make_customer(name)
                break
            make_customer("once")
        """,
        """
        from shop.helpers import touch, touch_if_there, touch_other
        from shop.models import Order

        def view(pks):
            total = Order.objects.count()
            for pk in pks:
                touch_if_there(pk)
                touch_other(pk)
            for pk in [1, 2]:
                touch(pk)
            for pk in pks:
                touch(5)
                break
        """,
        """
        from shop.helpers import reprice, reprice_typed, save_first, save_some
        from shop.models import Order

        def view(orders):
            reprice(orders)
            reprice(Order.objects.values("pk"))
            reprice(Order.objects.all()[:3])
            save_first(Order.objects.all())
            save_some(Order.objects.all())
            reprice_typed(Order.objects.all())
        """,
    ],
    ids=["create-maybe-or-not-a-create", "a-handful-unpacked-or-once", "fetch-maybe-or-same-row", "saves-each-unknown-or-maybe"],
)
def test_silent(tmp_path, code):
    """Each case names a model, so that the file is checked rather than skipped."""
    make_project(tmp_path, {"shop/helpers.py": HELPERS})
    assert check(tmp_path, code, "ORM20") == []


def test_the_helper_s_own_typed_loop_is_the_one_finding(tmp_path):
    """``reprice_typed`` loops over a ``QuerySet[Order]`` it is given: its own loop is
    reported, not each call of it."""
    make_project(tmp_path, {"shop/helpers.py": HELPERS})
    code = """
    from shop.helpers import reprice_typed
    from shop.models import Order

    def view():
        reprice_typed(Order.objects.all())
    """
    assert check(tmp_path, code, "ORM201") == []
    helper = (tmp_path / "shop/helpers.py").read_text()
    found = check(tmp_path, helper, "ORM201", name="shop/helpers.py")
    assert [d.message.split(":")[0] for d in found] == ["`order.save()` on every row"]


SQLALCHEMY_HELPERS = '''
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Tag(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(20))


def add_tag(name):
    db.session.add(Tag(name=name))
    db.session.commit()


def add_tag_flushed(name):
    tag = Tag(name=name)
    db.session.add(tag)
    db.session.flush()
    return tag


def add_tag_later(name):
    db.session.add(Tag(name=name))


def add_tag_if(name, commit):
    db.session.add(Tag(name=name))
    if commit:
        db.session.commit()


def add_to(seen, name):
    seen.add(Tag(name=name))
    db.session.commit()
'''


def test_a_helper_that_adds_and_commits_a_row_creates_one_per_call(tmp_path):
    make_project(tmp_path, {"shop/tags.py": SQLALCHEMY_HELPERS})
    code = """
    from shop.tags import add_tag, add_tag_flushed

    def load(names):
        for name in names:
            add_tag(name)  # error: ORM202
        for name in names:
            add_tag_flushed(name)  # error: ORM202
    """
    found = check(tmp_path, code, "ORM202")
    assert rows(found) == sorted(marked_rows(code))
    assert found[0].message == (
        "`add_tag()` creates a `Tag` row on every call: 1 query per item; "
        "have it only add the row to the session, and commit once after the loop"
    )


def test_rows_added_and_flushed_once_are_not_created_per_call(tmp_path):
    """A row added to the session is inserted with the others at the next flush; a
    commit only on some calls, or a ``set.add()``, is no insert per call."""
    make_project(tmp_path, {"shop/tags.py": SQLALCHEMY_HELPERS})
    code = """
    from shop.tags import Tag, add_tag_later, add_tag_if, add_to

    def load(names, seen):
        total = Tag.query.count()
        for name in names:
            add_tag_later(name)
            add_tag_if(name, False)
            add_to(seen, name)
    """
    assert check(tmp_path, code, "ORM202") == []


DELETES = '''
from shop.models import Order


def purge(pk):
    order = Order.objects.get(pk=pk)
    order.delete()


def purge_if(pk, really):
    order = Order.objects.get(pk=pk)
    if really:
        order.delete()


def purge_open(pk):
    order = Order.objects.get(status="open")
    order.delete()
'''


def test_a_helper_that_fetches_and_deletes_a_row_deletes_one_per_item(tmp_path):
    make_project(tmp_path, {"shop/deletes.py": DELETES})
    code = """
    from shop.deletes import purge

    def view(pks):
        for pk in pks:
            purge(pk)  # error: ORM203
    """
    found = check(tmp_path, code, "ORM203")
    assert rows(found) == sorted(marked_rows(code))
    assert found[0].message.startswith("`purge()` fetches a row of `Order` and deletes it on every call")


def test_helpers_that_may_not_delete_the_item_s_row_are_not_reported(tmp_path):
    make_project(tmp_path, {"shop/deletes.py": DELETES})
    code = """
    from shop.deletes import purge, purge_if, purge_open
    from shop.models import Order

    def view(pks):
        total = Order.objects.count()
        for pk in pks:
            purge_if(pk, True)
            purge_open(pk)
        for pk in (1, 2):
            purge(pk)
    """
    assert check(tmp_path, code, "ORM203") == []


def test_a_model_bound_at_module_level_is_the_model_its_helpers_create(tmp_path):
    """``Customer = apps.get_model(...)`` at the top of the helper's module: the index
    knows what the name is; a parameter of the same name is not it."""
    helpers = '''
from django.apps import apps

Customer = apps.get_model("shop", "Customer")


def make_customer(name):
    Customer.objects.create(name=name)


def make_with(Customer, name):
    Customer.objects.create(name=name)
'''
    make_project(tmp_path, {"shop/loaded.py": helpers})
    code = """
    from shop.loaded import make_customer, make_with
    from shop.models import Customer

    def view(names):
        for name in names:
            make_customer(name)  # error: ORM202
        for name in names:
            make_with(Customer, name)
    """
    assert rows(check(tmp_path, code, "ORM202")) == sorted(marked_rows(code))


def test_a_row_used_where_it_is_created_is_not_advised_to_wait_for_bulk_create(tmp_path):
    """Only a create whose row nobody uses at once could simply wait for one
    ``bulk_create()`` after the loop: not one whose key the helper hands on, nor one the
    caller keeps. Those are still one INSERT per item, and the message says what batching
    them takes."""
    helpers = '''
from shop.models import Customer, Order


def run(pk):
    return pk


def log_and_run(name):
    log = Customer.objects.create(name=name)
    run(log.pk)


def log_only(name):
    log = Customer.objects.create(name=name)
    return log


def build_and_hand_on(customer):
    order = Order(customer=customer)
    order.save()
    run(order)
'''
    make_project(tmp_path, {"shop/logs.py": helpers})
    code = """
    from shop.logs import build_and_hand_on, log_and_run, log_only
    from shop.models import Customer

    def view(names):
        kept = []
        for name in names:
            log_and_run(name)  # error: ORM202
        for name in names:
            kept.append(log_only(name))  # error: ORM202
        for name in names:
            row = log_only(name)  # error: ORM202
            kept.append(row)
        for customer in Customer.objects.all():
            build_and_hand_on(customer)  # error: ORM202
        for name in names:
            log_only(name)  # error: ORM202
        return kept
    """
    found = check(tmp_path, code, "ORM202")
    assert rows(found) == sorted(marked_rows(code))
    *kept, dropped = found
    assert all("used as soon as it is created" in f.message and "have it build" not in f.message for f in kept)
    assert "have it build the `Customer` only" in dropped.message
