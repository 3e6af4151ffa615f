"""The write-loop fixes, proven on a real SQLite database.

Every public function of the fixtures' ``writes.py`` runs on freshly seeded data at two
sizes, before and after ``ormlint --fix --unsafe-fixes --select ORM2``; each function starts
from the same seeded state (the tables are emptied and seeded again before each). The
state each function reads back after its writes must be equal before and after the fix.
A function the fix rewrites (``bulk_update()`` / ``bulk_create()``) must send more queries
for more rows before the fix and as many at both sizes after it. The others must be left
alone.

The tests marked "fixture" check the fixtures themselves: the ``# error:`` loops really
write once per row (Django: queries; SQLAlchemy: commits or flushes), and the ``# ok:``
ones do not, except where writing per item is the point.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_write_loops_fixtures import EXPECTED, PROJECTS, Expected, functions, marks

SIZES = (5, 50)

DJANGO_RUNNER = r"""
import inspect, json, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
call_command("migrate", run_syncdb=True, verbosity=0)
from store.models import Customer, Invoice, Note, Order, Ticket
from store import writes

rows = int(sys.argv[1])


def seed():
    # Empty every table and restart the primary keys, then seed the same rows again.
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    for i in range(rows):
        customer = Customer.objects.create(name="customer%03d" % i)
        for j, status in enumerate(("open", "closed")):
            Order.objects.create(customer=customer, status=status, total=10 * i + j)
        Invoice.objects.create(label="invoice%03d" % i, amount=i)
        Note.objects.create(text="note%03d" % i)
        Ticket.objects.create(title="ticket%03d" % i)


report = {}
for name, function in inspect.getmembers(writes, inspect.isfunction):
    if function.__module__ != writes.__name__ or name.startswith("_"):
        continue
    seed()
    # DEBUG keeps the last 9,000 queries; a full log would hide the function's.
    reset_queries()
    try:
        with CaptureQueriesContext(connection) as context:
            result = function()
    except Exception as error:
        report[name] = {"error": "%s: %s" % (type(error).__name__, error)}
    else:
        report[name] = {"result": result, "queries": len(context.captured_queries)}
print(json.dumps(report))
"""

SQLALCHEMY_RUNNER = r"""
import inspect, json, sys
from sqlalchemy import event
from sqlalchemy.orm import Session
from library.db import SessionLocal, engine
from library.models import Author, Base, Book
from library import writes

rows = int(sys.argv[1])
counts = {"queries": 0, "commits": 0, "flushes": 0}


def seed():
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with SessionLocal() as session:
        for i in range(rows):
            author = Author(name="author%03d" % i)
            for j in range(2):
                Book(title="book%03d-%d" % (i, j), author=author)
            session.add(author)
        session.commit()


@event.listens_for(engine, "before_cursor_execute")
def count_query(*args):
    counts["queries"] += 1


@event.listens_for(engine, "commit")
def count_commit(*args):
    counts["commits"] += 1


@event.listens_for(Session, "after_flush")
def count_flush(*args):
    counts["flushes"] += 1


report = {}
for name, function in inspect.getmembers(writes, inspect.isfunction):
    if function.__module__ != writes.__name__ or name.startswith("_"):
        continue
    seed()
    with SessionLocal() as session:
        counts.update(queries=0, commits=0, flushes=0)
        try:
            result = function(session)
        except Exception as error:
            report[name] = {"error": "%s: %s" % (type(error).__name__, error)}
        else:
            report[name] = dict(counts, result=result)
print(json.dumps(report))
"""

RUNNERS = {
    "django": (DJANGO_RUNNER, {"DJANGO_SETTINGS_MODULE": "project.settings"}),
    "sqlalchemy": (SQLALCHEMY_RUNNER, {}),
}

#: ``# ok:`` functions whose queries (Django) or commits (SQLAlchemy) do grow with the rows,
#: and on which the rule must stay silent all the same: the created row is used, each row
#: is committed with its own error handling, or the loop commits but writes nothing.
PER_ITEM_ON_PURPOSE = {
    "django": {"addresses_used_after_create"},
    "sqlalchemy": {"add_sequels_one_by_one_with_rollback", "name_lengths_with_commit", "author_names_with_execute"},
}

TIMESTAMP_CHECK = r"""
import json
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", run_syncdb=True, verbosity=0)
from store.models import Customer, Ticket
from store import writes

for i in range(5):
    Customer.objects.create(name="customer%03d" % i)
