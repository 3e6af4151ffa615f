"""Querysets and rows followed the way real code passes them: returned by project
functions and methods built over several statements, wrapped in ``list()`` or a paginator,
typed by annotations, stored on ``self``, and passed on several calls deep.

Each case marks the lines that must be reported (``# error: ORMxxx``); the silent cases
must give nothing."""

import pytest

from harness import assert_fixes, check, make_project, marked_rows, rows

HELPERS = '''
from shop.models import Customer, Order


def open_orders(customer=None):
    orders = Order.objects.filter(status="open")
    if customer is not None:
        orders = orders.filter(customer=customer)
    return orders


def open_orders_loaded(customer=None):
    orders = Order.objects.filter(status="open").select_related("customer")
    if customer is not None:
        return orders.filter(customer=customer)
    return orders


def sometimes_loaded(flag):
    orders = Order.objects.all()
    if flag:
        orders = orders.select_related("customer")
    return orders


def published(queryset):
    return queryset.filter(status="published")


def maybe_none(flag):
    if flag:
        return None
    return Order.objects.all()


def listed():
    return list(Order.objects.all())


def by_loop(rows):
    found = None
    for row in rows:
        found = row
    return found


def generated():
    yield from Order.objects.all()


def label(order):
    return order.customer.name


def describe(order):
    return label(order)


def render_rows(rows):
    return [describe(row) for row in rows]


def render_page(rows):
    return render_rows(rows)


def mapped(rows):
    return list(map(label, rows))


def statuses(rows):
    return [row.status for row in rows]


def passes_statuses(rows):
    return statuses(rows)
'''

#: Models with methods that return querysets (``shop/models.py`` holds the shared ones).
LIBRARY = '''
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)

    def recent_books(self):
        return self.books.filter(year__gt=2000)

    @property
    def old_books(self):
        return self.books.filter(year__lt=1900)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    editor = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="edited")
    year = models.IntegerField()

    @classmethod
    def recent(cls):
        books = cls.objects.filter(year__gt=2000)
        return books.order_by("-year")
'''


def diagnostics(tmp_path, code, select):
    make_project(tmp_path, {"shop/helpers.py": HELPERS, "shop/library.py": LIBRARY})
    return check(tmp_path, code, select)


