"""The N+1 fixes of Django REST framework list views, proven on a real SQLite database.

Every list view of the Django fixture's ``store/api.py`` and ``store/api_serializers.py``
(named apart) is called through its URL
(``rest_framework.test.APIClient``) on seeded data at two sizes, before and after
``ormlint --fix --select ORM0``. The JSON must be equal; a view marked ``# error:`` must send
more queries for more rows before the fix and as many at both sizes after it; the ``# ok:``
views send as many at both sizes already and are left alone by the fix, which rewrites
exactly the marked ``queryset = ...`` lines.

The tests marked "fixture" check the fixture itself (every view is routed and has one mark,
the marked views really query per row and the ``# ok:`` ones do not); they need no rule.
"""

import ast
from pathlib import Path

import pytest

from django_proofs import fixed_copies, run_in_project
from test_drf_fixtures import API_MODULES, FIXTURE, marks

SIZES = (5, 50)

#: What the fix must append to each marked view's queryset: method -> relations.
EXPECTED_FIXES = {
    "OrderViewSet": {"select_related": {"customer"}},
    "OrderLinesView": {"prefetch_related": {"lines__product"}},
    "LineCustomerView": {"select_related": {"order__customer"}},
    "OrderLabelView": {"select_related": {"customer"}},
    "ProductTagLabelsViewSet": {"prefetch_related": {"tags"}},
    "ProductView": {"prefetch_related": {"tags"}},
    "OrderLineDepthView": {"select_related": {"order", "product"}, "prefetch_related": {"product__tags"}},
    # store/api_serializers.py
    "ProductTagNamesView": {"prefetch_related": {"tags"}},
    "OrderLineNamesView": {"prefetch_related": {"lines__product"}},
    "ProductTagIdsView": {"prefetch_related": {"tags"}},
    "ShelvedProductView": {"prefetch_related": {"tags"}},
    "BilledLineView": {"select_related": {"order__customer"}, "prefetch_related": {"product__tags"}},
    "OrderListedLinesView": {"prefetch_related": {"lines__product"}},
    "OrderMethodLinesView": {"prefetch_related": {"lines__product"}},
}

RUNNER = r"""
import datetime, json, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.test import APIClient
call_command("migrate", run_syncdb=True, verbosity=0)
from django_seed import seed
from store.models import Customer, Order, Product

rows = int(sys.argv[1])
seed(rows)
# ``auto_now_add`` stamps the time of the run; the two runs compared must serialize the same.
stamp = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
for model in (Customer, Product, Order):
    model.objects.update(created=stamp)


def patterns(resolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from patterns(pattern)
        else:
            yield pattern


urls = {}
for pattern in patterns(get_resolver()):
    view = getattr(pattern.callback, "cls", None)
    actions = getattr(pattern.callback, "actions", None) or {"get": "list"}
    if view is not None and view.__module__ in ("store.api", "store.api_serializers") and actions.get("get") == "list":
        urls.setdefault(view.__name__, reverse(pattern.name))

client = APIClient()
report = {}
for name, url in sorted(urls.items()):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    report[name] = {
        "url": url,
        "status": response.status_code,
        "json": response.json() if response.status_code == 200 else response.content.decode(),
        "queries": len(context.captured_queries),
    }
print(json.dumps(report))
"""


def views(source: str):
    """The list views of a module, the classes that assign ``queryset`` (not the
    serializers and fields next to them): name -> (first row, last row, source text)."""
    tree = ast.parse(source)
    return {
        node.name: (node.lineno, node.end_lineno, ast.get_source_segment(source, node))
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(s, ast.Assign) and [t.id for t in s.targets if isinstance(t, ast.Name)] == ["queryset"] for s in node.body)
    }


def view_marks(modules=API_MODULES):
    """Each view of ``modules`` -> its marks: [(row, ("error", {codes}) or ("ok", reason))]."""
    found = {}
    for module in modules:
        rows = marks(FIXTURE / module)
        for name, (first, last, _) in views((FIXTURE / module).read_text(encoding="utf-8")).items():
            found[name] = [(row, rows[row]) for row in range(first, last + 1) if row in rows]
    return found


def error_codes(name: str):
    ((_, (kind, value)),) = view_marks()[name]
    return value if kind == "error" else set()


