"""Files that would hang a run, fill its memory or outlive it, tried with the real
executable: named pipes, devices, files too large to check, killed runs, names with
control characters. Each process runs under a timeout, so a regression fails instead of
hanging."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional, Tuple

import click
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


# -- a size limit -----------------------------------------------------------------------

MODELS_WITH_INVOICE = "from django.db import models\n\n\nclass Invoice(models.Model):\n    pass\n"
USES_INVOICE = "from billing.models import Invoice\n\n\ndef f():\n    return Invoice.objects.count() > 0\n"


def padded(text: str, size: int) -> str:
    """``text`` followed by comment lines of a kilobyte up to ``size`` bytes."""
    line = "#" * 1023 + "\n"
    return text + line * ((size - len(text)) // len(line) + 1)


def test_a_file_over_the_default_limit_is_reported_and_the_run_goes_on(project):
    (project / "shop" / "huge.py").write_text(padded(FINDING, 3 * 1024 * 1024))
    result = ormlint(project, ".")
    assert "huge.py:1:1: ORM000 too large to check (3 MB > 2 MB limit of `max-file-size`)" in result.stdout
    assert "huge.py:5:12" not in result.stdout
    assert "good.py:5:12: ORM101" in result.stdout


def test_a_file_under_the_limit_is_checked(project):
    (project / "shop" / "large.py").write_text(padded(FINDING, 1024 * 1024))
    result = ormlint(project, ".")
    assert "large.py:5:12: ORM101" in result.stdout and "ORM000" not in result.stdout


def test_the_limit_is_configured_and_a_changed_limit_is_not_served_from_the_cache(project):
    (project / "shop" / "large.py").write_text(padded(FINDING, 300 * 1024))
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}

    def cached_run(limit: str) -> str:
        (project / "ormlint.toml").write_text(f'max-file-size = "{limit}"\n')
        return subprocess.run(
            [sys.executable, "-m", "ormlint", "check", "."],
            cwd=project, env=environment, capture_output=True, text=True, timeout=TIMEOUT,
        ).stdout

    assert "large.py:5:12: ORM101" in cached_run("1 MB")
    refused = cached_run("200 KB")
    assert "large.py:1:1: ORM000 too large to check (0.3 MB > 0.2 MB limit of `max-file-size`)" in refused
    assert "large.py:5:12" not in refused
    assert "large.py:5:12: ORM101" in cached_run("1 MB")


def test_the_index_leaves_out_a_model_file_over_the_limit_and_reads_it_again_under_a_higher_one(tmp_path):
    project = make_project(tmp_path, {"billing/__init__.py": "", "billing/views.py": USES_INVOICE})
    (project / "billing" / "models.py").write_text(padded(MODELS_WITH_INVOICE, 300 * 1024))
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}

    def views_with_limit(limit: str) -> str:
        (project / "ormlint.toml").write_text(f'max-file-size = "{limit}"\n')
        return subprocess.run(
            [sys.executable, "-m", "ormlint", "check", "billing/views.py"],
            cwd=project, env=environment, capture_output=True, text=True, timeout=TIMEOUT,
        ).stdout

    assert "views.py:5:12: ORM101" in views_with_limit("1 MB")
    assert "views.py:5:12" not in views_with_limit("100 KB")  # Invoice is no longer known
    assert "views.py:5:12: ORM101" in views_with_limit("1 MB")


def test_ormlint_index_lists_the_files_it_did_not_read(project):
    (project / "shop" / "huge.py").write_text(padded(FINDING, 3 * 1024 * 1024))
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    result = subprocess.run(
        [sys.executable, "-m", "ormlint", "index", "--no-cache", "."],
        cwd=project, env=environment, capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert "not read (too large, or not a regular file):\n  shop/huge.py: too large to check (3 MB > 2 MB" in result.stdout
    assert "good.py" not in result.stdout


def test_standard_input_over_the_limit_is_reported_and_passed_through_by_fix(project):
    (project / "ormlint.toml").write_text('max-file-size = "1 KB"\n')
    text = padded(FINDING, 4096)
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    result = subprocess.run(
        [sys.executable, "-m", "ormlint", "check", "--no-cache", "--fix", "--stdin-filename", "shop/big.py", "-"],
        cwd=project, env=environment, input=text, capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert result.stdout == text
    assert "big.py:1:1: ORM000 too large to check (more than 1 KB limit of `max-file-size`)" in result.stderr
    assert result.returncode == 1


@pytest.mark.parametrize(
    "value, size",
    [(2097152, 2097152), ("2 MB", 2 * 1024 * 1024), ("512KB", 512 * 1024), ("1.5 mb", 1536 * 1024), ("100", 100)],
)
def test_max_file_size_values(tmp_path, value, size):
    from ormlint.config import load_config

    path = tmp_path / "ormlint.toml"
    path.write_text(f"max-file-size = {value!r}\n".replace("'", '"'))
    assert load_config(path).max_file_size == size


@pytest.mark.parametrize("value", ["0", '"2 TB"', '"big"', "true", "-1", "2.5"])
def test_bad_max_file_size_values_name_the_key(tmp_path, value):
    from ormlint.config import ConfigError, load_config

    path = tmp_path / "ormlint.toml"
    path.write_text(f"max-file-size = {value}\n")
    with pytest.raises(ConfigError, match="invalid value for `max-file-size`"):
        load_config(path)


# -- workers die with their parent ------------------------------------------------------

linux_only = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="processes are found through /proc")
several_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core checks without a pool")

VIEW = """from shop.models import Order
import requests


