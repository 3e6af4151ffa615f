"""ORM001-ORM003 through templates: a view renders a template with query rows in its
context, and the template's loops read relations of every row."""

import textwrap

import pytest

from harness import EXTRA_DJANGO_MODELS, check, fix, make_project, marked_rows, rows

TEMPLATES = {
    "shop/templates/shop/orders.html": """
        {% extends "base.html" %}
        {% block content %}
        {# {{ order.created_by.name }} is only a comment #}
        {% comment %}{{ order.created_by.name }}{% endcomment %}
        {% for order in orders %}
          <li>{{ order.status }}: {{ order.customer.name|upper }} ({{ order.lines.count }})</li>
        {% empty %}<li>none</li>
        {% endfor %}
        {% endblock %}
    """,
    "shop/templates/shop/lines.html": """
        {% for order in orders %}
          {% for line in order.lines.all %}{{ line.region.name }}{% endfor %}
          {% include "includes/parent.html" %}
        {% endfor %}
    """,
    "shop/templates/includes/parent.html": "{{ order.customer }}",
    "shop/templates/shop/line_list.html": "{% for line in line_list %}{{ line.parent.quantity }}{% endfor %}",
    "shop/templates/shop/pairs.html": "{% for key, order in orders %}{{ order.customer.name }}{% endfor %}",
    "templates/site/posts.html": "{% for post in posts %}{{ post.author.name() }}{% endfor %}",
    "shop/templates/shop/twice.html": "{% for order in orders %}{{ order.customer.name }}{% endfor %}",
    "other/templates/shop/twice.html": "{% for order in orders %}{{ order.customer.name }}{% endfor %}",
}


def project(tmp_path):
    files = {name: textwrap.dedent(text) for name, text in TEMPLATES.items()}
    return make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, **files})


def diagnostics(tmp_path, code, select="ORM0"):
    project(tmp_path)
    return check(tmp_path, code, select)


FIRES = [
    pytest.param(
        """
        from django.shortcuts import render
        from shop.models import Order

        def orders(request):
            qs = Order.archived.filter(status="open")  # error: ORM001
            return render(request, "shop/orders.html", {"orders": qs})
        """,
        id="render-with-a-dict",
    ),
    pytest.param(
        """
        from django.template.response import TemplateResponse
        from shop.models import Order

        def orders(request):
            context = {"orders": Order.archived.all()}  # error: ORM001, ORM002
            return TemplateResponse(request, "shop/lines.html", context)
        """,
        id="template-response-nested-loop-and-include",
    ),
    pytest.param(
        """
        from django.template.loader import render_to_string
        from shop.models import Order

        def orders():
            return render_to_string("shop/orders.html", dict(orders=Order.archived.all()))  # error: ORM001
        """,
        id="render-to-string-with-dict-call",
    ),
    pytest.param(
        """
        from django.views.generic import ListView
        from shop.extra import Line

        class Lines(ListView):
            queryset = Line.objects.filter(quantity__gt=0)  # error: ORM001
        """,
        id="list-view-default-template-and-context-name",
    ),
    pytest.param(
        """
        from django.views.generic import ListView
        from shop.extra import Line

        class Lines(ListView):
            model = Line  # error: ORM001
        """,
        id="list-view-with-model-only",
    ),
    pytest.param(
        """
        from flask import render_template
        from shop.tables import Post, SessionLocal

        def posts():
            session = SessionLocal()
            return render_template("site/posts.html", posts=session.query(Post).all())  # error: ORM003
        """,
        id="flask-jinja",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


SILENT = [
    pytest.param(
        """
        from django.shortcuts import render
        from shop.models import Order

        def orders(request):
            qs = Order.archived.select_related("customer")
            return render(request, "shop/orders.html", {"orders": qs})
        """,
        id="loaded",
    ),
    pytest.param(
        """
        from django.shortcuts import render
        from shop.models import Order

        def orders(request, name):
            render(request, "shop/missing.html", {"orders": Order.archived.all()})
            render(request, name, {"orders": Order.archived.all()})
            render(request, "shop/twice.html", {"orders": Order.archived.all()})
            return render(request, "shop/pairs.html", {"orders": Order.archived.all()})
        """,
        id="missing-unknown-ambiguous-or-unpacking-loop",
    ),
    pytest.param(
        """
        from django.shortcuts import render

        def orders(request, qs):
            return render(request, "shop/orders.html", {"orders": qs, "other": []})
        """,
        id="rows-of-unknown-origin",
    ),
    pytest.param(
        """
        from django.views.generic import ListView
        from shop.extra import Line

        class Lines(ListView):
            model = Line

            def get_queryset(self):
                return Line.objects.select_related("parent")
        """,
        id="list-view-with-own-get-queryset",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


def test_message_names_the_template(tmp_path):
    code = """
    from django.shortcuts import render
    from shop.models import Order

    def orders(request):
        return render(request, "shop/orders.html", {"orders": Order.archived.all()})
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.message.startswith("template `shop/orders.html` loops over these rows and reads `.customer` of every row")


def test_fix_loads_where_the_rows_are_built(tmp_path):
    project(tmp_path)
    before = """
    from django.template.response import TemplateResponse
    from shop.models import Order

    def orders(request):
        qs = Order.archived.all()
        return TemplateResponse(request, "shop/lines.html", {"orders": qs})
    """
    after = """
    from django.template.response import TemplateResponse
    from shop.models import Order

    def orders(request):
        qs = Order.archived.all().select_related("customer").prefetch_related("lines__region")
        return TemplateResponse(request, "shop/lines.html", {"orders": qs})
    """
    assert fix(tmp_path, textwrap.dedent(before), "ORM0") == textwrap.dedent(after)


def test_a_changed_template_changes_the_index_fingerprint(tmp_path):
    from ormlint.semantic.index import ProjectIndex

    project(tmp_path)
    before = ProjectIndex.build(tmp_path).fingerprint()
    (tmp_path / "shop/templates/shop/orders.html").write_text("{% for order in orders %}{{ order.pk }}{% endfor %}")
    assert ProjectIndex.build(tmp_path).fingerprint() != before