FIRES = [
    pytest.param(
        """
        from shop.helpers import open_orders

        def view(customer):
            for order in open_orders(customer):  # error: ORM001
                print(order.customer.name)
        """,
        "ORM001",
        id="returned-over-several-statements-and-branches",
    ),
    pytest.param(
        """
        from shop.helpers import sometimes_loaded

        def view():
            for order in sometimes_loaded(True):  # error: ORM001
                print(order.customer.name)
        """,
        "ORM001",
        id="loaded-on-one-branch-only",
    ),
    pytest.param(
        """
        from shop.helpers import published
        from shop.models import Order

        def view():
            return [order.customer.name for order in published(Order.objects.all())]  # error: ORM001
        """,
        "ORM001",
        id="pass-through-helper-keeps-the-callers-queryset",
    ),
    pytest.param(
        """
        from shop.library import Book

        def view():
            for book in Book.recent():  # error: ORM001
                print(book.author.name)
        """,
        "ORM001",
        id="class-method-over-several-statements",
    ),
    pytest.param(
        """
        from shop.library import Author

        def view(pk):
            author = Author.objects.get(pk=pk)
            for book in author.recent_books():  # error: ORM001
                print(book.editor.name)
            for book in author.old_books:  # error: ORM001
                print(book.editor.name)
        """,
        "ORM001",
        id="model-method-and-property-on-a-row",
    ),
    pytest.param(
        """
        from shop.helpers import listed

        def view():
            for order in listed():  # error: ORM001
                print(order.customer.name)
        """,
        "ORM001",
        id="helper-returns-a-list",
    ),
    pytest.param(
        """
        from django.core.paginator import Paginator
        from shop.models import Order

        def view(number):
            page = Paginator(Order.objects.all(), 25).get_page(number)
            for order in page:  # error: ORM001
                print(order.customer.name)
            for order in page.object_list:  # error: ORM001
                print(order.customer.name)
        """,
        "ORM001",
        id="paginator-page",
    ),
    pytest.param(
        """
        from shop.models import Order

        def view(flag):
            for order in sorted(Order.objects.all(), key=lambda o: o.pk):  # error: ORM001
                print(order.customer.name)
            for i, order in enumerate(list(Order.objects.filter(status="x"))):  # error: ORM001
                print(i, order.customer.name)
            orders = Order.objects.all() if flag else Order.objects.filter(status="y")
            for order in orders:  # error: ORM001
                print(order.customer.name)
        """,
        "ORM001",
        id="wrappers-enumerate-and-conditional-expression",
    ),
    pytest.param(
        """
        from shop.tables import Post, SessionLocal

        def view():
            session = SessionLocal()
            page = session.query(Post).filter(Post.id > 0).paginate(page=1, per_page=20)
            for post in page.items:  # error: ORM003
                print(post.author.name)
        """,
        "ORM003",
        id="flask-sqlalchemy-pagination-items",
    ),
    pytest.param(
        """
        import django_filters
        from shop.models import Order

        class OrderFilter(django_filters.FilterSet):
            pass

        def view(request):
            orders = OrderFilter(request.GET, queryset=Order.objects.all()).qs
            for order in orders:  # error: ORM001
                print(order.customer.name)
        """,
        "ORM001",
        id="filterset-qs",
    ),
    pytest.param(
        """
        from shop.helpers import render_page, mapped
        from shop.models import Order

        def view():
            render_page(Order.objects.all())  # error: ORM001
            mapped(Order.objects.filter(status="x"))  # error: ORM001
        """,
        "ORM001",
        id="rows-passed-three-calls-deep-and-through-map",
    ),
    pytest.param(
        """
        from shop.models import Order

        class Report:
            def line(self, order):
                return order.customer.name

            def lines(self, orders):
                for order in orders:
                    self.line(order)

            def run(self):
                self.lines(Order.objects.all())  # error: ORM001
        """,
        "ORM001",
        id="item-passed-to-an-own-method",
    ),
    pytest.param(
        """
        import requests

        class Client:
            def __init__(self, base):
                self.base = base
                self.session = requests.Session()

            def fetch(self, path):
                return self.session.get(self.base + path)  # error: ORM301
        """,
        "ORM301",
        id="http-session-stored-on-self",
    ),
    pytest.param(
        """
        from typing import TYPE_CHECKING, Type

        if TYPE_CHECKING:
            from shop.library import Book

        def names(model: "Type[Book]"):
            for book in model.objects.all():  # error: ORM001
                print(book.author.name)
        """,
        "ORM001",
        id="class-in-a-string-annotation-under-type-checking",
    ),
    pytest.param(
        """
        from typing import TYPE_CHECKING, List

        if TYPE_CHECKING:
            from shop.library import Book

        def touch(books: "List[Book]"):
            for book in books:
                book.year = 2001
                book.save()  # error: ORM201
        """,
        "ORM201",
        id="rows-in-a-string-annotation",
    ),
]


@pytest.mark.parametrize("code, select", FIRES)
def test_fires(tmp_path, code, select):
    assert rows(diagnostics(tmp_path, code, select)) == sorted(marked_rows(code))


SILENT = [
    pytest.param(
        """
        from shop.helpers import open_orders_loaded, published
        from shop.models import Order

        def view(customer):
            for order in open_orders_loaded(customer):
                print(order.customer.name)
            for order in published(Order.objects.select_related("customer")):
                print(order.customer.name)
        """,
        id="loaded-on-every-path",
    ),
    pytest.param(
        """
        from shop.helpers import maybe_none, by_loop, generated

        def view():
            for order in maybe_none(False):
                print(order.customer.name)
            for order in generated():
                print(order.customer.name)
            return by_loop([]).customer
        """,
        id="returns-that-are-not-certain",
    ),
    pytest.param(
        """
        from shop.helpers import published

        def view(orders):
            for order in published(orders):
                print(order.customer.name)
        """,
        id="pass-through-of-rows-of-unknown-origin",
    ),
    pytest.param(
        """
        from shop.helpers import passes_statuses
        from shop.models import Order

        def view():
            return passes_statuses(Order.objects.all())
        """,
        id="rows-passed-on-read-no-relation",
    ),
    pytest.param(
        """
        from django.core.paginator import Paginator
        from shop.models import Order

        def view():
            paginator = Paginator(Order.objects.select_related("customer"), 25)
            for order in paginator.page(1):
                print(order.customer.name)
            for page in paginator:
                print(page.number)
        """,
        id="paginator-of-loaded-rows-and-loop-over-pages",
    ),
    pytest.param(
        """
        import requests

        class Client:
            session = None

            def __init__(self):
                self.session = requests.Session()

            def fetch(self, url):
                return self.session.get(url)

        class Reset:
            def __init__(self, other):
                self.http = requests.Session()
                self.http = other

            def fetch(self, url):
                return self.http.get(url)
        """,
        id="attribute-assignments-disagree",
    ),
    pytest.param(
        """
        from typing import List
        from shop.library import Author, Book

        def view(author: Author, books: List[Book]):
            for book in author.books.all():
                print(book.editor.name)
            for book in books:
                print(book.editor.name)
        """,
        id="annotated-rows-come-from-the-caller",
    ),
]


