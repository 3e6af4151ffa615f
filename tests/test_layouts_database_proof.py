"""The N+1 fixes in the layout projects, proven on a real SQLite database.

The projects of ``tests/fixtures/layouts/`` (see tests/test_index_layouts.py) are found by
the project index through unusual layouts; this proves that what ``ormlint --fix`` writes
there is right, not only that the loops are found:

- ``star_exports`` (Django): models re-exported by ``from .order import *`` and used through
  ``from shop.models import *``; the loops of ``shop/views.py`` and ``shop/reports.py``.
- ``generic_and_dynamic/notes`` (Django with ``django.contrib.contenttypes``, no settings
  module: configured in the runner): a ``GenericRelation`` and a ``GenericForeignKey`` read
  per row, fixed with ``prefetch_related()``.
- ``generic_and_dynamic/forum`` (SQLAlchemy 2.0): a relationship declared by
  ``@declared_attr`` in a mixin, read per row, fixed with ``joinedload()``.
- ``user_model`` (Django, ``AUTH_USER_MODEL = "accounts.Member"``): ``User =
  get_user_model()`` and ``apps.get_model("teams", "Team")``; the ORM001 loops are fixed, the
  ORM004 loop has no fix and must be left as it was, still reported.

Each layout folder is copied twice to a temporary folder and the second copy is fixed with
``ormlint --no-cache --fix``. Every public function of the listed modules is then called
before and after the fix on seeded data at two sizes, each project and size in a fresh
process (its own Django settings, its own in-memory or working-folder SQLite database),
counting the queries of each call (Django: ``CaptureQueriesContext``; SQLAlchemy: the
engine's ``before_cursor_execute``). Results must be equal before and after the fix; a loop
marked ``# error: ORM001/ORM002/ORM003`` must send more queries for more rows before the fix
and as many at both sizes after it.

The tests marked "fixture" check the fixtures themselves; they need no rule.
"""

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
SIZES = (5, 50)
MARK = re.compile(r"#\s*(?:error:\s*(?P<code>ORM\d{3})|ok:\s*\S)")
FIXED_BY_RULES = {"ORM001", "ORM002", "ORM003"}

# --- The runner scripts -------------------------------------------------------------------------
#
# A runner is SETUP + SEED + CALLS, run as ``python -c RUNNER rows modules.json`` with the copy
# of the layout on PYTHONPATH and an empty working folder. SEED seeds ``rows`` rows and sets
# ``EXTRA``: "module:function" -> the arguments after the request or session; CALLS calls
# every public function of the modules (but those in "skip") and prints, as JSON,
# "module:function" -> {"result", "queries"}.

DJANGO_SETUP = r"""
import inspect, json, os, sys
import django
from django.conf import settings
if "DJANGO_SETTINGS_MODULE" not in os.environ:
    settings.configure(**CONFIGURE)
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
call_command("migrate", run_syncdb=True, verbosity=0)
request = RequestFactory().get("/")


def before_call():
    pass


def call(function, extra):
    parameters = list(inspect.signature(function).parameters)
    arguments = ([request] if parameters[:1] == ["request"] else []) + list(extra)
    assert len(arguments) == len(parameters), (function.__name__, parameters, extra)
    before_call()
    with CaptureQueriesContext(connection) as context:
        result = function(*arguments)
        if hasattr(result, "status_code"):
            assert result.status_code == 200, (function.__name__, result.status_code)
            result = json.loads(result.content)
    return result, len(context.captured_queries)
"""

SQLALCHEMY_SETUP = r"""
import inspect, json, sys
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

engine = create_engine("sqlite://")
queries = [0]


@event.listens_for(engine, "before_cursor_execute")
def count(*args):
    queries[0] += 1


def call(function, extra):
    parameters = list(inspect.signature(function).parameters)
    assert len(parameters) == 1 + len(extra) and parameters[0] == "session", (function.__name__, parameters, extra)
    with Session(engine) as session:
        queries[0] = 0
        result = function(session, *extra)
        return result, queries[0]
"""

