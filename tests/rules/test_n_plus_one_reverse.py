"""ORM002 n-plus-one-reverse: a loop over a Django queryset reads a reverse ForeignKey or a
ManyToMany manager of each row through ``.all()`` without prefetching it."""

import pytest

from harness import EXTRA_DJANGO_MODELS, assert_fixes, check, make_project, marked_rows, rows

#: Reverse managers with and without ``related_name``, ManyToMany both ways, 'self', a
#: OneToOne, an abstract base's ``%(class)s`` related name and a GenericForeignKey.
EXTRA_MODELS = EXTRA_DJANGO_MODELS


def project(tmp_path):
    make_project(tmp_path, {"shop/extra.py": EXTRA_MODELS})
    return tmp_path


def diagnostics(tmp_path, code, select="ORM002"):
    return check(project(tmp_path), code, select)


def fixes(tmp_path, before, after):
    assert_fixes(project(tmp_path), before, after, "ORM002")


# -- must fire ---------------------------------------------------------------------------


FIRES = [
    pytest.param(
        """
        from shop.extra import Note

        def f():
            for note in Note.objects.all():  # error: ORM002
                print(note.content_object)
        """,
        id="generic-foreign-key",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():  # error: ORM002
                for order in customer.orders.all():
                    print(order.status)
        """,
        id="inner-for-over-reverse-fk",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            return {customer.name: len(customer.orders.all()) for customer in Customer.objects.all()}  # error: ORM002
        """,
        id="dict-comprehension-len",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            return [list(customer.orders.all()) for customer in Customer.objects.filter(name='x')]  # error: ORM002
        """,
        id="list-comprehension",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            return {len(customer.orders.all()) for customer in Customer.objects.all()}  # error: ORM002
        """,
        id="set-comprehension",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            return sum(len(customer.orders.all()) for customer in Customer.objects.all())  # error: ORM002
        """,
        id="generator-expression",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            customers = Customer.objects.order_by('name')
            for customer in customers:  # error: ORM002
                print(customer.orders.all())
        """,
        id="assigned-queryset",
    ),
    pytest.param(
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.all():  # error: ORM002
                print([tag.name for tag in line.tags.all()])
        """,
        id="many-to-many-forward",
    ),
    pytest.param(
        """
        from shop.extra import Tag

        def f():
            for tag in Tag.objects.all():  # error: ORM002
                print(len(tag.lines.all()))
        """,
        id="many-to-many-reverse",
    ),
    pytest.param(
        """
        from shop.extra import Region

        def f():
            for region in Region.objects.all():  # error: ORM002
                print(list(region.profile_set.all()))
        """,
        id="default-model-set-name",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():  # error: ORM002
                print(list(customer.note_items.all()))
        """,
        id="abstract-base-class-related-name",
    ),
    pytest.param(
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.all():  # error: ORM002
                print(list(line.children.all()))
        """,
        id="self-reverse",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():  # error: ORM002
                print(list(order.lines.all()))
        """,
        id="app-label-string-target-reverse",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related('customer'):  # error: ORM002
                print(list(order.customer.orders.all()))
        """,
        id="chain-to-reverse-manager",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.prefetch_related('note_items'):  # error: ORM002
                print(list(customer.orders.all()), list(customer.note_items.all()))
        """,
        id="other-relation-prefetched",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all()[:5]:  # error: ORM002
                print(list(customer.orders.all()))
        """,
        id="sliced",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all().iterator(chunk_size=100):  # error: ORM002
                print(list(customer.orders.all()))
        """,
        id="iterator-with-chunk-size",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.iterator():  # error: ORM002
                print(list(customer.orders.all()))
        """,
        id="iterator-without-chunk-size",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.only('name'):  # error: ORM002
                print(list(customer.orders.all()))
        """,
        id="only",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.prefetch_related('orders').prefetch_related(None):  # error: ORM002
                print(list(customer.orders.all()))
        """,
        id="prefetch-related-none-clears-the-list",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related('customer'):  # error: ORM002
                buyer = order.customer
                print(list(buyer.orders.all()))
        """,
        id="alias-of-forward-relation",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


def test_message(tmp_path):
    code = """
    from shop.models import Customer

    def f():
        for customer in Customer.objects.all():
            print(list(customer.orders.all()), list(customer.note_items.all()))
    """
    found = diagnostics(tmp_path, code)
    assert rows(found) == [(5, "ORM002")]
    assert "`customer.orders`" in found[0].message
    assert "`customer.note_items`" in found[0].message
    assert "prefetch_related('note_items', 'orders')" in found[0].message


# -- must not fire -----------------------------------------------------------------------


SILENT = [
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.prefetch_related('orders'):
                print(list(customer.orders.all()))
        """,
        id="prefetch-related",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            customers = Customer.objects.prefetch_related("orders__customer")
            for customer in customers:
                print(list(customer.orders.all()))
        """,
        id="prefetch-related-deeper-path",
    ),
    pytest.param(
        """
        from django.db.models import Prefetch
        from shop.models import Customer, Order

        def f():
            for customer in Customer.objects.prefetch_related(Prefetch('orders', queryset=Order.objects.filter(status='x'))):
                print(list(customer.orders.all()))
        """,
        id="prefetch-object",
    ),
    pytest.param(
        """
        from django.db import models
        from shop.models import Customer, Order

        def f():
            for customer in Customer.objects.prefetch_related(models.Prefetch('orders')):
                print(list(customer.orders.all()))
        """,
        id="prefetch-object-qualified",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.values('name'):
                print(customer.orders.all())
        """,
        id="values",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.values_list('name', flat=True):
                print(customer.orders.all())
        """,
        id="values-list",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                print(customer.orders.filter(status='x'))
        """,
        id="filtered-manager-is-orm004",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                print(customer.orders.count(), customer.orders.exists())
        """,
        id="counted-manager-is-orm004",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                print(customer.orders.first())
        """,
        id="first-is-orm004",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f(customers):
            for customer in customers:
                print(list(customer.orders.all()))
        """,
        id="unknown-iterable",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            customers = [Customer(name='a'), Customer(name='b')]
            for customer in customers:
                print(list(customer.orders.all()))
        """,
        id="plain-list",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                pass
            print(list(customer.orders.all()))
        """,
        id="read-after-loop",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                print(customer.name, customer.pk)
        """,
        id="non-relation-attribute",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                customer.full_clean()
                customer.save()
        """,
        id="model-method-call",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                print(order.customer.name)
        """,
        id="forward-fk-is-orm001",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                print(customer.profile.bio)
        """,
        id="reverse-one-to-one-is-orm001",
    ),
    pytest.param(
        """
        from shop.extra import Note

        def f():
            for note in Note.objects.prefetch_related("content_object"):
                print(note.content_object)
        """,
        id="generic-foreign-key-prefetched",
    ),
    pytest.param(
        """
        from shop.extra import Note

        def f():
            for note in Note.objects.all():
                print(note.object_id, note.content_type_id)
        """,
        id="generic-foreign-key-columns-only",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            return [lambda: list(customer.orders.all()) for customer in Customer.objects.all()]
        """,
        id="read-in-lambda-not-per-row",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            customers = Customer.objects.all()
            customers = customers.prefetch_related('orders')
            for customer in customers:
                print(list(customer.orders.all()))
        """,
        id="prefetch-related-added-by-reassignment",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import User, SessionLocal

        def f():
            session = SessionLocal()
            for user in session.scalars(select(User)):
                print(user.posts)
        """,
        id="sqlalchemy-is-orm003",
    ),
    pytest.param(
        """
        from django.db.models import QuerySet
        from shop.models import Customer

        def f(customers: QuerySet[Customer]):
            for customer in customers:
                print(list(customer.orders.all()))
        """,
        id="annotated-parameter-loaded-by-caller-unknown",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                customer.orders.all().update(status='x')
                customer.orders.all().delete()
        """,
        id="all-then-write",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


def test_filtered_manager_reported_by_orm004_instead(tmp_path):
    code = """
    from shop.models import Customer

    def f():
        for customer in Customer.objects.all():
            print(customer.orders.filter(status='x').exists())
    """
    assert rows(diagnostics(tmp_path, code, "ORM00")) == [(5, "ORM004")]


# -- findings without a fix --------------------------------------------------------------


NO_FIX = [
    pytest.param(
        """
        from shop.models import Customer

        def f(flag):
            customers = Customer.objects.all()
            if flag:
                customers = customers.filter(name='x')
            for customer in customers:
                print(list(customer.orders.all()))
        """,
        id="assigned-twice",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.iterator():
                print(list(customer.orders.all()))
        """,
        id="iterator-without-chunk-size",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.filter(name='a').union(Customer.objects.filter(name='b')):
                print(list(customer.orders.all()))
        """,
        id="union",
    ),
]


@pytest.mark.parametrize("code", NO_FIX)
def test_finding_without_fix(tmp_path, code):
    found = diagnostics(tmp_path, code)
    assert [d.code for d in found] == ["ORM002"]
    assert found[0].fix is None


# -- fixes -------------------------------------------------------------------------------


def test_fix_inline_for_iterable(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.filter(name='x'):
                for order in customer.orders.all():
                    print(order.status)
        """,
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.filter(name='x').prefetch_related('orders'):
                for order in customer.orders.all():
                    print(order.status)
        """,
    )


def test_fix_generic_foreign_key(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.extra import Note

        def f():
            return [str(note.content_object) for note in Note.objects.filter(text='x')]
        """,
        """
        from shop.extra import Note

        def f():
            return [str(note.content_object) for note in Note.objects.filter(text='x').prefetch_related('content_object')]
        """,
    )


def test_fix_single_assignment(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Customer

        def f():
            customers = Customer.objects.all()
            for customer in customers:
                print(list(customer.orders.all()))
        """,
        """
        from shop.models import Customer

        def f():
            customers = Customer.objects.all().prefetch_related("orders")
            for customer in customers:
                print(list(customer.orders.all()))
        """,
    )


def test_fix_extends_existing_prefetch_related(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.prefetch_related('tags'):
                print(list(line.tags.all()), list(line.children.all()))
        """,
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.prefetch_related('tags', 'children'):
                print(list(line.tags.all()), list(line.children.all()))
        """,
    )


def test_fix_comprehension(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Customer

        def order_counts():
            return {customer.name: len(customer.orders.all()) for customer in Customer.objects.all()}
        """,
        """
        from shop.models import Customer

        def order_counts():
            return {customer.name: len(customer.orders.all()) for customer in Customer.objects.all().prefetch_related("orders")}
        """,
    )


def test_fix_many_to_many_forward(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.filter(quantity=1):
                print([tag.name for tag in line.tags.all()])
        """,
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.filter(quantity=1).prefetch_related("tags"):
                print([tag.name for tag in line.tags.all()])
        """,
    )


def test_fix_many_to_many_reverse(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.extra import Tag

        def f():
            return [len(tag.lines.all()) for tag in Tag.objects.all()]
        """,
        """
        from shop.extra import Tag

        def f():
            return [len(tag.lines.all()) for tag in Tag.objects.all().prefetch_related("lines")]
        """,
    )


def test_fix_several_managers_sorted(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                print(list(customer.orders.all()), list(customer.note_items.all()))
        """,
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all().prefetch_related("note_items", "orders"):
                print(list(customer.orders.all()), list(customer.note_items.all()))
        """,
    )


def test_fix_chain(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related('customer'):
                print(list(order.customer.orders.all()))
        """,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related('customer').prefetch_related('customer__orders'):
                print(list(order.customer.orders.all()))
        """,
    )


def test_fix_slice_goes_after_prefetch_related(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.order_by('name')[:10]:
                print(list(customer.orders.all()))
        """,
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.order_by('name').prefetch_related('orders')[:10]:
                print(list(customer.orders.all()))
        """,
    )


def test_fix_iterator_with_chunk_size(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all().iterator(chunk_size=100):
                print(list(customer.orders.all()))
        """,
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all().prefetch_related("orders").iterator(chunk_size=100):
                print(list(customer.orders.all()))
        """,
    )


def test_fix_alias_of_forward_relation(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related('customer'):
                buyer = order.customer
                print(list(buyer.orders.all()))
        """,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related('customer').prefetch_related('customer__orders'):
                buyer = order.customer
                print(list(buyer.orders.all()))
        """,
    )
