"""The N+1 fixes across calls, proven on a real SQLite database: the Django fixture's views
that render templates (``store/views.py``, templates in ``store/templates/store/``;
``store/views_written.py``, templates in the settings' ``project_templates/``) and its
reports that pass querysets to helpers (``store/reports.py``).

Every view is called with a GET request from ``RequestFactory`` (a class-based view
through ``as_view()``, a ``DetailView`` for its model's first row; template responses are
rendered) and every report is called, on seeded data at
two sizes, before and after ``ormlint --fix --select ORM0``, counting the queries of each call
including the rendering. The HTML and the results must be equal before and after; a callable
marked ``# error:`` must send more queries for more rows before the fix and, when the fix
rewrote it (``EXPECTED_FIXES`` of tests/test_cross_function_fixtures.py), the same number at
both sizes after it; the ``# ok:`` ones send as many at both sizes already.

The tests marked "fixture" check the fixtures themselves; they need no rule. The Flask views
of the SQLAlchemy fixture are not run: neither Flask nor Jinja2 is installed for the tests.
"""

from pathlib import Path

import pytest

from django_proofs import fixed_copies, run_in_project
from test_cross_function_fixtures import EXPECTED_FIXES, FIXTURES, marked_callables

FIXTURE = FIXTURES / "django_project"
MODULES = ("store/views.py", "store/views_written.py", "store/reports.py")
SIZES = (5, 50)

RUNNER = r"""
import inspect, json, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.views.generic import DetailView, View
call_command("migrate", run_syncdb=True, verbosity=0)
from django_seed import seed
from store import reports, views, views_written

rows = int(sys.argv[1])
seed(rows)

factory = RequestFactory()


def rendered(response):
    assert response.status_code == 200, response.status_code
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return response.content.decode()


def calls(module):
    # Views take the request; reports take nothing; helpers take rows and are skipped (the
    # reports call them), as are the names a module imports.
    for name, member in vars(module).items():
        if name.startswith("_") or getattr(member, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(member) and issubclass(member, DetailView):
            first = member.queryset.model.objects.order_by("pk").first()
            yield name, lambda view=member.as_view(), pk=first.pk: rendered(view(factory.get("/"), pk=pk))
        elif inspect.isclass(member) and issubclass(member, View):
            yield name, lambda view=member.as_view(): rendered(view(factory.get("/")))
        elif inspect.isclass(member) and hasattr(member, "build"):
            yield name, lambda cls=member: cls().build()
        elif inspect.isfunction(member):
            parameters = list(inspect.signature(member).parameters)
            if parameters == ["request"]:
                yield name, lambda view=member: rendered(view(factory.get("/")))
            elif not parameters:
                yield name, member


report = {}
for module in (views, views_written, reports):
    path = module.__name__.replace(".", "/") + ".py"
    for name, call in calls(module):
        with CaptureQueriesContext(connection) as context:
            result = call()
        report["%s:%s" % (path, name)] = {"result": result, "queries": len(context.captured_queries)}
print(json.dumps(report))
"""


def expected():
    """"module:name" -> (marked ``# error:``, rewritten by the fix)."""
    found = {}
    for module in MODULES:
        for name, marks in marked_callables(FIXTURE / module).items():
            error = any(kind == "error" for kind, _ in marks)
            found[f"{module}:{name}"] = (error, bool(EXPECTED_FIXES.get((module, name))))
    return found


def run(root: Path, rows: int) -> dict:
    return run_in_project(root, RUNNER, rows)


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """(original, fixed): the project copied twice, the second fixed with ``--fix --select ORM0``."""
    original, fixed = fixed_copies(tmp_path_factory, FIXTURE, "crossproof")
    for module in MODULES:
        assert (fixed / module).read_text() != (original / module).read_text(), f"ormlint --fix did not change {module}"
    return original, fixed


# --- The fixtures themselves ------------------------------------------------------------------


def test_fixture_every_view_and_report_runs_and_is_marked(copies):
    original, _ = copies
    small, large = (run(original, rows) for rows in SIZES)
    assert set(small) == set(large) == set(expected())
    for name in small:
        assert small[name]["result"] and large[name]["result"], name
        assert small[name]["result"] != large[name]["result"], name  # more rows, more output


def test_fixture_marked_cases_query_per_row_and_ok_cases_do_not(copies):
    original, _ = copies
    small, large = (run(original, rows) for rows in SIZES)
    for name, (error, _) in expected().items():
        if error:
            assert large[name]["queries"] > small[name]["queries"], (name, small[name], large[name])
        else:
            assert large[name]["queries"] == small[name]["queries"], (name, small[name], large[name])


def test_fixture_the_templates_render_the_relations(copies):
    """A sanity check of the HTML: the relations are rendered, not silently empty."""
    small = run(copies[0], SIZES[0])
    assert "CUSTOMER000" in small["store/views.py:order_list"]["result"]
    assert "1 x product000" in small["store/views.py:order_lines"]["result"]
    html = small["store/views.py:customer_cards"]["result"]
    assert "bio 0" in html and "city000-a" in html and "city000-b" in html
    assert "carrier0 to customer000 (bio 0)" in small["store/views.py:shipment_labels"]["result"]
    assert "tag000 tag001" in small["store/views.py:ProductListView"]["result"]
    assert "Order object (1)" in small["store/views.py:order_labels"]["result"]
    # The child's block in the base's loop, the card included with the customer renamed.
    assert "Order 1: open for customer000" in small["store/views_written.py:extended_orders"]["result"]
    assert "customer000 (bio 0)" in small["store/views_written.py:order_cards"]["result"]
    assert "customer000" not in small["store/views_written.py:isolated_order_cards"]["result"]
    assert "product000: tag000 tag001" in small["store/views_written.py:CatalogueDetailView"]["result"]


# --- The fixes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", SIZES)
def test_fixed_views_and_reports_return_the_same(copies, rows):
    original, fixed = copies
    before, after = run(original, rows), run(fixed, rows)
    assert set(before) == set(after)
    for name in before:
        assert before[name]["result"] == after[name]["result"], name


@pytest.mark.parametrize("name", sorted(name for name, (error, fix) in expected().items() if error and fix))
def test_fixed_cases_no_longer_query_per_row(copies, name):
    original, fixed = copies
    small, large = SIZES
    before = {rows: run(original, rows)[name]["queries"] for rows in SIZES}
    after = {rows: run(fixed, rows)[name]["queries"] for rows in SIZES}
    assert before[large] > before[small], before
    assert after[large] == after[small], after
    assert after[large] < before[large], (before, after)


def test_unfixed_cases_are_left_as_they_were(copies):
    """``model = Order`` of a ListView is reported without a fix: it still queries per row."""
    original, fixed = copies
    small, large = SIZES
    unfixed = [name for name, (error, fix) in expected().items() if error and not fix]
    assert unfixed == ["store/views.py:OrderListView"]
    for name in unfixed:
        assert run(fixed, large)[name]["queries"] > run(fixed, small)[name]["queries"], name
        assert run(fixed, large)[name] == run(original, large)[name], name
