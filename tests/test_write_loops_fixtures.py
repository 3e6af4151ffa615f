"""The write-loop rules (ORM201-ORM204) report exactly the lines marked ``# error: ORM2xx`` in
the ``writes.py`` files of the Django and SQLAlchemy fixture projects, on the line of the
write (not the ``for`` line), and nothing anywhere else; ``--fix --unsafe-fixes`` rewrites
exactly the functions listed in ``EXPECTED`` below, and ``--fix`` alone rewrites nothing.

The fixtures are checked from copies in a temporary folder whose path has no ``test`` in it:
below ``tests/`` the default per-file-ignores turn the ORM2 rules off.

tests/test_write_loops_database_proof.py runs the same functions on SQLite before and after
the fix and imports ``EXPECTED``, ``functions`` and ``marks`` from here.
"""

import ast
import json
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path
from typing import NamedTuple, Optional

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
#: project -> (fixture folder, the file of write loops in it)
PROJECTS = {
    "django": (FIXTURES / "django_project", "store/writes.py"),
    "sqlalchemy": (FIXTURES / "sqlalchemy_project", "library/writes.py"),
}
MARK = re.compile(r"#\s*(?:error:\s*(?P<code>ORM\d{3})|ok:\s*(?P<reason>\S.*))")


class Expected(NamedTuple):
    #: Whether ``--fix --unsafe-fixes`` should rewrite the function.
    fixed: bool = False
    #: For a finding that should not be fixed, a part of the reason its message should
    #: give after "(not fixed: "; "" for any reason; ``None`` for no "(not fixed: ...)".
    reason: Optional[str] = None
    #: What the message should say each per-row call runs that a bulk write would skip
    #: (said instead of advising the bulk write, with no "(not fixed: ...)").
    runs: Optional[str] = None


