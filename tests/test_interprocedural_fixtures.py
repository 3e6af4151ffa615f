"""ORM001 / ORM002 across function boundaries, on the Django fixture project: querysets
returned by the helpers of ``store/selectors.py`` and by the models' methods, property and
class methods, rows wrapped in ``list()``, ``sorted()``, ``enumerate()`` and a paginator's
page, rows passed three calls deep or through ``map()``, rows passed with a callback that a
helper calls on each, and rows given to an explicit ``Serializer(rows, many=True).data`` of
``store/serializers.py``, all in ``store/flows.py``. ormlint must report exactly the lines
marked ``# error: ORMxxx`` there, none of the ``# ok:`` ones, and nothing in the helpers,
which carry no mark.

``ormlint --fix --select ORM0`` must rewrite exactly the constructions listed in
``EXPECTED_FIXES``: the call of a helper or method (``orders_to_ship(...).select_related(...)``),
the query inside a wrapper; nothing where the rows come from a property or from one of two
querysets. A second ``--fix`` must change nothing.

tests/test_nplusone_fixtures.py leaves ``store/flows.py`` to this test (``CHECKED_ELSEWHERE``);
tests/test_interprocedural_database_proof.py runs it before and after the fix and imports
``MODULE`` and ``EXPECTED_FIXES`` from here. The mark helpers are those of
tests/test_cross_function_fixtures.py.
"""

import json
import re
import shutil
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from test_cross_function_fixtures import FIXTURES, callables, marked_callables, marks, ormlint, owner, relative, segments, snapshot

PROJECT = FIXTURES / "django_project"
MODULE = "store/flows.py"
#: The helpers ``store/flows.py`` calls; what they do is reported in ``store/flows.py``.
HELPERS = ("store/selectors.py", "store/models.py", "store/serializers.py")

#: The query of the wrapped or passed rows, extended (it is the only ``order_by("pk")`` of
#: the functions it is used for).
SELECT_CUSTOMER = ('.order_by("pk")', '.order_by("pk").select_related("customer")')

#: Top-level function of ``store/flows.py`` -> what the fix must replace in its source,
#: each (old, new) once. Every function marked ``# error:`` is listed; ``[]``: reported,
#: but no fix.
EXPECTED_FIXES: Dict[str, List[Tuple[str, str]]] = {
    # A helper's queryset, a pass-through helper, a model method, a class method: the fix
    # extends the call, whatever the callee built inside.
    "orders_to_ship_customers": [('orders_to_ship(status="open")', 'orders_to_ship(status="open").select_related("customer")')],
    "published_order_customers": [
        ('published(Order.objects.order_by("pk"))', 'published(Order.objects.order_by("pk")).select_related("customer")'),
    ],
    "recent_order_creators": [("customer.recent_orders()", 'customer.recent_orders().select_related("created_by")')],
    "closed_order_customers": [("Order.closed_by_total()", 'Order.closed_by_total().select_related("customer")')],
    # ``customer.open_orders`` is a property: there is no call to extend.
    "open_order_creators": [],
    # Wrappers: the fix goes to the query inside them.
    "listed_order_customers": [SELECT_CUSTOMER],
    "sorted_order_customers": [('filter(status="open")', 'filter(status="open").select_related("customer")')],
    "numbered_order_customers": [SELECT_CUSTOMER],
    "first_page_customers": [SELECT_CUSTOMER],
    "first_page_object_list_customers": [SELECT_CUSTOMER],
    # Rows passed on: the fix goes to the query passed.
    "order_labels_three_calls_deep": [SELECT_CUSTOMER],
    "order_labels_through_map": [SELECT_CUSTOMER],
    # Rows passed with a callback, and rows serialized: the fix goes to the query passed.
    "order_labels_through_a_callback": [SELECT_CUSTOMER],
    "order_labels_through_a_mapped_callback": [SELECT_CUSTOMER],
    "order_labels_through_a_callback_passed_on": [SELECT_CUSTOMER],
    "order_customers_through_a_lambda": [SELECT_CUSTOMER],
    "serialized_orders": [SELECT_CUSTOMER],
    "serialized_order_labels": [SELECT_CUSTOMER],
    "serialized_line_customers": [('.order_by("pk")', '.order_by("pk").select_related("order__customer")')],
    "serialized_orders_with_lines": [('.order_by("pk")', '.order_by("pk").prefetch_related("lines__product")')],
    # ``a if flag else b``: both arms would need the fix; which to write is not for ormlint.
    "either_orders": [],
}

