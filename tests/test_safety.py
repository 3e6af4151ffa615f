"""ormlint never runs the code it checks, keeps only data in its cache, and gives the same
output whatever the order of paths or the state of the cache."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ormlint.cli import main

MARKER = "import pathlib\npathlib.Path(__file__).with_name('RAN_' + pathlib.Path(__file__).stem).write_text('x')\n"


@pytest.fixture
def booby_trapped(tmp_path, monkeypatch):
    """A project each of whose modules writes a marker file if it is ever imported."""
    files = {
        "manage.py": MARKER,
        "conftest.py": MARKER,
        "site/__init__.py": MARKER,
        "site/settings.py": MARKER + "INSTALLED_APPS = ['shop']\n",
        "shop/__init__.py": MARKER,
        "shop/apps.py": MARKER + "from django.apps import AppConfig\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
        "shop/models.py": MARKER + "from django.db import models\n\nclass Order(models.Model):\n    pass\n",
        "shop/views.py": MARKER + "from shop.models import Order\n\ndef f():\n    return Order.objects.count() > 0\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_checked_and_fixed_code_never_runs(booby_trapped):
    for arguments in (["."], ["--fix", "--unsafe-fixes", "."], ["--output-format", "sarif", "shop/views.py"]):
        subprocess.run([sys.executable, "-m", "ormlint", *arguments], cwd=booby_trapped, capture_output=True)
    subprocess.run([sys.executable, "-m", "flake8", "--select", "ORM", "."], cwd=booby_trapped, capture_output=True)
    assert "exists()" in (booby_trapped / "shop" / "views.py").read_text()
    assert sorted(p.name for p in booby_trapped.rglob("RAN_*")) == []


def test_the_cache_is_json_data(booby_trapped):
    CliRunner().invoke(main, ["."])
    cache = booby_trapped / ".ormlint_cache" / "index.json"
    document = json.loads(cache.read_text())
    assert document["format"].startswith("ormlint-index-")
    assert not any(p.suffix in (".pickle", ".pkl") for p in cache.parent.iterdir())


@pytest.mark.parametrize("content", ["", "{", "[]", '{"format": "other"}', '{"format": 1, "files": []}', "\0\0\0"])
def test_a_broken_or_hostile_cache_is_ignored_and_rebuilt(booby_trapped, content):
    (booby_trapped / ".ormlint_cache").mkdir()
    (booby_trapped / ".ormlint_cache" / "index.json").write_text(content)
    result = CliRunner().invoke(main, ["."])
    assert "views.py:6:12: ORM101" in result.output
    assert json.loads((booby_trapped / ".ormlint_cache" / "index.json").read_text())["files"]


def test_a_cache_directory_that_cannot_be_written_means_no_cache(booby_trapped):
    (booby_trapped / "blocked").write_text("a file where the cache folder should be")
    (booby_trapped / "pyproject.toml").write_text("[tool.ormlint]\ncache-dir = 'blocked/cache'\n")
    result = CliRunner().invoke(main, ["."])
    assert result.exit_code == 1 and "views.py:6:12: ORM101" in result.output


def test_output_is_identical_whatever_the_order_of_paths_and_the_cache(booby_trapped):
    def output(*arguments):
        return CliRunner().invoke(main, ["--output-format", "json", *arguments]).output

    cold = output("--no-cache", "shop/views.py", "shop", "manage.py")
    assert output("manage.py", "shop", "shop/views.py") == cold  # cache written
    assert output("shop", "manage.py", "shop/views.py") == cold  # cache read
    assert json.loads(cold)[0]["code"] == "ORM101"


def test_fix_writes_nothing_outside_the_given_paths(booby_trapped):
    other = booby_trapped / "shop" / "other.py"
    other.write_text("from shop.models import Order\nx = Order.objects.count() > 0\n")
    before = {p: p.read_bytes() for p in booby_trapped.rglob("*.py") if p.name != "views.py"}
    CliRunner().invoke(main, ["--fix", "--no-cache", "shop/views.py"])
    assert "exists()" in (booby_trapped / "shop" / "views.py").read_text()
    assert {p: p.read_bytes() for p in booby_trapped.rglob("*.py") if p.name != "views.py"} == before
    assert not (booby_trapped / ".ormlint_cache").exists()
