"""Rows passed to a project function together with a callback that it calls on each of
them (``render_page(rows, order_line)``): what the callback reads on its first parameter is
read on every row, and the finding goes where the query is built.

Each case marks the lines that must be reported (``# error: ORMxxx``); the silent cases
must give nothing."""

import json

import pytest

from harness import assert_fixes, check, make_project, marked_rows, rows

PAGES = '''
def render_page(rows, serialize):
    return [serialize(row) for row in rows]


def render_loop(rows, serialize):
    out = []
    for row in rows:
        if row.status:
            out.append(serialize(row))
    return out


def render_mapped(rows, serialize):
    return list(map(serialize, rows))


def render_later(rows, serialize):
    return render_page(rows, serialize)


def render_swapped(serialize, rows):
    return render_loop(serialize=serialize, rows=rows)


def render_with_keys(rows, serialize):
    return [(row.pk, serialize(row)) for row in rows]


def render_whole(rows, serialize):
    return serialize(rows)


def render_keys(rows, serialize):
    return [serialize(row.pk) for row in rows]


def render_rebound(rows, serialize):
    for row in rows:
        row = row.parent
        serialize(row)


class Page:
    def __init__(self, rows, serialize):
        self.rows = rows
        self.serialize = serialize


def render_stored(rows, serialize):
    return Page(rows, serialize)


def render_all(rows, *serializers):
    return [[serialize(row) for serialize in serializers] for row in rows]


def render_unpacked(rows, serialize, extra):
    return render_page(*extra, serialize)


def order_line(order):
    return f"{order.customer.name}: {order.status}"


def described(order):
    return order_line(order)


def status_line(order):
    return order.status


def customer_orders(customer):
    return [order.status for order in customer.orders.all()]


def post_line(post):
    return post.author.name


class Report:
    def line(self, order):
        return order.customer.name

    def render_each(self, rows, serialize):
        return [serialize(row) for row in rows]
'''


def diagnostics(tmp_path, code, select):
    make_project(tmp_path, {"shop/pages.py": PAGES})
    return check(tmp_path, code, select)


FIRES = [
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_page

        def view():
            return render_page(Order.objects.filter(status="open"), order_line)  # error: ORM001
        """,
        "ORM001",
        id="comprehension-calls-the-callback",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_page

        def view():
            return render_page(Order.objects.all(), serialize=order_line)  # error: ORM001
        """,
        "ORM001",
        id="callback-by-keyword",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_loop

        def view():
            return render_loop(Order.objects.all(), order_line)  # error: ORM001
        """,
        "ORM001",
        id="loop-calls-the-callback-under-a-condition",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_mapped

        def view():
            return render_mapped(Order.objects.all(), order_line)  # error: ORM001
        """,
        "ORM001",
        id="map-of-the-callback",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import described, render_later

        def view():
            return render_later(Order.objects.all(), described)  # error: ORM001
        """,
        "ORM001",
        id="passed-on-with-the-rows-and-read-in-a-helper-of-the-callback",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_swapped

        def view():
            return render_swapped(order_line, Order.objects.all())  # error: ORM001
        """,
        "ORM001",
        id="passed-on-by-keyword-in-another-order",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_with_keys

        def view():
            return render_with_keys(Order.objects.all(), order_line)  # error: ORM001
        """,
        "ORM001",
        id="the-function-reads-columns-itself-too",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import render_page

        def view():
            return render_page(Order.objects.all(), lambda order: order.customer.name)  # error: ORM001
        """,
        "ORM001",
        id="lambda-callback",
    ),
    pytest.param(
        """
        from shop.models import Customer
        from shop.pages import customer_orders, render_page

        def view():
            return render_page(Customer.objects.all(), customer_orders)  # error: ORM002
        """,
        "ORM002",
        id="reverse-relation-read-by-the-callback",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import render_page

        class Listing:
            def line(self, order):
                return order.customer.name

            def get(self):
                return render_page(Order.objects.all(), self.line)  # error: ORM001
        """,
        "ORM001",
        id="method-of-the-class-at-hand",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import Report

        class Monthly(Report):
            def get(self):
                return self.render_each(Order.objects.all(), self.line)  # error: ORM001
        """,
        "ORM001",
        id="inherited-method-calls-an-inherited-method-on-each",
    ),
    pytest.param(
        """
        from shop.tables import Post, SessionLocal
        from shop.pages import post_line, render_page

        def view():
            session = SessionLocal()
            return render_page(session.query(Post), post_line)  # error: ORM003
        """,
        "ORM003",
        id="sqlalchemy-rows",
    ),
]