#: What should happen to each public function of a ``writes.py``. The ``# ok:`` functions
#: and those not listed here should be left alone and have no "(not fixed: ...)" message.
EXPECTED = {
    "django": {
        # ORM201, fixed with bulk_update()
        "close_open_orders": Expected(fixed=True),
        "raise_closed_totals": Expected(fixed=True),
        "review_orders_update_fields": Expected(fixed=True),
        "close_open_orders_iterator": Expected(fixed=True),  # correct only if the iterator is listed first
        # ORM201, not fixed
        "mark_invoices_paid": Expected(runs="`Invoice.save()`"),
        "edit_notes": Expected(runs="the `pre_save`/`post_save` receivers in `store.signals`"),
        "close_tickets": Expected(reason="`Ticket.updated` has `auto_now=True`"),
        "size_orders_with_helper": Expected(reason="`_status_for(order.total)` may run a query"),
        "close_orders_and_collect": Expected(reason="does more than"),
        "number_closed_orders": Expected(reason='`Order.objects.filter(status="closed").count'),
        # ORM202, fixed with bulk_create()
        "add_customer_addresses": Expected(fixed=True),
        "tag_customers": Expected(fixed=True),
        "open_tickets": Expected(fixed=True),
        # ORM202, not fixed
        "build_and_save_tags": Expected(reason="does more than"),
        "tag_groups_get_or_create": Expected(),  # get_or_create(): advice, never a fix
        "invoice_customers": Expected(runs="`Invoice.save()`"),
        "note_customers": Expected(runs="the `pre_save`/`post_save` receivers in `store.signals`"),
        "escalate_customers": Expected(reason="inherits from the concrete model `Ticket`"),
        "number_new_tickets": Expected(reason=""),  # each title counts the rows created before it
        "address_up_to_last_customer": Expected(reason=""),  # the loop variable is read after the loop
        # ORM203: no fix
        "delete_closed_orders": Expected(),
    },
    # ORM204 has no fix.
    "sqlalchemy": {},
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
    """Each public function of the file -> its marks, as (row, "error", code) or
    (row, "ok", reason)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            found[node.name] = [
                (row, "error", match["code"]) if match["code"] else (row, "ok", match["reason"])
                for row in range(node.lineno, node.end_lineno + 1)
                for match in [MARK.search(lines[row - 1])]
                if match
            ]
    return found


def function_at(path: Path, row: int) -> Optional[str]:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.lineno <= row <= node.end_lineno:
            return node.name
    return None


def cases(kind=None):
    """(project, function) of every public function of the ``writes.py`` files, or of
    those whose mark is ``kind`` ("error" or "ok")."""
    return [
        pytest.param(project, name, id=f"{project}::{name}")
        for project, (fixture, writes) in PROJECTS.items()
        for name, function_marks in marks(fixture / writes).items()
        if kind is None or any(mark[1] == kind for mark in function_marks)
    ]


def ormlint(*arguments):
    completed = subprocess.run([sys.executable, "-m", "ormlint", "--no-cache", *map(str, arguments)], capture_output=True, text=True)
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return completed.stdout


def relative(filename: str, root: Path) -> str:
    return Path(filename).resolve().relative_to(root.resolve()).as_posix()


def snapshot(root: Path):
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*.py"))}


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """Three copies of each project: to check, to fix with and without ``--unsafe-fixes``.
    Folder names without ``test``: per-file-ignores match ``*/test_*.py`` on the full path."""
    made = {}
    for project, (fixture, _) in PROJECTS.items():
        made[project] = {
            kind: Path(shutil.copytree(fixture, tmp_path_factory.mktemp(f"writes-{project}-{kind}") / fixture.name))
            for kind in ("checked", "unsafe", "safe")
        }
    for project, copy in made.items():
        ormlint("--fix", "--unsafe-fixes", "--select", "ORM2", copy["unsafe"])
        ormlint("--fix", "--select", "ORM2", copy["safe"])
    return made


_findings = {}


def findings(copies, project):
    """ormlint's ORM2 findings on the unfixed copy, with unsafe fixes shown:
    (path, row, code) -> the diagnostic."""
    if project not in _findings:
        root = copies[project]["checked"]
        output = ormlint("--select", "ORM2", "--unsafe-fixes", "--output-format", "json", root)
        _findings[project] = {(relative(d["filename"], root), d["location"]["row"], d["code"]): d for d in json.loads(output)}
    return _findings[project]


# --- The fixtures themselves ------------------------------------------------------------------


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_every_function_has_one_mark(project):
    fixture, writes = PROJECTS[project]
    found = marks(fixture / writes)
    assert found
    for name, function_marks in found.items():
        assert len(function_marks) == 1, (name, function_marks)
    kinds = [function_marks[0][1] for function_marks in found.values()]
    assert kinds.count("ok") >= 3 and kinds.count("error") >= 3
    assert set(EXPECTED[project]) <= set(found)
    for name in EXPECTED[project]:
        assert found[name][0][1] == "error", name


def test_fixture_marks_cover_every_write_rule():
    codes = {mark[2] for project, (fixture, writes) in PROJECTS.items() for (mark,) in marks(fixture / writes).values() if mark[1] == "error"}
    assert codes == {"ORM201", "ORM202", "ORM203", "ORM204"}
    fixed_codes = {
        marks(PROJECTS[project][0] / PROJECTS[project][1])[name][0][2]
        for project, expected in EXPECTED.items()
        for name, value in expected.items()
        if value.fixed
    }
    assert fixed_codes == {"ORM201", "ORM202"}


# --- The findings -----------------------------------------------------------------------------


@pytest.mark.parametrize("project, name", cases())
def test_reports_exactly_the_marked_line(copies, project, name):
    fixture, writes = PROJECTS[project]
    (row, kind, value), = marks(fixture / writes)[name]
    inside = {
        key for key in findings(copies, project) if key[0] == writes and function_at(fixture / writes, key[1]) == name
    }
    assert inside == ({(writes, row, value)} if kind == "error" else set())


@pytest.mark.parametrize("project", PROJECTS)
def test_reports_nothing_outside_the_marked_functions(copies, project):
    fixture, writes = PROJECTS[project]
    outside = {
        key for key in findings(copies, project) if key[0] != writes or function_at(fixture / writes, key[1]) is None
    }
    assert outside == set()


@pytest.mark.parametrize("project, name", cases("error"))
def test_message_says_why_a_fix_is_withheld(copies, project, name):
    fixture, writes = PROJECTS[project]
    (row, _, code), = marks(fixture / writes)[name]
    diagnostic = findings(copies, project).get((writes, row, code))
    assert diagnostic is not None, f"{name} is not reported"
    expected = EXPECTED[project].get(name, Expected())
    message = diagnostic["message"]
    if expected.fixed:
        assert diagnostic["fix"] is not None and diagnostic["fix"]["applicability"] == "unsafe", message
        assert "(not fixed:" not in message, message
    else:
        assert diagnostic["fix"] is None, message
        if expected.runs is not None:
            assert f"each call runs {expected.runs}" in message and message.endswith("would skip"), message
        if expected.reason is None:
            assert "(not fixed:" not in message, message
        else:
            assert "(not fixed: " in message and expected.reason in message.split("(not fixed: ", 1)[1], message


# --- The fixes --------------------------------------------------------------------------------


@pytest.mark.parametrize("project, name", cases())
def test_unsafe_fixes_rewrite_exactly_the_expected_functions(copies, project, name):
    _, writes = PROJECTS[project]
    before = functions((copies[project]["checked"] / writes).read_text())
    after = functions((copies[project]["unsafe"] / writes).read_text())
    assert set(before) == set(after)
    changed = before[name] != after[name]
    assert changed == EXPECTED[project].get(name, Expected()).fixed, after[name]


@pytest.mark.parametrize("project", PROJECTS)
def test_unsafe_fixes_change_nothing_but_writes_py(copies, project):
    _, writes = PROJECTS[project]
    before, after = snapshot(copies[project]["checked"]), snapshot(copies[project]["unsafe"])
    assert set(before) == set(after)
    assert {path for path in before if before[path] != after[path]} <= {writes}


def test_fixed_functions_batch_the_writes(copies):
    _, writes = PROJECTS["django"]
    before = functions((copies["django"]["checked"] / writes).read_text())
    after = functions((copies["django"]["unsafe"] / writes).read_text())
    checked = 0
    for name, expected in EXPECTED["django"].items():
        if not expected.fixed or before[name] == after[name]:
            continue  # whether it should have changed: test_unsafe_fixes_rewrite_exactly_the_expected_functions
        checked += 1
        code = marks(PROJECTS["django"][0] / writes)[name][0][2]
        tree = ast.parse(after[name])
        methods = {node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
        if code == "ORM201":
            assert "bulk_update" in methods and "save" not in methods, after[name]
            # The row loop stays, without the save; bulk_update() comes after it.
            assert any(isinstance(node, ast.For) for node in ast.walk(tree)), after[name]
        else:
            assert "bulk_create" in methods and not methods & {"create", "save"}, after[name]
            assert not any(isinstance(node, ast.For) for node in ast.walk(tree)), after[name]
    assert checked


def comments(path: Path):
    with path.open(encoding="utf-8") as file:
        return sorted(token.string for token in tokenize.generate_tokens(file.readline) if token.type == tokenize.COMMENT)


@pytest.mark.parametrize("project", PROJECTS)
def test_unsafe_fixes_keep_every_comment(copies, project):
    """The marks among them: a rewrite that would drop a comment is not applied."""
    _, writes = PROJECTS[project]
    assert comments(copies[project]["unsafe"] / writes) == comments(copies[project]["checked"] / writes)


@pytest.mark.parametrize("project", PROJECTS)
def test_fixing_without_unsafe_fixes_changes_nothing(copies, project):
    assert snapshot(copies[project]["safe"]) == snapshot(copies[project]["checked"])


@pytest.mark.parametrize("project", PROJECTS)
def test_unsafe_fixes_are_applied_once(copies, project, tmp_path_factory):
    again = Path(shutil.copytree(copies[project]["unsafe"], tmp_path_factory.mktemp(f"writes-{project}-again") / "copy"))
    ormlint("--fix", "--unsafe-fixes", "--select", "ORM2", again)
    assert snapshot(again) == snapshot(copies[project]["unsafe"])