def report_{number}():
    for order in Order.objects.all():
        requests.get(order.customer.name)
        if Order.objects.filter(customer=order.customer).count() > 0:
            order.save()
"""


def many_files(project: Path, count: int = 600) -> None:
    """Enough files for the pool (see ``PARALLEL_THRESHOLD``), and for long enough a run."""
    folder = project / "shop" / "reports"
    folder.mkdir()
    for number in range(count):
        (folder / f"report_{number}.py").write_text(VIEW.format(number=number) * 20)


def children(pid: int) -> List[int]:
    """The live processes whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            status = process_status(int(entry))
            if status is not None and status[1] == pid:
                found.append(int(entry))
    return found


def process_status(pid: int) -> Optional[Tuple[str, int]]:
    """The state and parent of a process, or ``None`` when it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else (fields[0], int(fields[1]))


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _interruptible() -> None:
    """Give the run Ctrl-C's usual effect, even when the tests run where it is ignored (a
    background job's SIGINT is, and the run would inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


#: A run whose workers cannot ask the kernel to end them, as off Linux: they watch instead.
WITHOUT_PRCTL = (
    "import ormlint.workers, ormlint.cli; ormlint.workers._kill_at_parent_death = lambda: False; "
    "ormlint.cli.main(['check', '--no-cache', '.'])"
)


@pytest.fixture(params=["prctl", "watcher"])
def running(project, request):
    """Start a check of many files in its own process group, its workers ended by the
    kernel or by their watcher thread; end what is left after."""
    many_files(project)
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    command = ["-m", "ormlint", "check", "--no-cache", "."] if request.param == "prctl" else ["-c", WITHOUT_PRCTL]
    started = subprocess.Popen(
        [sys.executable, *command],
        cwd=project, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=_interruptible,
    )
    workers: List[int] = []
    assert wait_until(lambda: bool(workers.extend(children(started.pid)) or workers), 60), "no worker started"
    yield started, workers
    for pid in [started.pid, *workers]:
        if process_status(pid) is not None:
            os.kill(pid, signal.SIGKILL)
    started.wait(timeout=TIMEOUT)


@linux_only
@several_cores
def test_workers_of_a_killed_run_are_gone_within_seconds(running):
    started, workers = running
    os.kill(started.pid, signal.SIGKILL)
    started.wait(timeout=TIMEOUT)
    assert wait_until(lambda: all(process_status(pid) is None for pid in workers), 5), "workers outlived the run"


@linux_only
@several_cores
def test_an_interrupted_run_says_so_and_leaves_no_worker(running):
    started, workers = running
    os.killpg(started.pid, signal.SIGINT)  # Ctrl-C signals the terminal's whole group
    _, errors = started.communicate(timeout=TIMEOUT)
    assert started.returncode == 130
    assert errors.strip() == "ormlint: interrupted"
    assert wait_until(lambda: all(process_status(pid) is None for pid in workers), 5), "workers outlived the run"


@linux_only
@several_cores
def test_a_run_interrupted_in_its_parent_alone_ends_its_workers(running):
    started, workers = running
    os.kill(started.pid, signal.SIGINT)
    _, errors = started.communicate(timeout=TIMEOUT)
    assert started.returncode == 130 and "Traceback" not in errors
    assert wait_until(lambda: all(process_status(pid) is None for pid in workers), 5), "workers outlived the run"


def test_a_run_with_a_pool_ends_normally_with_its_findings(project):
    many_files(project, count=40)
    result = ormlint(project, "--select", "ORM301", ".")
    assert result.returncode == 1
    assert result.stdout.count(": ORM301") == 40 * 20


# -- output safe for line-oriented tools ------------------------------------------------

REQUEST = "import requests\n\nrequests.get(url)\n"
HOSTILE_NAMES = ["new\nline.py", "carriage\rreturn.py", "escape\x1b[2J.py", "separator\u2028.py", "tab\there.py"]


