"""Files that would hang a run, fill its memory or outlive it, tried with the real
executable: named pipes, devices, files too large to check, killed runs, names with
control characters. Each process runs under a timeout, so a regression fails instead of
hanging."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import make_project

FINDING = "from shop.models import Order\n\n\ndef f():\n    return Order.objects.count() > 0\n"
REPOSITORY = Path(__file__).resolve().parent.parent
TIMEOUT = 60

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and devices are POSIX")


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path, {"shop/good.py": FINDING})


def ormlint(project: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``python -m ormlint check`` in ``project``, failing after ``TIMEOUT`` seconds."""
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    return subprocess.run(
        [sys.executable, "-m", "ormlint", "check", "--no-cache", *args],
        cwd=project, env=environment, capture_output=True, text=True, timeout=TIMEOUT,
    )


# -- only regular files are read --------------------------------------------------------


@posix_only
def test_a_named_pipe_in_the_project_is_skipped_by_the_walk_and_the_index(project):
    os.mkfifo(project / "shop" / "pipe.py")
    result = ormlint(project, ".")
    assert "good.py:5:12: ORM101" in result.stdout
    assert "pipe.py" not in result.stdout + result.stderr


@posix_only
def test_a_named_pipe_elsewhere_in_the_project_does_not_stop_a_run_over_one_file(project):
    os.mkfifo(project / "shop" / "pipe.py")
    templates = project / "shop" / "templates"
    templates.mkdir()
    os.mkfifo(templates / "list.html")
    result = ormlint(project, "shop/good.py")
    assert result.returncode == 1 and "good.py:5:12: ORM101" in result.stdout


@posix_only
def test_a_named_pipe_given_by_name_is_reported_not_opened(project):
    os.mkfifo(project / "shop" / "pipe.py")
    result = ormlint(project, "shop/pipe.py", "shop/good.py")
    assert f"{os.path.join('shop', 'pipe.py')}:1:1: ORM000 is a named pipe, not a regular file; not read" in result.stdout
    assert "good.py:5:12: ORM101" in result.stdout
    assert "Traceback" not in result.stderr


@posix_only
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_link_to_an_endless_device_is_skipped_by_the_walk(project, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    (project / "shop" / "endless.py").symlink_to(device)
    result = ormlint(project, ".")
    assert "good.py:5:12: ORM101" in result.stdout
    assert "endless.py" not in result.stdout + result.stderr


@posix_only
def test_a_link_to_a_device_given_by_name_is_reported_not_read(project):
    (project / "shop" / "endless.py").symlink_to("/dev/zero")
    result = ormlint(project, "shop/endless.py")
    assert result.returncode == 1
    assert "endless.py:1:1: ORM000 is a character device, not a regular file; not read" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_link_to_a_regular_file_is_still_checked(project):
    (project / "shop" / "linked.py").symlink_to(project / "shop" / "good.py")
    result = ormlint(project, ".")
    assert "linked.py:5:12: ORM101" in result.stdout and "good.py:5:12: ORM101" in result.stdout


def test_a_dangling_link_given_by_name_is_reported_as_unreadable(project):
    (project / "shop" / "gone.py").symlink_to(project / "shop" / "missing.py")
    result = ormlint(project, "shop/gone.py", "shop/good.py")
    assert "gone.py:1:1: ORM000 cannot read file: No such file or directory" in result.stdout
    assert "good.py:5:12: ORM101" in result.stdout


@posix_only
def test_standard_input_named_after_a_named_pipe_is_checked_without_opening_it(project):
    os.mkfifo(project / "shop" / "pipe.py")
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    result = subprocess.run(
        [sys.executable, "-m", "ormlint", "check", "--no-cache", "--stdin-filename", "shop/pipe.py", "-"],
        cwd=project, env=environment, input=FINDING, capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert "pipe.py:5:12: ORM101" in result.stdout