@pytest.mark.parametrize("code", SILENT)
@pytest.mark.parametrize("select", ["ORM001", "ORM301"])
def test_silent(tmp_path, code, select):
    assert diagnostics(tmp_path, code, select) == []


def test_helper_result_is_fixed_where_it_is_called(tmp_path):
    make_project(tmp_path, {"shop/helpers.py": HELPERS, "shop/library.py": LIBRARY})
    assert_fixes(
        tmp_path,
        """
        from shop.helpers import open_orders

        def view():
            return [order.customer.name for order in open_orders()]
        """,
        """
        from shop.helpers import open_orders

        def view():
            return [order.customer.name for order in open_orders().select_related("customer")]
        """,
        "ORM001",
    )


def test_wrapped_rows_are_fixed_inside_the_wrapper(tmp_path):
    make_project(tmp_path, {"shop/helpers.py": HELPERS, "shop/library.py": LIBRARY})
    assert_fixes(
        tmp_path,
        """
        from django.core.paginator import Paginator
        from shop.models import Order

        def view(number):
            orders = sorted(Order.objects.filter(status="x"), key=lambda o: o.pk)
            names = [order.customer.name for order in orders]
            page = Paginator(Order.objects.all(), 25).get_page(number)
            return names, [order.customer.name for order in page]
        """,
        """
        from django.core.paginator import Paginator
        from shop.models import Order

        def view(number):
            orders = sorted(Order.objects.filter(status="x").select_related("customer"), key=lambda o: o.pk)
            names = [order.customer.name for order in orders]
            page = Paginator(Order.objects.all().select_related("customer"), 25).get_page(number)
            return names, [order.customer.name for order in page]
        """,
        "ORM001",
    )


def test_conditional_rows_are_reported_without_a_fix(tmp_path):
    """Which arm to load is not for a fix to choose: both would need it."""
    code = """
    from shop.models import Order

    def view(flag):
        orders = Order.objects.all() if flag else Order.objects.filter(status="y")
        return [order.customer.name for order in orders]
    """
    found = diagnostics(tmp_path, code, "ORM001")
    assert [d.fix for d in found] == [None]


def test_sqlalchemy_query_returned_by_a_helper_is_reported_without_a_fix(tmp_path):
    """The loader option belongs where the query is built, in the helper: the caller's
    file does not hold the expression that names the class."""
    code = """
    from shop.tables import Post, SessionLocal

    def recent(session):
        query = session.query(Post)
        return query.filter(Post.id > 10)

    def view():
        session = SessionLocal()
        for post in recent(session):  # error: ORM003
            print(post.author.name)
    """
    found = check(tmp_path, code, "ORM003")
    assert rows(found) == sorted(marked_rows(code))
    assert [d.fix for d in found] == [None]


SAVES = '''
from shop.models import Order


def touch(order):
    order.status = "seen"
    order.save(update_fields=["status"])


def touch_through(order):
    touch(order)


def label(order):
    return order.status.upper()
'''


@pytest.mark.parametrize(
    "code",
    [
        """
        from shop.saves import touch_through
        from shop.models import Order

        def view():
            for order in Order.objects.filter(status="new"):
                touch_through(order)  # error: ORM201
        """,
        """
        from shop.models import Order

        class Job:
            def mark(self, order):
                order.save()

            def run(self):
                for order in Order.objects.all():
                    self.mark(order)  # error: ORM201
        """,
    ],
    ids=["function-two-calls-deep", "own-method"],
)
def test_a_helper_that_saves_each_row_is_a_save_per_row(tmp_path, code):
    make_project(tmp_path, {"shop/saves.py": SAVES})
    found = check(tmp_path, code, "ORM201")
    assert rows(found) == sorted(marked_rows(code))
    assert "saves `order` on every row" in found[0].message and found[0].fix is None


