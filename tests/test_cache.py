"""The index cache: data only, refreshed when a file changes, ignored when broken."""

import json

import pytest
from click.testing import CliRunner

from harness import make_project
from ormlint.cli import main

VIEW = "from shop.models import Invoice\n\n\ndef f():\n    return Invoice.objects.count() > 0\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path, {"shop/views.py": VIEW})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_model_added_in_another_file_is_seen_on_the_next_run(project):
    assert "ORM101" not in run(".").output  # Invoice does not exist yet
    cache = json.loads((project / ".ormlint_cache" / "index.json").read_text())
    assert "shop/models.py" in cache["files"]
    models = project / "shop" / "models.py"
    models.write_text(models.read_text() + "\n\nclass Invoice(models.Model):\n    pass\n")
    assert "ORM101" in run(".").output


def test_corrupt_cache_is_ignored_and_rebuilt(project):
    run(".")
    index = project / ".ormlint_cache" / "index.json"
    index.write_text("{not json")
    (project / "shop" / "models.py").write_text("from django.db import models\n\nclass Invoice(models.Model):\n    pass\n")
    assert "ORM101" in run(".").output
    assert json.loads(index.read_text())["files"]


def test_no_cache_writes_nothing(project):
    run("--no-cache", ".")
    assert not (project / ".ormlint_cache").exists()


def test_cache_dir_setting(project):
    (project / "pyproject.toml").write_text("[tool.ormlint]\ncache-dir = 'build/lint-cache'\n")
    run(".")
    assert (project / "build" / "lint-cache" / "index.json").exists()
    assert (project / "build" / "lint-cache" / ".gitignore").exists()
