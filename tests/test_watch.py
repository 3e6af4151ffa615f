"""``ormlint --watch``, driven as a user drives it: start it, read the first findings, edit
a file, read the new findings, press Ctrl-C; on a pipe and on a terminal."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from harness import make_project
from interactive import Session

ORMLINT = str(Path(sys.executable).with_name("ormlint"))
WAITING = "Watching for file changes (Ctrl-C to stop)."
CLEAR = "\x1b[2J\x1b[1;1H"

VIEWS = """\
from shop.models import Order


def has_orders():
    return Order.objects.filter(status="new").count() > 0
"""

NEW_FINDING = VIEWS + """

def how_many():
    return len(Order.objects.all())
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", {"shop/views.py": VIEWS})


def edit_until_seen(session: Session, path: Path, text: str, rounds: int) -> str:
    """Write ``text`` to ``path`` until round ``rounds`` of the watch has printed its
    findings. The first write may come before the watcher is listening (it starts once
    the first round is printed); writing again is what a user does too."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        path.write_text(text)
        try:
            return session.wait_for(WAITING, count=rounds, timeout=3)
        except AssertionError:
            continue
    raise AssertionError(f"no new round after editing {path}; output so far:\n{session.output}")


def test_watch_reports_again_after_an_edit_and_ends_cleanly_on_ctrl_c(project):
    with Session([ORMLINT, "--watch", "."], cwd=project) as session:
        first = session.wait_for(WAITING)
        assert "Checking in watch mode." in first
        assert "shop/views.py:5:12: ORM101" in first
        assert "ORM102" not in first
        assert first.strip().endswith(f"Found 1 problem (1 fixable with --fix).\n{WAITING}")
        output = edit_until_seen(session, project / "shop" / "views.py", NEW_FINDING, rounds=2)
        second = output[len(first) :]
        assert "Changed: shop/views.py." in second
        assert "shop/views.py:9:12: ORM102" in second
        assert "Found 2 problems (2 fixable with --fix)." in second
        assert session.interrupt() == 0
        assert "Traceback" not in session.output
        assert CLEAR not in session.output  # a pipe is not a screen


def test_watch_clears_the_terminal_before_each_round(project):
    with Session([ORMLINT, "--watch", "--color", "never", "."], cwd=project, terminal=True) as session:
        first = session.wait_for(WAITING)
        assert first.startswith(CLEAR)
        edit_until_seen(session, project / "shop" / "views.py", NEW_FINDING, rounds=2)
        rounds = session.output.split(CLEAR)
        assert len(rounds) >= 3  # nothing before the first clear, then one per round
        assert "ORM102" not in rounds[1] and "ORM102" in rounds[-1]
        assert session.interrupt() == 0
        assert "Traceback" not in session.output


def test_watch_reads_the_configuration_again_when_it_changes(project):
    pyproject = project / "pyproject.toml"
    with Session([ORMLINT, "--watch", "."], cwd=project) as session:
        first = session.wait_for(WAITING)
        assert "ORM101" in first
        edit_until_seen(session, pyproject, pyproject.read_text() + '\n[tool.ormlint]\nignore = ["ORM101"]\n', rounds=2)
        second = session.output[len(first) :]
        assert "Changed: pyproject.toml." in second
        assert "ORM101" not in second and "All checks passed!" in second
        assert session.interrupt() == 0


def test_watch_goes_on_when_the_configuration_is_broken_mid_edit(project):
    pyproject = project / "pyproject.toml"
    with Session([ORMLINT, "--watch", "."], cwd=project) as session:
        first = session.wait_for(WAITING)
        edit_until_seen(session, pyproject, pyproject.read_text() + "\n[tool.ormlint]\nselect = [\n", rounds=2)
        assert "invalid TOML" in session.output[len(first) :]
        assert session.process.poll() is None  # still watching
        assert session.interrupt() == 0


def test_watch_without_watchfiles_says_how_to_install_it(project, tmp_path):
    # A watchfiles that cannot be imported, first on the path: as if it were not installed.
    shadow = tmp_path / "shadow" / "watchfiles"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named watchfiles')\n")
    with Session([ORMLINT, "--watch", "."], cwd=project, env={"PYTHONPATH": str(shadow.parent)}) as session:
        assert session.wait(timeout=60) == 2
    assert "pip install 'ormlint[watch]'" in session.output
    assert "Traceback" not in session.output


@pytest.mark.parametrize("args", [("--watch", "-"), ("--watch", "--output-file", "out.txt", ".")])
def test_watch_is_a_usage_error_with_stdin_or_an_output_file(project, args):
    with Session([ORMLINT, *args], cwd=project) as session:
        assert session.wait(timeout=60) == 2
    assert "--watch" in session.output
    assert not (project / "out.txt").exists()