@pytest.mark.parametrize(
    "code",
    [
        """
        from shop.saves import label, touch
        from shop.models import Order

        def view(orders):
            for order in Order.objects.all():
                label(order)
            for order in (Order.objects.get(pk=1), Order.objects.get(pk=2)):
                touch(order)
            for order in Order.objects.all():
                touch(order)
                break
        """,
    ],
    ids=["reads-only-a-handful-or-once"],
)
def test_helpers_that_do_not_save_per_row_are_not_reported(tmp_path, code):
    make_project(tmp_path, {"shop/saves.py": SAVES})
    assert check(tmp_path, code, "ORM201") == []


def test_reads_a_method_makes_only_for_new_rows_are_not_per_row_reads(tmp_path):
    """``save()`` filling defaults for a row being created reads nothing on rows loaded
    from the database; what it reads for every row still counts."""
    models = '''
from django.db import models

from shop.models import Customer


class Ticket(models.Model):
    owner = models.ForeignKey(Customer, on_delete=models.CASCADE)
    assignee = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=50)

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.title = self.owner.name
        if self.pk is None:
            self.title = self.owner.name
        super().save(*args, **kwargs)

    def label(self):
        if not self.pk:
            return self.owner.name
        return self.assignee.name
'''
    make_project(tmp_path, {"shop/tickets.py": models})
    code = """
    from shop.tickets import Ticket

    def close():
        for ticket in Ticket.objects.all():
            ticket.title = "closed"
            ticket.save()

    def labels():
        return [ticket.label() for ticket in Ticket.objects.all()]  # error: ORM001
    """
    found = check(tmp_path, code, "ORM001")
    assert rows(found) == sorted(marked_rows(code))
    assert "assignee" in found[0].message and "owner" not in found[0].message


TAGGED = '''
from django.db import models

from shop.models import Customer


class Tag(models.Model):
    name = models.CharField(max_length=10)
    group = models.ForeignKey(Customer, on_delete=models.CASCADE)


class Post(models.Model):
    tags = models.ManyToManyField(Tag)

    def tag_names(self):
        return [tag.name for tag in self.tags.all()]

    def tag_groups(self):
        names = []
        for tag in self.tags.all():
            names.append(tag.group.name)
        return names

    def some_tags(self):
        return list(self.tags.all().filter(name="x"))

    def tag_count(self):
        return self.tags.count()


class Folder(models.Model):
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE, related_name="children")
    owner = models.ForeignKey(Customer, on_delete=models.CASCADE)

    def descendant_ids(self):
        found = []
        for child in self.children.all():
            found.append(child.pk)
            found.extend(child.descendant_ids())
        return found

    def give_to(self, owner):
        for child in self.children.all():
            child.owner = owner
            child.save()
'''


def test_relations_a_model_method_iterates_are_read_per_row(tmp_path):
    make_project(tmp_path, {"shop/tagged.py": TAGGED})
    code = """
    from shop.tagged import Post

    def view():
        for post in Post.objects.all():  # error: ORM002
            print(post.tag_names())
        for post in Post.objects.all():  # error: ORM002
            print(post.tag_groups())
        for post in Post.objects.prefetch_related("tags__group"):
            print(post.tag_names(), post.tag_groups())
        for post in Post.objects.all():
            print(post.some_tags(), post.tag_count())
    """
    found = check(tmp_path, code, "ORM002")
    assert rows(found) == sorted(marked_rows(code))
    assert "prefetch_related('tags')" in found[0].message
    # A tree walked by recursion, and a loop writing its items, are no reads to prefetch.
    walks = """
    from shop.tagged import Folder

    def view(owner):
        for folder in Folder.objects.all():
            folder.descendant_ids()
            folder.give_to(owner)
    """
    assert check(tmp_path, walks, "ORM002") == [] and check(tmp_path, walks, "ORM001") == []
    assert "prefetch_related('tags__group')" in found[1].message


