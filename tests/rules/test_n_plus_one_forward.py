"""ORM001 n-plus-one-forward: a loop over a Django queryset reads a ForeignKey / OneToOne
relation of each row that the queryset does not load."""

import pytest

from harness import EXTRA_DJANGO_MODELS, assert_fixes, check, make_project, marked_rows, rows

#: More relations than the shared models have: a OneToOne (forward and reverse), a
#: nullable ForeignKey, an 'app_label.Model' string target, 'self', a ManyToMany, an
#: abstract base declaring a ForeignKey and a GenericForeignKey.
EXTRA_MODELS = EXTRA_DJANGO_MODELS


def project(tmp_path):
    make_project(tmp_path, {"shop/extra.py": EXTRA_MODELS})
    return tmp_path


def diagnostics(tmp_path, code):
    return check(project(tmp_path), code, "ORM001")


def fixes(tmp_path, before, after):
    assert_fixes(project(tmp_path), before, after, "ORM001")


# -- must fire ---------------------------------------------------------------------------


FIRES = [
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():  # error: ORM001
                print(order.customer.name)
        """,
        id="for-all",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.filter(status='x').exclude(status='y').order_by('id'):  # error: ORM001
                print(order.customer)
        """,
        id="for-filter-chain-bare-relation",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return [order.customer.name for order in Order.objects.all()]  # error: ORM001
        """,
        id="list-comprehension",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return {order.customer.name for order in Order.objects.all()}  # error: ORM001
        """,
        id="set-comprehension",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return {order.pk: order.customer.name for order in Order.objects.all()}  # error: ORM001
        """,
        id="dict-comprehension",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return sum(len(order.customer.name) for order in Order.objects.all())  # error: ORM001
        """,
        id="generator-expression",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return [  # error: ORM001
                order.status
                for order in Order.objects.all()
                if order.customer.name
            ]
        """,
        id="comprehension-condition-reported-where-it-starts",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            orders = Order.objects.filter(status='x')
            for order in orders:  # error: ORM001
                print(order.customer.name)
        """,
        id="assigned-queryset",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.archived.all():  # error: ORM001
                print(order.customer.name)
        """,
        id="extra-manager",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():  # error: ORM001
                customer = order.customer
                print(customer.name)
        """,
        id="alias",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(flag):
            for order in Order.objects.all():  # error: ORM001
                if flag:
                    with open('x') as handle:
                        handle.write(order.customer.name)
        """,
        id="read-nested-in-body",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all()[:10]:  # error: ORM001
                print(order.customer.name)
        """,
        id="sliced",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all().iterator(chunk_size=100):  # error: ORM001
                print(order.customer.name)
        """,
        id="iterator",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related():  # error: ORM001
                print(order.customer.profile.bio)
        """,
        id="select-all-does-not-cover-reverse-one-to-one",
    ),
    pytest.param(
        """
        from shop.extra import Profile

        def f():
            for profile in Profile.objects.select_related():  # error: ORM001
                print(profile.region.name)
        """,
        id="select-all-nullable-fk",
    ),
    pytest.param(
        """
        from shop.extra import Profile

        def f():
            for profile in Profile.objects.all():  # error: ORM001
                print(profile.customer.name)
        """,
        id="one-to-one-forward",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():  # error: ORM001
                print(customer.profile.bio)
        """,
        id="one-to-one-reverse",
    ),
    pytest.param(
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.all():  # error: ORM001
                print(line.order.status)
        """,
        id="app-label-string-target",
    ),
    pytest.param(
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.all():  # error: ORM001
                print(line.parent.quantity)
        """,
        id="self-target",
    ),
    pytest.param(
        """
        from shop.extra import Note

        def f():
            for note in Note.objects.all():  # error: ORM001
                print(note.owner.name)
        """,
        id="fk-inherited-from-abstract-base",
    ),
    pytest.param(
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.select_related('region'):  # error: ORM001
                print(line.order.customer.name)
        """,
        id="chain-through-two-fks",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.prefetch_related('customer__orders'):
                pass
            for order in Order.objects.select_related('customer'):  # error: ORM001
                print(order.customer.profile.bio)
        """,
        id="second-loop-only",
    ),
    pytest.param(
        """
        from shop.models import Order, Customer

        def f():
            for customer in Customer.objects.all():
                for order in Order.objects.filter(status='x'):  # error: ORM001
                    print(order.customer.name)
        """,
        id="inner-loop",
    ),
    pytest.param(
        """
        from shop.models import Order

        for order in Order.objects.all():  # error: ORM001
            print(order.customer.name)
        """,
        id="module-level",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.only('status'):  # error: ORM001
                print(order.customer.name)
        """,
        id="only",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related('customer').select_related(None):  # error: ORM001
                print(order.customer.name)
        """,
        id="select-related-none-clears-the-list",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


def test_one_finding_per_loop_naming_every_relation(tmp_path):
    code = """
    from shop.extra import Line

    def f():
        for line in Line.objects.all():
            print(line.order.status, line.region.name, line.order.pk)
    """
    found = diagnostics(tmp_path, code)
    assert rows(found) == [(5, "ORM001")]
    message = found[0].message
    assert "`line.order`" in message and "`line.region`" in message
    assert "select_related('order', 'region')" in message


def test_message_names_the_longest_read(tmp_path):
    code = """
    from shop.models import Order

    def f():
        for order in Order.objects.all():
            print(order.customer.name, order.customer.profile.bio)
    """
    found = diagnostics(tmp_path, code)
    assert rows(found) == [(5, "ORM001")]
    assert "`order.customer.profile`" in found[0].message
    assert "select_related('customer__profile')" in found[0].message


# -- must not fire -----------------------------------------------------------------------


SILENT = [
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related('customer'):
                print(order.customer.name)
        """,
        id="select-related",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            orders = Order.objects.filter(status='x').select_related('customer')
            for order in orders:
                print(order.customer.name)
        """,
        id="select-related-on-assignment",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related('customer__profile'):
                print(order.customer.name, order.customer.profile.bio)
        """,
        id="select-related-deeper-path",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.prefetch_related('customer'):
                print(order.customer.name)
        """,
        id="prefetch-related",
    ),
    pytest.param(
        """
        from django.db.models import Prefetch
        from shop.models import Order, Customer

        def f():
            for order in Order.objects.prefetch_related(Prefetch('customer', queryset=Customer.objects.all())):
                print(order.customer.name)
        """,
        id="prefetch-object",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.select_related():
                print(order.customer.name)
        """,
        id="select-related-without-arguments-non-null-fk",
    ),
    pytest.param(
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.select_related():
                print(line.order.customer.name, line.region.name)
        """,
        id="select-related-without-arguments-non-null-chain",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for row in Order.objects.values('customer', 'status'):
                print(row.customer)
        """,
        id="values",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return [row.customer for row in Order.objects.values_list('customer', flat=True)]
        """,
        id="values-list",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                print(order.customer_id)
        """,
        id="fk-id-column",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(orders):
            for order in orders:
                print(order.customer.name)
        """,
        id="unknown-iterable",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            orders = [Order(status='x'), Order(status='y')]
            for order in orders:
                print(order.customer.name)
        """,
        id="plain-list",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                pass
            print(order.customer.name)
        """,
        id="read-after-loop",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                print(order.status, order.pk)
        """,
        id="non-relation-attribute",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                print(order.get_status_display())
                order.save()
        """,
        id="model-method-call",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.all():
                print(list(customer.orders.all()))
        """,
        id="reverse-manager-is-orm002",
    ),
    pytest.param(
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.all():
                print(list(line.tags.all()))
        """,
        id="many-to-many-is-orm002",
    ),
    pytest.param(
        """
        from shop.extra import Note

        def f():
            for note in Note.objects.all():
                print(note.content_object)
        """,
        id="generic-foreign-key",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return [lambda: order.customer.name for order in Order.objects.all()]
        """,
        id="read-in-lambda-not-per-row",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                def later():
                    return order.customer.name
                print(later)
        """,
        id="read-in-nested-function-not-per-row",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            order = Order.objects.get(pk=1)
            print(order.customer.name)
        """,
        id="no-loop",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post, SessionLocal

        def f():
            session = SessionLocal()
            for post in session.scalars(select(Post)):
                print(post.author.name)
        """,
        id="sqlalchemy-is-orm003",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            orders = Order.objects.filter(status='x')
            orders = orders.select_related('customer')
            for order in orders:
                print(order.customer.name)
        """,
        id="select-related-added-by-reassignment",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(customer):
            for order in Order.objects.all():
                order.customer = customer
                order.save()
        """,
        id="relation-assigned-not-read",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(others):
            for order in Order.objects.all():
                print([order.customer for order in others])
        """,
        id="name-rebound-by-inner-comprehension",
    ),
    pytest.param(
        """
        from django.db.models import QuerySet
        from shop.models import Order

        def f(orders: QuerySet[Order]):
            for order in orders:
                print(order.customer.name)
        """,
        id="annotated-parameter-loaded-by-caller-unknown",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f(pk):
            customer = Customer.objects.get(pk=pk)
            for order in customer.orders.all():
                print(order.customer.name)
        """,
        id="back-reference-set-by-related-manager",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            for customer in Customer.objects.prefetch_related('orders'):
                for order in customer.orders.all():
                    print(order.customer.name)
        """,
        id="back-reference-set-by-prefetch",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


# -- findings without a fix --------------------------------------------------------------


NO_FIX = [
    pytest.param(
        """
        from shop.models import Order

        def f(flag):
            orders = Order.objects.all()
            if flag:
                orders = orders.filter(status='x')
            for order in orders:
                print(order.customer.name)
        """,
        id="assigned-twice",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.only('status'):
                print(order.customer.name)
        """,
        id="only",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.defer('status'):
                print(order.customer.name)
        """,
        id="defer",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.filter(status='x').union(Order.objects.filter(status='y')):
                print(order.customer.name)
        """,
        id="union",
    ),
    pytest.param(
        """
        from shop.extra import Profile

        def f():
            for profile in Profile.objects.select_related():
                print(profile.region.name)
        """,
        id="select-related-without-arguments-nullable-fk",
    ),
]


@pytest.mark.parametrize("code", NO_FIX)
def test_finding_without_fix(tmp_path, code):
    found = diagnostics(tmp_path, code)
    assert [d.code for d in found] == ["ORM001"]
    assert found[0].fix is None


def test_fix_is_safe(tmp_path):
    code = """
    from shop.models import Order

    def f():
        for order in Order.objects.all():
            print(order.customer.name)
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.fix is not None
    assert found.fix.applicability.value == "safe"
    assert found.fix.title == "Add `.select_related('customer')`"


# -- fixes -------------------------------------------------------------------------------


def test_fix_inline_for_iterable(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.filter(status='x'):
                print(order.customer.name)
        """,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.filter(status='x').select_related('customer'):
                print(order.customer.name)
        """,
    )


def test_fix_uses_double_quotes_when_the_query_has_no_string(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                print(order.customer.name)
        """,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all().select_related("customer"):
                print(order.customer.name)
        """,
    )


def test_fix_single_assignment(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            orders = Order.objects.filter(status="open")
            print("start")
            for order in orders:
                print(order.customer.name)
        """,
        """
        from shop.models import Order

        def f():
            orders = Order.objects.filter(status="open").select_related("customer")
            print("start")
            for order in orders:
                print(order.customer.name)
        """,
    )


def test_fix_extends_existing_select_related(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.select_related('order').filter(quantity=1):
                print(line.order.status, line.region.name)
        """,
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.select_related('order', 'region').filter(quantity=1):
                print(line.order.status, line.region.name)
        """,
    )


def test_fix_chain_through_customer(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                print(order.customer.name, order.customer.profile.region.name)
        """,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all().select_related("customer__profile__region"):
                print(order.customer.name, order.customer.profile.region.name)
        """,
    )


def test_fix_chain_through_order(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.extra import Line

        def f():
            return [line.order.customer.name for line in Line.objects.filter(quantity=2)]
        """,
        """
        from shop.extra import Line

        def f():
            return [line.order.customer.name for line in Line.objects.filter(quantity=2).select_related("order__customer")]
        """,
    )


def test_fix_several_relations_sorted(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.all():
                print(line.region.name, line.order.status)
        """,
        """
        from shop.extra import Line

        def f():
            for line in Line.objects.all().select_related("order", "region"):
                print(line.region.name, line.order.status)
        """,
    )


def test_fix_comprehension(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def names():
            return [order.customer.name for order in Order.objects.filter(status="open")]
        """,
        """
        from shop.models import Order

        def names():
            return [order.customer.name for order in Order.objects.filter(status="open").select_related("customer")]
        """,
    )


def test_fix_dict_comprehension(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def names():
            return {order.pk: order.customer.name for order in Order.objects.all()}
        """,
        """
        from shop.models import Order

        def names():
            return {order.pk: order.customer.name for order in Order.objects.all().select_related("customer")}
        """,
    )


def test_fix_slice_goes_after_select_related(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.filter(status='x')[:10]:
                print(order.customer.name)
        """,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.filter(status='x').select_related('customer')[:10]:
                print(order.customer.name)
        """,
    )


def test_fix_assigned_slice(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            recent = Order.objects.order_by("-id")[:10]
            return [order.customer.name for order in recent]
        """,
        """
        from shop.models import Order

        def f():
            recent = Order.objects.order_by("-id").select_related("customer")[:10]
            return [order.customer.name for order in recent]
        """,
    )


def test_fix_iterator_with_chunk_size(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all().iterator(chunk_size=100):
                print(order.customer.name)
        """,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all().select_related("customer").iterator(chunk_size=100):
                print(order.customer.name)
        """,
    )


def test_fix_alias(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                c = order.customer
                print(c.name)
        """,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all().select_related("customer"):
                c = order.customer
                print(c.name)
        """,
    )


def test_fix_alias_chain(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                c = order.customer
                print(c.profile.bio)
        """,
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all().select_related("customer__profile"):
                c = order.customer
                print(c.profile.bio)
        """,
    )


def test_fix_parenthesised_iterable(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.models import Order

        def f():
            for order in (Order.objects.all()):
                print(order.customer.name)
        """,
        """
        from shop.models import Order

        def f():
            for order in (Order.objects.all().select_related("customer")):
                print(order.customer.name)
        """,
    )


def test_fix_nullable_fk_with_explicit_select_related(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.extra import Profile

        def f():
            for profile in Profile.objects.select_related('customer'):
                print(profile.region.name)
        """,
        """
        from shop.extra import Profile

        def f():
            for profile in Profile.objects.select_related('customer', 'region'):
                print(profile.region.name)
        """,
    )


MEMBER_MODELS = '''from django.db import models
from shop.models import Order


class Team(models.Model):
    name = models.CharField(max_length=10)


class Member(models.Model):
    team = models.ForeignKey(Team, models.CASCADE)
    order = models.ForeignKey(Order, models.CASCADE)

    def __str__(self):
        return f"{self.team.name}"

    @property
    def label(self):
        return self.describe()

    def describe(self):
        return self.order.status

    def rename(self, name):
        self.team = None
        return name
'''


@pytest.mark.parametrize(
    "loop, expected",
    [
        ("[str(m) for m in Member.objects.all()]", "`m.team`"),
        ("[f'{m}' for m in Member.objects.all()]", "`m.team`"),
        ("[m.label for m in Member.objects.all()]", "`m.order`"),
        ("[m.describe() for m in Member.objects.all()]", "`m.order`"),
        ("[m.rename('x') for m in Member.objects.all()]", None),
        ("[repr(m) for m in Member.objects.all()]", None),
        ("[str(m) for m in Member.objects.select_related('team')]", None),
    ],
)
def test_relations_read_by_the_models_own_methods(tmp_path, loop, expected):
    make_project(tmp_path, {"shop/members.py": MEMBER_MODELS})
    code = f"from shop.members import Member\n\n\ndef f():\n    return {loop}\n"
    found = check(tmp_path, code, "ORM001")
    if expected is None:
        assert found == []
    else:
        assert [d.location.row for d in found] == [5] and expected in found[0].message


THING_MODELS = '''from django.db import models
from shop.models import Customer


class ThingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def with_owner(self):
        return self.active().select_related("owner")

    def names(self):
        return [t.name for t in self]


class ThingManager(models.Manager):
    def recent(self):
        return self.get_queryset().order_by("-id")


class Thing(models.Model):
    owner = models.ForeignKey(Customer, models.CASCADE)
    active = models.BooleanField()
    objects = ThingQuerySet.as_manager()
    people = ThingManager()
    mixed = models.Manager.from_queryset(ThingQuerySet)()
'''


@pytest.mark.parametrize(
    "iterable, fires",
    [
        ("Thing.objects.active()", True),
        ("Thing.people.recent()", True),
        ("Thing.mixed.active().order_by('id')", True),
        ("Thing.objects.with_owner()", False),  # the custom method loads the relation
        ("Thing.objects.names()", False),  # returns a list, not a queryset
        ("Thing.objects.unknown()", False),
    ],
)
def test_custom_queryset_and_manager_methods(tmp_path, iterable, fires):
    make_project(tmp_path, {"shop/things.py": THING_MODELS})
    code = f"from shop.things import Thing\n\n\ndef f():\n    return [t.owner for t in {iterable}]\n"
    assert bool(check(tmp_path, code, "ORM001")) is fires


VIEWS = '''from django.shortcuts import get_list_or_404
from django.views.generic import ListView
from shop.models import Order


class OrderList(ListView):
    model = Order

    def names(self):
        return [o.customer.name for o in self.get_queryset()]  # error: ORM001


class FromQueryset(ListView):
    queryset = Order.objects.filter(status="open")

    def names(self):
        return [o.customer.name for o in self.queryset]  # error: ORM001


class Loaded(ListView):
    queryset = Order.objects.select_related("customer")

    def names(self):
        return [o.customer.name for o in self.get_queryset()]


class Overridden(ListView):
    model = Order

    def get_queryset(self):
        return super().get_queryset().select_related("customer")

    def names(self):
        return [o.customer.name for o in self.get_queryset()]


def listed():
    return [o.customer.name for o in get_list_or_404(Order, status="x")]  # error: ORM001
'''


def test_class_based_views_and_get_list_or_404(tmp_path):
    found = check(tmp_path, VIEWS, "ORM001")
    assert set(rows(found)) == marked_rows(VIEWS)
    fixes = {d.location.row: d.fix for d in found}
    assert fixes[10].edits[0].content == 'self.get_queryset().select_related("customer")'
    listed = max(fixes)
    assert fixes[listed] is None  # a list from get_list_or_404 cannot take select_related


@pytest.mark.parametrize(
    "expression, fires",
    [
        ("groupby(Order.objects.order_by('customer'), key=lambda o: o.customer)", True),
        ("groupby(Order.objects.order_by('customer'), lambda o: o.customer.name)", True),
        ("sorted(Order.objects.all(), key=lambda o: o.customer.name)", True),
        ("list(map(lambda o: o.customer, Order.objects.all()))", True),
        ("groupby(Order.objects.order_by('customer_id'), key=lambda o: o.customer_id)", False),
        ("sorted(Order.objects.select_related('customer'), key=lambda o: o.customer.name)", False),
        ("sorted(Order.objects.all(), key=lambda o: o.status)", False),
    ],
)
def test_per_row_callables(tmp_path, expression, fires):
    code = f"from itertools import groupby\n\nfrom shop.models import Order\n\n\ndef f():\n    return {expression}\n"
    found = check(tmp_path, code, "ORM001")
    assert [d.location.row for d in found] == ([7] if fires else [])
    if fires:
        assert found[0].fix is not None and "select_related" in found[0].fix.edits[0].content


def test_a_relation_assigned_in_the_loop_is_not_read_from_the_database(tmp_path):
    make_project(tmp_path, {"shop/members.py": MEMBER_MODELS})
    code = (
        "from shop.members import Member\n\n\ndef f(team):\n"
        "    for m in Member.objects.all():\n"
        "        m.team = team\n"
        "        print(str(m))\n"
    )
    assert check(tmp_path, code, "ORM001") == []


def test_what_a_related_managers_parent_holds_is_read_once(tmp_path):
    code = (
        "from shop.models import Customer\n\n\ndef f(pk):\n"
        "    customer = Customer.objects.get(pk=pk)\n"
        "    return [o.customer.name for o in customer.orders.filter(status='x')]\n"
    )
    assert check(tmp_path, code, "ORM001") == []


def test_no_fix_on_a_related_manager_of_an_enclosing_loops_row(tmp_path):
    """select_related on customer.orders.all() inside a loop over customers that
    prefetched them would discard the prefetch and run a query per customer again."""
    code = (
        "from shop.models import Customer\n\n\ndef f():\n"
        "    for customer in Customer.objects.prefetch_related('orders'):\n"
        "        for order in customer.orders.all():\n"
        "            print(order.customer.name)\n"
    )
    assert check(tmp_path, code, "ORM001") == []  # rows of customer.orders know their customer
    make_project(tmp_path, {"shop/members.py": MEMBER_MODELS})
    nested = (
        "from shop.members import Team, Member\n\n\ndef f():\n"
        "    for team in Team.objects.prefetch_related('member_set'):\n"
        "        for member in team.member_set.all():\n"
        "            print(member.order.status)\n"
    )
    assert check(tmp_path, nested, "ORM001") == []
    # The loop over teams reads what each member reads: it prefetches the path.
    (found,) = check(tmp_path, nested, "ORM002")
    assert found.location.row == 5
    assert found.fix.edits[0].content == "Team.objects.prefetch_related('member_set', 'member_set__order')"
    (found,) = check(tmp_path, nested.replace(".prefetch_related('member_set')", ".all()"), "ORM002")
    assert found.fix.edits[0].content == "Team.objects.all().prefetch_related(\"member_set__order\")"


def test_inner_for_of_a_nested_comprehension_is_loaded_by_the_outer_query(tmp_path):
    """``select_related`` on ``order.lines.all()`` would throw away a prefetch of the
    outer query: the outer query prefetches the whole path instead."""
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS})
    code = (
        "from shop.models import Order\n\n\ndef f():\n"
        "    return [line.region.name for order in Order.objects.all() for line in order.lines.all()]\n"
    )
    assert check(tmp_path, code, "ORM001") == []
    (found,) = check(tmp_path, code, "ORM002")
    assert found.location.row == 5
    assert found.fix.edits[0].content == "Order.objects.all().prefetch_related(\"lines__region\")"


def test_silent_on_a_relation_the_filter_makes_none(tmp_path):
    for condition in ("customer__isnull=True", "customer=None"):
        code = f"""
        from shop.models import Order

        def f():
            return [order.customer for order in Order.objects.filter({condition})]
        """
        assert diagnostics(tmp_path, code) == [], condition
    for condition in ("customer__isnull=False", "customer__name__isnull=True"):
        code = f"""
        from shop.models import Order

        def f():
            return [order.customer for order in Order.objects.filter({condition})]  # error: ORM001
        """
        assert set(rows(diagnostics(tmp_path, code))) == marked_rows(code), condition
