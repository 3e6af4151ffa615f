"""A run that checks a helper without its callers (pre-commit on a changed helper)
reports what the callers would, at the helper's loop, naming the call site; a run that
checks the caller reports there, and never both."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import make_project
from ormlint.cli import main

RENDER = """\
def render_rows(rows):
    out = []
    for row in rows:
        out.append(row.customer.name)
    return out


def numbers(rows):
    return [row.number for row in rows]


class Report:
    @staticmethod
    def lines(rows):
        return [row.customer.name for row in rows]
"""

VIEWS = """\
from shop.models import Order
from shop.render import Report, numbers, render_rows


def unloaded():
    return render_rows(Order.objects.filter(status="new"))


def loaded():
    return render_rows(Order.objects.select_related("customer"))


def columns():
    return numbers(Order.objects.all())


def report():
    return Report.lines(Order.objects.all())
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path, {"shop/render.py": RENDER, "shop/views.py": VIEWS})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(*args):
    result = CliRunner().invoke(main, ["check", "--no-cache", "--output-format", "json", *args], catch_exceptions=False)
    shown = [(Path(d["filename"]).resolve(), d["location"]["row"], d["code"], d["message"]) for d in json.loads(result.output)]
    return [(path.relative_to(Path.cwd().resolve()).as_posix(), *rest) for path, *rest in shown]


def test_the_helper_alone_gets_its_callers_findings_at_its_loops(project):
    found = findings("shop/render.py")
    assert [(path, row, code) for path, row, code, _ in found] == [("shop/render.py", 3, "ORM001"), ("shop/render.py", 15, "ORM001")]
    assert found[0][3].startswith("Rows passed from `shop/views.py:6`: `render_rows()` loops over these rows")
    assert found[1][3].startswith("Rows passed from `shop/views.py:18`: `lines()` loops over these rows")
    assert all(finding[3].endswith("load with `.select_related('customer')`") for finding in found)


def test_a_checked_caller_keeps_its_findings_and_the_helper_gets_none(project):
    found = findings("shop/render.py", "shop/views.py")
    assert [(path, row) for path, row, _, _ in found] == [("shop/views.py", 6), ("shop/views.py", 18)]
    assert not any(message.startswith("Rows passed from") for *_, message in found)


def test_the_caller_alone_is_reported_as_before(project):
    assert [(path, row) for path, row, _, _ in findings("shop/views.py")] == [("shop/views.py", 6), ("shop/views.py", 18)]


def test_callers_that_load_what_the_helper_reads_give_nothing(project):
    (project / "shop" / "views.py").write_text(VIEWS.replace('filter(status="new")', 'select_related("customer")').replace(
        "Report.lines(Order.objects.all())", "Report.lines(Order.objects.select_related('customer'))"
    ))
    assert findings("shop/render.py") == []


def test_a_noqa_on_the_helper_loop_silences_it(project):
    (project / "shop" / "render.py").write_text(RENDER.replace("for row in rows:", "for row in rows:  # noqa: ORM001"))
    assert [row for _, row, _, _ in findings("shop/render.py")] == [15]


def test_the_helpers_per_file_ignores_apply(project):
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'testproject'\n\n[tool.ormlint]\nper-file-ignores = {'shop/render.py' = ['ORM001']}\n"
    )
    assert findings("shop/render.py") == []


def test_an_excluded_caller_is_not_read(project):
    (project / "pyproject.toml").write_text("[project]\nname = 'testproject'\n\n[tool.ormlint]\nextend-exclude = ['shop/views.py']\n")
    assert findings("shop/render.py") == []


def test_a_fix_run_does_not_report_for_callers(project):
    result = CliRunner().invoke(main, ["check", "--no-cache", "--fix", "shop/render.py"], catch_exceptions=False)
    assert "Rows passed from" not in result.output
    assert (project / "shop" / "render.py").read_text() == RENDER
