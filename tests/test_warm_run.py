"""A warm run reads only what changed: a file whose size and time are those of the last
run is answered from the result cache without being read, a project whose files are all
unchanged is not indexed again, and whatever changed is checked as a cold run would."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import make_project
from ormlint import runner
from ormlint.cli import main
from ormlint.semantic.index import ProjectIndex

VIEW = "from shop.models import Order\n\n\ndef f():\n    return [o.customer.name for o in Order.objects.all()]\n"
COUNT = "from shop.models import Order\n\n\ndef g():\n    return Order.objects.count() > 0\n"


def findings(*arguments):
    result = CliRunner().invoke(main, ["--output-format", "json", *arguments])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path, {"shop/views.py": VIEW, "shop/stats.py": COUNT})
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def spy(monkeypatch):
    """Counts the files read, the files checked and the indexes built during a run."""
    seen = {"read": [], "checked": [], "built": 0}
    read, check, build = runner.SourceFile.read, runner.check_files, ProjectIndex.build.__func__

    def reading(path, *arguments, **keywords):
        seen["read"].append(os.path.basename(path))
        return read(path, *arguments, **keywords)

    def checking(sources, *arguments, **keywords):
        seen["checked"].extend(os.path.basename(s.path) for s in sources)
        return check(sources, *arguments, **keywords)

    def building(cls, *arguments, **keywords):
        seen["built"] += 1
        return build(cls, *arguments, **keywords)

    monkeypatch.setattr(runner.SourceFile, "read", staticmethod(reading))
    monkeypatch.setattr(runner, "check_files", checking)
    monkeypatch.setattr(ProjectIndex, "build", classmethod(building))
    return seen


def test_a_warm_run_reads_no_file_and_builds_no_index(project, spy):
    cold = findings(".")
    assert sorted(d["code"] for d in cold) == ["ORM001", "ORM101"]
    assert spy["built"] == 1 and {"models.py", "stats.py", "views.py"} <= set(spy["checked"])
    spy.update(read=[], checked=[], built=0)
    assert findings(".") == cold
    assert spy == {"read": [], "checked": [], "built": 0}


def test_a_file_touched_but_unchanged_is_read_and_not_checked(project, spy):
    cold = findings(".")
    stats = project / "shop" / "stats.py"
    later = stats.stat().st_mtime_ns + 5_000_000_000
    os.utime(stats, ns=(later, later))
    spy.update(read=[], checked=[], built=0)
    assert findings(".") == cold
    assert "stats.py" in spy["read"] and "views.py" not in spy["read"]
    assert spy["checked"] == []
    spy.update(read=[], checked=[], built=0)
    assert findings(".") == cold  # its new time is remembered
    assert spy["read"] == []


def test_a_changed_file_is_the_only_one_checked_and_its_findings_are_new(project, spy):
    findings(".")
    stats = project / "shop" / "stats.py"
    # A change that leaves what the index knows as it was: the other results still hold.
    stats.write_text(COUNT.replace("count() > 0", "count() > 0  # noqa: ORM101"))
    spy.update(read=[], checked=[], built=0)
    warm = findings(".")
    assert spy["checked"] == ["stats.py"]
    assert warm == findings("--no-cache", ".")
    assert [d["code"] for d in warm] == ["ORM001"]


def test_a_changed_model_is_seen_by_an_unchanged_view(project, spy):
    assert {d["code"] for d in findings(".")} == {"ORM001", "ORM101"}
    models = project / "shop" / "models.py"
    models.write_text(models.read_text().replace("customer = models.ForeignKey", "customer_ref = models.ForeignKey"))
    spy.update(read=[], checked=[], built=0)
    assert [d["code"] for d in findings(".")] == ["ORM101"]
    assert spy["built"] == 1 and "views.py" in spy["checked"]


def test_a_new_file_in_the_project_is_indexed_before_cached_results_are_trusted(project):
    assert {d["code"] for d in findings("shop/views.py")} == {"ORM001"}
    # A second model file makes ``customer`` ambiguous in nothing, but it is a new file
    # of the project: the index is read again and the view still gets its finding.
    (project / "shop" / "other.py").write_text("X = 1\n")
    assert {d["code"] for d in findings("shop/views.py")} == {"ORM001"}


def test_a_run_over_the_whole_project_does_not_look_for_unchecked_callers(project, monkeypatch):
    findings(".")

    def refuse(*arguments):
        raise AssertionError("every file is checked: no caller is left to read")

    monkeypatch.setattr(runner, "caller_findings", refuse)
    assert {d["code"] for d in findings(".")} == {"ORM001", "ORM101"}


def test_a_run_over_one_helper_still_reports_its_cached_callers_rows(tmp_path, monkeypatch):
    helper = "def names(rows):\n    return [row.customer.name for row in rows]\n"
    caller = "from shop.models import Order\nfrom shop.helpers import names\n\n\ndef page():\n    return names(Order.objects.all())\n"
    make_project(tmp_path, {"shop/helpers.py": helper, "shop/pages.py": caller})
    monkeypatch.chdir(tmp_path)
    assert [os.path.basename(d["filename"]) for d in findings(".")] == ["pages.py"]
    for _ in range(2):  # cold for the helper alone, then warm
        moved = findings("shop/helpers.py")
        assert [(d["code"], os.path.basename(d["filename"])) for d in moved] == [("ORM001", "helpers.py")]
        assert "shop/pages.py:6" in moved[0]["message"]


def test_an_edited_template_changes_the_findings_of_an_unchanged_view(tmp_path, monkeypatch):
    view = (
        "from django.shortcuts import render\nfrom shop.models import Order\n\n\n"
        "def orders(request):\n    return render(request, 'shop/list.html', {'orders': Order.objects.all()})\n"
    )
    make_project(tmp_path, {"shop/views.py": view})
    template = tmp_path / "shop" / "templates" / "shop" / "list.html"
    template.parent.mkdir(parents=True)
    template.write_text("{% for order in orders %}{{ order.status }}{% endfor %}\n")
    monkeypatch.chdir(tmp_path)
    assert findings(".") == []
    template.write_text("{% for order in orders %}{{ order.customer.name }}{% endfor %}\n")
    assert [d["code"] for d in findings(".")] == ["ORM001"]


def test_add_noqa_and_a_baseline_read_the_lines_of_findings_the_cache_answered_for(project):
    cold = findings(".")
    baseline = project / "baseline.json"
    written = CliRunner().invoke(main, ["--write-baseline", str(baseline), "."])  # warm: nothing read
    assert written.exit_code == 0, written.output
    recorded = json.loads(baseline.read_text())["findings"]
    assert sorted(entry["text"] for entry in recorded) == sorted(
        ["return [o.customer.name for o in Order.objects.all()]", "return Order.objects.count() > 0"]
    )
    assert findings("--baseline", str(baseline), ".") == []
    added = CliRunner().invoke(main, ["--add-noqa", "."])
    assert "Added 2 noqa directives." in added.output, added.output
    assert "# noqa: ORM101" in (project / "shop" / "stats.py").read_text()
    assert len(cold) == 2 and findings(".") == []


def test_results_are_not_shared_by_settings_read_from_different_folders(tmp_path, monkeypatch):
    """``tests/*`` is matched from the configuration's folder, or from the working one
    without a configuration (``--isolated``): the same file, the same settings, but other
    findings."""
    make_project(tmp_path, {"tests/helpers.py": COUNT})
    (tmp_path / "pyproject.toml").write_text("[tool.ormlint]\nextend-exclude = ['legacy']\n")
    monkeypatch.chdir(tmp_path / "tests")
    assert findings("helpers.py") == []  # test code, from the project's folder
    assert [d["code"] for d in findings("--isolated", "helpers.py")] == ["ORM101"]
