"""One run of the command line: discover files, check or fix each, report.

The engine knows one file; this module knows a run: which files, reading and writing
them, standard input, diffs and the output format.
"""

from __future__ import annotations

import difflib
import os
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import click

from ormlint import __version__
from ormlint.cache import cache_folder
from ormlint.callers import caller_findings
from ormlint.config import Config
from ormlint.diagnostics import file_error
from ormlint.discovery import discover
from ormlint.output import Report
from ormlint.output.destination import write_report
from ormlint.project import Project
from ormlint.results import FileResult, ResultCache, result_key
from ormlint.semantic.index import find_project_root
from ormlint.source import SourceError, SourceFile, WriteError, too_large
from ormlint.workers import check_files, process, worker_pool

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Options:
    fix: bool = False
    diff: bool = False
    output_format: str = "text"
    statistics: bool = False
    quiet: bool = False
    use_cache: bool = True
    stdin_filename: Optional[str] = None
    verbose: bool = False
    #: ``--fix-only``: report what was fixed, not what remains (``fix`` is set too).
    fix_only: bool = False
    show_fixes: bool = False
    exit_non_zero_on_fix: bool = False
    output_file: Optional[str] = None


def run(paths: Sequence[str], config: Config, options: Options) -> int:
    cache_dir = config.cache_dir
    if cache_dir and config.root is not None and not Path(cache_dir).is_absolute():
        cache_dir = str(config.root / cache_dir)
    project = Project(
        fallback_root=_common_folder(paths),
        use_cache=options.use_cache,
        cache_dir=cache_dir,
        max_file_size=config.max_file_size,
    )
    report = Report(unsafe_fixes=config.unsafe_fixes, fixing=options.fix, root=str(_report_root(paths, config)))
    diffs: List[str] = []
    fixing = options.fix or options.diff
    stdin_output: Optional[str] = None
    internal_errors: List[str] = []

    if list(paths) == ["-"]:
        name = options.stdin_filename or "-"
        raw = sys.stdin.buffer.read(config.max_file_size + 1)
        if len(raw) > config.max_file_size:
            return _refuse_large_stdin(name, raw, config, options)
        source = SourceFile.from_bytes(name, raw)
        result = process(source, config, project, fixing)
        internal_errors.extend(result.internal_errors)
        report.diagnostics.extend(result.diagnostics)
        report.record_fixes(name, result.fixed)
        if result.fixed_text is not None and options.diff:
            diffs.append(_unified_diff(name, source.text, result.fixed_text))
        elif options.fix:
            stdin_output = result.fixed_text if result.fixed_text is not None else source.text
    else:
        results, sources = _check_paths(paths, config, options, project, fixing, report)
        if not options.fix:  # after a fix, the helpers' lines may have moved
            report.diagnostics.extend(caller_findings(sources, config, project))
        for source, result in zip(sources, results):
            internal_errors.extend(result.internal_errors)
            report.diagnostics.extend(result.diagnostics)
            if result.fixed_text is None:
                continue
            if options.diff:
                diffs.append(_unified_diff(source.path, source.text, result.fixed_text))
                report.record_fixes(source.path, result.fixed)
                continue
            try:
                source.write(result.fixed_text)
                report.record_fixes(source.path, result.fixed)
            except WriteError as error:
                report.diagnostics.append(file_error(source.path, str(error)))

    report.diagnostics.sort(key=lambda d: d.sort_key)
    if options.verbose:
        for trace in internal_errors:
            click.echo(trace, err=True)
    if stdin_output is not None:
        sys.stdout.write(stdin_output)
        sys.stdout.flush()
        _emit(report, options, err=True)
    elif options.diff:
        _emit_diff(diffs, report, options)
    else:
        _emit(report, options, err=False)
    if internal_errors:
        return EXIT_ERROR
    if options.diff:
        return EXIT_FINDINGS if diffs else EXIT_CLEAN
    fixed_and_told_to_fail = options.exit_non_zero_on_fix and report.fixed > 0
    if options.fix_only:
        return EXIT_FINDINGS if fixed_and_told_to_fail else EXIT_CLEAN
    return EXIT_FINDINGS if report.diagnostics or fixed_and_told_to_fail else EXIT_CLEAN


