"""Checking many files: on every core, in the order they were given.

Workers are separate processes, each with its own project index loaded from the on-disk
cache that the parent wrote; results come back as plain data (``FileResult``) in the
order the files were submitted, so output never depends on scheduling.
"""

from __future__ import annotations

import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Dict, Iterator, List, Optional, Sequence

from ormlint.config import Config
from ormlint.diagnostics import file_error, internal_error
from ormlint.project import Project
from ormlint.results import FileResult
from ormlint.source import SourceFile

#: Below this many files, starting processes costs more than it saves.
PARALLEL_THRESHOLD = 24

_project: Optional[Project] = None


def check_files(
    sources: Sequence[SourceFile],
    config: Config,
    project: Project,
    fixing: bool,
    jobs: Optional[int] = None,
    progress: Optional[Callable[[int], None]] = None,
) -> List[FileResult]:
    """Check or fix every source; results in the order of ``sources``."""
    jobs = jobs or os.cpu_count() or 1
    if jobs < 2 or len(sources) < PARALLEL_THRESHOLD:
        results = []
        for source in sources:
            results.append(process(source, config, project, fixing))
            if progress:
                progress(1)
        return results
    for source in sources:  # build (and cache) each project's index once, in the parent
        project.index_for(source.path)
    arguments = project.arguments()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(arguments,)) as pool:
        results = []
        chunk = max(1, min(16, len(sources) // (jobs * 8)))
        for result in pool.map(_work, sources, [config] * len(sources), [fixing] * len(sources), chunksize=chunk):
            results.append(result)
            if progress:
                progress(1)
        return results


def _start_worker(arguments: Dict[str, object]) -> None:
    global _project
    _project = Project(**arguments)  # type: ignore[arg-type]


def _work(source: SourceFile, config: Config, fixing: bool) -> FileResult:
    assert _project is not None
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
