"""ORM001-ORM003 across calls, on the fixture projects: rows passed to a helper that loops
over them (``store/reports.py``, ``library/web.py``) and rows rendered by a template
(``store/views.py`` with ``store/templates/store/``, ``store/views_written.py`` with the
settings' ``project_templates/``, the Flask views of ``library/web.py`` with
``library/templates/``) are reported exactly on the lines marked ``# error: ORMxxx``
(or ``# error: ORM001, ORM002``), where the rows' query is built, and nowhere else in those
modules (the ``# ok:`` lines).

``ormlint --fix --select ORM0`` must rewrite exactly the marked constructions as listed in
``EXPECTED_FIXES`` below, and a second ``--fix`` must change nothing.

The fixtures are checked from copies in a temporary folder whose path has no ``test`` in it:
below ``tests/`` the default per-file-ignores would turn some rules off.
tests/test_nplusone_fixtures.py leaves these modules to this test (``CHECKED_ELSEWHERE``);
tests/test_cross_function_database_proof.py runs the Django ones before and after the fix
and imports ``marks``, ``callables`` and ``EXPECTED_FIXES`` from here.
"""

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
#: Fixture project -> the modules whose marks this test checks.
MODULES = {
    "django_project": ("store/views.py", "store/views_written.py", "store/reports.py"),
    "sqlalchemy_project": ("library/web.py",),
}
#: ``# error: ORM001`` or ``# error: ORM001, ORM002``; ``# ok: <reason>``.
MARK = re.compile(r"#\s*(?:error:\s*(?P<codes>ORM\d{3}(?:\s*,\s*ORM\d{3})*)|ok:\s*(?P<reason>\S.*))")

Replacement = Tuple[str, str]

#: (module, top-level function or class) -> what the fix must replace in its source, each
#: (old, new) once. Every marked callable is listed; ``[]``: reported, but no fix.
EXPECTED_FIXES: Dict[Tuple[str, str], List[Replacement]] = {
    # Django views: templates, render_to_string, a helper, ListViews.
    ("store/views.py", "order_list"): [
        ('Order.objects.order_by("pk")', 'Order.objects.order_by("pk").select_related("customer")'),
    ],
    ("store/views.py", "order_lines"): [
        ('Order.objects.order_by("pk")', 'Order.objects.order_by("pk").prefetch_related("lines__product")'),
    ],
    ("store/views.py", "customer_cards"): [
        (
            'Customer.objects.order_by("pk")',
            'Customer.objects.order_by("pk").select_related("profile").prefetch_related("address_set")',
        ),
    ],
    ("store/views.py", "line_report"): [
        ('OrderLine.objects.order_by("pk")', 'OrderLine.objects.order_by("pk").select_related("order__customer", "product")'),
    ],
    ("store/views.py", "shipment_labels"): [
        ('Shipment.objects.order_by("pk")', 'Shipment.objects.order_by("pk").select_related("customer__profile")'),
    ],
    ("store/views.py", "open_order_customer_names"): [
        ('.order_by("pk")', '.order_by("pk").select_related("customer")'),
    ],
    # ``model = Order``: no queryset to extend.
    ("store/views.py", "OrderListView"): [],
    ("store/views.py", "LineListView"): [
        ('OrderLine.objects.order_by("pk")', 'OrderLine.objects.order_by("pk").select_related("product")'),
    ],
    ("store/views.py", "ProductListView"): [
        ('Product.objects.order_by("pk")', 'Product.objects.order_by("pk").prefetch_related("tags")'),
    ],
    # Django views whose templates extend, alias and include (project_templates/), with
    # contexts built key by key, by get_context_data() and through a wrapper of render().
    ("store/views_written.py", "extended_orders"): [
        ('Order.objects.order_by("pk")', 'Order.objects.order_by("pk").select_related("customer")'),
    ],
    ("store/views_written.py", "order_cards"): [
        ('Order.objects.order_by("pk")', 'Order.objects.order_by("pk").select_related("customer__profile")'),
    ],
    ("store/views_written.py", "line_quantities"): [
        ('OrderLine.objects.order_by("pk")', 'OrderLine.objects.order_by("pk").select_related("product")'),
    ],
    ("store/views_written.py", "wrapped_orders"): [
        ('Order.objects.order_by("pk")', 'Order.objects.order_by("pk").select_related("customer")'),
    ],
    ("store/views_written.py", "OrderPageView"): [
        ('Order.objects.order_by("pk")', 'Order.objects.order_by("pk").select_related("customer")'),
    ],
    ("store/views_written.py", "OrderRowsView"): [
        ("Order.objects.all()", 'Order.objects.all().select_related("customer")'),
    ],
    # The detail view's object is one query; its products' tags are one query per product.
    ("store/views_written.py", "CatalogueDetailView"): [
        ("Catalogue.objects.all()", 'Catalogue.objects.all().prefetch_related("products__tags")'),
    ],
    # Django helpers.
    ("store/reports.py", "OrderReport"): [
        ('.order_by("pk"))', '.order_by("pk").select_related("customer"))'),
    ],
    ("store/reports.py", "open_order_customers"): [
        ('.order_by("pk")', '.order_by("pk").select_related("customer")'),
    ],
    ("store/reports.py", "line_label_report"): [
        ('OrderLine.objects.order_by("pk")', 'OrderLine.objects.order_by("pk").select_related("order__customer", "product")'),
    ],
    ("store/reports.py", "product_tag_report"): [
        ('Product.objects.order_by("pk")', 'Product.objects.order_by("pk").prefetch_related("tags")'),
    ],
    # The helper loops over each order's lines and reads each line's product: as for a
    # template's nested loop, the lines and their products are prefetched.
    ("store/reports.py", "order_product_report"): [
        ('Order.objects.order_by("pk")', 'Order.objects.order_by("pk").prefetch_related("lines__product")'),
    ],
    # Flask views and a helper, SQLAlchemy rows.
    ("library/web.py", "book_list"): [
        ("select(Book).order_by(Book.id)", "select(Book).order_by(Book.id).options(joinedload(Book.author))"),
    ],
    ("library/web.py", "author_book_counts"): [
        ("select(Author).order_by(Author.id)", "select(Author).order_by(Author.id).options(selectinload(Author.books))"),
    ],
    # Two levels of lazy relationships (authors.html and the book_tags.html it includes):
    # loading the books alone would leave a query per book for its tags.
    ("library/web.py", "author_books_and_tags"): [
        (
            "select(Author).order_by(Author.id)",
            "select(Author).order_by(Author.id).options(selectinload(Author.books).selectinload(Book.tags))",
        ),
    ],
    ("library/web.py", "book_authors"): [
        ("select(Book).order_by(Book.id)", "select(Book).order_by(Book.id).options(joinedload(Book.author))"),
    ],
}


