"""The admin N+1 fixes, proven with Django's real change list on a SQLite database.

Every ModelAdmin of the fixture project's ``store/admin.py`` serves its change list to a
logged-in superuser, on data seeded at two sizes, before and after
``ormlint --fix --select ORM0``. The table rows must be equal; a change list marked
``# error: ORM001`` must issue more queries for more rows before the fix and the same number
at both sizes after it. ORM002 has no fix in the admin: those classes must be left alone.

The tests marked "fixture" check the fixture itself (the marked change lists really query
once per row, the ``# ok:`` ones do not); they need no rule.
"""

import ast
from pathlib import Path

import pytest

from django_proofs import fixed_copies, run_in_project
from test_admin_fixtures import ADMIN, FIXTURE, admin_classes, error_code, marks

SIZES = (5, 50)

#: What the fix must leave in ``list_select_related`` of each ORM001 admin.
EXPECTED_FIXES = {
    "AddressAdmin": ("tuple", {"customer"}),
    "OrderAdmin": ("tuple", {"customer", "created_by"}),
    "NoteLogAdmin": ("tuple", {"note"}),
    "CustomerAdmin": ("tuple", {"profile"}),
    "CreatorOrderAdmin": ("tuple", {"created_by"}),
    "SecondOrderLineAdmin": ("list", {"order", "product"}),
}

RUNNER = r"""
import io, json, sys
from html.parser import HTMLParser

import django
django.setup()
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse

setup_test_environment()
call_command("check", stdout=io.StringIO())  # the admin's own checks: list_display entries exist, ...
call_command("migrate", run_syncdb=True, verbosity=0)

from store import admin as store_admin
from django_seed import seed
from store.models import Note, UrgentTicket

rows = int(sys.argv[1])
User = get_user_model()
seed(rows, orders_without_creator=True)
for i in range(rows):
    Note.objects.create(text="note%03d" % i)  # its post_save receiver writes a NoteLog
    UrgentTicket.objects.create(title="ticket%03d" % i, level=i % 3)

superuser = User.objects.create_superuser("root", "root@example.com", None)
client = Client()
client.force_login(superuser)


class ResultTable(HTMLParser):
    # The cell texts of each row of the change list's <table id="result_list">.
    def __init__(self):
        super().__init__()
        self.inside, self.rows, self.cell = False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == "result_list":
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


sites = [admin.site] + [value for value in vars(store_admin).values() if isinstance(value, AdminSite) and value is not admin.site]
report = {}
for site in sites:
    for model, model_admin in site._registry.items():
        if type(model_admin).__module__ != store_admin.__name__:
            continue
        name = "%s:%s_%s_changelist" % (site.name, model._meta.app_label, model._meta.model_name)
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse(name) + "?all=")  # every row on one page
        table = ResultTable()
        table.feed(response.content.decode())
        report[type(model_admin).__name__] = {
            "status": response.status_code,
            "header": table.rows[0] if table.rows else [],
            "rows": table.rows[1:],
            "objects": model._default_manager.count(),
            "queries": len(context.captured_queries),
        }
print(json.dumps(report))
"""

def run_admin(root: Path, rows: int) -> dict:
    return run_in_project(root, RUNNER, rows)


def class_sources(path: Path):
    source = path.read_text(encoding="utf-8")
    return {name: ast.get_source_segment(source, node) for name, node in admin_classes(source).items()}


def other_statements(path: Path):
    """Everything of the module but its ModelAdmin classes."""
    source = path.read_text(encoding="utf-8")
    classes = admin_classes(source)
    return [ast.dump(node) for node in ast.parse(source).body if not (isinstance(node, ast.ClassDef) and node.name in classes)]


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """The project copied twice, (original, fixed), the second fixed with ``--select ORM0``."""
    return fixed_copies(tmp_path_factory, FIXTURE, "admin")


# --- The fixture itself ------------------------------------------------------------------------


def test_fixture_expected_fixes_are_the_orm001_admins():
    assert set(EXPECTED_FIXES) == {name for name in marks() if error_code(name) == "ORM001"}


@pytest.mark.parametrize("rows", SIZES)
def test_fixture_every_change_list_shows_every_row(copies, rows):
    original, _ = copies
    report = run_admin(original, rows)
    assert set(report) == set(marks())
    for name, page in report.items():
        assert page["status"] == 200, name
        assert page["objects"] >= rows and len(page["rows"]) == page["objects"], (name, page["objects"], len(page["rows"]))
        assert all(len(row) == len(page["header"]) for row in page["rows"]), name


def test_fixture_marked_change_lists_query_per_row_and_ok_ones_do_not(copies):
    original, _ = copies
    small, large = (run_admin(original, rows) for rows in SIZES)
    for name in marks():
        if error_code(name):
            assert large[name]["queries"] > small[name]["queries"], (name, small[name]["queries"], large[name]["queries"])
        else:
            assert large[name]["queries"] == small[name]["queries"], (name, small[name]["queries"], large[name]["queries"])


# --- The fix -----------------------------------------------------------------------------------


def test_fix_rewrites_exactly_the_orm001_admins(copies):
    original, fixed = copies
    before, after = class_sources(original / ADMIN), class_sources(fixed / ADMIN)
    assert set(before) == set(after)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == set(EXPECTED_FIXES)
    assert other_statements(original / ADMIN) == other_statements(fixed / ADMIN)


def test_fix_writes_list_select_related(copies):
    _, fixed = copies
    classes = admin_classes((fixed / ADMIN).read_text(encoding="utf-8"))
    for name, (kind, paths) in EXPECTED_FIXES.items():
        (value,) = [
            statement.value
            for statement in classes[name].body
            if isinstance(statement, ast.Assign) and [ast.unparse(t) for t in statement.targets] == ["list_select_related"]
        ]
        assert type(value).__name__.lower() == kind, (name, ast.unparse(value))
        assert {element.value for element in value.elts} == paths, (name, ast.unparse(value))


@pytest.mark.parametrize("rows", SIZES)
def test_fixed_change_lists_show_the_same_rows(copies, rows):
    original, fixed = copies
    before, after = run_admin(original, rows), run_admin(fixed, rows)
    assert set(before) == set(after)
    for name in before:
        assert after[name]["status"] == 200, name
        assert (before[name]["header"], before[name]["rows"]) == (after[name]["header"], after[name]["rows"]), name


def test_fixed_change_lists_no_longer_query_per_row(copies):
    original, fixed = copies
    small, large = SIZES
    before = {rows: run_admin(original, rows) for rows in SIZES}
    after = {rows: run_admin(fixed, rows) for rows in SIZES}
    for name in EXPECTED_FIXES:
        assert before[large][name]["queries"] > before[small][name]["queries"], name
        assert after[large][name]["queries"] == after[small][name]["queries"], (name, after[small][name], after[large][name])
        assert after[large][name]["queries"] < before[large][name]["queries"], name


def test_orm002_admins_are_left_alone_and_still_query_per_row(copies):
    original, fixed = copies
    before, after = class_sources(original / ADMIN), class_sources(fixed / ADMIN)
    unfixed = [name for name in marks() if error_code(name) == "ORM002"]
    assert unfixed
    small, large = SIZES
    for name in unfixed:
        assert before[name] == after[name], name
        assert run_admin(fixed, large)[name]["queries"] > run_admin(fixed, small)[name]["queries"], name