PASSING = '''
from django.db.models import prefetch_related_objects

from shop.models import Customer


def label(order):
    return order.customer.name


def status_of(order):
    return order.status


def streamed(queryset):
    return queryset.order_by("-pk").iterator(chunk_size=20)


def with_customers(orders):
    prefetch_related_objects(orders, "customer")
    return orders


def attach_customers(orders):
    customers = Customer.objects.in_bulk([order.customer_id for order in orders])
    for order in orders:
        order.customer = customers[order.customer_id]
    return orders
'''


def test_rows_passed_to_a_function_in_the_loop_body_are_read_there(tmp_path):
    make_project(tmp_path, {"shop/passing.py": PASSING})
    code = """
    from shop.passing import label, status_of
    from shop.models import Order

    def view():
        for order in Order.objects.all():  # error: ORM001
            print(label(order))
        names = list(map(label, Order.objects.filter(status="x")))  # error: ORM001
        for order in Order.objects.all():
            print(status_of(order))
        return names, list(map(status_of, Order.objects.all()))
    """
    assert rows(check(tmp_path, code, "ORM001")) == sorted(marked_rows(code))


def test_an_iterator_returned_by_a_helper_is_not_extended(tmp_path):
    """``streamed(qs)`` gives a generator: ``.select_related()`` after the call would
    fail, so the finding comes without a fix."""
    make_project(tmp_path, {"shop/passing.py": PASSING})
    code = """
    from shop.passing import streamed
    from shop.models import Order

    def view():
        return [order.customer.name for order in streamed(Order.objects.all())]  # error: ORM001
    """
    found = check(tmp_path, code, "ORM001")
    assert rows(found) == sorted(marked_rows(code))
    assert found[0].fix is None


def test_rows_a_helper_changes_before_returning_them_are_not_followed(tmp_path):
    make_project(tmp_path, {"shop/passing.py": PASSING})
    code = """
    from django.db.models import prefetch_related_objects
    from shop.passing import attach_customers, with_customers
    from shop.models import Order

    def view():
        a = [order.customer.name for order in with_customers(list(Order.objects.all()))]
        b = [order.customer.name for order in attach_customers(list(Order.objects.all()))]
        orders = list(Order.objects.all())
        prefetch_related_objects(orders, "customer")
        return a, b, [order.customer.name for order in orders]
    """
    assert check(tmp_path, code, "ORM001") == []


# -- precision cases found on real code ---------------------------------------------------


def test_unreadable_prefetch_may_load_anything(tmp_path):
    code = """
    from django.db.models import Prefetch
    from shop.models import Order

    def view():
        customers = Prefetch("customer")
        orders = Order.objects.prefetch_related(customers)
        return [order.customer.name for order in orders]
    """
    assert check(tmp_path, code, "ORM001") == []


def test_a_flag_for_new_rows_guards_like_the_test_itself(tmp_path):
    models = '''
from django.db import models

from shop.models import Customer


class Page(models.Model):
    owner = models.ForeignKey(Customer, on_delete=models.CASCADE)
    title = models.CharField(max_length=50)

    def save(self, *args, log=None, **kwargs):
        is_new = self.id is None
        super().save(*args, **kwargs)
        if log is not None and is_new:
            print(self.owner.name)
'''
    make_project(tmp_path, {"shop/pages.py": models})
    code = """
    from shop.pages import Page

    def retitle():
        for page in Page.objects.all():
            page.title = page.title.upper()
            page.save(update_fields=["title"])
    """
    assert check(tmp_path, code, "ORM001") == []


def test_rows_of_none_are_no_rows(tmp_path):
    make_project(tmp_path, {"shop/passing.py": PASSING})
    code = """
    from shop.passing import label
    from shop.models import Order

    def orders_of(customer):
        if customer is None:
            return Order.objects.none()
        return Order.objects.filter(customer=customer)

    def view(customer):
        for order in Order.objects.none():
            label(order)
        for order in orders_of(customer):  # error: ORM001
            label(order)
    """
    assert rows(check(tmp_path, code, "ORM001")) == sorted(marked_rows(code))


