"""ORM102 len-queryset: ``len(qs)`` used as a number when the rows of ``qs`` are not used."""

import pytest

from harness import assert_fixes, check, marked_rows, rows


def assert_marked(tmp_path, code):
    """ORM102 fires exactly on the rows marked ``# error: ORM102``."""
    assert rows(check(tmp_path, code, "ORM102")) == sorted(marked_rows(code))


# -- must fire -------------------------------------------------------------------------

FIRES = [
    pytest.param(
        """
        from shop.models import Order

        def dashboard(request):
            pending = Order.objects.filter(status='pending')
            return {'pending': len(pending)}  # error: ORM102
        """,
        id="local-in-dict",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.all()
            total = len(qs)  # error: ORM102
            return total
        """,
        id="assigned-to-variable",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return len(Order.objects.filter(status='x'))  # error: ORM102
        """,
        id="inline-queryset",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return len(Order.objects.filter(status='x')[:10])  # error: ORM102
        """,
        id="inline-sliced-queryset",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.all()
            return len(qs) + 1  # error: ORM102
        """,
        id="arithmetic",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.all()
            return len(qs) > 5  # error: ORM102
        """,
        id="compared-with-five",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.all()
            return len(qs) == 1  # error: ORM102
        """,
        id="compared-with-one",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            print(len(qs))  # error: ORM102
        """,
        id="passed-to-print",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.archived.all()
            return len(qs)  # error: ORM102
        """,
        id="custom-manager",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(flag):
            qs = Order.objects.all()
            if flag:
                qs = qs.filter(status='x')
            return len(qs)  # error: ORM102
        """,
        id="reassigned-in-if-branch",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            qs.update(status='y')
            n = len(qs)  # error: ORM102
            return n, qs.count(), qs.exists()
        """,
        id="other-uses-run-their-own-queries",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return len(Order.objects.values('status'))  # error: ORM102
        """,
        id="values-queryset",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.all()
            return [len(qs) for _ in range(3)]  # error: ORM102
        """,
        id="in-comprehension",
    ),
    pytest.param(
        """
        from .models import Order

        def f():
            return len(Order.objects.all())  # error: ORM102
        """,
        id="relative-import",
    ),
    pytest.param(
        """
        from shop import models as m

        def f():
            return len(m.Order.objects.all())  # error: ORM102
        """,
        id="module-alias",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert_marked(tmp_path, code)


def test_two_on_one_row_are_both_reported(tmp_path):
    code = """
        from shop.models import Order

        def f():
            qs = Order.objects.all()
            return len(qs), len(Order.objects.none())
        """
    diagnostics = check(tmp_path, code, "ORM102")
    assert [(d.location.row, d.location.column, d.code) for d in diagnostics] == [(6, 12, "ORM102"), (6, 21, "ORM102")]


# -- must not fire ------------------------------------------------------------------------

SILENT = [
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            n = len(qs)
            for order in qs:
                print(order, n)
        """,
        id="then-iterate",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return len(qs), qs
        """,
        id="then-return",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            n = len(qs)
            render(qs)
            return n
        """,
        id="then-pass-to-function",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            n = len(qs)
            return n, qs[0]
        """,
        id="then-index",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            n = len(qs)
            return render(locals())
        """,
        id="locals",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            n = len(qs)
            def g():
                return list(qs)
            return n, g
        """,
        id="used-in-nested-function",
    ),
    pytest.param(
        """
        def f(qs):
            return len(qs)
        """,
        id="unannotated-parameter",
    ),
    pytest.param(
        """
        from django.db.models import QuerySet
        from shop.models import Order

        def f(qs: QuerySet[Order]):
            return len(qs)
        """,
        id="annotated-parameter",
    ),
    pytest.param(
        """
        from shop.models import Order

        PENDING = Order.objects.filter(status='pending')

        def f():
            return len(PENDING)
        """,
        id="module-level-queryset",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return len(qs) > 0
        """,
        id="existence-test-is-orm101",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return 0 == len(qs)
        """,
        id="reversed-existence-test-is-orm101",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            if len(Order.objects.all()):
                return 1
            return not len(Order.objects.all()), bool(len(Order.objects.all()))
        """,
        id="truth-tests-are-orm101",
    ),
    pytest.param(
        """
        def f():
            items = [1, 2, 3]
            return len(items), len('abc'), len({})
        """,
        id="list-str-dict",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            qs = list(qs)
            return len(qs)
        """,
        id="rebound-to-list",
    ),
    pytest.param(
        """
        from shop.models import Order

        def len(value):
            return 0

        def f():
            return len(Order.objects.all())
        """,
        id="shadowed-len",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return len(Order.objects)
        """,
        id="manager",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.query(User).filter(User.name == 'x'))
        """,
        id="sqlalchemy-query",
    ),
    pytest.param(
        """
        from shop.models import Invoice

        def f():
            return len(Invoice.objects.all())
        """,
        id="unknown-model",
    ),
    pytest.param(
        """
        class Registry:
            objects = []


        def f():
            return len(Registry.objects.all())
        """,
        id="non-model-class-with-objects",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for qs in [Order.objects.all()]:
                return len(qs)
        """,
        id="loop-target",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_does_not_fire(tmp_path, code):
    assert check(tmp_path, code, "ORM102") == []


def test_existence_test_is_left_to_orm101(tmp_path):
    code = """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return len(qs) > 0
        """
    assert rows(check(tmp_path, code, "ORM101")) == [(6, "ORM101")]
    assert check(tmp_path, code, "ORM102") == []


# -- fixes ------------------------------------------------------------------------------

FIXES = [
    pytest.param(
        """
        from shop.models import Order

        def dashboard(request):
            pending = Order.objects.filter(status='pending')
            return {'pending': len(pending)}  # for the badge
        """,
        """
        from shop.models import Order

        def dashboard(request):
            pending = Order.objects.filter(status='pending')
            return {'pending': pending.count()}  # for the badge
        """,
        id="local",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return len(Order.objects.filter(status='x')) + len(Order.archived.all())
        """,
        """
        from shop.models import Order

        def f():
            return Order.objects.filter(status='x').count() + Order.archived.all().count()
        """,
        id="inline-two",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            total = len(Order.objects.filter(
                status='x',  # open
            ))
            return total
        """,
        """
        from shop.models import Order

        def f():
            total = Order.objects.filter(
                status='x',  # open
            ).count()
            return total
        """,
        id="multi-line-with-comment",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            total = len(
                Order.objects.filter(status='x')  # open ones
            )
            return total
        """,
        """
        from shop.models import Order

        def f():
            total = len(
                Order.objects.filter(status='x')  # open ones
            )
            return total
        """,
        # The rewrite would drop the comment, so no fix is offered and the text stays.
        id="comment-inside-len-parentheses-is-not-lost",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return (len(Order.objects.all()[:5]))
        """,
        """
        from shop.models import Order

        def f():
            return (Order.objects.all()[:5].count())
        """,
        id="parentheses-and-slice",
    ),
]


@pytest.mark.parametrize("before, after", FIXES)
def test_fixes(tmp_path, before, after):
    assert_fixes(tmp_path, before, after, "ORM102")
