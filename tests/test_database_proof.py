"""The existence and counting fixes, proven on a real SQLite database.

The fixture project's functions run before and after ``ormlint --fix`` against seeded data
at two sizes; the results must be equal, and the fixed code must ask the database for one
row or one number instead of transferring every row.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ormlint.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "django_project"
FUNCTIONS = ["has_open_orders", "has_no_orders", "has_big_orders", "number_of_orders", "customers_exist", "any_closed"]

RUNNER = r"""
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
call_command("migrate", run_syncdb=True, verbosity=0)
from store.models import Customer, Order
from store import queries

rows = int(sys.argv[1])
busy = Customer.objects.create(name="busy")
Customer.objects.create(name="idle")
Order.objects.bulk_create(
    Order(customer=busy, status="open" if i %% 2 else "closed", total=i * 10) for i in range(rows)
)
report = {}
for name in %r:
    results, sql = [], []
    for customer in Customer.objects.order_by("pk"):
        function = getattr(queries, name)
        with CaptureQueriesContext(connection) as context:
            results.append(function() if name == "customers_exist" else function(customer.pk))
        sql.extend(q["sql"] for q in context.captured_queries)
    report[name] = {"results": results, "sql": sql}
print(json.dumps(report))
""" % (FUNCTIONS,)


def run_queries(project: Path, rows: int) -> dict:
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE="project.settings", PYTHONPATH=str(project))
    completed = subprocess.run(
        [sys.executable, "-c", RUNNER, str(rows)], cwd=project, env=environment, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    original = tmp_path_factory.mktemp("original") / "project"
    fixed = tmp_path_factory.mktemp("fixed") / "project"
    shutil.copytree(FIXTURE, original)
    shutil.copytree(FIXTURE, fixed)
    # Only the ORM1 rules: the N+1 loops of store/loops.py are proven by test_nplusone_database_proof.py.
    result = CliRunner().invoke(main, ["--fix", "--select", "ORM1", str(fixed)])
    assert "6 fixed, 0 remaining" in result.output, result.output
    assert (fixed / "store" / "queries.py").read_text() != (original / "store" / "queries.py").read_text()
    return original, fixed


@pytest.mark.parametrize("rows", [5, 50])
def test_fixed_functions_return_the_same_results(projects, rows):
    original, fixed = projects
    before, after = run_queries(original, rows), run_queries(fixed, rows)
    for name in FUNCTIONS:
        assert before[name]["results"] == after[name]["results"], name


def test_fixed_functions_no_longer_fetch_every_row(projects):
    original, fixed = projects
    before, after = run_queries(original, 50), run_queries(fixed, 50)
    for name in FUNCTIONS:
        old_sql, new_sql = before[name]["sql"], after[name]["sql"]
        assert len(new_sql) == len(old_sql), name
        for old, new in zip(old_sql, new_sql):
            assert old != new, name
            # One row (EXISTS is ``SELECT 1 ... LIMIT 1``) or one number, never the rows' columns.
            selected = new.split(" FROM ")[0]
            assert "LIMIT 1" in new or selected.startswith("SELECT COUNT("), (name, new)
            assert '"total"' not in selected and '"name"' not in selected, (name, new)
