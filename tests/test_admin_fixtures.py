"""ORM001 / ORM002 in the Django admin: the N+1 rules report exactly the classes marked
``# error: ORMxxx`` in the fixture project's admin modules, on the marked line, and none of
the ``# ok:`` ones. ``store/admin.py`` marks each change list on its ``list_display`` line;
``store/admin_written.py`` (admins as projects write them: ``get_queryset()`` overrides,
base admins and mixins, of that module and of ``store/admin_bases.py``, inlines) marks the line where the queryset that feeds the page is.

Checked from a copy in a temporary folder whose path has no ``test`` in it, like the other
fixture tests (the default per-file-ignores match on the full path).
"""

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "django_project"
ADMIN = "store/admin.py"
WRITTEN = "store/admin_written.py"
MODULES = (ADMIN, WRITTEN)
MARK = re.compile(r"#\s*(?:error:\s*(?P<code>ORM\d{3})|ok:\s*(?P<reason>\S.*))")


def admin_classes(source: str):
    """The classes of a module that the admin shows: those registered on a site, and the
    inlines they list. Name -> its ``ast.ClassDef``."""
    classes = {node.name: node for node in ast.parse(source).body if isinstance(node, ast.ClassDef)}
    registered = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("register"):
            registered.update(arg.id for arg in node.args[1:2] if isinstance(arg, ast.Name))
    for name, node in classes.items():
        if any(isinstance(d, ast.Call) and ast.unparse(d.func).endswith("register") for d in node.decorator_list):
            registered.add(name)
    shown = set(registered)
    for name in registered:
        for statement in classes[name].body:
            if isinstance(statement, ast.Assign) and [ast.unparse(t) for t in statement.targets] == ["inlines"]:
                shown.update(element.id for element in statement.value.elts)
    return {name: node for name, node in classes.items() if name in shown}


def list_display_row(node: ast.ClassDef):
    for statement in node.body:
        if isinstance(statement, ast.Assign) and [ast.unparse(t) for t in statement.targets] == ["list_display"]:
            return statement.lineno
    return None


def marks(module: str = ADMIN):
    """Each shown class -> its marks: (row, "error", code) or (row, "ok", reason)."""
    source = (FIXTURE / module).read_text(encoding="utf-8")
    lines = source.splitlines()
    found = {}
    for name, node in admin_classes(source).items():
        found[name] = []
        for row in range(node.lineno, node.end_lineno + 1):
            match = MARK.search(lines[row - 1])
            if match:
                found[name].append((row, "error", match["code"]) if match["code"] else (row, "ok", match["reason"]))
    return found


def error_code(name: str, module: str = ADMIN):
    ((_, kind, value),) = marks(module)[name]
    return value if kind == "error" else None


def ormlint_json(root: Path):
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", "--select", "ORM0", "--output-format", "json", str(root)],
        capture_output=True, text=True,
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def admin_findings(tmp_path_factory):
    """ormlint's ORM0 findings in each admin module of a copy of the project: module ->
    (row, code) -> diagnostic."""
    root = Path(shutil.copytree(FIXTURE, tmp_path_factory.mktemp("admin-checked") / FIXTURE.name))
    found = {module: {} for module in MODULES}
    for d in ormlint_json(root):
        for module in MODULES:
            if Path(d["filename"]).resolve() == (root / module).resolve():
                found[module][(d["location"]["row"], d["code"])] = d
    return found


# --- The fixture itself ------------------------------------------------------------------------


def test_fixture_every_admin_has_one_mark_on_its_list_display_line():
    source = (FIXTURE / ADMIN).read_text(encoding="utf-8")
    classes = admin_classes(source)
    found = marks()
    assert set(found) == set(classes)
    for name, node in classes.items():
        assert len(found[name]) == 1, (name, found[name])
        (row, _, _), = found[name]
        assert row == list_display_row(node), name


def test_fixture_every_written_admin_and_inline_has_one_mark():
    found = marks(WRITTEN)
    assert {"ShipmentInline", "LineInline", "MixedProfileAdmin", "BasedShipmentAdmin"} <= set(found)
    assert all(len(rows) == 1 for rows in found.values()), found


#: The least each module marks: ORM001 findings, ORM002 findings, silent classes.
LEAST_MARKS = {ADMIN: (5, 2, 5), WRITTEN: (4, 1, 4)}


@pytest.mark.parametrize("module", MODULES)
def test_fixture_marks_cover_both_rules_and_silent_cases(module):
    kinds = [(kind, value) for ((_, kind, value),) in marks(module).values()]
    codes = [value for kind, value in kinds if kind == "error"]
    orm001, orm002, silent = LEAST_MARKS[module]
    assert codes.count("ORM001") >= orm001 and codes.count("ORM002") >= orm002
    assert sum(kind == "ok" for kind, _ in kinds) >= max(silent, len(codes) if module == WRITTEN else 0)


# --- The findings ------------------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_reports_exactly_the_marked_admins(admin_findings, module):
    expected = {(row, value) for ((row, kind, value),) in marks(module).values() if kind == "error"}
    assert set(admin_findings[module]) == expected


#: The codes whose findings carry a fix: ORM002 has one only where the admin's own
#: ``get_queryset()`` can take the prefetch.
FIXED_CODES = {ADMIN: {"ORM001"}, WRITTEN: {"ORM001", "ORM002"}}


@pytest.mark.parametrize("module", MODULES)
def test_findings_carry_a_fix_where_the_queryset_can_take_it(admin_findings, module):
    assert admin_findings[module]
    for (row, code), d in admin_findings[module].items():
        if code in FIXED_CODES[module]:
            assert d["fix"] is not None and d["fix"]["edits"], row
        else:
            assert d["fix"] is None, row


@pytest.mark.parametrize("module", MODULES)
def test_messages_name_the_admin(admin_findings, module):
    by_row = {row: name for name, ((row, _, _),) in marks(module).items()}
    for (row, code), d in admin_findings[module].items():
        name = by_row[row]
        assert d["message"].startswith((f"The change list of `{name}` reads ", f"The inline `{name}` reads ")), d["message"]
