"""ORM101 count-for-existence: a row count compared with zero or used as a truth value."""

import pytest

from harness import assert_fixes, check, marked_rows, rows

HEADER = "from shop.models import Order, Customer\n\n"


def assert_marked(tmp_path, code):
    """ORM101 fires exactly on the rows marked ``# error: ORM101``."""
    assert rows(check(tmp_path, code, "ORM101")) == sorted(marked_rows(code))


# -- must fire -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "Order.objects.filter(status='x').count() > 0",
        "Order.objects.count() != 0",
        "Order.objects.all().count() >= 1",
        "Order.objects.filter(status='x').count() == 0",
        "Order.objects.filter(status='x').count() < 1",
        "Order.objects.filter(status='x').count() <= 0",
        "0 < Order.objects.filter(status='x').count()",
        "0 != Order.objects.filter(status='x').count()",
        "1 <= Order.objects.filter(status='x').count()",
        "0 == Order.objects.filter(status='x').count()",
        "1 > Order.objects.filter(status='x').count()",
        "0 >= Order.objects.filter(status='x').count()",
        "not Order.objects.filter(status='x').count()",
        "bool(Order.objects.filter(status='x').count())",
        "Order.archived.filter(status='x').count() > 0",
        "Order.objects.exclude(status='x').order_by('id').distinct().count() > 0",
        "Order.objects.values('status').count() > 0",
        "Order.objects.filter(status='x')[:10].count() > 0",
        "Customer.objects.filter(orders__status='x').count() == 0",
        "len(Order.objects.filter(status='x')) > 0",
        "(Order.objects.filter(status='x').count()) > 0",
    ],
)
def test_fires_on_count_compared_with_zero(tmp_path, expression):
    code = HEADER + f"def f():\n    return {expression}\n"
    assert rows(check(tmp_path, code, "ORM101")) == [(4, "ORM101")]