def marks(path: Path) -> Dict[int, Tuple[str, object]]:
    """Each marked line of ``path``: row -> ("error", {codes}) or ("ok", reason)."""
    found: Dict[int, Tuple[str, object]] = {}
    for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = MARK.search(line)
        if match and match["codes"]:
            found[row] = ("error", {code.strip() for code in match["codes"].split(",")})
        elif match:
            found[row] = ("ok", match["reason"])
    return found


def callables(source: str) -> Dict[str, ast.stmt]:
    """The public top-level functions and classes of a module, by name."""
    return {
        node.name: node
        for node in ast.parse(source).body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_")
    }


def segments(source: str) -> Dict[str, str]:
    return {name: ast.get_source_segment(source, node) for name, node in callables(source).items()}


def owner(source: str, row: int) -> Optional[str]:
    """The public top-level function or class whose lines hold ``row``."""
    for name, node in callables(source).items():
        if node.lineno <= row <= node.end_lineno:
            return name
    return None


def marked_callables(path: Path) -> Dict[str, List[Tuple[str, object]]]:
    """Top-level name -> the marks in it."""
    source = path.read_text(encoding="utf-8")
    found: Dict[str, List[Tuple[str, object]]] = {}
    for row, mark in sorted(marks(path).items()):
        found.setdefault(owner(source, row), []).append(mark)
    return found


def expected_findings(project: str):
    return {
        (module, row, code)
        for module in MODULES[project]
        for row, (kind, codes) in marks(FIXTURES / project / module).items()
        if kind == "error"
        for code in codes
    }


def relative(filename: str, root: Path) -> str:
    return Path(filename).resolve().relative_to(root.resolve()).as_posix()


def ormlint(*arguments: str) -> subprocess.CompletedProcess:
    completed = subprocess.run([sys.executable, "-m", "ormlint", "--no-cache", *arguments], capture_output=True, text=True)
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return completed


def snapshot(root: Path) -> Dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and ".ormlint_cache" not in path.parts
    }


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """Each project copied three times: as it is, fixed once, fixed twice."""
    made = {}
    for project in MODULES:
        # A folder name without ``test``: per-file-ignores match ``*/test_*.py`` on the full path.
        base = tmp_path_factory.mktemp("crossfunction")
        original = Path(shutil.copytree(FIXTURES / project, base / "original" / project))
        fixed = Path(shutil.copytree(FIXTURES / project, base / "fixed" / project))
        ormlint("--fix", "--select", "ORM0", str(fixed))
        once = snapshot(fixed)
        ormlint("--fix", "--select", "ORM0", str(fixed))
        made[project] = {"original": original, "fixed": fixed, "once": once, "twice": snapshot(fixed)}
    return made


@pytest.fixture(scope="module")
def findings(copies):
    """(path, row, code) -> diagnostic, for every ORM0 finding of each original copy."""
    found = {}
    for project, made in copies.items():
        root = made["original"]
        output = ormlint("--select", "ORM0", "--output-format", "json", str(root)).stdout
        found[project] = {(relative(d["filename"], root), d["location"]["row"], d["code"]): d for d in json.loads(output)}
    return found