started = timezone.now()
writes.open_tickets()
finished = timezone.now()
tickets = list(Ticket.objects.filter(title__startswith="help "))
print(json.dumps({
    "tickets": len(tickets),
    "opened": [t.opened is not None and started <= t.opened <= finished for t in tickets],
    "updated": [t.updated is not None and started <= t.updated <= finished for t in tickets],
}))
"""


def run(project: str, root: Path, script: str, *arguments) -> dict:
    _, environment = RUNNERS[project]
    completed = subprocess.run(
        [sys.executable, "-c", script, *map(str, arguments)],
        cwd=root, env=dict(os.environ, PYTHONPATH=str(root), **environment), capture_output=True, text=True,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


_reports = {}


def run_writes(project: str, root: Path, rows: int) -> dict:
    key = (project, str(root), rows)
    if key not in _reports:
        _reports[key] = run(project, root, RUNNERS[project][0], rows)
    return _reports[key]


def error_code(project: str, name: str):
    fixture, writes = PROJECTS[project]
    (_, kind, value), = marks(fixture / writes)[name]
    return value if kind == "error" else None


def expected(project: str, name: str) -> Expected:
    return EXPECTED[project].get(name, Expected())


def cases(fixed=None):
    return [
        pytest.param(project, name, id=f"{project}::{name}")
        for project, (fixture, writes) in PROJECTS.items()
        for name in marks(fixture / writes)
        if fixed is None or expected(project, name).fixed == fixed
    ]


def writes_per_row(project: str, name: str, entry: dict) -> int:
    """What grows with the rows when the function's loop writes each row on its own:
    Django, the queries; SQLAlchemy, the commits, or the flushes where the marked line
    flushes (flushes also happen on their own: autoflush before a lazy load)."""
    if project == "django":
        return entry["queries"]
    fixture, writes = PROJECTS[project]
    (row, _, _), = marks(fixture / writes)[name]
    line = (fixture / writes).read_text().splitlines()[row - 1]
    return entry["flushes"] if ".flush(" in line else entry["commits"]


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """Each project copied twice, (original, fixed); the second fixed with
    ``--fix --unsafe-fixes --select ORM2``. Folder names without ``test`` in them."""
    made = {}
    for project, (fixture, _) in PROJECTS.items():
        original = Path(shutil.copytree(fixture, tmp_path_factory.mktemp(f"{project}-original") / fixture.name))
        fixed = Path(shutil.copytree(fixture, tmp_path_factory.mktemp(f"{project}-fixed") / fixture.name))
        completed = subprocess.run(
            [sys.executable, "-m", "ormlint", "--no-cache", "--fix", "--unsafe-fixes", "--select", "ORM2", str(fixed)],
            capture_output=True, text=True,
        )
        assert completed.returncode in (0, 1), completed.stdout + completed.stderr
        made[project] = (original, fixed)
    return made


def sources(copies, project: str, name: str):
    original, fixed = copies[project]
    _, writes = PROJECTS[project]
    return functions((original / writes).read_text())[name], functions((fixed / writes).read_text())[name]


# --- The fixtures themselves ------------------------------------------------------------------


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_marked_loops_write_per_row_and_ok_loops_do_not(copies, project):
    original, _ = copies[project]
    small, large = (run_writes(project, original, rows) for rows in SIZES)
    fixture, writes = PROJECTS[project]
    found = marks(fixture / writes)
    assert set(small) == set(large) == set(found)
    for name in found:
        assert "error" not in small[name] and "error" not in large[name], (name, small[name], large[name])
        assert small[name]["result"] and large[name]["result"], name
        before, after = writes_per_row(project, name, small[name]), writes_per_row(project, name, large[name])
        if error_code(project, name) or name in PER_ITEM_ON_PURPOSE[project]:
            assert after > before, (name, small[name], large[name])
        else:
            assert after == before, (name, small[name], large[name])


# --- The fixes --------------------------------------------------------------------------------


@pytest.mark.parametrize("project, name", cases())
def test_same_state_after_the_fix(copies, project, name):
    original, fixed = copies[project]
    for rows in SIZES:
        before, after = run_writes(project, original, rows)[name], run_writes(project, fixed, rows)[name]
        assert "error" not in after, (rows, after, sources(copies, project, name)[1])
        assert before["result"] == after["result"], (rows, sources(copies, project, name)[1])


@pytest.mark.parametrize("project, name", cases(fixed=True))
def test_fixed_loops_no_longer_write_per_row(copies, project, name):
    before_source, after_source = sources(copies, project, name)
    assert after_source != before_source, "the fix left the function alone"
    original, fixed = copies[project]
    small, large = SIZES
    before = {rows: run_writes(project, original, rows)[name] for rows in SIZES}
    after = {rows: run_writes(project, fixed, rows)[name] for rows in SIZES}
    assert before[large]["queries"] > before[small]["queries"], before
    # bulk_update() / bulk_create() of 50 rows is one batch on SQLite.
    assert after[large]["queries"] == after[small]["queries"], (after, after_source)
    assert after[large]["queries"] < before[large]["queries"], (before, after)


@pytest.mark.parametrize("project, name", cases(fixed=False))
def test_unfixed_functions_are_left_alone(copies, project, name):
    before_source, after_source = sources(copies, project, name)
    assert after_source == before_source
    original, fixed = copies[project]
    for rows in SIZES:
        assert run_writes(project, original, rows)[name] == run_writes(project, fixed, rows)[name], rows


def test_bulk_create_sets_auto_now_and_auto_now_add_fields(copies):
    """ORM202's documentation says ``auto_now`` is no obstacle for ``bulk_create()``:
    the fixed ``open_tickets`` (``Ticket`` has ``opened`` with ``auto_now_add`` and
    ``updated`` with ``auto_now``) still stamps both fields of every row it creates."""
    assert expected("django", "open_tickets").fixed
    before_source, after_source = sources(copies, "django", "open_tickets")
    assert ".bulk_create(" in after_source and ".create(" not in after_source.replace(".bulk_create(", ""), after_source
    _, fixed = copies["django"]
    checked = run("django", fixed, TIMESTAMP_CHECK)
    assert checked["tickets"] == 5
    assert checked["opened"] == [True] * 5
    assert checked["updated"] == [True] * 5