@pytest.mark.parametrize("code, select", FIRES)
def test_fires(tmp_path, code, select):
    assert rows(diagnostics(tmp_path, code, select)) == sorted(marked_rows(code))


SILENT = [
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_whole

        def view():
            return render_whole(Order.objects.all(), order_line)
        """,
        id="callback-called-on-the-rows-not-on-each",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_keys

        def view():
            return render_keys(Order.objects.all(), order_line)
        """,
        id="callback-called-on-a-column-of-each",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_rebound

        def view():
            return render_rebound(Order.objects.all(), order_line)
        """,
        id="item-rebound-before-the-call",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import render_page

        def view():
            return render_page(Order.objects.all(), str), render_page(Order.objects.all(), repr)
        """,
        id="builtin-callback",
    ),
    pytest.param(
        """
        from formatting import describe
        from shop.models import Order
        from shop.pages import render_page

        def view():
            return render_page(Order.objects.all(), describe)
        """,
        id="callback-from-outside-the-project",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import render_page

        def view(serialize):
            return render_page(Order.objects.all(), serialize)
        """,
        id="callback-is-a-parameter-of-the-caller",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_page

        def view():
            return render_page(Order.objects.select_related("customer"), order_line)
        """,
        id="rows-already-load-the-relation",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import render_page, status_line

        def view():
            return render_page(Order.objects.all(), status_line), render_page(Order.objects.all(), lambda o: o.customer_id)
        """,
        id="callback-reads-only-columns",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_stored

        def view():
            return render_stored(Order.objects.all(), order_line)
        """,
        id="callback-stored-not-called",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_all, render_page, render_unpacked

        def view(extra):
            a = render_all(Order.objects.all(), order_line)
            b = render_page(*extra, order_line)
            c = render_unpacked(Order.objects.all(), order_line, extra)
            return a, b, c
        """,
        id="star-args",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import order_line, render_page

        def view():
            return render_page(Order.objects.values("customer__name"), order_line)
        """,
        id="values-rows-are-no-instances",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.pages import render_page

        def view():
            return render_page(Order.objects.all(), lambda order, extra: order.customer.name)
        """,
        id="lambda-that-cannot-take-one-row",
    ),
    pytest.param(
        """
        from sqlalchemy.orm import joinedload
        from shop.tables import Post, SessionLocal
        from shop.pages import post_line, render_page

        def view():
            session = SessionLocal()
            return render_page(session.query(Post).options(joinedload(Post.author)), post_line)
        """,
        id="sqlalchemy-rows-already-load-the-relation",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    for select in ("ORM001", "ORM002", "ORM003"):
        assert diagnostics(tmp_path, code, select) == []


def test_the_message_names_both_functions_and_the_fix_goes_on_the_query(tmp_path):
    make_project(tmp_path, {"shop/pages.py": PAGES})
    before = """
    from shop.models import Order
    from shop.pages import order_line, render_page

    def view():
        return render_page(Order.objects.filter(status="open"), order_line)
    """
    after = """
    from shop.models import Order
    from shop.pages import order_line, render_page

    def view():
        return render_page(Order.objects.filter(status="open").select_related("customer"), order_line)
    """
    [finding] = check(tmp_path, before, "ORM001")
    assert finding.message.startswith("`render_page()` calls `order_line()` on each of these rows and reads `.customer`")
    assert_fixes(tmp_path, before, after, "ORM001")


def test_the_index_records_who_calls_which_parameter_on_each_item():
    from ormlint.semantic.index import facts_for_source

    facts = facts_for_source(PAGES, "shop.pages", False, "shop/pages.py")
    called = {(f, rows, i, callback, j) for f, rows, i, callback, j, callee, *_ in facts.callbacks if not callee}
    assert called == {
        ("render_page", "rows", 0, "serialize", 1),
        ("render_loop", "rows", 0, "serialize", 1),
        ("render_mapped", "rows", 0, "serialize", 1),
        ("render_with_keys", "rows", 0, "serialize", 1),
    }
    passed_on = {f for f, *_, callee, _, _, _, _ in facts.callbacks if callee}
    assert passed_on == {"render_later", "render_swapped", "render_stored"}  # ``*extra`` has no positions


def test_callbacks_survive_the_cache():
    from ormlint.cache import _facts_from_json, _facts_to_json
    from ormlint.semantic.index import facts_for_source

    facts = facts_for_source(PAGES, "shop.pages", False, "shop/pages.py")
    assert facts.callbacks and facts.classes[1].callbacks
    assert _facts_from_json(json.loads(json.dumps(_facts_to_json(facts)))) == facts