@pytest.mark.skipif(sys.platform == "win32", reason="such names are POSIX")
@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=["newline", "carriage-return", "escape", "line-separator", "tab"])
def test_a_control_character_in_a_file_name_is_escaped_in_the_text_output(project, name):
    (project / "shop" / name).write_text(REQUEST)
    result = ormlint(project, "--select", "ORM301", ".")
    escaped = repr(name)[1:-1]
    assert result.stdout.splitlines()[0] == f"shop/{escaped}:3:1: ORM301 [*] `requests.get()` without `timeout=` can hang the worker forever"
    assert result.stdout.splitlines()[1:] == ["", "Found 1 problem (1 fixable with --fix)."]


@pytest.mark.skipif(sys.platform == "win32", reason="such names are POSIX")
def test_json_and_sarif_keep_the_file_name_exact(project):
    import json

    name = "new\nline\x1b.py"
    (project / "shop" / name).write_text(REQUEST)
    findings = json.loads(ormlint(project, "--select", "ORM301", "--output-format", "json", ".").stdout)
    assert [f["filename"] for f in findings] == [str(project / "shop" / name)]
    sarif = json.loads(ormlint(project, "--select", "ORM301", "--output-format", "sarif", ".").stdout)
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert locations == [f"shop/{name}"]


def test_ordinary_names_are_printed_as_they_are(project):
    name = "vüe ça\\va.py"
    (project / "shop" / name).write_text(REQUEST)
    result = ormlint(project, "--select", "ORM301", ".")
    assert result.stdout.startswith(f"shop/{name}:3:1: ORM301 [*]")


def test_a_control_character_in_a_message_is_escaped_and_printable_text_is_not():
    from ormlint.diagnostics import file_error
    from ormlint.output import Report
    from ormlint.output.text import render

    report = Report(diagnostics=[file_error("a.py", "cannot read\r\nline\x1b[2J, `naïve` ok")])
    assert click.unstyle(render(report, quiet=True)) == "a.py:1:1: ORM000 cannot read\\r\\nline\\x1b[2J, `naïve` ok"


# -- bounded memory: large files with nothing to find are parsed a piece at a time ------

SHORT_LINES = "x = 1\n" * 30_000  # about three pieces of the syntax check


@pytest.mark.parametrize("row", [2, 15_000, 29_999])
def test_a_syntax_error_in_any_piece_of_a_large_file_is_reported_on_its_line(project, row):
    lines = SHORT_LINES.splitlines(keepends=True)
    lines[row - 1] = "x = (1,\n"
    (project / "shop" / "data.py").write_text("".join(lines))
    result = ormlint(project, "shop/data.py")
    assert result.stdout.splitlines()[0] == f"shop/data.py:{row}:5: ORM000 SyntaxError: '(' was never closed"


@pytest.mark.parametrize(
    "block",
    [
        "@decorator\ndef f():\n    pass\n",
        "if x:\n    y = 1\nelse:\n    y = 2\n",
        "try:\n    y = 1\nexcept E:\n    pass\nfinally:\n    pass\n",
        "x = [\n    1,\n]\n",
        "# a comment at column 0\nx = 1\n",
    ],
    ids=["decorator", "else", "except-finally", "bracket", "comment"],
)
def test_pieces_are_cut_between_statements_so_a_valid_file_needs_no_whole_parse(block):
    from ormlint.engine import _chunks_compile, _piece_end

    text = block * (200_000 // len(block))
    ends = [_piece_end(text, 0)]
    while ends[-1] < len(text):
        ends.append(_piece_end(text, ends[-1]))
    assert len(ends) > 2
    for end in ends[:-1]:
        assert not text.startswith(("else", "except", "finally", "]", "    "), end)
        assert not text[: end - 1].rpartition("\n")[2].startswith("@")
    assert _chunks_compile(text)


def test_a_piece_cut_inside_a_string_is_not_taken_for_an_error():
    """The piece cut inside the string takes in the next ones until it parses; a real
    error is not mistaken for a cut."""
    from ormlint.engine import _chunks_compile

    text = 'TEXT = """\n' + "line at column 0\n" * 10_000 + '"""\n'
    assert _chunks_compile(text)
    assert not _chunks_compile(text + "x = 1\n" * 20_000 + "def f(:\n    pass\n")


def test_large_valid_files_of_every_construct_get_no_finding(project):
    blocks = [
        'TEXT = """\nline at column 0\n"""\n',
        "@decorator\n\nclass C:\n    pass\n",
        "if x:\n    y = 1\nelse:\n    y = 2\n",
        "x = (\n1,\n)\n",
        "x = 1 + \\\n2\n",
    ]
    # 1.1 MB, 320,000 tokens: more than Python's parser is given whole, but no rule
    # looks at it, so its syntax is checked in pieces.
    (project / "shop" / "data.py").write_text("".join(blocks) * 10_000)
    result = ormlint(project, "shop/data.py")
    assert result.returncode == 0 and result.stdout.strip() == "All checks passed!"