# --- The fixtures themselves ------------------------------------------------------------------


def test_marks_cover_the_cases():
    codes = {code for project in MODULES for _, _, code in expected_findings(project)}
    assert codes == {"ORM001", "ORM002", "ORM003"}
    for project, modules in MODULES.items():
        for module in modules:
            found = marks(FIXTURES / project / module)
            kinds = [kind for kind, _ in found.values()]
            assert kinds.count("error") >= 4 and kinds.count("ok") >= 4, (module, kinds)
    # One line where ormlint must report both rules: select_related and prefetch_related.
    assert ("error", {"ORM001", "ORM002"}) in marks(FIXTURES / "django_project" / "store/views.py").values()


def test_every_marked_callable_has_its_expected_fix_and_no_other_does():
    listed = set()
    for project, modules in MODULES.items():
        for module in modules:
            for name, found in marked_callables(FIXTURES / project / module).items():
                assert name is not None, module
                if any(kind == "error" for kind, _ in found):
                    listed.add((module, name))
    assert listed == set(EXPECTED_FIXES)


def test_templates_are_where_ormlint_finds_them():
    """Every template a view names exists (the views' ``# ok:`` cases aside), once."""
    folders = (("django_project", "store/templates"), ("django_project", "project_templates"), ("sqlalchemy_project", "library/templates"))
    for project, folder in folders:
        names = [path.relative_to(FIXTURES / project / folder).as_posix() for path in (FIXTURES / project / folder).rglob("*.html")]
        assert len(names) == len(set(names)) >= 4
    assert (FIXTURES / "django_project/store/templates/store/_customer_card.html").exists()
    assert not (FIXTURES / "django_project/store/templates/store/custom_orders.html").exists()
    assert not (FIXTURES / "sqlalchemy_project/library/templates/custom_books.html").exists()


# --- What ormlint reports ---------------------------------------------------------------------


@pytest.mark.parametrize("project", MODULES)
def test_reports_exactly_the_marked_lines(findings, project):
    found = {key for key in findings[project] if key[0] in MODULES[project]}
    assert found == expected_findings(project)


@pytest.mark.parametrize("project", MODULES)
def test_messages_name_the_template_or_the_helper(findings, project):
    for (module, row, code), diagnostic in findings[project].items():
        if module not in MODULES[project]:
            continue
        message = diagnostic["message"]
        assert re.match(r"(template `[\w/]+\.html`|`\w+\(\)`) loops over these rows and reads ", message), (module, row, message)


@pytest.mark.parametrize("project", MODULES)
def test_findings_carry_a_fix_on_the_marked_line(findings, project):
    for (module, row, code), diagnostic in findings[project].items():
        if module not in MODULES[project]:
            continue
        source = (FIXTURES / project / module).read_text(encoding="utf-8")
        name = owner(source, row)
        if not EXPECTED_FIXES[(module, name)]:
            assert diagnostic["fix"] is None, (module, row, code)
            continue
        assert diagnostic["fix"] is not None and diagnostic["fix"]["edits"], (module, row, code)
        lines = source.splitlines()
        for edit in diagnostic["fix"]["edits"]:
            first, last = edit["location"]["row"], edit["end_location"]["row"]
            # The query on the marked line, or an import the loader options need.
            assert first == last == row or lines[first - 1].startswith(("from ", "import ")), (module, row, code, edit)


# --- What the fix writes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "module, name", sorted(EXPECTED_FIXES), ids=lambda value: value.replace("/", ".").removesuffix(".py")
)
def test_fix_rewrites_the_marked_construction(copies, module, name):
    project = next(project for project, modules in MODULES.items() if module in modules)
    made = copies[project]
    before = segments((made["original"] / module).read_text(encoding="utf-8"))[name]
    after = segments(made["once"][module])[name]
    expected = before
    for old, new in EXPECTED_FIXES[(module, name)]:
        assert expected.count(old) == 1, (name, old)
        expected = expected.replace(old, new)
    assert after == expected


@pytest.mark.parametrize("project", MODULES)
def test_fix_leaves_the_other_callables_and_the_templates_alone(copies, project):
    made = copies[project]
    for module in MODULES[project]:
        before = segments((made["original"] / module).read_text(encoding="utf-8"))
        after = segments(made["once"][module])
        assert set(before) == set(after), module
        changed = {name for name in before if before[name] != after[name]}
        assert changed == {name for (path, name), fixes in EXPECTED_FIXES.items() if path == module and fixes}
    original = snapshot(made["original"])
    for path, text in original.items():
        if not path.endswith(".py"):
            assert made["once"][path] == text, path


@pytest.mark.parametrize("project", MODULES)
def test_a_second_fix_changes_nothing(copies, project):
    made = copies[project]
    assert made["twice"] == made["once"]