def _refuse_large_stdin(name: str, head: bytes, config: Config, options: Options) -> int:
    """Report standard input larger than ``max-file-size`` without holding it: with
    ``--fix`` it is copied through unchanged (an editor replaces its buffer with what
    comes out), else the rest is not read at all."""
    report = Report(unsafe_fixes=config.unsafe_fixes, fixing=options.fix)
    report.diagnostics.append(file_error(name, too_large(None, config.max_file_size)))
    if options.fix:
        sys.stdout.buffer.write(head)
        shutil.copyfileobj(sys.stdin.buffer, sys.stdout.buffer)
        sys.stdout.flush()
    _emit(report, options, err=options.fix)
    return EXIT_FINDINGS


def _check_paths(
    paths: Sequence[str], config: Config, options: Options, project: Project, fixing: bool, report: Report
) -> Tuple[List[FileResult], List[SourceFile]]:
    """Results for every file below ``paths``, from the result cache when the file, the
    configuration and the project index are unchanged, else by checking it (on every
    core when there are many). Unreadable files are reported into ``report`` directly."""
    sources: List[SourceFile] = []
    for path in discover(paths, config):
        try:
            sources.append(SourceFile.read(path, config.max_file_size))
        except SourceError as error:
            report.diagnostics.append(file_error(path, str(error)))
    with worker_pool(len(sources), project) as pool:
        caches: Dict[Optional[Path], ResultCache] = {}
        keys: List[Optional[str]] = [None] * len(sources)
        results: List[Optional[FileResult]] = [None] * len(sources)
        if options.use_cache and not fixing:
            salt = f"{__version__}|{config.fingerprint()}"
            for position, source in enumerate(sources):
                root = project.root_of(source.path)
                if root is None:
                    continue
                if root not in caches:
                    caches[root] = ResultCache(cache_folder(root, project.cache_dir) / "results.json")
                keys[position] = result_key(source.raw, f"{salt}|{project.fingerprint(source.path)}")
                cached = caches[root].get(source.path, keys[position])
                if cached is not None:
                    results[position] = FileResult(source.path, cached)
        pending = [position for position, result in enumerate(results) if result is None]
        with _progress(len(pending)) as advance:
            checked = check_files([sources[p] for p in pending], config, project, fixing, pool, advance)
    for position, result in zip(pending, checked):
        results[position] = result
        key = keys[position]
        if key is not None and not result.internal_errors:
            caches[project.root_of(sources[position].path)].put(sources[position].path, key, result.diagnostics)
    for cache in caches.values():
        cache.save()
    return [r for r in results if r is not None], sources


@contextmanager
def _progress(total: int) -> Iterator[Optional[Callable[[int], None]]]:
    """A progress bar on standard error for long runs on a terminal; nothing in pipes
    and CI logs."""
    if total < 200 or not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    with click.progressbar(length=total, label="Checking", file=sys.stderr) as bar:
        yield bar.update


def _report_root(paths: Sequence[str], config: Config) -> Path:
    """The folder SARIF locations are relative to: the project's root."""
    if config.root is not None:
        return config.root
    folder = _common_folder(paths)
    return (find_project_root(folder) if folder else None) or Path.cwd()


def _common_folder(paths: Sequence[str]) -> Optional[Path]:
    folders = [Path(p) if Path(p).is_dir() else Path(p).parent for p in paths if p != "-"]
    if not folders:
        return None
    try:
        return Path(os.path.commonpath([str(f.resolve()) for f in folders]))
    except ValueError:
        return None




def _unified_diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


def _emit(report: Report, options: Options, err: bool) -> None:
    if options.fix_only:
        from ormlint.output.text import fix_only

        text = fix_only(report, quiet=options.quiet, show_fixes=options.show_fixes) if options.output_format == "text" else ""
    elif options.statistics:
        from ormlint.output.text import statistics

        text = statistics(report)
    elif options.output_format == "json":
        from ormlint.output.json import render

        text = render(report)
    elif options.output_format == "github":
        from ormlint.output.github import render

        text = render(report)
    elif options.output_format == "sarif":
        from ormlint.output.sarif import render

        text = render(report)
    else:
        from ormlint.output.text import render

        text = render(report, quiet=options.quiet, show_fixes=options.show_fixes)
    write_report(text, options.output_file, err=err)


def _emit_diff(diffs: List[str], report: Report, options: Options) -> None:
    for diff in diffs:
        click.echo(diff, nl=False)
    if not options.quiet:
        count = report.fixed
        click.echo(f"Would fix {count} problem{'s' if count != 1 else ''}." if diffs else "No fixes available.", err=True)
