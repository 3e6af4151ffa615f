"""The N+1 rules (ORM001-ORM004) report exactly the loops marked ``# error: ORMxxx`` in the
``loops.py`` files of the Django and SQLAlchemy fixture projects, on the loop's first line,
and the change lists marked in the Django project's ``admin.py``, on the ``list_display``
line; nothing anywhere else (the ``# ok:`` loops and admins, the models, the other modules)
but the modules listed in ``CHECKED_ELSEWHERE``: the REST framework list views of
``store/api.py`` and ``store/api_serializers.py``, which tests/test_drf_fixtures.py
checks, those on project bases in ``store/api_lineage.py``, which
tests/test_view_lineage_proof.py checks, and the views rendering templates and the helpers
called with query rows (``store/views.py``, ``store/reports.py``,
``library/web.py``), which tests/test_cross_function_fixtures.py checks, and the querysets
and rows that cross function boundaries (``store/flows.py``), which
tests/test_interprocedural_fixtures.py checks, and the admins as projects write them
(``store/admin_written.py``), which tests/test_admin_fixtures.py checks.

The fixtures are checked from a copy in a temporary folder: below ``tests/`` the default
per-file-ignores turn ORM004 off, which would hide the ORM004 marks.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
PROJECTS = [FIXTURES / "django_project", FIXTURES / "sqlalchemy_project"]
ERROR = re.compile(r"#\s*error:\s*(ORM\d{3})")
FIXABLE = {"ORM001", "ORM002", "ORM003"}
#: The modules whose marks say what the N+1 rules must report.
MARKED = ("loops.py", "admin.py")
#: Modules whose findings have their own test: the REST framework list views and their
#: serializers (tests/test_drf_fixtures.py), those on project bases and mixins
#: (tests/test_view_lineage_proof.py); views rendering templates and rows passed to
#: helpers (tests/test_cross_function_fixtures.py); querysets and rows across function
#: boundaries (tests/test_interprocedural_fixtures.py); admins with ``get_queryset()``
#: overrides, base admins and inlines (tests/test_admin_fixtures.py).
CHECKED_ELSEWHERE = {
    "store/admin_written.py",
    "store/api.py",
    "store/api_lineage.py",
    "store/api_serializers.py",
    "store/serializers.py",
    "store/views.py",
    "store/views_written.py",
    "store/reports.py",
    "store/flows.py",
    "library/web.py",
}
#: In the admin, ORM002 has no fix: the prefetch belongs in a ``get_queryset()`` override.
ADMIN_FIXABLE = {"ORM001"}


def expected_findings(root: Path):
    found = set()
    for path in sorted(p for name in MARKED for p in root.rglob(name)):
        for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = ERROR.search(line)
            if match:
                found.add((path.relative_to(root).as_posix(), row, match.group(1)))
    return found


def ormlint_json(root: Path):
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", "--select", "ORM0", "--output-format", "json", str(root)],
        capture_output=True, text=True,
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return json.loads(completed.stdout)


def relative(filename: str, root: Path) -> str:
    return Path(filename).resolve().relative_to(root.resolve()).as_posix()


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    # A folder name without ``test``: per-file-ignores match ``*/test_*.py`` on the full path.
    base = tmp_path_factory.mktemp("nplusone")
    return {project.name: Path(shutil.copytree(project, base / project.name)) for project in PROJECTS}


def test_marks_cover_every_rule():
    codes = {code for project in PROJECTS for _, _, code in expected_findings(project)}
    assert codes == {"ORM001", "ORM002", "ORM003", "ORM004"}
    django = expected_findings(FIXTURES / "django_project")
    assert {path for path, _, _ in django} == {"store/loops.py", "store/admin.py"}
    assert len(django) >= 12


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_reports_exactly_the_marked_loops(copies, project):
    root = copies[project.name]
    found = {(relative(d["filename"], root), d["location"]["row"], d["code"]) for d in ormlint_json(root)}
    found = {finding for finding in found if finding[0] not in CHECKED_ELSEWHERE}
    assert found == expected_findings(project)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_n_plus_one_findings_carry_a_fix_and_query_in_loop_does_not(copies, project):
    root = copies[project.name]
    findings = [d for d in ormlint_json(root) if d["code"] != "ORM000"]
    assert findings, "no N+1 finding at all"
    for d in findings:
        where = (relative(d["filename"], root), d["location"]["row"], d["code"])
        if where[0] in CHECKED_ELSEWHERE:
            continue  # a ListView with ``model = ...`` only is reported without a fix, for one
        fixable = ADMIN_FIXABLE if where[0].endswith("admin.py") else FIXABLE
        if d["code"] in fixable:
            assert d["fix"] is not None and d["fix"]["edits"], where
        else:
            assert d["fix"] is None, where
