"""The N+1 fixes of DRF list views written on project bases and mixins, proven on SQLite.

The views of the Django fixture's ``store/api_lineage.py`` (on the bases of
``store/api_bases.py``) are called through their URLs on seeded data at two sizes, before
and after ``ormlint --fix --select ORM0``: ormlint reports exactly the marked lines and
nothing in the bases, the JSON is equal, a view marked ``# error:`` sends more queries for
more rows before the fix and as many at both sizes after it, and the ``# ok:`` views are
flat already and left alone.
"""

import ast
import json
import subprocess
import sys

import pytest

from django_proofs import fixed_copies, run_in_project
from test_drf_database_proof import RUNNER as DRF_RUNNER
from test_drf_fixtures import FIXTURE, marks

API = "store/api_lineage.py"
BASES = "store/api_bases.py"
SIZES = (5, 50)
#: What the fix must append, and where: view -> (the line's start after the fix).
EXPECTED_FIXES = {
    "OpenOrderViewSet": 'queryset = Order.objects.order_by("pk").select_related("customer")',
    "OrdersByActionViewSet": 'return rows.prefetch_related("lines__product")',
}

_MODULE_TEST = 'view.__module__ in ("store.api", "store.api_serializers")'
assert _MODULE_TEST in DRF_RUNNER
RUNNER = DRF_RUNNER.replace(_MODULE_TEST, 'view.__module__ == "store.api_lineage"')


def view_marks():
    """Each view of the module -> its one mark: ("error", {codes}) or ("ok", reason)."""
    source = (FIXTURE / API).read_text(encoding="utf-8")
    found = marks(FIXTURE / API)
    views = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            (mark,) = [found[row] for row in range(node.lineno, node.end_lineno + 1) if row in found]
            views[node.name] = mark
    return views


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    return fixed_copies(tmp_path_factory, FIXTURE, "lineage")


def test_findings_are_the_marked_lines_and_none_in_the_bases(copies):
    original, _ = copies
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", "--select", "ORM0", "--output-format", "json",
         str(original / API), str(original / BASES)],
        capture_output=True, text=True,
    )
    found = {(d["filename"].endswith(API), d["location"]["row"], d["code"]) for d in json.loads(completed.stdout)}
    expected = {(True, row, code) for row, (kind, codes) in marks(original / API).items() if kind == "error" for code in codes}
    assert found == expected
    assert {name for name, (kind, _) in view_marks().items() if kind == "error"} == set(EXPECTED_FIXES)


def test_the_fix_rewrites_the_marked_lines_only(copies):
    original, fixed = copies
    before = (original / API).read_text(encoding="utf-8").splitlines()
    after = (fixed / API).read_text(encoding="utf-8").splitlines()
    changed = [new.strip() for old, new in zip(before, after) if old != new]
    assert len(before) == len(after)
    assert sorted(line.split("  #")[0] for line in changed) == sorted(EXPECTED_FIXES.values())
    assert (original / BASES).read_text(encoding="utf-8") == (fixed / BASES).read_text(encoding="utf-8")


@pytest.mark.parametrize("rows", SIZES)
def test_every_view_is_routed_and_answers_the_same_after_the_fix(copies, rows):
    original, fixed = copies
    before, after = run_in_project(original, RUNNER, rows), run_in_project(fixed, RUNNER, rows)
    assert set(before) == set(after) == set(view_marks())
    for name in before:
        assert before[name]["status"] == after[name]["status"] == 200, (name, after[name])
        assert isinstance(before[name]["json"], list) and before[name]["json"], name
        assert before[name]["json"] == after[name]["json"], name


def test_marked_views_query_per_row_before_the_fix_and_not_after(copies):
    original, fixed = copies
    small, large = (run_in_project(original, RUNNER, rows) for rows in SIZES)
    fixed_small, fixed_large = (run_in_project(fixed, RUNNER, rows) for rows in SIZES)
    for name, (kind, _) in view_marks().items():
        counts = (small[name]["queries"], large[name]["queries"], fixed_small[name]["queries"], fixed_large[name]["queries"])
        if kind == "error":
            assert counts[1] > counts[0] and counts[2] == counts[3], (name, counts)
        else:
            assert counts[0] == counts[1] == counts[2] == counts[3], (name, counts)
