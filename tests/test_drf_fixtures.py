"""ORM001 / ORM002 on Django REST framework list views: the N+1 rules report exactly the
``queryset = ...`` lines marked ``# error: ORMxxx`` (or ``# error: ORM001, ORM002``) in the
Django fixture project's view modules (``store/api.py``, and ``store/api_serializers.py``
with serializers as projects write them), each with a fix, and nothing else there (the
``# ok:`` views); the serializers they use get no finding.

The fixture is checked from a copy in a temporary folder whose path has no ``test`` in it:
below ``tests/`` the default per-file-ignores would turn some rules off.
tests/test_drf_database_proof.py calls the same views on SQLite before and after the fix and
imports ``marks`` from here.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "django_project"
#: The modules of list views, and of the serializers they use.
API_MODULES = ("store/api.py", "store/api_serializers.py")
SERIALIZERS = "store/serializers.py"
#: ``# error: ORM001`` or ``# error: ORM001, ORM002``; ``# ok: <reason>``.
MARK = re.compile(r"#\s*(?:error:\s*(?P<codes>ORM\d{3}(?:\s*,\s*ORM\d{3})*)|ok:\s*(?P<reason>\S.*))")


def marks(path: Path):
    """Each marked line of ``path``: row -> ("error", {codes}) or ("ok", reason)."""
    found = {}
    for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = MARK.search(line)
        if match and match["codes"]:
            found[row] = ("error", {code.strip() for code in match["codes"].split(",")})
        elif match:
            found[row] = ("ok", match["reason"])
    return found


def expected_findings(root: Path):
    return {
        (module, row, code)
        for module in API_MODULES
        for row, (kind, codes) in marks(root / module).items()
        if kind == "error"
        for code in codes
    }


def relative(filename: str, root: Path) -> str:
    return Path(filename).resolve().relative_to(root.resolve()).as_posix()


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    """ormlint's ORM0 findings on a copy of the fixture: (path, row, code) -> diagnostic."""
    root = Path(shutil.copytree(FIXTURE, tmp_path_factory.mktemp("drf") / FIXTURE.name))
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", "--select", "ORM0", "--output-format", "json", str(root)],
        capture_output=True, text=True,
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return {(relative(d["filename"], root), d["location"]["row"], d["code"]): d for d in json.loads(completed.stdout)}


@pytest.mark.parametrize("module", API_MODULES)
def test_marks_cover_both_rules_and_silent_views(module):
    found = marks(FIXTURE / module)
    codes = [code for kind, value in found.values() if kind == "error" for code in value]
    assert set(codes) == {"ORM001", "ORM002"}
    assert any(kind == "error" and value == {"ORM001", "ORM002"} for kind, value in found.values())
    assert sum(kind == "ok" for kind, _ in found.values()) >= 5
    # Every mark is on a ``queryset = ...`` line.
    lines = (FIXTURE / module).read_text(encoding="utf-8").splitlines()
    for row in found:
        assert lines[row - 1].lstrip().startswith("queryset = "), (row, lines[row - 1])


def test_reports_exactly_the_marked_views(findings):
    found = {key for key in findings if key[0] in (*API_MODULES, SERIALIZERS)}
    assert found == expected_findings(FIXTURE)


def test_every_finding_carries_a_fix_on_its_line(findings):
    for (path, row, code), diagnostic in findings.items():
        if path not in API_MODULES:
            continue
        assert diagnostic["fix"] is not None and diagnostic["fix"]["edits"], (row, code)
        for edit in diagnostic["fix"]["edits"]:
            assert edit["location"]["row"] == edit["end_location"]["row"] == row, (row, code, edit)
