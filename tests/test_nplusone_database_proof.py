"""The N+1 fixes, proven on a real SQLite database.

Every function of the fixtures' ``loops.py`` runs against seeded data at two sizes, before
and after ``ormlint --fix --select ORM0``. The results must be equal; a loop marked
``# error: ORM001/ORM002/ORM003`` must issue more queries for more rows before the fix and
the same number of queries at both sizes after it. ORM004 has no fix: its functions must be
left alone and still return the same results.

The tests marked "fixture" check the fixtures themselves (each function has one mark, the
marked loops really issue a query per row and the ``# ok:`` ones do not); they need no rule.
"""

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SIZES = (5, 50)
#: Where ``django_seed`` lives, for the runner scripts.
SEED_FOLDER = str(Path(__file__).parent)
MARK = re.compile(r"#\s*(?:error:\s*(?P<code>ORM\d{3})|ok:\s*(?P<reason>\S.*))")
FIXED_BY_RULES = {"ORM001", "ORM002", "ORM003"}

DJANGO_RUNNER = r"""
import inspect, json, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
call_command("migrate", run_syncdb=True, verbosity=0)
from django_seed import seed
from store import loops

rows = int(sys.argv[1])
seed(rows)

report = {}
for name, function in inspect.getmembers(loops, inspect.isfunction):
    if function.__module__ != loops.__name__ or name.startswith("_"):
        continue
    with CaptureQueriesContext(connection) as context:
        result = function()
    report[name] = {"result": result, "queries": len(context.captured_queries)}
print(json.dumps(report))
"""

SQLALCHEMY_RUNNER = r"""
import inspect, json, sys
from sqlalchemy import event
from library.db import SessionLocal, engine
from library.models import Author, Base, Book, Review, Tag
from library import loops

Base.metadata.create_all(engine)
rows = int(sys.argv[1])
with SessionLocal() as session:
    tags = [Tag(name="tag%d" % i) for i in range(3)]
    for i in range(rows):
        author = Author(name="author%03d" % i)
        for j in range(2):
            Book(
                title="book%03d-%d" % (i, j),
                author=author,
                tags=[tags[(i + j) % 3], tags[(i + j + 1) % 3]],
                reviews=[Review(stars=(i + j) % 5 + 1)],
            )
        session.add(author)
    session.commit()

queries = [0]

@event.listens_for(engine, "before_cursor_execute")
def count(*args):
    queries[0] += 1

report = {}
for name, function in inspect.getmembers(loops, inspect.isfunction):
    if function.__module__ != loops.__name__ or name.startswith("_"):
        continue
    with SessionLocal() as session:
        queries[0] = 0
        result = function(session)
        report[name] = {"result": result, "queries": queries[0]}
print(json.dumps(report))
"""

PROJECTS = {
    "django": (FIXTURES / "django_project", "store/loops.py", DJANGO_RUNNER, {"DJANGO_SETTINGS_MODULE": "project.settings"}),
    "sqlalchemy": (FIXTURES / "sqlalchemy_project", "library/loops.py", SQLALCHEMY_RUNNER, {}),
}

#: What the fix must write into each N+1 function: the method (Django) or loader
#: (SQLAlchemy) and the relations it names.
EXPECTED_FIXES = {
    "order_customer_names": ("select_related", {"customer"}),
    "line_customer_names": ("select_related", {"order__customer"}),
    "open_order_customers": ("select_related", {"customer"}),
    "order_creators_and_customers": ("select_related", {"created_by", "customer"}),
    "line_product_names": ("select_related", {"product"}),
    "customer_bios": ("select_related", {"profile"}),
    "quantity_per_order": ("prefetch_related", {"lines"}),
    "product_tag_names": ("prefetch_related", {"tags"}),
    "customer_cities": ("prefetch_related", {"address_set"}),
    "book_author_names": ("joinedload", {"Book.author"}),
    "author_book_titles": ("selectinload", {"Author.books"}),
    "book_tag_names": ("selectinload", {"Book.tags"}),
    "book_tag_names_with_authors": ("selectinload", {"Book.tags"}),
    "author_book_counts_by_book": ("selectinload", {"Author.books"}),
}


def functions(source: str):
    """The public top-level functions of a module: name -> its source text."""
    tree = ast.parse(source)
    return {
        node.name: ast.get_source_segment(source, node)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }


