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

from ormlint.add_noqa import add_noqa_to_files
from ormlint.baseline import new_findings, read_baseline, write_baseline
from ormlint.cache import cache_folder
from ormlint.callers import caller_findings
from ormlint.config import Config
from ormlint.diagnostics import SYNTAX_ERROR, Diagnostic, file_error
from ormlint.discovery import discover
from ormlint.output import Report
from ormlint.output.destination import write_report
from ormlint.project import Project
from ormlint.results import FileResult, ResultCache, file_stamp, result_key, run_salt
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
    #: Adopting ormlint on an existing codebase: suppress what is found with ``noqa``
    #: comments, record it in a baseline, or report only what a baseline does not hold.
    add_noqa: bool = False
    write_baseline: Optional[Path] = None
    baseline: Optional[Path] = None
    #: ``--fix-only``: report what was fixed, not what remains (``fix`` is set too).
    fix_only: bool = False
    show_fixes: bool = False
    exit_non_zero_on_fix: bool = False
    output_file: Optional[str] = None


def run(paths: Sequence[str], config: Config, options: Options) -> int:
    """Check ``paths`` and report; the exit status. A baseline that cannot be read raises
    :class:`BaselineError` before anything is checked, one that cannot be written after."""
    accepted = read_baseline(options.baseline) if options.baseline is not None else None
    cache_dir = config.cache_dir
    if cache_dir and config.root is not None and not Path(cache_dir).is_absolute():
        cache_dir = str(config.root / cache_dir)
    common = _common_folder(paths)
    root = _report_root(common, config)
    project = Project(
        fallback_root=common,
        use_cache=options.use_cache,
        cache_dir=cache_dir,
        max_file_size=config.max_file_size,
    )
    report = Report(unsafe_fixes=config.unsafe_fixes, fixing=options.fix, root=str(root))
    diffs: List[str] = []
    fixed: Dict[str, str] = {}
    fixing = options.fix or options.diff
    stdin_output: Optional[str] = None
    internal_errors: List[str] = []

    if list(paths) == ["-"]:
        name = options.stdin_filename or "-"
        raw = sys.stdin.buffer.read(config.max_file_size + 1)
        if len(raw) > config.max_file_size:
            return _refuse_large_stdin(name, raw, config, options)
        source = SourceFile.from_bytes(name, raw)
        sources = [source]
        read = {name: source}
        result = process(source, config, project, fixing)
        internal_errors.extend(result.internal_errors)
        report.diagnostics.extend(result.diagnostics)
        report.record_fixes(name, result.fixed)
        if result.fixed_text is not None and options.diff:
            diffs.append(_unified_diff(name, source.text, result.fixed_text))
        elif options.fix:
            stdin_output = result.fixed_text if result.fixed_text is not None else source.text
    else:
        found, results, sources = _check_paths(paths, config, options, project, fixing, report)
        if not found:
            # As ruff says it: a run inside a folder that git ignores, or that excludes
            # everything, would otherwise look like a clean one.
            click.echo("ormlint: warning: no Python files found under the given paths", err=True)
        read = {source.path: source for source in sources}
        # After a fix, the helpers' lines may have moved; and a run over every file of its
        # projects leaves no caller unchecked (nor needs the files its cache answered for).
        if not options.fix and not project.checks_all(found, config):
            everything = _read_all([r.path for r in results], read, config)
            read.update((source.path, source) for source in everything)
            report.diagnostics.extend(caller_findings(everything, config, project))
        for result in results:
            internal_errors.extend(result.internal_errors)
            report.diagnostics.extend(result.diagnostics)
            if result.fixed_text is None:
                continue
            source = read[result.path]
            fixed[source.path] = result.fixed_text
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
    if options.add_noqa or options.write_baseline is not None or accepted is not None:
        # These read the lines of the findings, also in files the cache answered for.
        sources = _read_all(sorted({d.path for d in report.diagnostics}), read, config)
    if options.add_noqa:
        return _add_noqa(report, sources, options, internal_errors)
    # After --fix, the findings left are those of the fixed text.
    texts = {source.path: fixed.get(source.path, source.text) for source in sources} if options.write_baseline is not None or accepted is not None else {}
    if options.write_baseline is not None:
        written = write_baseline(options.write_baseline, _baselined(report), root, texts)
        click.echo(f"Wrote {written} finding{'s' if written != 1 else ''} to {options.write_baseline}.", err=True)
        return EXIT_ERROR if internal_errors else EXIT_CLEAN
    if accepted is not None:
        report.diagnostics = new_findings(report.diagnostics, accepted, root, texts)
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


