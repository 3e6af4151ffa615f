"""ORM001-ORM003 through templates as Django renders them: ``{% extends %}`` (a child's
block inside the parent's loop, the parent's own loops), ``{% with %}`` aliases,
``{% include ... with a=b [only] %}``, template folders named by the settings, contexts
built by setting keys (``context["rows"] = qs``) and by ``get_context_data()``, project
wrappers of ``render``, ``DetailView`` objects, list and detail views through project
bases, Jinja2 blocks and macros."""

import textwrap

import pytest

from harness import EXTRA_DJANGO_MODELS, check, fix, make_project, marked_rows, rows

SETTINGS = """
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site_pages", os.path.join(BASE_DIR, "more_pages"), "relative_pages"],
        "APP_DIRS": True,
    },
]
"""

TEMPLATES = {
    # A base whose loop holds a block that children fill, and a loop of its own.
    "shop/templates/shop/base_list.html": """
        <ul>{% for order in orders %}<li>{% block row %}{{ order.status }}{% endblock %}</li>{% endfor %}</ul>
        {% block side %}{% endblock %}
        {% block footer %}{% for line in lines %}{{ line.region.name }}{% endfor %}{% endblock %}
    """,
    "shop/templates/shop/rows_customer.html": """
        {% extends "shop/base_list.html" %}
        {% block row %}{{ block.super }} {{ order.customer.name }}{% endblock %}
        {% block footer %}{% endblock %}
    """,
    "shop/templates/shop/rows_plain.html": """
        {% extends "shop/base_list.html" %}
        {% block row %}{{ order.pk }}{% endblock %}
        {% block footer %}{{ block.super }}{% endblock %}
    """,
    # ``missing`` is not a block of the parent: it renders nothing.
    "shop/templates/shop/rows_missing_block.html": """
        {% extends "shop/base_list.html" %}
        {% block missing %}{% for order in orders %}{{ order.customer.name }}{% endfor %}{% endblock %}
        {% block footer %}{% endblock %}
    """,
    "shop/templates/shop/rows_unknown_parent.html": """
        {% extends "shop/nowhere.html" %}
        {% block row %}{{ order.customer.name }}{% endblock %}
    """,
    "shop/templates/shop/with.html": """
        {% with rows=orders %}{% for order in rows %}{% with buyer=order.customer %}{{ buyer.name }}{% endwith %}{% endfor %}{% endwith %}
    """,
    "shop/templates/shop/with_legacy.html": """
        {% for order in orders %}{% with order.customer as buyer %}{{ buyer }}{% endwith %}{% endfor %}
    """,
    "shop/templates/shop/with_ended.html": """
        {% with rows=orders %}{% endwith %}{% for order in rows %}{{ order.customer.name }}{% endfor %}
    """,
    "shop/templates/shop/include_with.html": """
        {% for order in orders %}{% include "shop/_buyer.html" with buyer=order.customer %}{% endfor %}
    """,
    "shop/templates/shop/include_only.html": """
        {% for order in orders %}{% include "shop/_order.html" only %}{% endfor %}
    """,
    "shop/templates/shop/_buyer.html": "{{ buyer.profile.bio }}",
    "shop/templates/shop/_order.html": "{{ order.customer.name }}",
    "shop/templates/shop/plain.html": "{% for order in orders %}{{ order.customer.name }}{% endfor %}",
    # Folders the settings name, whatever they are called; a relative one is not read.
    "site_pages/pages/orders.html": "{% for order in orders %}{{ order.customer.name }}{% endfor %}",
    "more_pages/pages/more.html": "{% for order in orders %}{{ order.customer.name }}{% endfor %}",
    "relative_pages/pages/relative.html": "{% for order in orders %}{{ order.customer.name }}{% endfor %}",
    "unnamed_pages/pages/unnamed.html": "{% for order in orders %}{{ order.customer.name }}{% endfor %}",
}


def diagnostics(tmp_path, code):
    files = {name: textwrap.dedent(text) for name, text in TEMPLATES.items()}
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, "config/settings.py": SETTINGS, **files})
    return check(tmp_path, code, "ORM0")


