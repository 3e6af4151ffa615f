"""The admin N+1 fixes, proven with Django's real change list and change form on a SQLite
database.

Every ModelAdmin of the fixture project's admin modules (``store/admin.py``,
``store/admin_written.py``) serves its change list to a logged-in superuser, on data seeded
at two sizes, before and after ``ormlint --fix --select ORM0``. The table rows must be
equal; a change list marked ``# error:`` must issue more queries for more rows before the
fix and the same number at both sizes after it. ORM002 has no fix in a change list without
its own ``get_queryset()``: those classes must be left alone. Each inline is shown on the
change form of one parent that holds every row of its model, with the same rules.

The tests marked "fixture" check the fixture itself (the marked change lists really query
once per row, the ``# ok:`` ones do not); they need no rule.
"""

import ast
from pathlib import Path

import pytest

from django_proofs import fixed_copies, run_in_project
from test_admin_fixtures import ADMIN, FIXTURE, MODULES, WRITTEN, admin_classes, error_code, marks

SIZES = (5, 50)

#: What the fix must leave in ``list_select_related`` of each ORM001 admin of ``store/admin.py``.
EXPECTED_FIXES = {
    "AddressAdmin": ("tuple", {"customer"}),
    "OrderAdmin": ("tuple", {"customer", "created_by"}),
    "NoteLogAdmin": ("tuple", {"note"}),
    "CustomerAdmin": ("tuple", {"profile"}),
    "CreatorOrderAdmin": ("tuple", {"created_by"}),
    "SecondOrderLineAdmin": ("list", {"order", "product"}),
}

#: What the fix must write in each class of ``store/admin_written.py`` it changes: the
#: queryset that feeds the page, or ``list_select_related`` where Django applies it.
WRITTEN_FIXES = {
    "AnnotatedAddressAdmin": 'list_select_related = ("customer",)',
    "SelectingShipmentAdmin": 'return shipments.select_related("customer", "customer__profile")',
    "CountedProductAdmin": '.annotate(tag_count=Count("tags")).prefetch_related("tags")',
    "MixedProfileAdmin": 'list_select_related = ("customer",)',
    "BasedShipmentAdmin": 'list_select_related = ("customer__profile",)',
    "ShipmentInline": 'return super().get_queryset(request).select_related("customer__profile")',
}

#: The classes each module's fix changes.
FIXED_CLASSES = {ADMIN: set(EXPECTED_FIXES), WRITTEN: set(WRITTEN_FIXES)}

RUNNER = r"""
import importlib, io, json, sys
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


report = {}
for module, module_name in ADMIN_MODULES.items():
    admin_module = importlib.import_module(module_name)
    sites = [admin.site] + [value for value in vars(admin_module).values() if isinstance(value, AdminSite) and value is not admin.site]
    report[module] = {}
    for site in sites:
        for model, model_admin in site._registry.items():
            if type(model_admin).__module__ != module_name:
                continue
            name = "%s:%s_%s_changelist" % (site.name, model._meta.app_label, model._meta.model_name)
            with CaptureQueriesContext(connection) as context:
                response = client.get(reverse(name) + "?all=")  # every row on one page
            table = ResultTable()
            table.feed(response.content.decode())
            report[module][type(model_admin).__name__] = {
                "status": response.status_code,
                "header": table.rows[0] if table.rows else [],
                "rows": table.rows[1:],
                "objects": model._default_manager.count(),
                "queries": len(context.captured_queries),
            }
print(json.dumps(report))
"""

INLINE_RUNNER = r"""
import importlib, io, json, re, sys

import django
django.setup()
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.forms.models import _get_foreign_key
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse

setup_test_environment()
call_command("migrate", run_syncdb=True, verbosity=0)

from django_seed import seed

rows = int(sys.argv[1])
seed(rows, orders_without_creator=True)
superuser = get_user_model().objects.create_superuser("root", "root@example.com", None)
client = Client()
client.force_login(superuser)

report = {}
for module, module_name in ADMIN_MODULES.items():
    admin_module = importlib.import_module(module_name)
    sites = [admin.site] + [value for value in vars(admin_module).values() if isinstance(value, AdminSite) and value is not admin.site]
    report[module] = {}
    for site in sites:
        for model, model_admin in site._registry.items():
            if type(model_admin).__module__ != module_name:
                continue
            for inline in model_admin.inlines:
                # One parent holds every row of the inline's model: its change form shows them all.
                key = _get_foreign_key(model, inline.model)
                parent = model._default_manager.order_by("pk").first()
                inline.model._default_manager.update(**{key.name: parent})
                name = "%s:%s_%s_change" % (site.name, model._meta.app_label, model._meta.model_name)
                with CaptureQueriesContext(connection) as context:
                    response = client.get(reverse(name, args=[parent.pk]))
                page = response.content.decode()
                report[module][inline.__name__] = {
                    "status": response.status_code,
                    "page": re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page),
                    "shown": page.count("has_original"),
                    "objects": inline.model._default_manager.count(),
                    "queries": len(context.captured_queries),
                }
print(json.dumps(report))
"""


def run_admin(root: Path, rows: int, module: str = ADMIN) -> dict:
    """The change lists of the admins of ``module``, by class."""
    return run_in_project(root, with_modules(RUNNER), rows)[module]


