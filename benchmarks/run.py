"""Benchmark ormlint against the parse floor and the tools users would otherwise run.

    python benchmarks/run.py              # downloads pinned sdists into benchmarks/.downloads/
    python benchmarks/run.py --runs 5     # more runs per measurement (medians are reported)
    python benchmarks/run.py --shapes     # one file of each worst shape, nothing downloaded
    python benchmarks/run.py --server     # the language server's latency on a large project

Times, on each corpus: ormlint cold (no cache) with the default configuration and with
every rule on every file (the test-code defaults cleared), ormlint warm (nothing changed),
ormlint after one changed file (the pre-commit case), flake8 with the plugin on the view
nearest 1,000 lines, as it is and just edited (the editor case), the libcst parse-only
floor of the same tree on every core, and, when they are installed, ruff, semgrep, pylint
and bandit with their closest rules. One table: median wall seconds, files per second,
peak memory, findings, and the ratios to the floor and to ``ruff --select ALL``.
Timings live here, never in the test suite.

With ``--shapes``: the time and peak memory of checking one file of each shape that costs
the most memory for its size (one long line, many short lines, deep nesting, a huge
literal), alone in a project, with a call that ORM301 reports, at three sizes: just under
the default ``max-file-size``, the largest that Python's parser is given
(``budget.MAX_TOKENS``), and the largest that libcst is given (``budget.LIBCST_BUDGET``).

With ``--server``: ``ormlint server`` on a 1,000-line view of a large Django project
(wagtail, or ``--project`` and ``--view``), driven over stdio as an editor drives it: the
seconds to the first diagnostics after opening the view, then, with the index warm, the
median and slowest time from each ``didChange`` (one line edited, unsaved) to the
diagnostics of that version, and the server's resident memory after the edits.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import queue
import threading

HERE = Path(__file__).resolve().parent
DOWNLOADS = HERE / ".downloads"
#: name -> (PyPI requirement, folder inside the archive to check)
CORPORA = {
    "django": ("Django==5.2.19", "."),
    "pretalx": ("pretalx==2025.2.2", "src/pretalx"),
    "mlflow": ("mlflow==3.18.0", "mlflow"),
}


def fetch(name: str) -> Path:
    """Download and unpack a pinned distribution once; return the folder to check."""
    requirement, inner = CORPORA[name]
    target = DOWNLOADS / name
    if not target.exists():
        archive_dir = DOWNLOADS / f"{name}-archive"
        archive_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-d", str(archive_dir), requirement],
            check=False, capture_output=True,
        )
        archives = list(archive_dir.iterdir())
        if not archives:  # no sdist that builds here: take the wheel, which holds the sources
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(archive_dir), requirement],
                check=True, capture_output=True,
            )
            archives = list(archive_dir.iterdir())
        unpack = DOWNLOADS / f"{name}-unpacked"
        archive = archives[0]
        if archive.suffix == ".whl" or archive.suffix == ".zip":
            with zipfile.ZipFile(archive) as handle:
                handle.extractall(unpack)
        else:
            with tarfile.open(archive) as handle:
                handle.extractall(unpack)
        roots = [p for p in unpack.iterdir() if p.is_dir()]
        base = roots[0] if len(roots) == 1 and not (unpack / inner).exists() else unpack
        shutil.move(str(base), target)
    folder = target / inner
    return folder if folder.exists() else target


def measure(
    command: List[str], cwd: Path, runs: int, setup=None, memory_cap: Optional[int] = None
) -> Tuple[float, int, str]:
    """Median wall seconds, peak memory (KiB, the process tree) and the last output. With
    ``memory_cap`` (bytes), the command may not take more address space than that."""
    times, peak, output = [], 0, ""
    for _ in range(runs):
        if setup:
            setup()
        wrapped = ["/usr/bin/time", "-f", "%M", *command] if Path("/usr/bin/time").exists() else command
        start = time.perf_counter()
        completed = subprocess.run(wrapped, cwd=cwd, capture_output=True, text=True, preexec_fn=_capped(memory_cap))
        times.append(time.perf_counter() - start)
        output = completed.stdout
        if wrapped is not command:
            try:
                peak = max(peak, int(completed.stderr.strip().splitlines()[-1]))
            except (ValueError, IndexError):
                pass
    return statistics.median(times), peak, output


def _capped(memory_cap: Optional[int]):
    """A ``preexec_fn`` that limits the child's address space, or ``None``."""
    if memory_cap is None:
        return None

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))

    return limit