def view(template, rows="Order.objects.all()", key="orders"):
    return f"""
    from django.shortcuts import render
    from shop.extra import Line
    from shop.models import Order

    def page(request):
        return render(request, "{template}", {{"{key}": {rows}}})  # error: ORM001
    """


FIRES = [
    pytest.param(view("shop/rows_customer.html"), id="child-block-inside-the-parents-loop"),
    pytest.param(view("shop/rows_plain.html", "Line.objects.all()", "lines"), id="parents-own-loop-through-block-super"),
    pytest.param(view("shop/with.html"), id="with-aliases-of-the-rows-and-of-a-relation"),
    pytest.param(view("shop/with_legacy.html"), id="legacy-with-as"),
    pytest.param(view("shop/include_with.html"), id="include-with-a-relation-renamed"),
    pytest.param(view("pages/orders.html"), id="settings-dirs-path-division"),
    pytest.param(view("pages/more.html"), id="settings-dirs-os-path-join"),
    pytest.param(
        """
        from django.shortcuts import render
        from shop.models import Order

        def page(request):
            context = {"title": "Orders"}
            context["orders"] = Order.objects.all()  # error: ORM001
            return render(request, "shop/plain.html", context)
        """,
        id="key-set-on-the-context",
    ),
    pytest.param(
        """
        from django.shortcuts import render
        from shop.models import Order

        def page(request):
            context = {}
            context.update(orders=Order.objects.filter(status="open"))  # error: ORM001
            return render(request, "shop/plain.html", context)
        """,
        id="context-update",
    ),
    pytest.param(
        """
        from django.views.generic import TemplateView
        from shop.models import Order

        class Page(TemplateView):
            template_name = "shop/plain.html"

            def get_context_data(self, **kwargs):
                context = super().get_context_data(**kwargs)
                context["orders"] = Order.objects.filter(status="open")  # error: ORM001
                return context
        """,
        id="get-context-data-sets-a-key",
    ),
    pytest.param(
        """
        from django.views.generic import TemplateView
        from shop.models import Order

        class Page(TemplateView):
            template_name = "shop/plain.html"

            def get_context_data(self, **kwargs):
                kwargs["orders"] = Order.objects.all()  # error: ORM001
                return super().get_context_data(**kwargs)
        """,
        id="get-context-data-through-kwargs",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


def silent_view(template, rows="Order.objects.all()", key="orders"):
    return view(template, rows, key).replace("  # error: ORM001", "")


SILENT = [
    pytest.param(silent_view("shop/rows_plain.html"), id="child-block-reads-no-relation"),
    pytest.param(silent_view("shop/rows_customer.html", "Line.objects.all()", "lines"), id="child-empties-the-parents-loop"),
    pytest.param(silent_view("shop/rows_missing_block.html"), id="block-the-parent-lacks-renders-nothing"),
    pytest.param(silent_view("shop/rows_unknown_parent.html"), id="block-of-an-unknown-parent"),
    pytest.param(silent_view("shop/with_ended.html"), id="alias-ended-by-endwith"),
    pytest.param(silent_view("shop/include_only.html"), id="include-only-hides-the-loop-variable"),
    pytest.param(silent_view("pages/relative.html"), id="settings-dirs-relative-path"),
    pytest.param(silent_view("pages/unnamed.html"), id="folder-the-settings-do-not-name"),
    pytest.param(
        silent_view("shop/with.html", 'Order.objects.select_related("customer")'), id="with-alias-of-loaded-rows"
    ),
    pytest.param(
        """
        from django.shortcuts import render
        from shop.models import Order

        def page(request, flag):
            context = {"orders": Order.objects.none()}
            context["orders"] = Order.objects.all()
            return render(request, "shop/plain.html", context)
        """,
        id="key-set-twice",
    ),
    pytest.param(
        """
        from django.views.generic import TemplateView
        from shop.models import Order

        class Page(TemplateView):
            template_name = "shop/plain.html"

            def get_template_names(self):
                return ["shop/other.html"]

            def get_context_data(self, **kwargs):
                context = super().get_context_data(**kwargs)
                context["orders"] = Order.objects.all()
                return context
        """,
        id="get-context-data-with-own-template-names",
    ),
    pytest.param(
        """
        from django.views.generic import TemplateView
        from shop.models import Order

        class Page(TemplateView):
            template_name = "shop/plain.html"

            def get_context_data(self, **kwargs):
                context = super().get_context_data(**kwargs)
                orders = Order.objects.all()
                orders = orders.select_related("customer")
                context["orders"] = orders
                return context
        """,
        id="get-context-data-name-bound-twice",
    ),
    pytest.param(
        """
        from shop.models import Order

        class Page:
            template_name = "shop/plain.html"

            def get_context_data(self, **kwargs):
                context = super().get_context_data(**kwargs)
                context["orders"] = Order.objects.all()
                return context
        """,
        id="get-context-data-of-a-class-that-is-no-view",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


def test_settings_name_only_folders_built_from_their_location(tmp_path):
    from ormlint.semantic.index import ProjectIndex

    diagnostics(tmp_path, "")
    templates = ProjectIndex.build(tmp_path).templates
    assert {"pages/orders.html", "pages/more.html"} <= set(templates)
    assert "pages/relative.html" not in templates and "pages/unnamed.html" not in templates


WRAPPERS = """
from django.shortcuts import render
from flask import render_template


def render_page(request, name, context):
    return render(request, name, context)


def page_with_title(request, name, context, title):
    context = dict(context, title=title)
    return render(request, name, context)


def show(name, **context):
    return render_template(name, **context)


def show_fixed(name, **context):
    return render_template("shop/plain.html", **context)
"""


@pytest.mark.parametrize(
    "call, fires",
    [
        pytest.param('render_page(request, "shop/plain.html", {"orders": Order.objects.all()})', True, id="wrapper-positional"),
        pytest.param('render_page(request, context={"orders": Order.objects.all()}, name="shop/plain.html")', True, id="wrapper-by-keyword"),
        pytest.param('show("shop/plain.html", orders=Order.objects.all())', True, id="wrapper-of-render-template"),
        pytest.param('render_page(request, "shop/plain.html", {"orders": Order.objects.select_related("customer")})', False, id="wrapper-loaded"),
        pytest.param('page_with_title(request, "shop/plain.html", {"orders": Order.objects.all()}, "x")', False, id="wrapper-rebinds-the-context"),
        pytest.param('show_fixed("shop/other.html", orders=Order.objects.all())', False, id="wrapper-with-its-own-template"),
        pytest.param('render_page(request, "shop/missing.html", {"orders": Order.objects.all()})', False, id="wrapper-missing-template"),
    ],
)
def test_project_wrappers_around_render(tmp_path, call, fires):
    code = f"""
    from shop.models import Order
    from shop.pages import page_with_title, render_page, show, show_fixed

    def page(request):
        return {call}
    """
    files = {name: textwrap.dedent(text) for name, text in TEMPLATES.items()}
    make_project(tmp_path, {"shop/pages.py": WRAPPERS, **files})
    assert rows(check(tmp_path, code, "ORM0")) == ([(6, "ORM001")] if fires else [])


DETAIL_TEMPLATES = {
    "shop/templates/shop/order_detail.html": """
        {{ object.customer.name }}
        {% for line in object.lines.all %}{{ line.region.name }}{% endfor %}
    """,
    "shop/templates/shop/order_summary.html": """
        {{ order.customer.name }} {{ order.lines.count }}
        {% for line in order.lines.all %}{{ line.quantity }}{% endfor %}
    """,
    "shop/templates/shop/order_tags.html": """
        {% with lines=order.lines.all %}{% for line in lines %}{% for tag in line.tags.all %}{{ tag.name }}{% endfor %}{% endfor %}{% endwith %}
    """,
}


def detail_view(body):
    header = "from django.views.generic import DetailView\nfrom shop.models import Order\n\n\nclass OrderDetail(DetailView):\n"
    return header + textwrap.indent(body, "    ") + "\n"


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param('queryset = Order.objects.all()  # error: ORM002', [(6, "ORM002")], id="default-template-object"),
        pytest.param('model = Order  # error: ORM002', [(6, "ORM002")], id="model-only-reported-without-fix"),
        pytest.param(
            'queryset = Order.objects.all()  # error: ORM002\ntemplate_name = "shop/order_tags.html"\ncontext_object_name = "order"',
            [(6, "ORM002")],
            id="context-object-name-with-alias-of-a-relation-nested-loop",
        ),
        pytest.param('queryset = Order.objects.prefetch_related("lines__region")', [], id="prefetched"),
        pytest.param('queryset = Order.objects.all()\ntemplate_name = "shop/order_summary.html"', [], id="reads-outside-loops-are-one-query-each"),
        pytest.param(
            'queryset = Order.objects.all()\n\ndef get_object(self):\n    return Order.objects.get(pk=1)', [], id="own-get-object"
        ),
        pytest.param('queryset = Order.objects.all()\ntemplate_name = "shop/missing.html"', [], id="missing-template"),
        pytest.param(
            'queryset = Order.objects.all()\ntemplate_name = "shop/order_tags.html"\ncontext_object_name = "purchase"',
            [],
            id="template-reads-another-name",
        ),
    ],
)
def test_detail_views(tmp_path, body, expected):
    files = {name: textwrap.dedent(text) for name, text in DETAIL_TEMPLATES.items()}
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, **files})
    assert rows(check(tmp_path, detail_view(body), "ORM0")) == expected


