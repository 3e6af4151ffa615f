"""The pre-commit hooks, driven by the real pre-commit executable (``try-repo`` against
this repository's local path) on a temporary git repository."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODELS = "from django.db import models\n\n\nclass Order(models.Model):\n    pass\n"
VIEW = "from shop.models import Order\n\n\ndef f():\n    return Order.objects.count() > 0\n"
FIXED_VIEW = "from shop.models import Order\n\n\ndef f():\n    return Order.objects.exists()\n"


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    home = tmp_path_factory.mktemp("pre-commit-home")
    return dict(
        os.environ,
        PRE_COMMIT_HOME=str(home),
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
    )


def repository(path: Path, view: str, environment) -> Path:
    (path / "shop").mkdir(parents=True)
    (path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (path / "shop" / "__init__.py").write_text("")
    (path / "shop" / "models.py").write_text(MODELS)
    (path / "shop" / "views.py").write_text(view)
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "init"]):
        subprocess.run(command, cwd=path, env=environment, check=True)
    return path


def try_repo(hook: str, cwd: Path, environment) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files"],
        cwd=cwd, env=environment, capture_output=True, text=True,
    )


def test_check_hook_fails_and_names_the_finding(tmp_path, environment):
    repo = repository(tmp_path / "repo", VIEW, environment)
    result = try_repo("ormlint", repo, environment)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "shop/views.py:5:12: ORM101" in result.stdout
    assert (repo / "shop" / "views.py").read_text() == VIEW


def test_fix_hook_fixes_and_fails_because_it_changed_files(tmp_path, environment):
    repo = repository(tmp_path / "repo", VIEW, environment)
    result = try_repo("ormlint-fix", repo, environment)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    assert (repo / "shop" / "views.py").read_text() == FIXED_VIEW
    again = try_repo("ormlint", repo, environment)
    assert again.returncode == 0, again.stdout + again.stderr


def test_clean_repository_passes(tmp_path, environment):
    repo = repository(tmp_path / "repo", FIXED_VIEW, environment)
    result = try_repo("ormlint", repo, environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
