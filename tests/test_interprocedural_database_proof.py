"""The N+1 fixes across function boundaries, proven on a real SQLite database: the functions
of the Django fixture's ``store/flows.py``, whose rows come from the helpers of
``store/selectors.py`` and the models' methods, property and class methods, through
``list()``, ``sorted()``, ``enumerate()`` and a paginator, or go to helpers three calls deep,
to a helper that calls a callback on each, or to a serializer's ``many=True`` data.

Every function is called, on seeded data at two sizes, before and after
``ormlint --fix --select ORM0``, counting its queries. The results must be equal before and
after; a function marked ``# error:`` must send more queries for more rows before the fix
and, when the fix rewrote it (``EXPECTED_FIXES`` of tests/test_interprocedural_fixtures.py),
the same number at both sizes after it; the ``# ok:`` ones send as many at both sizes
already.

The store is ``django_seed``'s, and its first customer orders once more per seeded row, each
time for another user: the rows of ``customer.recent_orders()`` and ``customer.open_orders``,
one customer's orders, grow with the others.
"""

from pathlib import Path

import pytest

from test_cross_function_fixtures import marked_callables
from django_proofs import fixed_copies, run_in_project
from test_interprocedural_fixtures import EXPECTED_FIXES, MODULE, PROJECT

SIZES = (5, 50)
#: Where ``django_seed`` lives, for the runner script.

RUNNER = r"""
import inspect, json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
call_command("migrate", run_syncdb=True, verbosity=0)
from django_seed import seed
from store import flows
from store.models import Customer, Order

rows = int(sys.argv[1])
seed(rows)
regular = Customer.objects.order_by("pk").first()
for number, user in enumerate(get_user_model().objects.order_by("pk")):
    Order.objects.create(customer=regular, created_by=user, status="open", total=1000 + number)

report = {}
for name, function in vars(flows).items():
    if name.startswith("_") or not inspect.isfunction(function) or function.__module__ != flows.__name__:
        continue
    with CaptureQueriesContext(connection) as context:
        result = function()
    report[name] = {"result": result, "queries": len(context.captured_queries)}
print(json.dumps(report))
"""


def expected():
    """Function name -> (marked ``# error:``, rewritten by the fix)."""
    return {
        name: (any(kind == "error" for kind, _ in marks), bool(EXPECTED_FIXES.get(name)))
        for name, marks in marked_callables(PROJECT / MODULE).items()
    }


def run(root: Path, rows: int) -> dict:
    return run_in_project(root, RUNNER, rows)


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """(original, fixed): the project copied twice, the second fixed with ``--fix --select ORM0``."""
    original, fixed = fixed_copies(tmp_path_factory, PROJECT, "flowproof")
    assert (fixed / MODULE).read_text() != (original / MODULE).read_text(), f"ormlint --fix did not change {MODULE}"
    return original, fixed


# --- The fixture itself ------------------------------------------------------------------


def test_fixture_every_function_runs_and_is_marked(copies):
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


def test_fixture_the_relations_are_read(copies):
    """A sanity check of the results: the relations three calls deep and of the model
    methods' rows are really read, not silently empty."""
    small = {name: found["result"] for name, found in run(copies[0], SIZES[0]).items()}
    assert "1: customer000" in small["order_labels_three_calls_deep"]
    assert small["recent_order_creators"][:2] == ["user004", "user003"]
    assert all(label.endswith(": customer000") for label in small["recent_order_customers"])
    assert small["either_orders"] == small["either_loaded_orders"]


# --- The fixes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", SIZES)
def test_fixed_functions_return_the_same(copies, rows):
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
    """A property's rows and one of two querysets are reported without a fix: they still
    query per row."""
    original, fixed = copies
    small, large = SIZES
    unfixed = sorted(name for name, (error, fix) in expected().items() if error and not fix)
    assert unfixed == ["either_orders", "open_order_creators"]
    for name in unfixed:
        assert run(fixed, large)[name]["queries"] > run(fixed, small)[name]["queries"], name
        assert run(fixed, large)[name] == run(original, large)[name], name