def test_detail_view_fix_prefetches_the_items_relations(tmp_path):
    files = {name: textwrap.dedent(text) for name, text in DETAIL_TEMPLATES.items()}
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, **files})
    fixed = fix(tmp_path, textwrap.dedent(detail_view("queryset = Order.objects.all()")), "ORM0")
    assert 'queryset = Order.objects.all().prefetch_related("lines__region")' in fixed


JINJA_TEMPLATES = {
    "templates/site/base.html": """
        {% for post in posts %}<li>{% block row %}{% endblock %} {% block scoped_row scoped %}{% endblock %}</li>{% endfor %}
    """,
    "templates/site/unscoped.html": '{% extends "site/base.html" %}{% block row %}{{ post.author.name }}{% endblock %}',
    "templates/site/scoped.html": '{% extends "site/base.html" %}{% block scoped_row %}{{ post.author.name }}{% endblock %}',
    "templates/site/own_block.html": "{% for post in posts %}{% block row %}{{ post.author.name }}{% endblock %}{% endfor %}",
    "templates/site/macros.html": """
        {% macro post_list(rows, title="Posts") %}{% for post in rows %}{{ post.author.name }}{% endfor %}{% endmacro %}
        {% macro byline(post) %}{{ post.author.name }}{% endmacro %}
        {% macro everything() %}{% for post in posts %}{{ post.author.name }}{% endfor %}{% endmacro %}
    """,
    "templates/site/macro_import.html": '{% from "site/macros.html" import post_list %}{{ post_list(posts) }}',
    "templates/site/macro_module.html": '{% import "site/macros.html" as m %}{% for post in posts %}{{ m.byline(post) }}{% endfor %}',
    "templates/site/macro_keyword.html": '{% import "site/macros.html" as m %}{{ m.post_list(title="All", rows=posts) }}',
    "templates/site/macro_unused.html": '{% from "site/macros.html" import post_list %}{% for post in posts %}{{ post.title }}{% endfor %}',
    "templates/site/macro_other_rows.html": '{% from "site/macros.html" import post_list %}{{ post_list(drafts) }}',
    "templates/site/macro_sees_no_context.html": '{% from "site/macros.html" import everything %}{{ everything() }}',
}


