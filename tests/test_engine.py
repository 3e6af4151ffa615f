"""Bad input is reported and loses nothing; fixes keep encoding, BOM, line endings, mode."""

import os
import stat

import pytest
from click.testing import CliRunner

from harness import make_project
from ormlint.cli import main
from ormlint.config import Config
from ormlint.diagnostics import Applicability, Edit, Fix, Location
from ormlint.engine import Project, apply_edits, check_source, non_overlapping
from ormlint.source import SourceFile, WriteError

FIXABLE = "from shop.models import Order\n\n\ndef f():\n    return Order.objects.count() > 0\n"
FIXED = "from shop.models import Order\n\n\ndef f():\n    return Order.objects.exists()\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_syntax_error_is_reported_and_other_files_are_checked(project):
    (project / "shop" / "broken.py").write_text("def f(:\n    pass\n")
    (project / "shop" / "views.py").write_text(FIXABLE)
    result = run(".")
    assert result.exit_code == 1
    broken = [line for line in result.output.splitlines() if "broken.py" in line]
    assert len(broken) == 1 and ":1:" in broken[0] and "ORM000 SyntaxError" in broken[0]
    assert "views.py:5:12: ORM101" in result.output
    assert "Traceback" not in result.output


def test_syntax_error_line_is_the_parsers(project):
    (project / "shop" / "broken.py").write_text("x = 1\ny = 2\nz = (\n")
    output = run(".").output
    assert "broken.py:" in output
    row = int(output.split("broken.py:")[1].split(":")[0])
    assert row >= 3


def test_undecodable_file_is_reported_and_the_run_goes_on(project):
    (project / "shop" / "bad.py").write_bytes(b"x = '\xff\xfe'\n")
    (project / "shop" / "views.py").write_text(FIXABLE)
    result = run(".")
    assert "bad.py:1:1: ORM000 cannot decode file" in result.output
    assert "ORM101" in result.output


def test_latin1_with_cookie_is_read_and_written_as_latin1(project):
    text = "# -*- coding: latin-1 -*-\n# café\n" + FIXABLE
    path = project / "shop" / "views.py"
    path.write_bytes(text.encode("latin-1"))
    run("--fix", ".")
    assert path.read_bytes() == ("# -*- coding: latin-1 -*-\n# café\n" + FIXED).encode("latin-1")


def test_bom_is_kept(project):
    path = project / "shop" / "views.py"
    path.write_bytes(b"\xef\xbb\xbf" + FIXABLE.encode())
    run("--fix", ".")
    assert path.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()


def test_crlf_line_endings_are_kept(project):
    path = project / "shop" / "views.py"
    path.write_bytes(FIXABLE.replace("\n", "\r\n").encode())
    result = run("--fix", ".")
    assert result.exit_code == 0
    assert path.read_bytes() == FIXED.replace("\n", "\r\n").encode()


def test_file_mode_is_kept(project):
    path = project / "shop" / "views.py"
    path.write_text(FIXABLE)
    os.chmod(path, 0o640)
    run("--fix", ".")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert path.read_text() == FIXED
    assert [p.name for p in (project / "shop").iterdir() if p.name.startswith(".ormlint-")] == []


def test_symbolic_link_is_fixed_in_its_target(project):
    target = project / "shop" / "real.py"
    target.write_text(FIXABLE)
    link = project / "shop" / "views.py"
    link.symlink_to(target)
    run("--fix", str(link))
    assert link.is_symlink()
    assert target.read_text() == FIXED


def test_a_file_changed_since_it_was_read_is_not_overwritten(project):
    path = project / "shop" / "views.py"
    path.write_text(FIXABLE)
    source = SourceFile.read(str(path))
    path.write_text(FIXABLE + "# edited meanwhile\n")
    with pytest.raises(WriteError):
        source.write(FIXED)
    assert path.read_text().endswith("# edited meanwhile\n")


def test_missing_path_is_reported(project):
    result = run("does_not_exist.py")
    assert result.exit_code == 1
    assert "does_not_exist.py:1:1: ORM000 cannot read file" in result.output


@pytest.mark.parametrize(
    "comment, reported",
    [("  # noqa", False), ("  # noqa: ORM101", False), ("  # noqa:ORM1", False), ("  # NOQA: ORM301", True), ("", True)],
)
def test_noqa(project, comment, reported):
    code = "from shop.models import Order\n\nx = Order.objects.count() > 0" + comment + "\n"
    (project / "shop" / "views.py").write_text(code)
    assert ("ORM101" in run(".").output) is reported


