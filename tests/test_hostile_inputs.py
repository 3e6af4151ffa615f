"""Hostile and unusual inputs: each gets a clear outcome (an ORM000 finding with a message,
or a normal check), never a traceback, and never stops the rest of the run."""

import builtins
import os

import pytest
from click.testing import CliRunner

from harness import make_project
from ormlint.cli import main

FINDING = "from shop.models import Order\n\n\ndef f():\n    return Order.objects.count() > 0\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path, {"shop/good.py": FINDING})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    result = CliRunner().invoke(main, ["--no-cache", *args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize(
    "source, row, message",
    [
        ("def f(:\n    pass\n", 1, "SyntaxError: invalid syntax"),
        ("x = (1,\ny = 2\n", 1, "SyntaxError: '(' was never closed"),
        ("if True:\nx = 1\n", 2, "SyntaxError: expected an indented block"),
        ("x = 'abc\n", 1, "SyntaxError: unterminated string literal"),
        ("x = 1 $ 2\n", 1, "SyntaxError: invalid syntax"),
        ('print "hello"\n', 1, "SyntaxError: Missing parentheses in call to 'print'"),
        ("x = 'a\0b'\n", 1, "SyntaxError: source code cannot contain null bytes"),
    ],
    ids=["bad-signature", "unclosed", "indentation", "unterminated-string", "bad-token", "python-2", "null-byte"],
)
def test_files_that_do_not_parse_are_reported_and_the_run_goes_on(project, source, row, message):
    (project / "shop" / "bad.py").write_text(source)
    result = run(".")
    assert result.exit_code == 1
    bad = [line for line in result.output.splitlines() if "bad.py" in line]
    assert len(bad) == 1 and f"bad.py:{row}:" in bad[0] and f"ORM000 {message}" in bad[0]
    assert "good.py:5:12: ORM101" in result.output


def test_unreadable_file(project, monkeypatch):
    (project / "shop" / "secret.py").write_text(FINDING)
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if str(file).endswith("secret.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    result = run(".")
    assert "secret.py:1:1: ORM000 cannot read file: Permission denied" in result.output
    assert "good.py:5:12: ORM101" in result.output


def test_lone_cr_line_endings_are_kept(project):
    path = project / "shop" / "good.py"
    path.write_bytes(FINDING.replace("\n", "\r").encode())
    assert "good.py:5:12: ORM101" in run(".").output
    run("--fix", ".")
    assert path.read_bytes() == FINDING.replace("\n", "\r").replace("count() > 0", "exists()").encode()


def test_tabs_are_kept(project):
    path = project / "shop" / "good.py"
    path.write_text(FINDING.replace("    ", "\t"))
    assert "good.py:5:9: ORM101" in run(".").output  # a tab is one column, as in flake8
    run("--fix", ".")
    assert path.read_text() == FINDING.replace("    ", "\t").replace("count() > 0", "exists()")


def test_a_fifteen_thousand_line_file_is_checked_and_a_hundred_thousand_line_one_refused(project):
    """Checked as long as libcst's parse stays within its memory budget (some 200 MB for
    15,000 statements); refused with the reason above what Python's parser is given."""
    lines = ["from shop.models import Order\n"] + [f"x{i} = {i}\n" for i in range(15_000)]
    (project / "shop" / "good.py").write_text("".join(lines) + "y = Order.objects.count() > 0\n")
    lines = ["from shop.models import Order\n"] + [f"x{i} = {i}\n" for i in range(100_000)]
    (project / "shop" / "huge.py").write_text("".join(lines) + "y = Order.objects.count() > 0\n")
    result = run(".")
    assert "good.py:15002:5: ORM101" in result.output
    assert "huge.py:1:1: ORM000 too large to check (300,017 tokens > limit of 250,000)" in result.output


def test_expressions_nested_a_thousand_deep(project):
    (project / "shop" / "parens.py").write_text(
        "from shop.models import Order\nx = " + "(" * 1000 + "Order.objects.count() > 0" + ")" * 1000 + "\n"
    )
    (project / "shop" / "lists.py").write_text("import requests\nx = " + "[" * 1000 + "requests.get(u)" + "]" * 1000 + "\n")
    result = run(".")
    assert "parens.py:2:1005: ORM101" in result.output
    # libcst would take gigabytes to say so: Python says it.
    assert "lists.py:2:205: ORM000 SyntaxError: too many nested parentheses" in result.output
    assert "good.py:5:12: ORM101" in result.output


def test_symbolic_link_loops_end(project):
    (project / "shop" / "loop").mkdir()
    (project / "shop" / "loop" / "again").symlink_to(project / "shop")
    result = run(".")
    assert result.output.count("good.py:5:12: ORM101") == 1


def test_a_directory_named_like_a_python_file(project):
    folder = project / "shop" / "views.py"
    folder.mkdir()
    (folder / "inner.py").write_text(FINDING)
    result = run(str(folder))
    assert "inner.py:5:12: ORM101" in result.output


def test_paths_with_spaces_and_non_ascii_characters(project):
    folder = project / "my app" / "vüe"
    folder.mkdir(parents=True)
    (folder / "fïle one.py").write_text(FINDING)
    result = run(str(folder))
    assert f"{os.path.join('my app', 'vüe', 'fïle one.py')}:5:12: ORM101" in result.output
    run("--fix", str(folder))
    assert "exists()" in (folder / "fïle one.py").read_text()


@pytest.mark.parametrize("content", ["", "# only a comment\n", "\n\n\n", "\ufeff"])
def test_empty_and_comment_only_files(project, content):
    (project / "shop" / "good.py").write_text(content)
    result = run(".")
    assert result.exit_code == 0 and result.output.strip() == "All checks passed!"


def test_read_only_file_is_reported_not_forced(project):
    path = project / "shop" / "good.py"
    os.chmod(path, 0o444)
    result = run("--fix", ".")
    assert "good.py:1:1: ORM000 file is read-only; not fixed" in result.output
    assert path.read_text() == FINDING
    os.chmod(path, 0o644)


def test_a_file_deleted_after_discovery(project, monkeypatch):
    import ormlint.runner

    real = ormlint.runner.discover

    def discover_then_delete(paths, config):
        found = real(paths, config)
        (project / "shop" / "good.py").unlink()
        return found

    monkeypatch.setattr(ormlint.runner, "discover", discover_then_delete)
    result = run(".")
    assert "good.py:1:1: ORM000 cannot read file: No such file or directory" in result.output