CALLS = r"""
import importlib
plan = json.loads(sys.argv[2])
report = {}
for path in plan["modules"]:
    module = importlib.import_module(path[: -len(".py")].replace("/", "."))
    for name, function in inspect.getmembers(module, inspect.isfunction):
        key = "%s:%s" % (path, name)
        if function.__module__ != module.__name__ or name.startswith("_") or key in plan["skip"]:
            continue
        result, count = call(function, EXTRA.get(key, ()))
        report[key] = {"result": result, "queries": count}
print(json.dumps(report))
"""

STAR_EXPORTS_SEED = r"""
rows = int(sys.argv[1])
from shop.models import Customer, Order

for i in range(rows):
    customer = Customer.objects.create(
        name="customer%03d" % (rows - i), street="street %d" % i, city="city%03d" % i, country=("NL", "BE")[i % 2]
    )
    for j, status in enumerate(("open", "paid", "closed", "open")):
        Order.objects.create(customer=customer, status=status, total="%d.%02d" % (i, j))
first = Customer.objects.order_by("pk").first().pk
EXTRA = {"shop/views.py:has_open_orders": [first], "shop/views.py:has_many_orders": [first]}
"""

NOTES_SEED = r"""
rows = int(sys.argv[1])
from django.contrib.contenttypes.models import ContentType
from notes.models import Note, Project

about_notes = []
for i in range(rows):
    project = Project.objects.create(name="project%03d" % (rows - i))
    about_notes.append(Note.objects.create(target=project, text="note %d-a" % i))
    Note.objects.create(target=project, text="note %d-b" % i)
# Notes about notes: the GenericForeignKey points at two content types.
for i, note in enumerate(about_notes):
    Note.objects.create(target=note, text="remark %d" % i)
EXTRA = {}


def before_call():
    # Each call looks its content types up itself, whatever ran before it.
    ContentType.objects.clear_cache()
"""

FORUM_SEED = r"""
rows = int(sys.argv[1])
from forum.models import Base, Member, Post, Topic

Base.metadata.create_all(engine)
with Session(engine) as session:
    members = [Member(name="member%03d" % i) for i in range(rows)]
    session.add_all(members)
    session.flush()
    for i, member in enumerate(members):
        # One topic per member, the titles in the opposite order of the owners.
        topic = Topic(title="topic%03d" % (rows - i), owner=member)
        session.add(topic)
        session.flush()
        for j in range(3):
            session.add(Post(body="post %d-%d" % (i, j), hidden=j == 2, member_id=member.id, topic_id=topic.id))
    session.commit()
    EXTRA = {"forum/views.py:has_visible_posts": [members[0].id], "forum/views.py:is_prolific": [members[0].id]}
"""

USER_MODEL_SEED = r"""
rows = int(sys.argv[1])
from django.contrib.auth import get_user_model
from teams.models import Membership, Team

teams = [Team.objects.create(name="team%03d" % i) for i in range(rows)]
for i in range(rows):
    # Every third member has no team: ``u.team_id`` is None and ``u.team`` is not read.
    member = get_user_model().objects.create(username="member%03d" % (rows - i), team=None if i % 3 == 0 else teams[i])
    Membership.objects.create(user=member, team=teams[i], role="owner")
    Membership.objects.create(user=member, team=teams[(i + 1) % rows], role="member")
EXTRA = {}
"""


@dataclass(frozen=True)
class Project:
    layout: str  # the folder of tests/fixtures/layouts/ that is copied and fixed as a whole
    modules: tuple  # the modules whose public functions are called
    runner: str
    settings: str = ""  # DJANGO_SETTINGS_MODULE, for a project that has a settings module
    skip: tuple = ()  # "module:function" not called, and why in a comment


