"""The SQLAlchemy counting and existence fixes (ORM101-ORM103), proven on a real SQLite
database.

Every function of the fixture project's ``library/counting.py`` runs against seeded data,
before and after ``ormlint --fix --select ORM1``, with the SQL it sends captured by the
engine's ``before_cursor_execute`` event. The results must be equal. A function marked
``# error`` with a fix must have changed: what it sent before to select every row (with
what loads with them), or to count them, is one ``COUNT(*)``, ``LIMIT`` or ``EXISTS``
after. The other functions must be left as they were and send the same SQL.

The database also shows why some findings have no fix: the counts ``count()`` and
``len(all())`` give differ on a legacy ``Query`` of one entity that joins.
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

from test_nplusone_database_proof import functions

PROJECT = Path(__file__).parent / "fixtures" / "sqlalchemy_project"
MODULE = "library/counting.py"
MARK = re.compile(r"#\s*(?:error:\s*(?P<code>ORM\d{3})(?P<unfixed>,\s*no fix)?|ok:)")

#: What the statement the fix changed runs before (every row where none is said) and after.
FIXED_SQL = {
    "book_count": (None, "count(*)"),
    "early_book_count": (None, "count(*)"),
    "author_count": (None, "count(*)"),
    "shelved_book_count": (None, "count(*)"),
    "authors_of_books_count": (None, "count(*)"),
    "author_has_books": (None, "EXISTS"),
    "no_such_title": (None, "EXISTS"),
    "has_shelves": (None, "LIMIT"),
    "has_authors": (None, "EXISTS"),
    "has_empty_shelf": ("count(*)", "LIMIT"),
    "shelf_is_empty": ("count(*)", "LIMIT"),
    "has_early_books": ("count(*)", "EXISTS"),
}

RUNNER = r"""
import inspect, json, sys
from sqlalchemy import event
from library.db import SessionLocal, engine
from library.models import Author, Base, Book
from library import counting

Base.metadata.create_all(engine)
with SessionLocal() as session:
    books = []
    for i in range(int(sys.argv[1])):
        author = Author(name="author%03d" % i)
        books += [Book(title="book%03d-%d" % (i, j), author=author) for j in range(2)]
        session.add(author)
    # Shelf 1 holds every other book, shelf 2 ("empty") none.
    session.add_all([counting.Shelf(name="full", books=books[::2]), counting.Shelf(name="empty")])
    session.commit()

statements = []

@event.listens_for(engine, "before_cursor_execute")
def capture(connection, cursor, statement, *args):
    statements.append(" ".join(statement.split()))

report = {}
for name, function in inspect.getmembers(counting, inspect.isfunction):
    if function.__module__ != counting.__name__ or name.startswith("_"):
        continue
    with SessionLocal() as session:
        statements.clear()
        result = function(session)
        counting.ScopedSession.remove()
        report[name] = {"result": result, "sql": list(statements)}
print(json.dumps(report))
"""

#: Statements that read one number or one row, not every row.
_BOUNDED = ("count(*)", "LIMIT", "EXISTS")


def marks():
    """Each public function of ``counting.py`` -> (code, fixed) of its ``# error`` mark,
    or ``None`` for an ``# ok`` one."""
    source = (PROJECT / MODULE).read_text(encoding="utf-8")
    lines = source.splitlines()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            (match,) = [m for m in map(MARK.search, lines[node.lineno - 1 : node.end_lineno]) if m]
            found[node.name] = (match["code"], not match["unfixed"]) if match["code"] else None
    return found