def run_views(root: Path, rows: int) -> dict:
    return run_in_project(root, RUNNER, rows)


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """The fixture copied twice: (original, fixed), the second after ``ormlint --fix --select ORM0``."""
    return fixed_copies(tmp_path_factory, FIXTURE, "drf")


# --- The fixture itself ---------------------------------------------------------------------


def test_fixture_every_view_has_one_mark_and_the_fixes_are_listed():
    found = view_marks()
    assert found
    for name, view in found.items():
        assert len(view) == 1, (name, view)
    assert {name for name in found if error_codes(name)} == set(EXPECTED_FIXES)
    for name, methods in EXPECTED_FIXES.items():
        wanted = {"select_related": "ORM001", "prefetch_related": "ORM002"}
        assert {wanted[method] for method in methods} == error_codes(name), name


@pytest.mark.parametrize("rows", SIZES)
def test_fixture_every_view_is_routed_and_lists_every_row(copies, rows):
    original, _ = copies
    report = run_views(original, rows)
    assert set(report) == set(view_marks())
    for name, result in report.items():
        assert result["status"] == 200, (name, result)
        assert isinstance(result["json"], list) and result["json"], (name, result)


def test_fixture_marked_views_query_per_row_and_ok_views_do_not(copies):
    original, _ = copies
    small, large = (run_views(original, rows) for rows in SIZES)
    for name in view_marks():
        if error_codes(name):
            assert large[name]["queries"] > small[name]["queries"], (name, small[name]["queries"], large[name]["queries"])
        else:
            assert large[name]["queries"] == small[name]["queries"], (name, small[name]["queries"], large[name]["queries"])


# --- The fixes ------------------------------------------------------------------------------


@pytest.mark.parametrize("module", API_MODULES)
def test_fix_rewrites_exactly_the_marked_queryset_lines(copies, module):
    original, fixed = copies
    before_source, after_source = ((root / module).read_text(encoding="utf-8") for root in copies)
    before_lines, after_lines = before_source.splitlines(), after_source.splitlines()
    assert len(before_lines) == len(after_lines)
    changed = {row for row, (old, new) in enumerate(zip(before_lines, after_lines), start=1) if old != new}
    marked = {row for row, (kind, _) in marks(original / module).items() if kind == "error"}
    before, after = views(before_source), views(after_source)
    assert set(before) == set(after)
    problems = {}
    for name in before:
        if not error_codes(name):
            if before[name] != after[name]:
                problems[name] = ("an ok view was changed", after[name][2])
            continue
        (assignment,) = [
            node for node in ast.parse(after[name][2]).body[0].body
            if isinstance(node, ast.Assign) and [t.id for t in node.targets] == ["queryset"]
        ]
        calls = {}
        for node in ast.walk(assignment.value):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                calls.setdefault(node.func.attr, []).append({arg.value for arg in node.args if isinstance(arg, ast.Constant)})
        # One call per method, naming the relations as strings.
        written = {method: calls[method] for method in ("select_related", "prefetch_related") if method in calls}
        wanted = {method: [relations] for method, relations in EXPECTED_FIXES[name].items()}
        if written != wanted:
            problems[name] = (f"wrote {written}, expected {wanted}", ast.unparse(assignment))
    assert problems == {}
    assert changed == marked


@pytest.mark.parametrize("rows", SIZES)
def test_fixed_views_return_the_same_json(copies, rows):
    original, fixed = copies
    before, after = run_views(original, rows), run_views(fixed, rows)
    assert set(before) == set(after)
    for name in before:
        assert before[name]["status"] == after[name]["status"] == 200, (name, after[name])
        assert before[name]["json"] == after[name]["json"], name


@pytest.mark.parametrize("name", sorted(EXPECTED_FIXES))
def test_fixed_views_no_longer_query_per_row(copies, name):
    original, fixed = copies
    small, large = SIZES
    before = {rows: run_views(original, rows)[name]["queries"] for rows in SIZES}
    after = {rows: run_views(fixed, rows)[name]["queries"] for rows in SIZES}
    assert before[large] > before[small], (name, before)
    assert after[large] == after[small], (name, before, after)
    assert after[large] < before[large], (name, before, after)


def test_ok_views_stay_flat_after_the_fix(copies):
    _, fixed = copies
    small, large = (run_views(fixed, rows) for rows in SIZES)
    for name in view_marks():
        if not error_codes(name):
            assert large[name]["queries"] == small[name]["queries"], name