def test_a_helper_saves_the_row_only_where_it_always_does(tmp_path):
    helpers = '''
def set_field(user, *args, commit=False):
    if args:
        user.first_name = args[0]
        if commit:
            user.save()
'''
    make_project(tmp_path, {"shop/fields.py": helpers})
    code = """
    from shop.fields import set_field
    from shop.models import Customer

    def view():
        for customer in Customer.objects.all():
            set_field(customer)
    """
    assert check(tmp_path, code, "ORM201") == []


def test_an_unchunked_iterator_is_told_to_take_a_chunk_size(tmp_path):
    make_project(tmp_path, {"shop/tagged.py": TAGGED})
    code = """
    from shop.tagged import Post

    def view():
        for post in Post.objects.all().iterator():  # error: ORM002
            print(post.tag_names())
    """
    found = check(tmp_path, code, "ORM002")
    assert rows(found) == sorted(marked_rows(code))
    assert found[0].message.endswith("and give `iterator()` a `chunk_size`") and found[0].fix is None


def test_a_file_field_is_named_as_what_bulk_update_skips(tmp_path):
    models = '''
from django.db import models


class Theme(models.Model):
    css = models.FileField()
    name = models.CharField(max_length=10)


def rebuild(theme):
    theme.name = theme.name.strip()
    theme.save()
'''
    make_project(tmp_path, {"shop/themes.py": models})
    code = """
    from shop.themes import Theme, rebuild

    def view():
        for theme in Theme.objects.all():
            rebuild(theme)  # error: ORM201
    """
    found = check(tmp_path, code, "ORM201")
    assert rows(found) == sorted(marked_rows(code))
    assert "file field `Theme.css`" in found[0].message and "bulk_update()` would skip" in found[0].message


def test_a_branch_for_a_none_argument_does_not_run_when_a_row_is_passed(tmp_path):
    helpers = '''
def describe(order, customer=None):
    if customer is None:
        customer = order.customer
    return customer.name
'''
    make_project(tmp_path, {"shop/describe.py": helpers})
    code = """
    from shop.describe import describe
    from shop.models import Customer, Order

    def view(pk):
        customer = Customer.objects.get(pk=pk)
        for order in Order.objects.filter(customer=customer):
            describe(order, customer)
        for order in Order.objects.all():  # error: ORM001
            describe(order, None)
        for order in Order.objects.all():  # error: ORM001
            describe(order)
    """
    assert rows(check(tmp_path, code, "ORM001")) == sorted(marked_rows(code))


SHELVES = '''
from django.db import models

from shop.models import Customer


class ShelfQuerySet(models.QuerySet):
    def visible(self, flag=True):
        result = self.filter(size__gt=0)
        if flag:
            result = result.filter(size__lt=100)
        return result

    def loaded(self):
        shelves = self.all()
        return shelves.select_related("owner")


class Shelf(models.Model):
    owner = models.ForeignKey(Customer, on_delete=models.CASCADE)
    size = models.IntegerField()

    objects = ShelfQuerySet.as_manager()
'''


def test_custom_queryset_methods_over_several_statements_keep_the_rows(tmp_path):
    make_project(tmp_path, {"shop/shelves.py": SHELVES})
    code = """
    from shop.shelves import Shelf

    def view():
        for shelf in Shelf.objects.visible():  # error: ORM001
            print(shelf.owner.name)
        for shelf in Shelf.objects.loaded():
            print(shelf.owner.name)
        for shelf in Shelf.objects.select_related("owner").visible(flag=False):
            print(shelf.owner.name)
    """
    assert rows(check(tmp_path, code, "ORM001")) == sorted(marked_rows(code))


def test_a_prefetch_into_another_attribute_leaves_the_relation_unloaded(tmp_path):
    code = """
    from django.db.models import Prefetch
    from shop.models import Customer, Order

    def view():
        open_orders = Prefetch("orders", queryset=Order.objects.filter(status="open"), to_attr="open_orders")
        for customer in Customer.objects.prefetch_related(Prefetch("orders", queryset=Order.objects.all(), to_attr="open_orders")):  # error: ORM002
            print([order.status for order in customer.orders.all()])
        for customer in Customer.objects.prefetch_related(Prefetch("orders", queryset=Order.objects.all(), to_attr="open_orders")):
            print([order.status for order in customer.open_orders])
        for customer in Customer.objects.prefetch_related(open_orders):
            print([order.status for order in customer.orders.all()])
    """
    assert rows(check(tmp_path, code, "ORM002")) == sorted(marked_rows(code))