PROJECTS = {
    "star_exports": Project(
        "star_exports",
        ("shop/views.py", "shop/reports.py"),
        DJANGO_SETUP + STAR_EXPORTS_SEED + CALLS,
        settings="settings",
        # Writes statements to /var/spool/shop/outbox; it has no N+1 loop.
        skip=("shop/reports.py:write_statements",),
    ),
    "notes": Project(
        "generic_and_dynamic",
        ("notes/views.py",),
        "CONFIGURE = dict(\n"
        "    INSTALLED_APPS=['django.contrib.contenttypes', 'notes'],\n"
        "    DATABASES={'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}},\n"
        "    DEFAULT_AUTO_FIELD='django.db.models.BigAutoField',\n"
        ")\n" + DJANGO_SETUP + NOTES_SEED + CALLS,
    ),
    "forum": Project("generic_and_dynamic", ("forum/views.py",), SQLALCHEMY_SETUP + FORUM_SEED + CALLS),
    "user_model": Project("user_model", ("teams/views.py",), DJANGO_SETUP + USER_MODEL_SEED + CALLS, settings="config.settings"),
}

#: What the fix must write into each loop it rewrites.
EXPECTED_FIXES = {
    "star_exports": {
        "shop/views.py:open_orders": '.select_related("customer")',
        "shop/views.py:customer_totals": '.prefetch_related("orders")',
        "shop/reports.py:paid_order_lines": '.select_related("customer")',
    },
    "notes": {
        "notes/views.py:project_notes": '.prefetch_related("notes")',
        "notes/views.py:note_targets": '.prefetch_related("target")',
    },
    "forum": {
        "forum/views.py:topic_owners": ".options(joinedload(Topic.owner))",
    },
    "user_model": {
        "teams/views.py:user_teams": '.select_related("team")',
        "teams/views.py:roles": '.select_related("user")',
    },
}


def functions(root: Path, module: str):
    """The public top-level functions of a module: "module:name" -> (source, error codes)."""
    source = (root / module).read_text(encoding="utf-8")
    lines = source.splitlines()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            codes = {m["code"] for m in map(MARK.search, lines[node.lineno - 1 : node.end_lineno]) if m and m["code"]}
            found[f"{module}:{node.name}"] = (ast.get_source_segment(source, node), codes)
    return found


def marked(project: str):
    """ "module:name" -> the ``# error:`` codes in that function of the fixture (maybe none)."""
    spec = PROJECTS[project]
    found = {}
    for module in spec.modules:
        for key, (_, codes) in functions(LAYOUTS / spec.layout, module).items():
            if key not in spec.skip:
                found[key] = codes
    return found


def fixed_loops(project: str):
    return sorted(key for key, codes in marked(project).items() if codes & FIXED_BY_RULES)


def findings(root: Path):
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", "--output-format", "json", str(root)],
        capture_output=True, text=True,
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return sorted(
        (Path(d["filename"]).resolve().relative_to(root.resolve()).as_posix(), d["location"]["row"], d["code"], d["message"])
        for d in json.loads(completed.stdout)
    )


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """Layout folder -> (original, fixed): copied twice, the second fixed with ``--fix``."""
    made = {}
    for layout in sorted({spec.layout for spec in PROJECTS.values()}):
        # Folder names without ``test``: per-file-ignores match ``*/test_*.py`` on the full path.
        original = Path(shutil.copytree(LAYOUTS / layout, tmp_path_factory.mktemp("layoutproof-original") / layout))
        fixed = Path(shutil.copytree(LAYOUTS / layout, tmp_path_factory.mktemp("layoutproof-fixed") / layout))
        completed = subprocess.run(
            [sys.executable, "-m", "ormlint", "--no-cache", "--fix", str(fixed)],
            capture_output=True, text=True,
        )
        assert completed.returncode in (0, 1), completed.stdout + completed.stderr
        made[layout] = (original, fixed)
    return made


_reports = {}


def run(project: str, root: Path, rows: int, tmp_path_factory) -> dict:
    """Call the project's functions in a fresh process on ``rows`` seeded rows, once."""
    key = (project, str(root), rows)
    if key not in _reports:
        spec = PROJECTS[project]
        environment = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
        environment["PYTHONPATH"] = str(root)
        if spec.settings:
            environment["DJANGO_SETTINGS_MODULE"] = spec.settings
        plan = json.dumps({"modules": spec.modules, "skip": spec.skip})
        completed = subprocess.run(
            [sys.executable, "-c", spec.runner, str(rows), plan],
            # An empty working folder: the settings' relative SQLite file is new at every run.
            cwd=tmp_path_factory.mktemp("layoutproof-run"), env=environment, capture_output=True, text=True,
        )
        assert completed.returncode == 0, completed.stderr
        _reports[key] = json.loads(completed.stdout)
    return _reports[key]