def _parse_one(path: str) -> None:
    import libcst

    try:
        libcst.parse_module(Path(path).read_bytes())
    except Exception:  # noqa: BLE001 - the floor counts the attempt
        pass


def parse_floor(files: List[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(_parse_one, files, chunksize=16))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def python_files(folder: Path) -> List[str]:
    return [str(p) for p in folder.rglob("*.py")]


def count_json(output: str) -> Optional[int]:
    try:
        return len(json.loads(output))
    except ValueError:
        return None


def count_lines(output: str) -> int:
    return sum(1 for line in output.splitlines() if line.strip())


#: Just under the default ``max-file-size`` of 2 MB.
SHAPE_SIZE = 2 * 1024 * 1024 - 4096
#: Each shape's check may take this much memory at most: one took 22 GB uncapped.
SHAPE_MEMORY_CAP = 6 * 1024**3
#: Makes ORM301 look at the file: an import of ``requests`` and a call without a timeout.
CANDIDATE = "import requests\nrequests.get(url)\n"


def _repeated(count: int, head: str, unit: str, tail: str = "\n") -> str:
    return head + unit * count + tail


#: name -> a function giving the text of a file of that shape with ``n`` units.
SHAPES = {
    "one long line (a list literal)": lambda n: _repeated(n, "x = [", "1, ", "]\n"),
    "one long line (a tuple of names)": lambda n: _repeated(n, "x = (", "a, ", ")\n"),
    "one long line (a string)": lambda n: _repeated(n, 'x = "', "a" * 64, '"\n'),
    "many short lines (x = 1)": lambda n: _repeated(n, "", "x = 1\n", ""),
    "many comment lines": lambda n: _repeated(n, "", "#\n", ""),
    # ``def`` makes the project index read the file too.
    "many small functions": lambda n: _repeated(n, "", "def f():\n    return 1\n", ""),
    "deep nesting (100 brackets, repeated)": lambda n: _repeated(n, "", "x = " + "[" * 100 + "1" + "]" * 100 + "\n", ""),
    "deep nesting (calls 60 deep, repeated)": lambda n: _repeated(n, "", "x = " + "f(" * 60 + "1" + ")" * 60 + "\n", ""),
    "deep nesting (parentheses 80 deep)": lambda n: _repeated(n, "", "x = " + "(" * 80 + "1" + ")" * 80 + "\n", ""),
    "deep nesting (blocks 90 deep)": lambda n: _repeated(
        n, "", "".join(" " * depth + "if x:\n" for depth in range(90)) + " " * 90 + "pass\n", ""
    ),
    "huge literal (a dict over many lines)": lambda n: _repeated(n, "DATA = {\n", '    "key": [1, 2, 3],\n', "}\n"),
    "many calls (one per line)": lambda n: _repeated(n, "", "f(a, b=1, c=[x.y for x in z])\n", ""),
}


def _largest(make, fits) -> str:
    """The text of the most units ``make`` can repeat for which ``fits(text)`` holds."""
    low, high = 1, 1
    while fits(make(high)):
        low, high = high, high * 2
    while low + 1 < high:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(make(middle)) else (low, middle)
    return make(low)


def _shape_sizes(make):
    """The shape's file at each size worth measuring: just under ``max-file-size``; the
    most that Python's parser is given (``budget.MAX_TOKENS``); and the most that libcst
    is given, with a candidate of ORM301 so that it is."""
    from ormlint.budget import LIBCST_BUDGET, too_many_tokens
    from ormlint.structure import structure_of

    def libcst_fits(text: str) -> bool:
        if too_many_tokens(text):
            return False
        structure = structure_of(text)
        return structure is not None and structure.libcst_cost <= LIBCST_BUDGET

    def under_size(text: str) -> bool:
        return len(text.encode()) <= SHAPE_SIZE

    yield "2 MB", _largest(lambda n: CANDIDATE + make(n), under_size)
    # A shape that meets no other limit first (a long string is one token) is measured
    # at the size limit again.
    yield "tokens", _largest(lambda n: CANDIDATE + make(n), lambda text: under_size(text) and not too_many_tokens(text))
    yield "libcst", _largest(lambda n: CANDIDATE + make(n), lambda text: under_size(text) and libcst_fits(text))


def shapes(runs: int) -> None:
    """Check one file of each shape alone in a fresh project: seconds and peak memory, at
    the sizes where each limit bites. Findings ``-``: the check did not finish under
    ``SHAPE_MEMORY_CAP``; ``ORM000``: the file was refused, as too large or too complex."""
    ormlint = [sys.executable, "-m", "ormlint", "--exit-zero", "--no-cache", "--output-format", "json", "shape.py"]
    header = f"{'shape':<40} {'size':<7} {'KB':>6} {'median s':>9} {'peak MB':>8} {'findings':>12}"
    print(header)
    print("-" * len(header))
    for name, make in SHAPES.items():
        for size, text in _shape_sizes(make):
            with tempfile.TemporaryDirectory() as folder:
                (Path(folder) / "pyproject.toml").write_text("[project]\nname = 'shapes'\n")
                (Path(folder) / "shape.py").write_text(text)
                seconds, peak, output = measure(ormlint, Path(folder), runs, memory_cap=SHAPE_MEMORY_CAP)
            try:
                codes = sorted({finding["code"] for finding in json.loads(output)})
                found_text = ",".join(codes) or "0"
            except (ValueError, KeyError, TypeError):
                found_text = "-"
            memory = f"{peak / 1024:,.0f}" if peak else "-"
            print(f"{name:<40} {size:<7} {len(text.encode()) / 1024:>6,.0f} {seconds:>9.2f} {memory:>8} {found_text:>12}", flush=True)


#: The server's project: a large Django application with its 1,000-line workflow views.
SERVER_CORPUS = ("wagtail==8.0.1", ".")
SERVER_VIEW = "wagtail/admin/views/workflows.py"


class _Editor:
    """Just enough of an LSP client to time a server: framed JSON-RPC over pipes, and
    a thread that reads what the server sends."""

    def __init__(self, command: List[str], cwd: Path) -> None:
        self.process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.received: "queue.Queue[dict]" = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.received.put(json.loads(stream.read(length)))

    def send(self, method: str, params, request: bool = False) -> Optional[int]:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self._next_id += 1
            message["id"] = self._next_id
        body = json.dumps(message).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        return message.get("id")

    def wait(self, test, timeout: float = 600) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            message = self.received.get(timeout=max(deadline - time.monotonic(), 0.001))
            if test(message):
                return message

    def diagnostics(self, uri: str, version: int) -> dict:
        return self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri and m["params"].get("version") == version
        )

    def resident_kib(self) -> Tuple[int, int]:
        """The server's resident memory now and at its peak (KiB), from ``/proc``."""
        fields = {}
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                fields[name] = value.split()[0] if value.split() else "0"
        return int(fields.get("VmRSS", 0)), int(fields.get("VmHWM", 0))

    def cpu_seconds(self) -> float:
        """The server's user and system CPU time so far: unlike wall time, not inflated
        when other processes share the cores."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        request = self.send("shutdown", None, request=True)
        self.wait(lambda m: m.get("id") == request, timeout=60)
        self.send("exit", None)
        self.process.wait(timeout=60)


def server_latency(project: Path, view: str, edits: int) -> None:
    """Open ``view`` in ``ormlint server``, then edit it ``edits`` times of each kind, each
    time timing the didChange to the diagnostics of that version: a comment line typed
    (no fact of the module changes), and a statement typed in a method body that reads
    a new attribute of a parameter each time (what the method reads changes, so the
    project index takes the module's new facts)."""
    path = (project / view).resolve()
    uri, text = path.as_uri(), path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    editor = _Editor([sys.executable, "-m", "ormlint", "server"], project)
    request = editor.send("initialize", {"processId": os.getpid(), "rootUri": project.resolve().as_uri(), "capabilities": {}}, request=True)
    editor.wait(lambda m: m.get("id") == request)
    editor.send("initialized", {})
    start = time.perf_counter()
    editor.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}})
    found = editor.diagnostics(uri, 1)
    opened = time.perf_counter() - start
    statement, parameter = _body_statement(text)
    kinds = {
        "a comment line": lambda version: [*lines[: len(lines) // 2], f"# edit {version}\n", *lines[len(lines) // 2 :]],
        "a read of a parameter in a method": lambda version: [
            *lines[: statement.end_lineno],
            " " * statement.col_offset + f"print({parameter}.edited_{version})\n",
            *lines[statement.end_lineno :],
        ],
    }
    version = 1
    print(f"{view} ({len(lines):,} lines) in {project.name} ({len(python_files(project)):,} Python files)")
    print(f"first diagnostics after didOpen (index from the disk cache or built): {opened:.2f} s, {len(found['params']['diagnostics'])} findings")
    for kind, edit in kinds.items():
        times = []
        cpu_before = editor.cpu_seconds()
        for _ in range(edits):
            version += 1
            start = time.perf_counter()
            editor.send("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": "".join(edit(version))}],
            })
            editor.diagnostics(uri, version)
            times.append(time.perf_counter() - start)
        cpu = (editor.cpu_seconds() - cpu_before) / edits
        print(f"didChange -> publishDiagnostics, {kind}, {edits} edits: median {statistics.median(times) * 1000:.0f} ms, "
              f"slowest {max(times) * 1000:.0f} ms (includes the server's {_change_delay() * 1000:.0f} ms debounce); "
              f"server CPU {cpu * 1000:.0f} ms per edit")
    resident, peak = editor.resident_kib()
    editor.close()
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"server resident memory: {resident / 1024:,.0f} MB now, {peak / 1024:,.0f} MB at its peak")


