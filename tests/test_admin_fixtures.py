"""ORM001 / ORM002 in the Django admin: the N+1 rules report exactly the change lists marked
``# error: ORMxxx`` in the fixture project's ``store/admin.py``, on the ``list_display``
line, and none of the ``# ok:`` ones.

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
MARK = re.compile(r"#\s*(?:error:\s*(?P<code>ORM\d{3})|ok:\s*(?P<reason>\S.*))")


def admin_classes(source: str):
    """The ModelAdmin classes of a module: name -> its ``ast.ClassDef``."""
    return {
        node.name: node
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef) and any(ast.unparse(base).endswith("ModelAdmin") for base in node.bases)
    }


def list_display_row(node: ast.ClassDef):
    for statement in node.body:
        if isinstance(statement, ast.Assign) and [ast.unparse(t) for t in statement.targets] == ["list_display"]:
            return statement.lineno
    return None


def marks(path: Path = FIXTURE / ADMIN):
    """Each ModelAdmin class -> its marks: (row, "error", code) or (row, "ok", reason)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = {}
    for name, node in admin_classes(source).items():
        found[name] = []
        for row in range(node.lineno, node.end_lineno + 1):
            match = MARK.search(lines[row - 1])
            if match:
                found[name].append((row, "error", match["code"]) if match["code"] else (row, "ok", match["reason"]))
    return found


def error_code(name: str):
    ((_, kind, value),) = marks()[name]
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
    """ormlint's ORM0 findings in ``store/admin.py`` of a copy of the project: (row, code) -> diagnostic."""
    root = Path(shutil.copytree(FIXTURE, tmp_path_factory.mktemp("admin-checked") / FIXTURE.name))
    found = {}
    for d in ormlint_json(root):
        if Path(d["filename"]).resolve() == (root / ADMIN).resolve():
            found[(d["location"]["row"], d["code"])] = d
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


def test_fixture_marks_cover_both_rules_and_silent_cases():
    kinds = [(kind, value) for ((_, kind, value),) in marks().values()]
    codes = [value for kind, value in kinds if kind == "error"]
    assert codes.count("ORM001") >= 5 and codes.count("ORM002") >= 2
    assert sum(kind == "ok" for kind, _ in kinds) >= 5


# --- The findings ------------------------------------------------------------------------------


def test_reports_exactly_the_marked_admins(admin_findings):
    expected = {(row, value) for ((row, kind, value),) in marks().values() if kind == "error"}
    assert set(admin_findings) == expected


def test_orm001_carries_a_fix_and_orm002_does_not(admin_findings):
    assert admin_findings
    for (row, code), d in admin_findings.items():
        if code == "ORM001":
            assert d["fix"] is not None and d["fix"]["edits"], row
        else:
            assert d["fix"] is None, row


def test_messages_name_the_admin(admin_findings):
    by_row = {row: name for name, ((row, _, _),) in marks().items()}
    for (row, code), d in admin_findings.items():
        assert d["message"].startswith(f"The change list of `{by_row[row]}` reads "), d["message"]