def _add_noqa(report: Report, sources: Sequence[SourceFile], options: Options, internal_errors: List[str]) -> int:
    """Suppress every finding with a ``noqa`` comment; report the ones that could not be,
    and exit 1 if there are any."""
    outcome = add_noqa_to_files(report.diagnostics, {source.path: source for source in sources})
    report.diagnostics = sorted(outcome.unsuppressed, key=lambda d: d.sort_key)
    if report.diagnostics:
        _emit(report, options, err=False)
    added = outcome.added
    click.echo(f"Added {added} noqa directive{'s' if added != 1 else ''}.", err=True)
    if internal_errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if report.diagnostics else EXIT_CLEAN


def _baselined(report: Report) -> List[Diagnostic]:
    """What a baseline accepts: every finding but ormlint's own failures, which must
    stay visible until they are fixed."""
    return [d for d in report.diagnostics if not (d.code == SYNTAX_ERROR and d.message.startswith("internal error"))]


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
) -> Tuple[List[str], List[FileResult], List[SourceFile]]:
    """The files below ``paths``, and a result for each one that could be read: from the
    result cache when the file, the configuration and the project index are unchanged,
    else by checking it (on every core when there are many). Unreadable files are
    reported into ``report`` directly.

    A file the cache knows by its size and time is not even read: the sources returned
    are those read, which, with the cache, may be only the files that changed."""
    found = discover(paths, config)
    use_cache = options.use_cache and not fixing
    caches: Dict[Optional[Path], ResultCache] = {}
    salt = run_salt(config)
    results: List[FileResult] = []
    sources: List[SourceFile] = []
    to_check: List[SourceFile] = []
    #: For each file to check: its place in ``results``, its stamp, salt and content key.
    pending: List[Tuple[int, Optional[List[int]], str, Optional[str]]] = []
    # The pool is there while the fingerprints are taken: a project index built for them
    # reads its files on every core. It starts no process until it is given work.
    with worker_pool(len(found), project) as pool:
        for path in found:
            root = project.root_of(path) if use_cache else None
            salted, stamp = "", None
            if root is not None:
                if root not in caches:
                    caches[root] = ResultCache(cache_folder(root, project.cache_dir) / "results.json")
                salted = f"{salt}|{project.fingerprint(path)}"
                stamp = file_stamp(path)  # before the read: a file changed during it is read again next time
                cached = caches[root].unchanged(path, stamp, salted)
                if cached is not None:
                    results.append(FileResult(path, cached))
                    continue
            try:
                source = SourceFile.read(path, config.max_file_size)
            except SourceError as error:
                report.diagnostics.append(file_error(path, str(error)))
                continue
            sources.append(source)
            key = result_key(source.raw, salted) if root is not None else None
            cached = caches[root].get(path, key, stamp) if root is not None else None
            if cached is not None:
                results.append(FileResult(path, cached))
                continue
            pending.append((len(results), stamp, salted, key))
            results.append(FileResult(path))
            to_check.append(source)
        with _progress(len(to_check)) as advance:
            checked = check_files(to_check, config, project, fixing, pool, advance)
    for (position, stamp, salted, key), result in zip(pending, checked):
        results[position] = result
        if key is not None and not result.internal_errors:
            caches[project.root_of(result.path)].put(result.path, key, result.diagnostics, stamp, salted)
    for cache in caches.values():
        cache.save()
    return found, results, sources


def _read_all(paths: Sequence[str], read: Dict[str, SourceFile], config: Config) -> List[SourceFile]:
    """The source of each of ``paths``, reading those not in ``read`` (the files the cache
    answered for); a file that cannot be read now is left out."""
    sources = []
    for path in paths:
        source = read.get(path)
        if source is None:
            try:
                source = SourceFile.read(path, config.max_file_size)
            except SourceError:
                continue
        sources.append(source)
    return sources


@contextmanager
def _progress(total: int) -> Iterator[Optional[Callable[[int], None]]]:
    """A progress bar on standard error for long runs on a terminal; nothing in pipes
    and CI logs."""
    if total < 200 or not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    with click.progressbar(length=total, label="Checking", file=sys.stderr) as bar:
        yield bar.update


def _report_root(folder: Optional[Path], config: Config) -> Path:
    """The folder SARIF locations and baselines are relative to: the project's root
    (of ``folder``, the checked paths' common folder)."""
    if config.root is not None:
        return config.root
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