def _body_statement(text: str):
    """A one-line assignment near the middle of the file in a method that takes a
    parameter besides ``self``, and that parameter: a statement typed after it that reads
    the parameter changes what the method reads, a fact of the module's."""
    import ast

    found = [
        (node, method.args.args[1].arg)
        for method in ast.walk(ast.parse(text))
        if isinstance(method, ast.FunctionDef) and len(method.args.args) > 1
        for node in method.body
        if isinstance(node, ast.Assign) and node.lineno == node.end_lineno
    ]
    return sorted(found, key=lambda pair: pair[0].lineno)[len(found) // 2]


def _change_delay() -> float:
    from ormlint.server import CHANGE_DELAY

    return CHANGE_DELAY


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA), help="default: all")
    parser.add_argument("--shapes", action="store_true", help="check one file of each worst shape instead")
    parser.add_argument("--server", action="store_true", help="time the language server on a large project instead")
    parser.add_argument("--project", type=Path, help="with --server: the project (default: wagtail, downloaded)")
    parser.add_argument("--view", default=SERVER_VIEW, help="with --server: the file to edit, below the project")
    parser.add_argument("--edits", type=int, default=30, help="with --server: how many edits to time")
    arguments = parser.parse_args()
    if arguments.shapes:
        shapes(arguments.runs)
        return 0
    if arguments.server:
        CORPORA.setdefault("wagtail", SERVER_CORPUS)
        server_latency(arguments.project or fetch("wagtail"), arguments.view, arguments.edits)
        return 0
    # The downloads lie in a folder this repository's .gitignore ignores, which ormlint
    # respects as git does: the corpora are checked as the projects they are.
    ormlint = [sys.executable, "-m", "ormlint", "--exit-zero", "--output-format", "json", "--no-respect-gitignore"]
    rows = []
    for name in arguments.corpus or sorted(CORPORA):
        folder = fetch(name)
        files = python_files(folder)
        cache = folder / ".ormlint_cache"
        floor = parse_floor(files, arguments.runs)
        rows.append((name, "libcst parse floor (all cores)", floor, 0, None, len(files), floor))

        def clear():
            shutil.rmtree(cache, ignore_errors=True)

        seconds, peak, output = measure([*ormlint, "--no-cache", "."], folder, arguments.runs)
        rows.append((name, "ormlint cold (--no-cache)", seconds, peak, count_json(output), len(files), floor))
        with tempfile.TemporaryDirectory() as settings:
            # The test-code defaults cleared: every rule on every file.
            everything = Path(settings) / "ormlint.toml"
            everything.write_text("per-file-ignores = {}\n")
            seconds, peak, output = measure([*ormlint, "--no-cache", "--config", str(everything), "."], folder, arguments.runs)
        rows.append((name, "ormlint cold, every rule on every file", seconds, peak, count_json(output), len(files), floor))
        measure([*ormlint, "."], folder, 1, setup=clear)
        seconds, peak, output = measure([*ormlint, "."], folder, arguments.runs)
        rows.append((name, "ormlint warm (nothing changed)", seconds, peak, count_json(output), len(files), floor))

        changed = Path(sorted(files)[len(files) // 2])
        original = changed.read_bytes()

        def touch():
            changed.write_bytes(original + f"\n# benchmark {time.time()}\n".encode())

        seconds, peak, output = measure([*ormlint, "."], folder, arguments.runs, setup=touch)
        changed.write_bytes(original)
        rows.append((name, "ormlint, one file changed", seconds, peak, count_json(output), len(files), floor))

        view = _view_of_about(files, 1000)
        flake8 = [sys.executable, "-m", "flake8", "--select", "ORM", view]
        measure(flake8, folder, 1)  # the plugin's caches, as an editor's second save finds them
        seconds, peak, output = measure(flake8, folder, arguments.runs)
        rows.append((name, f"flake8 + plugin, {_lines(view)}-line view", seconds, peak, count_lines(output), 1, floor))
        text = Path(view).read_bytes()

        def edit():
            Path(view).write_bytes(text + f"\n# edited {time.time()}\n".encode())

        seconds, peak, output = measure(flake8, folder, arguments.runs, setup=edit)
        Path(view).write_bytes(text)
        rows.append((name, "flake8 + plugin, that view just edited", seconds, peak, count_lines(output), 1, floor))

        for label, command in _others(folder):
            seconds, peak, output = measure(command, folder, arguments.runs)
            rows.append((name, label, seconds, peak, count_lines(output), len(files), floor))
    _print(rows)
    return 0


def _view_of_about(files: List[str], lines: int) -> str:
    """The views module whose length is nearest ``lines`` (any file if none is a view)."""
    views = [f for f in files if Path(f).name.startswith("views") or "/views/" in f] or files
    return min(views, key=lambda f: (abs(_lines(f) - lines), f))


def _lines(path: str) -> int:
    return Path(path).read_bytes().count(b"\n")


def _which(tool: str) -> Optional[str]:
    """A tool on the PATH or beside this Python (an activated or not virtual environment)."""
    beside = Path(sys.executable).parent / tool
    return shutil.which(tool) or (str(beside) if beside.exists() else None)


def _others(folder: Path):
    """The tools a user would otherwise run, when installed."""
    ruff, semgrep, pylint, bandit = (_which(t) for t in ("ruff", "semgrep", "pylint", "bandit"))
    if ruff:
        yield "ruff --select S113", [ruff, "check", "--no-cache", "--exit-zero", "--select", "S113", "--output-format", "concise", "."]
        yield "ruff --select ALL", [ruff, "check", "--no-cache", "--exit-zero", "--select", "ALL", "--output-format", "concise", "."]
    if semgrep:
        yield "semgrep (requests timeout, django perf)", [
            semgrep, "--metrics=off", "--disable-version-check", "--config", "p/django", "--quiet", "."
        ]
    if pylint:
        yield "pylint missing-timeout", [pylint, "--disable=all", "--enable=missing-timeout", "--exit-zero", "."]
    if bandit:
        yield "bandit -t B113", [bandit, "-q", "-r", "-t", "B113", "--exit-zero", "."]


def _print(rows) -> None:
    """One line per measurement, with its ratio to the libcst floor and to ruff with
    every rule (``--select ALL --no-cache``) measured in the same run on the same corpus."""
    ruff = {corpus: seconds for corpus, label, seconds, *_ in rows if label == "ruff --select ALL"}
    header = (
        f"{'corpus':<9} {'measurement':<40} {'median s':>9} {'files/s':>9} {'peak MB':>8} {'findings':>9}"
        f" {'x floor':>8} {'x ruff':>7}"
    )
    print(header)
    print("-" * len(header))
    for corpus, label, seconds, peak, findings, files, floor in rows:
        rate = f"{files / seconds:,.0f}" if seconds else "-"
        memory = f"{peak / 1024:,.0f}" if peak else "-"
        found = "-" if findings is None else str(findings)
        versus = f"{seconds / ruff[corpus]:>7.2f}" if corpus in ruff else f"{'-':>7}"
        print(f"{corpus:<9} {label:<40} {seconds:>9.2f} {rate:>9} {memory:>8} {found:>9} {seconds / floor:>8.2f} {versus}")


if __name__ == "__main__":
    sys.exit(main())