def run(root: Path, rows: int = 5) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", RUNNER, str(rows)], cwd=root, env=dict(os.environ, PYTHONPATH=str(root)), capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """What each function returns and sends, before and after the fix."""
    # Folder names without ``test``: per-file-ignores match ``*/test_*.py`` on the full path.
    original = Path(shutil.copytree(PROJECT, tmp_path_factory.mktemp("counting-original") / PROJECT.name))
    fixed = Path(shutil.copytree(PROJECT, tmp_path_factory.mktemp("counting-fixed") / PROJECT.name))
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", "--fix", "--select", "ORM1", str(fixed)], capture_output=True, text=True
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    before = functions((original / MODULE).read_text(encoding="utf-8"))
    after = functions((fixed / MODULE).read_text(encoding="utf-8"))
    changed = {name for name in before if before[name] != after[name]}
    return run(original), run(fixed), changed


def test_fixture_marks_every_function_once():
    found = marks()
    assert set(FIXED_SQL) == {name for name, mark in found.items() if mark is not None and mark[1]}
    assert {mark[0] for mark in found.values() if mark} == {"ORM101", "ORM102", "ORM103"}
    assert any(mark is None for mark in found.values())
    assert any(mark is not None and not mark[1] for mark in found.values())


@pytest.mark.parametrize("name", sorted(marks()))
def test_results_are_equal(reports, name):
    before, after, _ = reports
    assert after[name]["result"] == before[name]["result"]


def test_the_fix_changes_exactly_the_functions_with_a_fix(reports):
    _, _, changed = reports
    assert changed == set(FIXED_SQL)


@pytest.mark.parametrize("name", sorted(FIXED_SQL))
def test_the_fix_replaces_a_full_select_or_a_count(reports, name):
    before, after, _ = reports
    old = [statement for statement in before[name]["sql"] if statement not in after[name]["sql"]]
    new = [statement for statement in after[name]["sql"] if statement not in before[name]["sql"]]
    was, becomes = FIXED_SQL[name]
    if was is None:
        # Loading books loads their ``lazy="selectin"`` reviews too: more than one is gone.
        assert old and all(statement.startswith("SELECT") and not any(bounded in statement for bounded in _BOUNDED) for statement in old)
    else:
        assert len(old) == 1 and was in old[0], old
    assert len(new) == 1 and becomes in new[0], new


@pytest.mark.parametrize("name", sorted(set(marks()) - set(FIXED_SQL)))
def test_functions_without_a_fix_send_the_same_sql(reports, name):
    before, after, _ = reports
    assert after[name]["sql"] == before[name]["sql"]


COUNTS = r"""
import json
from sqlalchemy import func, select
from library.db import SessionLocal, engine
from library.models import Author, Base, Book

Base.metadata.create_all(engine)
with SessionLocal() as session:
    session.add_all([Author(name="a%d" % i, books=[Book(title="b%d-%d" % (i, j)) for j in range(3)]) for i in range(4)])
    session.commit()
    joined = session.query(Author).join(Author.books)
    statement = select(Author).join(Author.books)
    print(json.dumps({
        "legacy_len": len(joined.all()),
        "legacy_count": joined.count(),
        "filtered_len": len(session.query(Author).filter(Author.id == Book.author_id).all()),
        "filtered_count": session.query(Author).filter(Author.id == Book.author_id).count(),
        "distinct_len": len(joined.distinct().all()),
        "distinct_count": joined.distinct().count(),
        "columns_len": len(session.query(Author, Book.id).join(Author.books).all()),
        "columns_count": session.query(Author, Book.id).join(Author.books).count(),
        "statement_len": len(session.scalars(statement).all()),
        "unique_len": len(session.scalars(statement).unique().all()),
        "statement_count": session.scalar(select(func.count()).select_from(statement.subquery())),
    }))
"""


def test_joins_are_why_some_lengths_have_no_fix(tmp_path):
    """A legacy ``Query`` of one entity returns each row once, ``count()`` counts each
    row of the join; so does a filter on another class, which joins its table. With
    ``distinct()``, or with several columns, they agree; a 2.0 result repeats rows until
    ``unique()``."""
    root = Path(shutil.copytree(PROJECT, tmp_path / "counts"))
    completed = subprocess.run([sys.executable, "-c", COUNTS], cwd=root, env=dict(os.environ, PYTHONPATH=str(root)), capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    counts = json.loads(completed.stdout)
    assert (counts["legacy_len"], counts["legacy_count"]) == (4, 12)
    assert (counts["filtered_len"], counts["filtered_count"]) == (4, 12)
    assert counts["distinct_len"] == counts["distinct_count"] == 4
    assert counts["columns_len"] == counts["columns_count"] == 12
    assert counts["statement_len"] == counts["statement_count"] == 12
    assert counts["unique_len"] == 4