def test_migrations_are_excluded_by_default_even_when_named(project):
    path = project / "shop" / "migrations" / "0001_initial.py"
    path.parent.mkdir()
    path.write_text(FIXABLE)
    assert run(".").exit_code == 0
    assert run(str(path)).exit_code == 0
    (project / "pyproject.toml").write_text("[tool.ormlint]\nexclude = []\n")
    assert run(".").exit_code == 1


def test_extend_exclude(project):
    (project / "legacy").mkdir()
    (project / "legacy" / "old.py").write_text(FIXABLE)
    assert run(".").exit_code == 1
    (project / "pyproject.toml").write_text("[tool.ormlint]\nextend-exclude = ['legacy']\n")
    assert run(".").exit_code == 0


def test_per_file_ignores(project):
    (project / "shop" / "views.py").write_text(FIXABLE)
    (project / "pyproject.toml").write_text("[tool.ormlint]\nper-file-ignores = { 'shop/*' = ['ORM1'] }\n")
    assert run(".").exit_code == 0


def test_overlapping_fixes_are_applied_one_at_a_time():
    def fix(start, end, content):
        location = Location(1, start + 1)
        return Fix("t", Applicability.SAFE, (Edit(start, end, content, location, location),))

    chosen = non_overlapping([fix(0, 3, "X"), fix(2, 4, "Y"), fix(4, 6, "Z")])
    text, count = apply_edits("abcdef", chosen), len(chosen)
    assert (text, count) == ("XdZ", 2)


def test_the_models_of_other_files_are_known_when_one_file_is_checked(project):
    (project / "shop" / "views.py").write_text(FIXABLE)
    source = SourceFile.read(str(project / "shop" / "views.py"))
    diagnostics = check_source(source, Config(), Project()).diagnostics
    assert [d.code for d in diagnostics] == ["ORM101"]


def test_a_class_not_derived_from_a_model_is_not_a_model(project):
    (project / "shop" / "views.py").write_text(
        "class Order:\n    objects = None\n\n\ndef f():\n    return Order.objects.count() > 0\n"
    )
    assert run(".").exit_code == 0


def test_an_internal_error_on_one_file_is_reported_and_the_run_goes_on(project, monkeypatch):
    from ormlint.rules.count_for_existence import CountForExistence

    (project / "shop" / "a.py").write_text(FIXABLE)
    (project / "shop" / "b.py").write_text(FIXABLE.replace("Order.objects.count() > 0", "len(Order.objects.all())"))
    original = CountForExistence.visit_Comparison

    def broken(self, node):
        if self.context.path.endswith("a.py"):
            raise RuntimeError("boom")
        return original(self, node)

    broken.__name__ = "visit_Comparison"  # libcst finds visitor methods by name
    monkeypatch.setattr(CountForExistence, "visit_Comparison", broken)
    result = run(".")
    assert result.exit_code == 2
    assert "a.py:1:1: ORM000 internal error in ORM101 (count-for-existence)" in result.output
    assert "b.py:5:12: ORM102" in result.output
    assert "Traceback" not in result.output
    verbose = CliRunner().invoke(main, ["--verbose", "."])
    assert "RuntimeError: boom" in verbose.stderr


def test_a_failing_rule_does_not_stop_the_other_rules_on_the_same_file(project, monkeypatch):
    from ormlint.rules.request_without_timeout import RequestWithoutTimeout

    (project / "shop" / "views.py").write_text("import requests\n" + FIXABLE + "\nrequests.get('u')\n")

    def broken(self, node):
        raise ValueError("bug")

    broken.__name__ = "visit_Call"
    monkeypatch.setattr(RequestWithoutTimeout, "visit_Call", broken)
    output = run(".").output
    assert "ORM000 internal error in ORM301 (request-without-timeout)" in output
    assert "views.py:6:12: ORM101" in output


def test_syntax_error_is_reported_where_python_sees_it(project):
    (project / "shop" / "old.py").write_text('import os\n\nx = 1\nprint "hello"\ny = 2\n')
    output = run(".").output
    assert "old.py:4:1: ORM000 SyntaxError: Missing parentheses in call to 'print'" in output


def test_folders_above_the_project_do_not_match_patterns(tmp_path, monkeypatch):
    """A project that lives in a folder called ``test_something`` or ``tests`` is not
    test code: patterns match below the project only."""
    root = tmp_path / "tests" / "test_area" / "project"
    make_project(root, {"shop/views.py": "from shop.models import Order\n\n\ndef f(ids):\n    return [Order.objects.get(pk=i) for i in ids]\n"})
    (root / "pyproject.toml").write_text("[tool.ormlint]\n")
    monkeypatch.chdir(root)
    assert "ORM004" in run(".").output
    (root / "shop" / "tests").mkdir()
    (root / "shop" / "views.py").rename(root / "shop" / "tests" / "test_views.py")
    assert "ORM004" not in run(".").output
