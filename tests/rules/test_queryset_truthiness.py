"""ORM103 queryset-truthiness: a queryset used as a truth value when its rows are not used."""

import pytest

from harness import assert_fixes, check, marked_rows, rows


def assert_marked(tmp_path, code):
    """ORM103 fires exactly on the rows marked ``# error: ORM103``."""
    assert rows(check(tmp_path, code, "ORM103")) == sorted(marked_rows(code))


# -- must fire -------------------------------------------------------------------------

FIRES = [
    pytest.param(
        """
        from shop.models import Order

        def has_open_orders(customer):
            open_orders = Order.objects.filter(customer=customer, status='open')
            if open_orders:  # error: ORM103
                return True
            return False
        """,
        id="if",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            while qs:  # error: ORM103
                qs.update(status='y')
        """,
        id="while",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return not qs  # error: ORM103
        """,
        id="not",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return bool(qs)  # error: ORM103
        """,
        id="bool",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(x):
            qs = Order.objects.filter(status='x')
            if qs and x:  # error: ORM103
                return 1
        """,
        id="if-and",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(x):
            qs = Order.objects.filter(status='x')
            if x or not qs:  # error: ORM103
                return 1
        """,
        id="if-or-not",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            if Order.objects.filter(a=1):  # error: ORM103
                return 1
        """,
        id="inline-if",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(x):
            if x:
                return 0
            elif Order.objects.exclude(status='x'):  # error: ORM103
                return 1
        """,
        id="elif",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            assert qs, 'expected orders'  # error: ORM103
        """,
        id="assert",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return 'some' if qs else 'none'  # error: ORM103
        """,
        id="ternary-test",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(statuses):
            return [s for s in statuses if Order.objects.filter(status=s)]  # error: ORM103
        """,
        id="comprehension-if",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            if Order.objects.all()[:5]:  # error: ORM103
                return 1
        """,
        id="inline-slice",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            if Order.objects.values('status'):  # error: ORM103
                return 1
        """,
        id="values-queryset",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.archived.filter(status='x')
            if qs:  # error: ORM103
                return qs.count()
        """,
        id="custom-manager-then-count",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(flag):
            qs = Order.objects.all()
            if flag:
                qs = qs.filter(status='x')
            if qs:  # error: ORM103
                return 1
        """,
        id="reassigned-in-if-branch",
    ),
    pytest.param(
        """
        from django.db.models import QuerySet
        from shop.models import Order

        def f():
            qs: QuerySet[Order] = Order.objects.all()
            if not qs:  # error: ORM103
                return 1
        """,
        id="annotated-local",
    ),
    pytest.param(
        """
        from .models import Order

        def f():
            if Order.objects.filter(status='x'):  # error: ORM103
                return 1
        """,
        id="relative-import",
    ),
    pytest.param(
        """
        from shop import models as m

        def f():
            return bool(m.Order.objects.all())  # error: ORM103
        """,
        id="module-alias",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert_marked(tmp_path, code)


# -- must not fire ------------------------------------------------------------------------

SILENT = [
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if qs:
                for order in qs:
                    print(order)
        """,
        id="then-loop",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if not qs:
                return None
            return qs[0]
        """,
        id="then-index",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if qs:
                return render(qs)
        """,
        id="then-pass-to-function",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(default):
            qs = Order.objects.filter(status='x')
            x = qs or default
            return x
        """,
        id="or-value",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(default):
            return Order.objects.filter(status='x') or default
        """,
        id="inline-or-value",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            if Order.objects:
                return 1
            if Order.archived:
                return 2
        """,
        id="manager",
    ),
    pytest.param(
        """
        def f(qs):
            if qs:
                return 1
        """,
        id="unannotated-parameter",
    ),
    pytest.param(
        """
        from django.db.models import QuerySet
        from shop.models import Order

        def f(qs: QuerySet[Order]):
            if not qs:
                return 1
        """,
        id="annotated-parameter",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(qs=None):
            if qs is None:
                qs = Order.objects.all()
            if qs is not None:
                return 1
        """,
        id="is-none",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.all()
            if qs is None or qs == []:
                return 1
        """,
        id="identity-and-equality",
    ),
    pytest.param(
        """
        from shop.models import Order

        PENDING = Order.objects.filter(status='pending')

        def f():
            if PENDING:
                return 1
        """,
        id="module-level-queryset",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if qs.exists() or qs.count() or qs.first():
                return 1
        """,
        id="querying-methods",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            if Order.objects.get(pk=1):
                return 1
        """,
        id="instance",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            qs = list(qs)
            if qs:
                return 1
        """,
        id="rebound-to-list",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if qs:
                return render(locals())
        """,
        id="locals",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            if session.query(User).filter(User.name == 'x'):
                return 1
        """,
        id="sqlalchemy-query",
    ),
    pytest.param(
        """
        from shop.models import Invoice

        def f():
            if Invoice.objects.filter(paid=False):
                return 1
        """,
        id="unknown-model",
    ),
    pytest.param(
        """
        class Registry:
            objects = []


        def f():
            if Registry.objects.all():
                return 1
        """,
        id="non-model-class-with-objects",
    ),
    pytest.param(
        """
        def f():
            items = [1, 2]
            if items and not items:
                return 1
        """,
        id="list",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_does_not_fire(tmp_path, code):
    assert check(tmp_path, code, "ORM103") == []


# -- fixes ------------------------------------------------------------------------------

FIXES = [
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if qs:  # any open?
                return True
            return False
        """,
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if qs.exists():  # any open?
                return True
            return False
        """,
        id="if",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return not qs
        """,
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return not qs.exists()
        """,
        id="not",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return bool(qs)
        """,
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return qs.exists()
        """,
        id="bool",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(x):
            qs = Order.objects.filter(status='x')
            if qs and x:
                return 1
        """,
        """
        from shop.models import Order

        def f(x):
            qs = Order.objects.filter(status='x')
            if qs.exists() and x:
                return 1
        """,
        id="if-and",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            if Order.objects.filter(a=1):
                return 1
        """,
        """
        from shop.models import Order

        def f():
            if Order.objects.filter(a=1).exists():
                return 1
        """,
        id="inline",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if (qs):
                return 1
            while (Order.objects.all()[:5]):
                pass
        """,
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if (qs.exists()):
                return 1
            while (Order.objects.all()[:5].exists()):
                pass
        """,
        id="parenthesized",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if (
                qs  # the open ones
            ):
                return 1
        """,
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if (
                qs.exists()  # the open ones
            ):
                return 1
        """,
        id="parenthesized-multi-line-with-comment",
    ),
    pytest.param(
        """
        from shop.models import Order

        class View:
            def get(self):
                if Order.objects.filter(
                    status='x',  # open ones
                    customer__name='y',
                ):
                    return 1
        """,
        """
        from shop.models import Order

        class View:
            def get(self):
                if Order.objects.filter(
                    status='x',  # open ones
                    customer__name='y',
                ).exists():
                    return 1
        """,
        id="multi-line-with-comment",
    ),
]


@pytest.mark.parametrize("before, after", FIXES)
def test_fixes(tmp_path, before, after):
    assert_fixes(tmp_path, before, after, "ORM103")


def test_combined_queryset_reported_without_fix(tmp_path):
    code = """
        from shop.models import Order

        def f():
            if Order.objects.filter(status='a').union(Order.objects.filter(status='b')):
                return 1
        """
    diagnostics = check(tmp_path, code, "ORM103")
    assert rows(diagnostics) == [(5, "ORM103")]
    assert diagnostics[0].fix is None
    assert_fixes(tmp_path, code, code, "ORM103")


def test_silent_when_a_unique_column_pins_one_row(tmp_path):
    code = """
    from shop.models import Order

    def f(pk):
        if Order.objects.filter(pk=pk):
            return 1
        if Order.objects.filter(status='x'):  # error: ORM103
            return 2
    """
    assert rows(check(tmp_path, code, "ORM103")) == sorted(marked_rows(code))