#: Where the rows pass through a helper or a serializer the message names it (and the
#: callback the helper calls on each row); a loop of the function's own names the row's
#: relation.
HELPER_MESSAGE = re.compile(
    r"`(render_page|label_all)\(\)` loops over these rows and reads `\.customer` of every row"
    r"|`(render_each|render_mapped|render_each_later)\(\)` calls (`label\(\)`|a lambda) on each of these rows"
    r" and reads `\.customer` of every row"
    r"|`(Order|OrderLabel|LineCustomer|OrderWithLines)Serializer\(many=True\)` loops over these rows"
    r" and reads `\.(customer|order\.customer|lines\.product)` of every row"
)
LOOP_MESSAGE = re.compile(r"Loop reads `order\.(customer|created_by)` on every row")


def expected_findings():
    return {(MODULE, row, code) for row, (kind, codes) in marks(PROJECT / MODULE).items() if kind == "error" for code in codes}


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """The project as it is, fixed once, and fixed twice (snapshots of the fixed copy)."""
    # A folder name without ``test``: per-file-ignores match ``*/test_*.py`` on the full path.
    base = tmp_path_factory.mktemp("interprocedural")
    original = Path(shutil.copytree(PROJECT, base / "original" / PROJECT.name))
    fixed = Path(shutil.copytree(PROJECT, base / "fixed" / PROJECT.name))
    ormlint("--fix", "--select", "ORM0", str(fixed))
    once = snapshot(fixed)
    ormlint("--fix", "--select", "ORM0", str(fixed))
    return {"original": original, "once": once, "twice": snapshot(fixed)}


@pytest.fixture(scope="module")
def findings(copies):
    """(path, row, code) -> diagnostic, for the ORM0 findings in the module and its helpers."""
    root = copies["original"]
    output = ormlint("--select", "ORM0", "--output-format", "json", str(root)).stdout
    found = {(relative(d["filename"], root), d["location"]["row"], d["code"]): d for d in json.loads(output)}
    return {key: d for key, d in found.items() if key[0] in (MODULE, *HELPERS)}


# --- The fixture itself ------------------------------------------------------------------


def test_fixture_every_function_has_one_mark_and_silent_cases_outnumber_the_others():
    found = marked_callables(PROJECT / MODULE)
    source = (PROJECT / MODULE).read_text(encoding="utf-8")
    assert None not in found
    assert set(found) == set(callables(source))
    assert all(len(function_marks) == 1 for function_marks in found.values()), found
    kinds = [kind for ((kind, _),) in found.values()]
    assert kinds.count("ok") >= kinds.count("error") >= 10


def test_fixture_helpers_carry_no_mark():
    for helper in HELPERS:
        assert not marks(PROJECT / helper), helper


def test_fixture_every_marked_function_has_its_expected_fix():
    errors = {name for name, ((kind, _),) in marked_callables(PROJECT / MODULE).items() if kind == "error"}
    assert errors == set(EXPECTED_FIXES)


# --- What ormlint reports ---------------------------------------------------------------------


def test_reports_exactly_the_marked_lines_and_nothing_in_the_helpers(findings):
    assert set(findings) == expected_findings()


def test_messages_name_the_helper_or_the_relation_read_in_the_loop(findings):
    for (_, row, _), diagnostic in findings.items():
        message = diagnostic["message"]
        assert HELPER_MESSAGE.match(message) or LOOP_MESSAGE.match(message), (row, message)


def test_findings_carry_a_fix_exactly_where_one_is_expected(findings):
    source = (PROJECT / MODULE).read_text(encoding="utf-8")
    for (_, row, _), diagnostic in findings.items():
        name = owner(source, row)
        if EXPECTED_FIXES[name]:
            assert diagnostic["fix"] is not None and diagnostic["fix"]["applicability"] == "safe", (name, diagnostic)
        else:
            assert diagnostic["fix"] is None, (name, diagnostic["fix"])


# --- What the fix writes ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED_FIXES))
def test_fix_rewrites_the_expected_construction(copies, name):
    before = segments((copies["original"] / MODULE).read_text(encoding="utf-8"))[name]
    after = segments(copies["once"][MODULE])[name]
    expected = before
    for old, new in EXPECTED_FIXES[name]:
        assert expected.count(old) == 1, (name, old)
        expected = expected.replace(old, new)
    assert after == expected


def test_fix_leaves_the_silent_functions_and_the_helpers_alone(copies):
    before = segments((copies["original"] / MODULE).read_text(encoding="utf-8"))
    after = segments(copies["once"][MODULE])
    assert set(before) == set(after)
    assert {name for name in before if before[name] != after[name]} == {name for name, fixes in EXPECTED_FIXES.items() if fixes}
    original = snapshot(copies["original"])
    for helper in HELPERS:
        assert copies["once"][helper] == original[helper], helper


def test_a_second_fix_changes_nothing(copies):
    assert copies["twice"] == copies["once"]
