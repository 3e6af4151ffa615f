"""The example project of the README: every marked anti-pattern is reported, and nothing
else; ``--fix`` fixes the fixable ones and the fixed project still passes Django's checks."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ormlint.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shop"
MARK = re.compile(r"#\s*(ORM\d{3})\b")


def expected_findings(root: Path):
    found = set()
    for path in sorted(root.rglob("*.py")):
        for row, line in enumerate(path.read_text().splitlines(), start=1):
            match = MARK.search(line)
            if match:
                found.add((path.relative_to(root).as_posix(), row, match.group(1)))
    return found


def reported(output: str):
    found = set()
    for line in output.splitlines():
        match = re.match(r"(.+?):(\d+):\d+: (ORM\d{3})", line)
        if match:
            found.add((Path(match.group(1)).as_posix(), int(match.group(2)), match.group(3)))
    return found


@pytest.fixture
def shop(tmp_path, monkeypatch):
    copy = tmp_path / "shop"
    shutil.copytree(EXAMPLE, copy)
    monkeypatch.chdir(copy)
    return copy


def test_every_marked_line_is_reported_and_nothing_else(shop):
    expected = expected_findings(shop)
    assert len(expected) >= 15
    result = CliRunner().invoke(main, ["."])
    assert result.exit_code == 1
    assert reported(result.output) == expected


def test_fix_leaves_only_findings_without_a_safe_fix(shop):
    CliRunner().invoke(main, ["--fix", "."])
    result = CliRunner().invoke(main, ["."])
    assert {code for _, _, code in reported(result.output)} == {"ORM302", "ORM004"}  # unsafe fix, no fix
    again = {p: p.read_bytes() for p in shop.rglob("*.py")}
    CliRunner().invoke(main, ["--fix", "."])
    assert again == {p: p.read_bytes() for p in shop.rglob("*.py")}


def test_fixed_project_still_passes_django_checks(shop):
    CliRunner().invoke(main, ["--fix", "--unsafe-fixes", "."])
    completed = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=shop, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    for path in shop.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
