"""The flake8 plugin, driven through the real flake8 executable, agrees with the command
line on every fixture: same codes, rows, columns and messages."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import make_project

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = [ROOT / "examples" / "shop", ROOT / "tests" / "fixtures" / "django_project"]


def flake8(*args, cwd, stdin=None):
    completed = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "ORM", "--format", "%(path)s|%(row)d|%(col)d|%(code)s|%(text)s", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True,
    )
    assert completed.returncode in (0, 1), completed.stderr
    found = set()
    for line in completed.stdout.splitlines():
        path, row, column, code, text = line.split("|", 4)
        found.add((Path(path).as_posix().removeprefix("./"), int(row), int(column), code, text))
    return found


def ormlint(cwd):
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "--output-format", "json", "."], cwd=cwd, capture_output=True, text=True
    )
    return {
        (
            Path(d["filename"]).relative_to(cwd).as_posix(),
            d["location"]["row"],
            d["location"]["column"],
            d["code"],
            d["message"],
        )
        for d in json.loads(completed.stdout)
    }


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_plugin_and_command_line_agree(fixture, tmp_path):
    fixture = Path(shutil.copytree(fixture, tmp_path / fixture.name))
    expected = ormlint(fixture)
    assert expected, "the fixture should have findings"
    assert flake8(".", cwd=fixture) == expected


def test_standard_input_with_display_name_knows_the_project_models(tmp_path):
    make_project(tmp_path)
    code = "from shop.models import Order\n\n\ndef f():\n    return Order.objects.count() > 0\n"
    found = flake8("-", "--stdin-display-name=shop/views.py", cwd=tmp_path, stdin=code)
    assert found == {
        ("shop/views.py", 5, 12, "ORM101", "`count()` used to test for existence counts every matching row; use `exists()`")
    }


def test_flake8_owns_noqa_and_ignore(tmp_path):
    make_project(tmp_path)
    code = "import requests\n\nrequests.get('u')\nrequests.get('v')  # noqa: ORM301\n"
    (tmp_path / "shop" / "client.py").write_text(code)
    assert {row for _, row, *_ in flake8("shop/client.py", cwd=tmp_path)} == {3}
    assert flake8("--extend-ignore", "ORM301", "shop/client.py", cwd=tmp_path) == set()


def test_ormlint_settings_apply_but_not_its_selection(tmp_path, monkeypatch):
    from ormlint.flake8_plugin import _config_for

    make_project(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.ormlint]\ndefault-timeout = 3\nselect = ['ORM3']\n")
    config = _config_for(str(tmp_path / "shop" / "models.py"))
    assert config.default_timeout == 3
    assert config.is_selected("ORM101", "shop/tests/test_x.py")


def test_a_file_checked_again_unchanged_is_answered_from_the_plugin_cache(tmp_path):
    view = "from shop.models import Order\n\n\ndef f():\n    return Order.objects.count() > 0\n"
    make_project(tmp_path, {"shop/views.py": view})
    first = flake8("shop/views.py", cwd=tmp_path)
    assert [code for _, _, _, code, _ in first] == ["ORM101"]
    cached = json.loads((tmp_path / ".ormlint_cache" / "flake8.json").read_text())["files"]
    assert list(cached) == ["shop/views.py"]
    # An answer taken from the cache shows: the cached message is what flake8 prints.
    entry = cached["shop/views.py"]
    entry["diagnostics"][0]["message"] = "from the cache"
    (tmp_path / ".ormlint_cache" / "flake8.json").write_text(json.dumps({"format": json.loads((tmp_path / ".ormlint_cache" / "flake8.json").read_text())["format"], "files": cached}))
    assert [text for *_, text in flake8("shop/views.py", cwd=tmp_path)] == ["from the cache"]
    # Edited, the file is checked again; so is an unchanged file after a model changed.
    (tmp_path / "shop" / "views.py").write_text(view + "\n\ndef g():\n    return Order.objects.count() > 0\n")
    assert len(flake8("shop/views.py", cwd=tmp_path)) == 2
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text() + "\n\nclass Extra(models.Model):\n    pass\n")
    assert all("cache" not in text for *_, text in flake8("shop/views.py", cwd=tmp_path))


def test_standard_input_is_never_answered_from_the_cache(tmp_path):
    view = "from shop.models import Order\n\n\ndef f():\n    return Order.objects.count() > 0\n"
    make_project(tmp_path, {"shop/views.py": view})
    for _ in range(2):
        assert len(flake8("-", cwd=tmp_path, stdin=view)) == 1
    assert not (tmp_path / ".ormlint_cache" / "flake8.json").exists()
