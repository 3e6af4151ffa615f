"""The prefilter and the result cache make ormlint fast; these tests prove they never
change what it finds."""

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import make_project
from ormlint.cli import main
from ormlint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = [
    ROOT / "examples" / "shop",
    ROOT / "tests" / "fixtures" / "django_project",
    ROOT / "tests" / "fixtures" / "sqlalchemy_project",
]
#: Every fixture project: the two above and each of the layouts.
FIXTURE_PROJECTS = [*PROJECTS, *sorted(p for p in (ROOT / "tests" / "fixtures" / "layouts").iterdir() if p.is_dir())]


def findings(*arguments):
    result = CliRunner().invoke(main, ["--output-format", "json", *arguments])
    return json.loads(result.output)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_the_prefilter_never_hides_a_finding(project, tmp_path, monkeypatch):
    copy = shutil.copytree(project, tmp_path / "copy")
    monkeypatch.chdir(copy)
    filtered = findings("--no-cache", ".")
    for rule in ALL_RULES:
        monkeypatch.setattr(rule, "needs_orm", False)
        monkeypatch.setattr(rule, "required_text", ())
    assert findings("--no-cache", ".") == filtered
    assert filtered


@pytest.mark.parametrize("ignores", ["default", "none"])
@pytest.mark.parametrize("project", FIXTURE_PROJECTS, ids=lambda path: path.name)
def test_the_structural_prefilter_never_hides_a_finding(project, ignores, tmp_path, monkeypatch):
    copy = shutil.copytree(project, tmp_path / "copy")
    monkeypatch.chdir(copy)
    arguments = ["--no-cache", "."]
    if ignores == "none":  # test files get every rule, not only the timeout ones
        config = tmp_path / "ormlint.toml"
        config.write_text("per-file-ignores = {}\n")
        arguments = ["--config", str(config), *arguments]
    monkeypatch.setenv("ORMLINT_STRUCTURAL_PREFILTER", "1")
    filtered = findings(*arguments)
    monkeypatch.setenv("ORMLINT_STRUCTURAL_PREFILTER", "0")
    assert findings(*arguments) == filtered
    assert filtered or project.parent.name == "layouts"


def test_the_structural_prefilter_spares_libcst_files_without_candidates(tmp_path, monkeypatch):
    """The first file passes the text prefilter of ORM301 (``requests``) and ORM302
    (``None``) but calls nothing; the one with ``timeout=None`` is parsed and reported."""
    import libcst

    from ormlint import engine, workers

    files = {
        "shop/plain.py": "def f(x=None):\n    # requests are answered elsewhere\n    return x\n",
        "shop/client.py": "import httpx\n\n\ndef f():\n    return httpx.get('https://example.com', timeout=None)\n",
    }
    make_project(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    parsed = []
    real_parse = libcst.parse_module

    def counted_parse(text, *arguments, **keywords):
        parsed.append(text)
        return real_parse(text, *arguments, **keywords)

    monkeypatch.setattr(engine.cst, "parse_module", counted_parse)

    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 10**6)
    assert [(Path(d["filename"]).name, d["code"]) for d in findings("--no-cache", "shop")] == [("client.py", "ORM302")]
    assert files["shop/plain.py"] not in parsed
    assert files["shop/client.py"] in parsed


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_cached_results_equal_fresh_ones(project, tmp_path, monkeypatch):
    copy = shutil.copytree(project, tmp_path / "copy")
    monkeypatch.chdir(copy)
    fresh = findings("--no-cache", ".")
    assert findings(".") == fresh  # writes the cache
    assert (copy / ".ormlint_cache" / "results.json").exists()
    assert findings(".") == fresh  # reads it


def test_a_model_changed_in_one_file_updates_the_findings_of_another(tmp_path, monkeypatch):
    view = "from shop.models import Order\n\n\ndef f():\n    return [o.customer for o in Order.objects.all()]\n"
    make_project(tmp_path, {"shop/views.py": view})
    monkeypatch.chdir(tmp_path)
    assert [d["code"] for d in findings(".")] == ["ORM001"]
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace("customer = models.ForeignKey", "customer_ref = models.ForeignKey"))
    assert findings(".") == []  # views.py is unchanged, but `customer` is no longer a relation


def test_a_changed_setting_invalidates_cached_results(tmp_path, monkeypatch):
    make_project(tmp_path, {"shop/client.py": "import requests\n\nrequests.get('u')\n"})
    monkeypatch.chdir(tmp_path)
    assert [d["code"] for d in findings(".")] == ["ORM301"]
    (tmp_path / "pyproject.toml").write_text("[tool.ormlint]\nignore = ['ORM301']\n")
    assert findings(".") == []


def test_many_files_are_checked_in_parallel_with_the_same_output(tmp_path, monkeypatch):
    from ormlint import workers

    files = {f"shop/v{i}.py": f"from shop.models import Order\n\n\ndef f{i}():\n    return Order.objects.count() > {i % 2}\n" for i in range(40)}
    make_project(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    parallel = findings("--no-cache", ".")
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 10**6)
    assert findings("--no-cache", ".") == parallel
    assert len(parallel) == 20


def test_checkers_forked_after_the_index_is_built_build_no_index_of_their_own(tmp_path, monkeypatch):
    """Where processes fork, the workers that check files inherit the parent's index; the
    parent's readers read the files for it. One build in all, whatever the workers."""
    if multiprocessing.get_start_method() != "fork":
        pytest.skip("checkers inherit the index only where processes fork")
    log = tmp_path / "builds.log"
    script = (
        "import os, sys\n"
        "from ormlint.semantic.index import ProjectIndex\n"
        "build = ProjectIndex.build.__func__\n"
        "def counted(cls, *a, **k):\n"
        f"    open({str(log)!r}, 'a').write(f'{{os.getpid()}}\\n')\n"
        "    return build(cls, *a, **k)\n"
        "ProjectIndex.build = classmethod(counted)\n"
        "from ormlint.cli import main\n"
        "main(['check', '--no-cache', '--exit-zero', '-q', '.'])\n"
    )
    files = {f"shop/v{i}.py": f"from shop.models import Order\n\n\ndef f{i}():\n    return Order.objects.count() > 0\n" for i in range(40)}
    make_project(tmp_path / "p", files)
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path / "p", capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert completed.stdout.count("ORM101") == 40, completed.stderr
    assert len(log.read_text().split()) == 1
