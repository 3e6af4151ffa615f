"""Real git repositories and the real executable, for the tests of adopting ormlint on a
codebase: ``.gitignore``, ``--add-noqa`` and baselines behave as a user meets them only
with ``git init`` done for real and ``python -m ormlint`` run as a process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Dict

#: Generous: a run over a fixture project takes a second or two, but the machine is shared.
TIMEOUT = 300


#: A Django app's models for the repositories the command-line tests make.
MODELS = (
    "from django.db import models\n\n\n"
    "class Customer(models.Model):\n    name = models.CharField(max_length=10)\n\n\n"
    "class Order(models.Model):\n    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n"
)


def git_repository(root: Path, files: Dict[str, str]) -> Path:
    """A git work tree at ``root`` (made with ``git init``) holding ``files``."""
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=TIMEOUT)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def ormlint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m ormlint ARGS`` in ``cwd``, without the cache so that every run reads
    the files as they are now."""
    return subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def git_unignored(root: Path) -> set:
    """The untracked files git does not ignore, as git itself lists them: the oracle the
    discovery is compared with."""
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"], cwd=root, capture_output=True, text=True, check=True, timeout=TIMEOUT
    )
    return set(listed.stdout.split())