@pytest.fixture
def runs(copies, tmp_path_factory):
    """runs(project, "original" | "fixed", rows) -> the report of that run."""
    def report(project, which, rows):
        original, fixed = copies[PROJECTS[project].layout]
        return run(project, original if which == "original" else fixed, rows, tmp_path_factory)
    return report


# --- The fixtures themselves ------------------------------------------------------------------


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_expected_fixes_are_the_marked_loops(project):
    assert fixed_loops(project) == sorted(EXPECTED_FIXES[project])


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_marked_loops_query_per_row_and_the_others_do_not(runs, project):
    small, large = (runs(project, "original", rows) for rows in SIZES)
    assert set(small) == set(large) == set(marked(project))
    for name, codes in marked(project).items():
        if name in EXPECTED_FIXES[project]:
            assert small[name]["result"] != large[name]["result"], name  # the loop reads the seeded rows
        per_row = bool(codes & (FIXED_BY_RULES | {"ORM004"}))
        assert (large[name]["queries"] > small[name]["queries"]) == per_row, (name, small[name]["queries"], large[name]["queries"])


# --- The fixes --------------------------------------------------------------------------------


@pytest.mark.parametrize("project", PROJECTS)
def test_fix_rewrites_the_marked_loops(copies, project):
    """Each N+1 loop gets its fix; a function with no ``# error:`` mark is left alone."""
    spec = PROJECTS[project]
    original, fixed = copies[spec.layout]
    for module in spec.modules:
        before, after = functions(original, module), functions(fixed, module)
        assert set(before) == set(after)
        for key, (source, codes) in before.items():
            if key in EXPECTED_FIXES[project]:
                assert EXPECTED_FIXES[project][key] in after[key][0], after[key][0]
            elif not codes - {"ORM004"}:
                assert after[key][0] == source, key


@pytest.mark.parametrize("layout", sorted({spec.layout for spec in PROJECTS.values()}))
def test_fixed_loops_are_no_longer_reported(copies, layout):
    """After the fix only the findings without a fix remain, word for word as before."""
    original, fixed = copies[layout]
    remaining = [f for f in findings(original) if f[2] not in FIXED_BY_RULES and f[2] != "ORM101"]
    assert [f for f in findings(fixed) if f[2] != "ORM101"] == remaining


@pytest.mark.parametrize("rows", SIZES)
@pytest.mark.parametrize("project", PROJECTS)
def test_fixed_functions_return_the_same_results(runs, project, rows):
    before, after = runs(project, "original", rows), runs(project, "fixed", rows)
    assert set(before) == set(after)
    for name in before:
        assert after[name]["result"] == before[name]["result"], name


@pytest.mark.parametrize("project, name", [(project, name) for project in PROJECTS for name in fixed_loops(project)])
def test_fixed_loops_no_longer_query_per_row(runs, project, name):
    small, large = SIZES
    before = {rows: runs(project, "original", rows)[name]["queries"] for rows in SIZES}
    after = {rows: runs(project, "fixed", rows)[name]["queries"] for rows in SIZES}
    assert before[large] > before[small], before
    assert after[large] == after[small], (before, after)
    assert after[large] < before[large], (before, after)


def test_orm004_loop_is_left_as_it_was(copies, runs):
    """``t.membership_set.count()`` per team has no fix: unchanged, reported, still per row."""
    original, fixed = copies["user_model"]
    name = "teams/views.py:team_sizes"
    assert functions(fixed, "teams/views.py")[name] == functions(original, "teams/views.py")[name]
    orm004 = [f for f in findings(original) if f[2] == "ORM004"]
    assert orm004 and [f for f in findings(fixed) if f[2] == "ORM004"] == orm004
    small, large = SIZES
    for rows in SIZES:
        assert runs("user_model", "fixed", rows)[name] == runs("user_model", "original", rows)[name]
    assert runs("user_model", "fixed", large)[name]["queries"] > runs("user_model", "fixed", small)[name]["queries"]