def run_inlines(root: Path, rows: int, module: str = WRITTEN) -> dict:
    """The change forms that show the inlines of ``module``, by inline class."""
    return run_in_project(root, with_modules(INLINE_RUNNER), rows)[module]


def with_modules(runner: str) -> str:
    """The runner script, given the admin modules to serve: path -> module name."""
    names = {module: module.removesuffix(".py").replace("/", ".") for module in MODULES}
    return f"ADMIN_MODULES = {names!r}\n{runner}"


def inlines(module: str = WRITTEN):
    return [name for name, node in admin_classes((FIXTURE / module).read_text(encoding="utf-8")).items() if _is_inline(node)]


def change_lists(module: str):
    return [name for name in marks(module) if name not in inlines(module)]


def _is_inline(node: ast.ClassDef) -> bool:
    return any(ast.unparse(base).endswith("Inline") for base in node.bases)


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


def test_fixture_written_fixes_are_its_marked_classes():
    assert set(WRITTEN_FIXES) == {name for name in marks(WRITTEN) if error_code(name, WRITTEN)}


@pytest.mark.parametrize("module", MODULES)
@pytest.mark.parametrize("rows", SIZES)
def test_fixture_every_change_list_shows_every_row(copies, rows, module):
    original, _ = copies
    report = run_admin(original, rows, module)
    assert set(report) == set(change_lists(module))
    for name, page in report.items():
        assert page["status"] == 200, name
        assert page["objects"] >= rows and len(page["rows"]) == page["objects"], (name, page["objects"], len(page["rows"]))
        assert all(len(row) == len(page["header"]) for row in page["rows"]), name


@pytest.mark.parametrize("rows", SIZES)
def test_fixture_every_inline_shows_every_row(copies, rows):
    original, _ = copies
    report = run_inlines(original, rows)
    assert set(report) == set(inlines()) and not run_inlines(original, rows, ADMIN)
    for name, page in report.items():
        assert page["status"] == 200, name
        assert page["objects"] >= rows and page["shown"] == page["objects"], (name, page["objects"], page["shown"])


def pages(root: Path, rows: int, module: str) -> dict:
    """The change lists of ``module``'s admins, and the change forms of its inlines."""
    return {**run_admin(root, rows, module), **run_inlines(root, rows, module)}


@pytest.mark.parametrize("module", MODULES)
def test_fixture_marked_pages_query_per_row_and_ok_ones_do_not(copies, module):
    original, _ = copies
    small, large = (pages(original, rows, module) for rows in SIZES)
    for name in marks(module):
        if error_code(name, module):
            assert large[name]["queries"] > small[name]["queries"], (name, small[name]["queries"], large[name]["queries"])
        else:
            assert large[name]["queries"] == small[name]["queries"], (name, small[name]["queries"], large[name]["queries"])


# --- The fix -----------------------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_fix_rewrites_exactly_the_fixable_classes(copies, module):
    original, fixed = copies
    before, after = class_sources(original / module), class_sources(fixed / module)
    assert set(before) == set(after)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == FIXED_CLASSES[module]
    assert other_statements(original / module) == other_statements(fixed / module)


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


def test_fix_loads_where_the_written_admins_get_their_rows(copies):
    _, fixed = copies
    after = class_sources(fixed / WRITTEN)
    for name, written in WRITTEN_FIXES.items():
        assert written in after[name], (name, after[name])


@pytest.mark.parametrize("module", MODULES)
@pytest.mark.parametrize("rows", SIZES)
def test_fixed_change_lists_show_the_same_rows(copies, rows, module):
    original, fixed = copies
    before, after = run_admin(original, rows, module), run_admin(fixed, rows, module)
    assert set(before) == set(after)
    for name in before:
        assert after[name]["status"] == 200, name
        assert (before[name]["header"], before[name]["rows"]) == (after[name]["header"], after[name]["rows"]), name


@pytest.mark.parametrize("rows", SIZES)
def test_fixed_inlines_show_the_same_change_forms(copies, rows):
    original, fixed = copies
    before, after = run_inlines(original, rows), run_inlines(fixed, rows)
    assert set(before) == set(after)
    for name in before:
        assert after[name]["status"] == 200, name
        assert before[name]["page"] == after[name]["page"], name


@pytest.mark.parametrize("module", MODULES)
def test_fixed_pages_no_longer_query_per_row(copies, module):
    original, fixed = copies
    small, large = SIZES
    before = {rows: pages(original, rows, module) for rows in SIZES}
    after = {rows: pages(fixed, rows, module) for rows in SIZES}
    for name in FIXED_CLASSES[module]:
        assert before[large][name]["queries"] > before[small][name]["queries"], name
        assert after[large][name]["queries"] == after[small][name]["queries"], (name, after[small][name]["queries"], after[large][name]["queries"])
        assert after[large][name]["queries"] < before[large][name]["queries"], name


def test_orm002_admins_without_get_queryset_are_left_alone_and_still_query_per_row(copies):
    original, fixed = copies
    before, after = class_sources(original / ADMIN), class_sources(fixed / ADMIN)
    unfixed = [name for name in marks() if error_code(name) == "ORM002"]
    assert unfixed
    small, large = SIZES
    for name in unfixed:
        assert before[name] == after[name], name
        assert run_admin(fixed, large)[name]["queries"] > run_admin(fixed, small)[name]["queries"], name
