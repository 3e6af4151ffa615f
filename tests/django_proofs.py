"""What the database proofs of the Django fixture project share: copying the project
twice, the second copy fixed by ``ormlint --fix``, and running a proof's runner script in
a fresh process in one copy, on seeded rows, for its JSON report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Tuple

#: Where ``django_seed`` lives, for the runner scripts.
SEED_FOLDER = str(Path(__file__).parent)

_reports: Dict[Tuple[str, str, int], dict] = {}


def run_in_project(root: Path, runner: str, rows: int) -> dict:
    """The report of ``runner`` run in the project copy ``root`` on ``rows`` seeded rows,
    computed once per copy, script and size."""
    key = (str(root), runner, rows)
    if key not in _reports:
        completed = subprocess.run(
            [sys.executable, "-c", runner, str(rows)],
            cwd=root,
            env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), SEED_FOLDER]), DJANGO_SETTINGS_MODULE="project.settings"),
            capture_output=True,
            text=True,
        )
        assert completed.returncode == 0, completed.stderr
        _reports[key] = json.loads(completed.stdout)
    return _reports[key]


def fixed_copies(tmp_path_factory, project: Path, label: str) -> Tuple[Path, Path]:
    """(original, fixed): ``project`` copied twice, the second fixed with ``ormlint --fix
    --select ORM0``. The folders' names hold no ``test``: per-file-ignores match
    ``*/test_*.py`` on the full path."""
    original = Path(shutil.copytree(project, tmp_path_factory.mktemp(f"{label}-original") / project.name))
    fixed = Path(shutil.copytree(project, tmp_path_factory.mktemp(f"{label}-fixed") / project.name))
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", "--fix", "--select", "ORM0", str(fixed)],
        capture_output=True,
        text=True,
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return original, fixed