@pytest.mark.parametrize(
    "template, fires",
    [
        pytest.param("site/scoped.html", True, id="jinja-scoped-block-sees-the-loop"),
        pytest.param("site/unscoped.html", False, id="jinja-block-does-not-see-the-parents-loop"),
        pytest.param("site/own_block.html", False, id="jinja-block-does-not-see-its-own-templates-loop"),
        pytest.param("site/macro_import.html", True, id="jinja-macro-imported-called-with-the-rows"),
        pytest.param("site/macro_module.html", True, id="jinja-macro-of-a-module-called-with-each-row"),
        pytest.param("site/macro_keyword.html", True, id="jinja-macro-called-by-keyword"),
        pytest.param("site/macro_unused.html", False, id="jinja-macro-imported-not-called"),
        pytest.param("site/macro_other_rows.html", False, id="jinja-macro-called-with-other-rows"),
        pytest.param("site/macro_sees_no_context.html", False, id="jinja-imported-macro-does-not-see-the-context"),
    ],
)
def test_jinja_blocks_and_macros(tmp_path, template, fires):
    code = f"""
    from flask import render_template
    from shop.tables import Post, SessionLocal

    def posts():
        return render_template("{template}", posts=SessionLocal().query(Post).all())
    """
    files = {name: textwrap.dedent(text) for name, text in JINJA_TEMPLATES.items()}
    make_project(tmp_path, files)
    assert rows(check(tmp_path, code, "ORM0")) == ([(6, "ORM003")] if fires else [])