FIRES = [
    pytest.param(
        """
        from shop.models import Order

        def f():
            if Order.objects.filter(status='x').count():  # error: ORM101
                return 1
        """,
        id="if-count",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            if not Order.objects.filter(status='x').count():  # error: ORM101
                return 1
        """,
        id="if-not-count",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(flag):
            if flag and Order.objects.count():  # error: ORM101
                return 1
        """,
        id="if-and-count",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            while Order.objects.filter(status='x').count() > 0:  # error: ORM101
                pass
            while Order.objects.filter(status='y').count():  # error: ORM101
                pass
        """,
        id="while",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return 'yes' if Order.objects.count() else 'no'  # error: ORM101
        """,
        id="ternary-test",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            assert Order.objects.count(), 'no orders'  # error: ORM101
            assert Order.objects.filter(status='x').count() == 0  # error: ORM101
        """,
        id="assert",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(statuses):
            return [s for s in statuses if Order.objects.filter(status=s).count()]  # error: ORM101
        """,
        id="comprehension-if",
    ),
    pytest.param(
        """
        from shop.models import Order

        check = lambda: Order.objects.count() > 0  # error: ORM101
        """,
        id="lambda-module-level",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return len(qs) > 0  # error: ORM101
        """,
        id="len-local-not-used-later",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if len(qs):  # error: ORM101
                return qs.count()
        """,
        id="len-truth-then-only-querying-methods",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.archived.filter(status='x')
            return qs.count() != 0  # error: ORM101
        """,
        id="custom-manager-local",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(flag):
            qs = Order.objects.all()
            if flag:
                qs = qs.filter(status='x')
            return qs.count() > 0  # error: ORM101
        """,
        id="reassigned-in-if-branch",
    ),
    pytest.param(
        """
        from django.db.models import QuerySet
        from shop.models import Order

        def f(qs: QuerySet[Order]):
            return qs.count() > 0  # error: ORM101
        """,
        id="annotated-parameter",
    ),
    pytest.param(
        """
        from shop.models import Order

        PENDING = Order.objects.filter(status='pending')

        def f():
            return PENDING.count() > 0  # error: ORM101
        """,
        id="module-level-queryset",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return session.query(User).filter(User.name == 'x').count() > 0  # error: ORM101
        """,
        id="sqlalchemy-session-local",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            with SessionLocal() as session:
                return session.query(User).count() == 0  # error: ORM101
        """,
        id="sqlalchemy-with-session",
    ),
    pytest.param(
        """
        from sqlalchemy.orm import Session
        from shop.tables import User

        def f(session: Session):
            if session.query(User).count():  # error: ORM101
                return 1
        """,
        id="sqlalchemy-annotated-session",
    ),
    pytest.param(
        """
        from shop import models as m

        def f():
            return m.Order.objects.filter(status='x').count() > 0  # error: ORM101
        """,
        id="from-package-import-module-as",
    ),
    pytest.param(
        """
        import shop.models

        def f():
            return shop.models.Order.objects.count() > 0  # error: ORM101
        """,
        id="import-dotted-module",
    ),
    pytest.param(
        """
        from .models import Order

        def f():
            return Order.objects.filter(status='x').count() > 0  # error: ORM101
        """,
        id="relative-import",
    ),
    pytest.param(
        """
        from shop.models import Order as O

        def f():
            return O.objects.count() > 0  # error: ORM101
        """,
        id="import-as",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return Order.objects.filter(  # error: ORM101
                status='x',
            ).count() > 0
        """,
        id="multi-line-reports-first-row",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert_marked(tmp_path, code)


# -- must not fire ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "Order.objects.filter(status='x').count() > 5",
        "Order.objects.filter(status='x').count() == 1",
        "Order.objects.filter(status='x').count() > 1",
        "Order.objects.filter(status='x').count() >= 0",
        "Order.objects.filter(status='x').count() > 0.0",
        "0 < Order.objects.filter(status='x').count() < 5",
        "Order.objects.count() > 0 == 0",
        "Order.objects.count('id') > 0",
        "len(Order.objects) > 0",
        "Order.objects.count() or 1",
    ],
)
def test_does_not_fire_on_expression(tmp_path, expression):
    code = HEADER + f"def f():\n    return {expression}\n"
    assert check(tmp_path, code, "ORM101") == []


def test_does_not_fire_on_list_or_str_count(tmp_path):
    code = HEADER + "def f(items, text):\n    return items.count(3) > 0 or text.count('a') == 0\n"
    assert check(tmp_path, code, "ORM101") == []


SILENT = [
    pytest.param(
        """
        def f():
            items = [1, 2, 3]
            return items.count(1) > 0
        """,
        id="list-count",
    ),
    pytest.param(
        """
        import pandas as pd

        def f():
            frame = pd.DataFrame()
            return frame.count() > 0
        """,
        id="pandas-like-count",
    ),
    pytest.param(
        """
        def f(frame):
            if frame.count():
                return frame.count() == 0
        """,
        id="unknown-parameter-count",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            total = Order.objects.filter(status='x').count()
            return total
        """,
        id="count-used-as-number",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            if (n := Order.objects.count()) > 0:
                return n
        """,
        id="walrus-count-kept",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if len(qs) > 0:
                for order in qs:
                    print(order)
        """,
        id="len-then-iterate",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if len(qs) == 0:
                return None
            return qs[0]
        """,
        id="len-then-index",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if not len(qs):
                return []
            return qs
        """,
        id="len-then-return",
    ),
    pytest.param(
        """
        def f(qs):
            return len(qs) > 0
        """,
        id="len-unannotated-parameter",
    ),
    pytest.param(
        """
        from django.db.models import QuerySet
        from shop.models import Order

        def f(qs: QuerySet[Order]):
            return len(qs) > 0
        """,
        id="len-annotated-parameter",
    ),
    pytest.param(
        """
        from shop.models import Order

        PENDING = Order.objects.filter(status='pending')

        def f():
            return len(PENDING) > 0
        """,
        id="len-module-level-queryset",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            qs = list(qs)
            return len(qs) > 0
        """,
        id="rebound-to-list",
    ),
    pytest.param(
        """
        from shop.models import Invoice

        def f():
            return Invoice.objects.count() > 0
        """,
        id="unknown-model-in-known-module",
    ),
    pytest.param(
        """
        from billing.models import Invoice

        def f():
            return Invoice.objects.filter(paid=False).count() == 0
        """,
        id="unknown-model-module",
    ),
    pytest.param(
        """
        class Registry:
            objects = []


        def f():
            return Registry.objects.count() > 0
        """,
        id="non-model-class-with-objects",
    ),
    pytest.param(
        """
        def f(Order):
            return Order.objects.count() > 0
        """,
        id="parameter-shadows-model",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            Order = make_order_class()
            return Order.objects.count() > 0
        """,
        id="local-shadows-model",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return Order.objects.filter(status='x').count('id') > 0
        """,
        id="count-with-arguments",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def f():
            return Customer.objects.get(pk=1).name.count('a') > 0
        """,
        id="instance-attribute-count",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(flag):
            qs = Order.objects.all()
            if flag:
                qs = []
            return qs.count(1) > 0
        """,
        id="rebound-to-list-in-branch",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_does_not_fire(tmp_path, code):
    assert check(tmp_path, code, "ORM101") == []


# -- fixes ------------------------------------------------------------------------------

FIXES = [
    pytest.param(
        """
        from shop.models import Order

        def f():
            return Order.objects.filter(status='x').count() > 0  # any?
        """,
        """
        from shop.models import Order

        def f():
            return Order.objects.filter(status='x').exists()  # any?
        """,
        id="greater-than-zero",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return Order.objects.filter(status='x').count() == 0
        """,
        """
        from shop.models import Order

        def f():
            return not Order.objects.filter(status='x').exists()
        """,
        id="equals-zero",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            a = 0 < Order.objects.count()
            b = 0 == Order.objects.count()
            c = Order.objects.count() >= 1
            d = Order.objects.count() <= 0
            return a, b, c, d
        """,
        """
        from shop.models import Order

        def f():
            a = Order.objects.exists()
            b = not Order.objects.exists()
            c = Order.objects.exists()
            d = not Order.objects.exists()
            return a, b, c, d
        """,
        id="reversed-and-other-operators",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            if Order.objects.filter(status='x').count():
                return 1
            while not Order.objects.filter(status='y').count():
                pass
        """,
        """
        from shop.models import Order

        def f():
            if Order.objects.filter(status='x').exists():
                return 1
            while not Order.objects.filter(status='y').exists():
                pass
        """,
        id="truth-and-not",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return bool(Order.objects.filter(status='x').count())
        """,
        """
        from shop.models import Order

        def f():
            return Order.objects.filter(status='x').exists()
        """,
        id="bool-call-replaced-whole",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(flag):
            return flag and Order.objects.count() == 0
        """,
        """
        from shop.models import Order

        def f(flag):
            return flag and not Order.objects.exists()
        """,
        id="negation-inside-and",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return len(qs) > 0
        """,
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            return qs.exists()
        """,
        id="len",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if len(qs) == 0:
                return qs.count()
        """,
        """
        from shop.models import Order

        def f():
            qs = Order.objects.filter(status='x')
            if not qs.exists():
                return qs.count()
        """,
        id="len-negated",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f(flag):
            qs = Order.archived.all()
            if flag:
                qs = qs.filter(status='x')
            return qs.count() != 0
        """,
        """
        from shop.models import Order

        def f(flag):
            qs = Order.archived.all()
            if flag:
                qs = qs.filter(status='x')
            return qs.exists()
        """,
        id="reassigned-custom-manager",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return session.query(User).filter(User.name == 'x').count() > 0
        """,
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return session.query(session.query(User).filter(User.name == 'x').exists()).scalar()
        """,
        id="sqlalchemy",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            if session.query(User).count() == 0:
                return None
        """,
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            if not session.query(session.query(User).exists()).scalar():
                return None
        """,
        id="sqlalchemy-negated",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            if Order.objects.filter(
                status='x',  # comment
            ).count() > 0:
                return 1
        """,
        """
        from shop.models import Order

        def f():
            if Order.objects.filter(
                status='x',  # comment
            ).exists():
                return 1
        """,
        id="multi-line-with-comment",
    ),
    pytest.param(
        """
        from shop.models import Order

        class View:
            def get(self):
                return (
                    Order.objects.filter(
                        status='x',  # open
                        customer__name='y',
                    ).count() == 0
                )
        """,
        """
        from shop.models import Order

        class View:
            def get(self):
                return (
                    not Order.objects.filter(
                        status='x',  # open
                        customer__name='y',
                    ).exists()
                )
        """,
        id="parenthesized-multi-line-nested-indent",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return (
                Order.objects.filter(status='x').count()  # how many
                > 0
            )
        """,
        """
        from shop.models import Order

        def f():
            return (
                Order.objects.filter(status='x').count()  # how many
                > 0
            )
        """,
        # The rewrite would drop the comment, so no fix is offered and the text stays.
        id="comment-between-count-and-operator-is-not-lost",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            return (Order.objects.count() > 0) or (0 == Order.objects.count())
        """,
        """
        from shop.models import Order

        def f():
            return (Order.objects.exists()) or (not Order.objects.exists())
        """,
        id="parentheses-kept",
    ),
]


@pytest.mark.parametrize("before, after", FIXES)
def test_fixes(tmp_path, before, after):
    assert_fixes(tmp_path, before, after, "ORM101")


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            """
            from shop.models import Order

            def f():
                return Order.objects.filter(status='a').union(Order.objects.filter(status='b')).count() > 0
            """,
            id="combined-queryset",
        ),
    ],
)
def test_reported_without_fix(tmp_path, code):
    diagnostics = check(tmp_path, code, "ORM101")
    assert rows(diagnostics) == [(5, "ORM101")]
    assert diagnostics[0].fix is None
    assert_fixes(tmp_path, code, code, "ORM101")


# -- at most one row -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "Order.objects.filter(pk=1).count() > 0",
        "Order.objects.filter(id=1).count() == 0",
        "Order.objects.filter(status='x', pk__exact=1).count() > 0",
        "len(Order.objects.filter(pk=1)) > 0",
    ],
)
def test_silent_when_a_unique_column_pins_one_row(tmp_path, expression):
    # Counting at most one row costs what ``exists()`` does.
    code = HEADER + f"def f():\n    return {expression}\n"
    assert rows(check(tmp_path, code, "ORM101")) == []


def test_silent_on_a_sqlalchemy_query_by_primary_key(tmp_path):
    code = """
    from shop.tables import SessionLocal, User

    def f(user_id):
        session = SessionLocal()
        if session.query(User).filter_by(id=user_id).count() > 0:
            return True
        return session.query(User).filter_by(name='x').count() > 0  # error: ORM101
    """
    assert_marked(tmp_path, code)


@pytest.mark.parametrize(
    "expression",
    ["Order.objects.filter(pk__in=[1, 2]).count() > 0", "Order.objects.filter(pk__gt=1).count() > 0",
     "Order.objects.exclude(pk=1).count() > 0"],
)
def test_fires_when_the_filter_does_not_pin_one_row(tmp_path, expression):
    code = HEADER + f"def f():\n    return {expression}\n"
    assert rows(check(tmp_path, code, "ORM101")) == [(4, "ORM101")]
