"""The project index learns the layouts of real projects: each folder of
``tests/fixtures/layouts/`` is a project root of its own, and ormlint must report exactly the
lines marked ``# error: ORMxxx`` in its Python files, nothing on the lines marked ``# ok: ...``
nor anywhere else.

- ``nested_setup``: a ``setup.py`` and a ``manage.py`` inside a package (``inventory/cli/``)
  do not make that package the project root; ``pyproject.toml`` above it does, also when
  ``inventory/cli/report.py`` is checked alone.
- ``star_exports``: models re-exported by ``from .order import *`` in ``models/__init__.py``,
  honouring ``__all__`` (and leaving out ``_private`` names when there is none), and imported
  by ``from shop.models import *``.
- ``py2_leftover``: a models module and a Flask-SQLAlchemy ``db`` module with Python 2
  statements are reported as ORM000, yet the models, ``db`` and relations they declare are
  indexed from the statements that do parse.
- ``newer_syntax``: Python 3.12 syntax (PEP 695, PEP 701) parses although the Python running
  ormlint may be older; no ORM000 anywhere.
- ``third_party_bases``: a class deriving from a base outside the project is a Django model when
  it declares ``django.db.models`` fields, and not when it declares none; relations to models
  of third-party apps by ``"app_label.Model"`` strings are relations.
- ``flask_user_group``: Flask-SQLAlchemy models named ``User``, ``Group``, ``Permission`` and
  ``Session`` are the project's own, not Django's contrib models nor SQLAlchemy's ``Session``.
- ``user_model``: ``get_user_model()`` gives ``AUTH_USER_MODEL``, ``apps.get_model("teams",
  "Team")`` gives that model, and ``ForeignKey(settings.AUTH_USER_MODEL)`` points at it.
- ``generic_and_dynamic``: ``GenericRelation`` and ``GenericForeignKey`` read per row;
  SQLAlchemy relationships declared by ``@declared_attr`` in a mixin, and ``lazy="dynamic"``
  relationships, which are queries.

Each project is checked from a copy in a temporary folder: below ``tests/`` the default
per-file-ignores turn ORM004 and ORM1xx off, which would hide their marks.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
PROJECTS = [
    "nested_setup",
    "star_exports",
    "py2_leftover",
    "newer_syntax",
    "third_party_bases",
    "flask_user_group",
    "user_model",
    "generic_and_dynamic",
]
ERROR = re.compile(r"#\s*error:\s*(ORM\d{3})")
OK = re.compile(r"#\s*ok:\s*\S")


def marks(root: Path, pattern: re.Pattern, only: str = ""):
    found = set()
    for path in sorted(root.rglob("*.py")):
        relative_path = path.relative_to(root).as_posix()
        if only and relative_path != only:
            continue
        for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = pattern.search(line)
            if match:
                found.add((relative_path, row, match.group(1) if match.groups() else "ok"))
    return found


def expected_findings(root: Path, only: str = ""):
    return marks(root, ERROR, only)


def ormlint_json(target: Path):
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", "--output-format", "json", str(target)],
        capture_output=True, text=True,
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return json.loads(completed.stdout)


def found_findings(target: Path, root: Path):
    return {
        (Path(d["filename"]).resolve().relative_to(root.resolve()).as_posix(), d["location"]["row"], d["code"])
        for d in ormlint_json(target)
    }


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    # A folder name without ``test``: per-file-ignores match ``*/test_*.py`` on the full path.
    base = tmp_path_factory.mktemp("layouts")
    return {name: Path(shutil.copytree(LAYOUTS / name, base / name)) for name in PROJECTS}


def test_every_layout_is_a_project_with_marks():
    assert sorted(p.name for p in LAYOUTS.iterdir() if p.is_dir()) == sorted(PROJECTS)
    for name in PROJECTS:
        root = LAYOUTS / name
        errors, oks = marks(root, ERROR), marks(root, OK)
        assert errors, name
        assert len(oks) >= len(errors), f"{name}: fewer must-not-fire cases than must-fire cases"
        assert not {(path, row) for path, row, _ in errors} & {(path, row) for path, row, _ in oks}, name


@pytest.mark.parametrize("project", PROJECTS)
def test_reports_exactly_the_marked_lines(copies, project):
    root = copies[project]
    assert found_findings(root, root) == expected_findings(LAYOUTS / project)


def test_nested_setup_file_checked_alone_knows_the_models(copies):
    # ``inventory/cli`` holds a setup.py and a manage.py; the project root is still the
    # folder of pyproject.toml, where the models are.
    root = copies["nested_setup"]
    report = "inventory/cli/report.py"
    assert found_findings(root / report, root) == expected_findings(LAYOUTS / "nested_setup", only=report)


def test_newer_syntax_parses_everywhere(copies):
    root = copies["newer_syntax"]
    assert [d for d in ormlint_json(root) if d["code"] == "ORM000"] == []


def test_index_says_the_python2_models_module_is_indexed_partially(copies):
    root = copies["py2_leftover"]
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "index", "--no-cache", str(root)],
        capture_output=True, text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert any("partial" in line and "legacy/models.py" in line for line in lines), completed.stdout