BASE_VIEWS = """
from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import DetailView, ListView
from shop.models import Order
from braces.views import SelectRelatedMixin


class ProjectListView(LoginRequiredMixin, ListView):
    paginate_by = 20

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs)


class OpenOnlyMixin:
    def get_queryset(self):
        return super().get_queryset().filter(status="open").order_by("pk")


class LoadingMixin:
    def get_queryset(self):
        return super().get_queryset().select_related("customer")


class NamedListView(ProjectListView):
    template_name = "shop/plain.html"
    context_object_name = "orders"


class ArchivedListView(ProjectListView):
    queryset = Order.archived.all()


class ProjectDetailView(DetailView):
    def get_object(self, queryset=None):
        return super().get_object(queryset)


class RelatedListView(SelectRelatedMixin, ListView):
    select_related = ["customer"]
"""


@pytest.mark.parametrize(
    "bases, body, fires",
    [
        pytest.param("NamedListView", "queryset = Order.objects.all()", True, id="template-and-name-from-a-base-in-another-module"),
        pytest.param("OpenOnlyMixin, NamedListView", "model = Order", True, id="mixin-that-filters-super"),
        pytest.param(
            "ProjectListView",
            'queryset = Order.objects.all()\ntemplate_name = "shop/plain.html"\ncontext_object_name = "orders"',
            True,
            id="project-base-with-a-neutral-mixin",
        ),
        pytest.param("LoadingMixin, NamedListView", "queryset = Order.objects.all()", False, id="mixin-that-loads"),
        pytest.param("RelatedListView", 'queryset = Order.objects.all()\ntemplate_name = "shop/plain.html"\ncontext_object_name = "orders"', False, id="mixin-from-outside-the-project"),
        pytest.param("ArchivedListView", 'model = Order\ntemplate_name = "shop/plain.html"\ncontext_object_name = "orders"', False, id="base-queryset-wins-over-own-model"),
        pytest.param("NamedListView", 'queryset = Order.objects.select_related("customer")', False, id="loaded"),
        pytest.param("NamedListView", 'queryset = Order.objects.all()\ntemplate_name = TEMPLATE', False, id="template-name-not-literal"),
    ],
)
def test_list_views_through_project_bases(tmp_path, bases, body, fires):
    code = f"from shop.bases import *\nfrom shop.models import Order\n\nTEMPLATE = 'shop/plain.html'\n\n\nclass Orders({bases}):\n" + textwrap.indent(body, "    ") + "\n"
    files = {name: textwrap.dedent(text) for name, text in TEMPLATES.items()}
    make_project(tmp_path, {"shop/bases.py": BASE_VIEWS, **files})
    assert [code for _, code in rows(check(tmp_path, code, "ORM0"))] == (["ORM001"] if fires else [])


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param("queryset = Order.objects.all()", [(6, "ORM002")], id="detail-through-a-delegating-base"),
        pytest.param('queryset = Order.objects.prefetch_related("lines__region")', [], id="detail-through-a-base-prefetched"),
    ],
)
def test_detail_views_through_project_bases(tmp_path, body, expected):
    code = "from shop.bases import ProjectDetailView\nfrom shop.models import Order\n\n\nclass OrderDetail(ProjectDetailView):\n" + textwrap.indent(body, "    ") + "\n"
    files = {name: textwrap.dedent(text) for name, text in DETAIL_TEMPLATES.items()}
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, "shop/bases.py": BASE_VIEWS, **files})
    assert rows(check(tmp_path, code, "ORM0")) == expected
