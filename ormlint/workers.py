"""Checking many files: on every core, in the order they were given.

Workers are separate processes, each with its own project index loaded from the on-disk
cache that the parent wrote; results come back as plain data (``FileResult``) in the
order the files were submitted, so output never depends on scheduling.
"""

from __future__ import annotations

import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Dict, List, Optional, Sequence

from ormlint.config import Config
from ormlint.diagnostics import file_error, internal_error
from ormlint.project import Project
from ormlint.results import FileResult
from ormlint.source import SourceFile

#: Below this many files, starting processes costs more than it saves.
PARALLEL_THRESHOLD = 24

_project: Optional[Project] = None


def open_pool(count: int, project: Project) -> Optional[ProcessPoolExecutor]:
    """A process pool for ``count`` files, or ``None`` when one process is as fast."""
    jobs = os.cpu_count() or 1
    if jobs < 2 or count < PARALLEL_THRESHOLD:
        return None
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(project.arguments(),))
    project.mapper = lambda function, *items: pool.map(function, *items, chunksize=32)
    return pool


def check_files(
    sources: Sequence[SourceFile],
    config: Config,
    project: Project,
    fixing: bool,
    pool: Optional[ProcessPoolExecutor] = None,
    progress: Optional[Callable[[int], None]] = None,
) -> List[FileResult]:
    """Check or fix every source, in ``pool`` if given; results in the order of ``sources``."""
    if pool is None or len(sources) < PARALLEL_THRESHOLD:
        results = []
        for source in sources:
            results.append(process(source, config, project, fixing))
            if progress:
                progress(1)
        return results
    for source in sources:  # build and cache each project's index in the parent, once
        project.index_for(source.path)
    results = []
    chunk = max(1, min(16, len(sources) // ((os.cpu_count() or 1) * 8)))
    for result in pool.map(_work, sources, [config] * len(sources), [fixing] * len(sources), chunksize=chunk):
        results.append(result)
        if progress:
            progress(1)
    return results


_arguments: Dict[str, object] = {}


def _start_worker(arguments: Dict[str, object]) -> None:
    """Remember how to build the project; it is built at the first file, after the parent
    has written the index cache, so a worker loads the index instead of rebuilding it."""
    global _arguments, _project
    _arguments, _project = arguments, None


def _work(source: SourceFile, config: Config, fixing: bool) -> FileResult:
    global _project
    if _project is None:
        _project = Project(**_arguments)  # type: ignore[arg-type]
    return process(source, config, _project, fixing)


def process(source: SourceFile, config: Config, project: Project, fixing: bool) -> FileResult:
    """Check or fix one file. A bug of ormlint's on one file is reported on that file and
    the run goes on: the file is left as it was."""
    from ormlint.engine import check_source, fix_source  # libcst only when a file needs it

    try:
        if fixing:
            return fix_source(source, config, project, unsafe=config.unsafe_fixes)
        return check_source(source, config, project)
    except RecursionError:
        return FileResult(source.path, [file_error(source.path, "too deeply nested to check")])
    except Exception as error:  # noqa: BLE001 - isolate one file's failure from the run
        detail = f"in ormlint, file not checked: {type(error).__name__}: {error}"
        return FileResult(source.path, [internal_error(source.path, detail)], internal_errors=[traceback.format_exc()])