def marks(path: Path):
    """Each public function of ``loops.py`` -> its marks: ("error", code) or ("ok", reason)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            found[node.name] = [
                ("error", match["code"]) if match["code"] else ("ok", match["reason"])
                for match in map(MARK.search, lines[node.lineno - 1 : node.end_lineno])
                if match
            ]
    return found


def error_code(project: str, name: str):
    (kind, value), = marks(PROJECTS[project][0] / PROJECTS[project][1])[name]
    return value if kind == "error" else None


_reports = {}


def run_loops(project: str, root: Path, rows: int) -> dict:
    key = (project, str(root), rows)
    if key not in _reports:
        _, _, runner, environment = PROJECTS[project]
        completed = subprocess.run(
            [sys.executable, "-c", runner, str(rows)],
            cwd=root, env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), SEED_FOLDER]), **environment), capture_output=True, text=True,
        )
        assert completed.returncode == 0, completed.stderr
        _reports[key] = json.loads(completed.stdout)
    return _reports[key]


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """Each project copied twice: (original, copy to fix); nothing is fixed yet."""
    made = {}
    for project, (fixture, _, _, _) in PROJECTS.items():
        original = tmp_path_factory.mktemp(f"{project}-original") / fixture.name
        fixed = tmp_path_factory.mktemp(f"{project}-fixed") / fixture.name
        shutil.copytree(fixture, original)
        shutil.copytree(fixture, fixed)
        made[project] = (original, fixed)
    return made


@pytest.fixture(scope="module")
def fixed(copies):
    """Run ``ormlint --fix --select ORM0`` on the second copy of each project, once."""
    for project, (_, copy) in copies.items():
        completed = subprocess.run(
            [sys.executable, "-m", "ormlint", "--no-cache", "--fix", "--select", "ORM0", str(copy)],
            capture_output=True, text=True,
        )
        assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return copies


@pytest.fixture
def projects(fixed, request):
    """(original, fixed) of one project; fails when the fix left ``loops.py`` as it was."""
    project = request.param
    original, copy = fixed[project]
    loops = PROJECTS[project][1]
    assert (copy / loops).read_text() != (original / loops).read_text(), f"ormlint --fix did not change {loops}"
    return original, copy


# --- The fixtures themselves ------------------------------------------------------------------


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_every_function_has_one_mark(project):
    fixture, loops, _, _ = PROJECTS[project]
    found = marks(fixture / loops)
    assert found
    for name, function_marks in found.items():
        assert len(function_marks) == 1, (name, function_marks)
    kinds = [function_marks[0][0] for function_marks in found.values()]
    assert kinds.count("ok") >= kinds.count("error") > 0
    fixable = {name for name in found if error_code(project, name) in FIXED_BY_RULES}
    assert fixable == {name for name in EXPECTED_FIXES if name in found}


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_marked_loops_query_per_row_and_ok_loops_do_not(copies, project):
    original, _ = copies[project]
    small, large = (run_loops(project, original, rows) for rows in SIZES)
    found = marks(PROJECTS[project][0] / PROJECTS[project][1])
    assert set(small) == set(large) == set(found)
    for name in found:
        assert small[name]["result"] and large[name]["result"], name
        if error_code(project, name):
            assert large[name]["queries"] > small[name]["queries"], (name, small[name], large[name])
        else:
            assert large[name]["queries"] == small[name]["queries"], (name, small[name], large[name])


# --- The fixes ------------------------------------------------------------------------------


@pytest.mark.parametrize("projects", PROJECTS, indirect=True)
def test_fix_rewrites_only_the_n_plus_one_functions(projects, request):
    project = request.node.callspec.params["projects"]
    original, copy = projects
    loops = PROJECTS[project][1]
    before = functions((original / loops).read_text())
    after = functions((copy / loops).read_text())
    assert set(before) == set(after)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {name for name in before if error_code(project, name) in FIXED_BY_RULES}
    for name in changed:
        method, relations = EXPECTED_FIXES[name]
        calls = [
            node for node in ast.walk(ast.parse(after[name]))
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == method
        ]
        if method in ("select_related", "prefetch_related"):
            # One call, extended rather than repeated, naming the relations as strings.
            assert len(calls) == 1, (name, after[name])
            assert {arg.value for arg in calls[0].args if isinstance(arg, ast.Constant)} == relations, after[name]
        else:
            assert {ast.unparse(arg) for call in calls for arg in call.args} == relations, after[name]
            assert ".options(" in after[name], after[name]


@pytest.mark.parametrize("rows", SIZES)
@pytest.mark.parametrize("projects", PROJECTS, indirect=True)
def test_fixed_functions_return_the_same_results(projects, rows, request):
    project = request.node.callspec.params["projects"]
    original, copy = projects
    before, after = run_loops(project, original, rows), run_loops(project, copy, rows)
    assert set(before) == set(after)
    for name in before:
        assert before[name]["result"] == after[name]["result"], name


@pytest.mark.parametrize("projects", PROJECTS, indirect=True)
def test_fixed_functions_no_longer_query_per_row(projects, request):
    project = request.node.callspec.params["projects"]
    original, copy = projects
    before = {rows: run_loops(project, original, rows) for rows in SIZES}
    after = {rows: run_loops(project, copy, rows) for rows in SIZES}
    small, large = SIZES
    checked = 0
    for name in before[small]:
        if error_code(project, name) not in FIXED_BY_RULES:
            continue  # ORM004 has no fix; the ``# ok:`` functions have no N+1 to remove
        checked += 1
        assert before[large][name]["queries"] > before[small][name]["queries"], name
        assert after[large][name]["queries"] == after[small][name]["queries"], (name, after[small][name], after[large][name])
        assert after[large][name]["queries"] < before[large][name]["queries"], name
    assert checked
